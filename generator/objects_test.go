package generator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

// TestReadObjects reads each golden package's object list back from its
// schema.go: it is the catalog's, hostile names included.
func TestReadObjects(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/want")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases (%v)", err)
	}
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "catalog.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cat catalog.Catalog
		if err := json.Unmarshal(b, &cat); err != nil {
			t.Fatal(err)
		}
		got, err := ReadObjects(dir)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(Objects(&cat), got); d != "" {
			t.Errorf("%s (-catalog +schema.go):\n%s", dir, d)
		}
	}
	if got, err := ReadObjects(t.TempDir()); got != nil || err != nil {
		t.Errorf("no schema.go: %v, %v", got, err)
	}
}
