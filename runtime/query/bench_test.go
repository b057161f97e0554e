package query

import "testing"

// BenchmarkParseRaw measures parsing of realistic, valid query strings: the
// per-request hot path.
func BenchmarkParseRaw(b *testing.B) {
	for _, bc := range []struct{ name, raw string }{
		{"filter", "id=eq.42"},
		{"select", "select=id,n:name,price::numeric,data->>kind,x:data->a->0::int,actors!inner(id,first_name),...dir(name)"},
		{"logic", "or=(a.eq.1,and(b.gt.2,c.is.null),not.or(d.in.(1,2,3),e.like.*x*),f.cs.{a,b})"},
		{"order", "order=title.desc.nullslast,id,data->>k.asc,rel(name).desc"},
		{"typical", "select=id,title,data->>kind&title=ilike.*star*&id=gt.10&tags=cs.{a,b}&order=title.desc.nullslast,id&limit=20&offset=40"},
		// The load-test workloads: a point read, a filtered list, a list with embeds.
		{"workload_a", "id=eq.42"},
		{"workload_b", "select=id,sku,name,category_id,price,stock&category_id=eq.3&price=lt.500&order=price.desc&limit=25"},
		{"workload_c", "select=id,status,created_at,total,customer:customers(id,name,email),items:order_items(product_id,quantity,unit_price)&customer_id=eq.77&order=created_at.desc&limit=10"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseRaw(bc.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseRawError measures a request whose parse fails.
func BenchmarkParseRawError(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRaw("select=id,clients(name[])"); err == nil {
			b.Fatal("no error")
		}
	}
}
