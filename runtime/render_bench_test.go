package runtime

import (
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// BenchmarkParseRender measures the per-request CPU work before the
// database: parsing a typical query string and rendering its statement.
func BenchmarkParseRender(b *testing.B) {
	rel := fuzzRelation()
	raw := "select=id,title,data->>kind&title=ilike.*star*&id=gt.10&tags=cs.{a,b}&order=title.desc.nullslast,id&limit=20&offset=40"
	b.ReportAllocs()
	for b.Loop() {
		q, err := query.ParseRaw(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, aerr := renderRead(rel, q, readShape{rng: rows(40, 59)}); aerr != nil {
			b.Fatal(aerr)
		}
	}
}

// BenchmarkParseRenderCall is BenchmarkParseRender for a GET function call
// with arguments and a filter on its rows.
func BenchmarkParseRenderCall(b *testing.B) {
	rel := fuzzRelation()
	fn := &Function{Schema: "public", Name: "search", SQLName: `"public"."search"`, ReturnsSet: true,
		Params: []Param{{Name: "term", SQLName: `"term"`, Type: "text", Cast: "text", Required: true},
			{Name: "tags", SQLName: `"tags"`, Type: "text[]", Cast: "text[]", Variadic: true}},
		ResultSchema: rel.Schema, ResultRelation: rel.Name, Volatility: "stable"}
	res := resultRelation(fn, rel)
	raw := "term=star&tags=a&tags=b&select=id,title&id=gt.10&order=title.desc&limit=20"
	b.ReportAllocs()
	for b.Loop() {
		q, err := query.ParseCall(raw)
		if err != nil {
			b.Fatal(err)
		}
		shape := readShape{rng: rows(0, 19), call: plan.PlanCall(fn, q, nil)}
		if _, aerr := renderRead(res, q, shape); aerr != nil {
			b.Fatal(aerr)
		}
	}
}
