package generator

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestGoldenOpenAPIValid: every golden case's openapi.json (hostile names,
// every built-in type, several schemas) is a valid OpenAPI 3.1 document.
func TestGoldenOpenAPIValid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "want", "openapi.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden openapi.json (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(filepath.Dir(f))), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			loader := openapi3.NewLoader()
			doc, err := loader.LoadFromData(b)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if !doc.IsOpenAPI31OrLater() {
				t.Fatalf("openapi is %q, want 3.1", doc.OpenAPI)
			}
			if err := doc.Validate(loader.Context); err != nil {
				t.Fatalf("invalid: %v", err)
			}
		})
	}
}
