package runtime

import (
	"testing"

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
		if _, aerr := renderRead(rel, q, readShape{rng: rowRange{lower: 40, upper: ptr(59)}}); aerr != nil {
			b.Fatal(aerr)
		}
	}
}
