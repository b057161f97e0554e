package query

import (
	"strings"
	"testing"
)

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

// BenchmarkParsersAfterLongQuery measures a recycled parser on workload b's
// query string after one parse of a long one (400 select items and 400
// filters) grew its buffers: releasing a parse clears what it could write,
// not the buffers' whole capacity, so the long query string costs the
// requests after it nothing (before, they took 1.5–2.9 times as long).
func BenchmarkParsersAfterLongQuery(b *testing.B) {
	long := "select=c" + strings.Repeat(",c", 399) + strings.Repeat("&c=eq.1", 400)
	var ps Parsers
	_, lease, err := ps.ParseRaw(long, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ps.Release(lease)
	raw := "select=id,sku,name,category_id,price,stock&category_id=eq.3&price=lt.500&order=price.desc&limit=25"
	b.ReportAllocs()
	for b.Loop() {
		_, lease, err := ps.ParseRaw(raw, Options{})
		if err != nil {
			b.Fatal(err)
		}
		ps.Release(lease)
	}
}
