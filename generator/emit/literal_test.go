package emit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

// TestConstNames checks constNames against runtime/contract's source: every
// typed string constant there is printable by name, under its own name.
func TestConstNames(t *testing.T) {
	files, err := filepath.Glob("../../runtime/contract/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("contract sources: %v (%d files)", err, len(files))
	}
	want := map[string]string{} // value → name
	fset := token.NewFileSet()
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				if vs.Type == nil {
					continue // untyped: not a value of a contract type
				}
				for i, name := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					want[v] = name.Name
				}
			}
		}
	}
	if len(want) != len(constNames) {
		t.Errorf("contract has %d typed string constants, constNames %d", len(want), len(constNames))
	}
	for v, name := range constNames {
		if s := reflect.ValueOf(v).String(); want[s] != name {
			t.Errorf("constNames prints %q as %s, contract names it %s", s, name, want[s])
		}
	}
}

// TestLiteralUnknownConstant: a value of a contract type without a constant
// is an error, not a literal the runtime would not recognise.
func TestLiteralUnknownConstant(t *testing.T) {
	_, err := literal{}.print(&contract.Relationship{Target: "t", Cardinality: "sideways"})
	if err == nil || !strings.Contains(err.Error(), `"sideways"`) {
		t.Fatalf("got %v, want an error naming the value", err)
	}
}
