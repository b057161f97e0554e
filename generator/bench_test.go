package generator

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

// BenchmarkFromCatalog measures planning and emitting (no database) for the
// 520-table golden case.
func BenchmarkFromCatalog(b *testing.B) {
	raw, err := os.ReadFile("testdata/many/want/catalog.json")
	if err != nil {
		b.Fatal(err)
	}
	var cat catalog.Catalog
	if err := json.Unmarshal(raw, &cat); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromCatalog(&cat, "many"); err != nil {
			b.Fatal(err)
		}
	}
}
