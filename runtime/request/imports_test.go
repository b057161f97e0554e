package request

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the package a stage that only reads HTTP (doc.go): no
// web framework, no database driver, no descriptors.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		for _, banned := range []string{"github.com/labstack/", "github.com/jackc/", "database/sql",
			"github.com/pgrestgen/pgrestgen/runtime/contract"} {
			if strings.HasPrefix(imp, banned) {
				t.Errorf("package request imports %s", imp)
			}
		}
	}
}
