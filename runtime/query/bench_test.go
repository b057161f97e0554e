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
