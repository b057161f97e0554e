package generator

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
	"github.com/pgrestgen/pgrestgen/generator/emit"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/*/want")

var env pgtest.Env

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(pgtest.Run(m, &env, nil))
}

// caseOptions is testdata/<case>/options.json; every field is optional.
type caseOptions struct {
	Schemas []string `json:"schemas"`
	Package string   `json:"package"`
	// Client generates the typed client too, in want/client.
	Client bool `json:"client"`
}

// clientImport is the import path of a case's want package when its
// client is generated.
func (o caseOptions) clientImport(caseDir string) string {
	if !o.Client {
		return ""
	}
	return "github.com/pgrestgen/pgrestgen/generator/" + filepath.ToSlash(filepath.Join(caseDir, "want"))
}

// TestGolden generates each testdata case from its schema.sql on a fresh
// database and compares the files (and the catalog model) with want/. Then
// it compiles and vets every want/ package, so goldens are always valid Go.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/schema.sql")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases (%v)", err)
	}
	var pkgs []string
	for _, schemaFile := range dirs {
		pkgs = append(pkgs, "./"+filepath.ToSlash(filepath.Join(filepath.Dir(schemaFile), "want")))
	}
	// The group returns when its parallel cases have finished writing, so
	// the compile step below sees every golden.
	t.Run("cases", func(t *testing.T) {
		for _, schemaFile := range dirs {
			dir := filepath.Dir(schemaFile)
			t.Run(filepath.Base(dir), func(t *testing.T) {
				t.Parallel()
				opts := caseOptions{Schemas: []string{"public"}, Package: "want"}
				if b, err := os.ReadFile(filepath.Join(dir, "options.json")); err == nil {
					if err := json.Unmarshal(b, &opts); err != nil {
						t.Fatalf("options.json: %v", err)
					}
				}
				uri := env.NewDatabase(t, "")
				sql, err := os.ReadFile(schemaFile)
				if err != nil {
					t.Fatal(err)
				}
				if err := pgcluster.ApplySQL(t.Context(), uri, string(sql)); err != nil {
					t.Fatal(err)
				}
				res, err := Generate(t.Context(), Options{DBURI: uri, Schemas: opts.Schemas, Package: opts.Package, ClientImport: opts.clientImport(dir)})
				if err != nil {
					t.Fatal(err)
				}
				model, err := json.MarshalIndent(res.Catalog, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				files := append(res.Files, emit.File{Name: "catalog.json", Content: append(model, '\n')})
				compareDir(t, filepath.Join(dir, "want"), files)
			})
		}
	})
	t.Run("compile", func(t *testing.T) {
		root, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"vet"}
		for _, p := range pkgs {
			// With the client sub-package, where there is one.
			args = append(args, "./generator/"+strings.TrimPrefix(p, "./")+"/...")
		}
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go vet of the goldens failed: %v\n%s", err, out)
		}
	})
}

// compareDir compares files with dir, or rewrites dir with -update (removing
// files no longer generated).
func compareDir(t *testing.T, dir string, files Files) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			path := filepath.Join(dir, filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, f.Content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	var have []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		have = append(have, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatalf("%v (run go test ./generator -update to create the goldens)", err)
	}
	var want []string
	for _, f := range files {
		want = append(want, f.Name)
		old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Name)))
		if err != nil {
			continue
		}
		if !bytes.Equal(old, f.Content) {
			t.Errorf("%s differs (-golden +generated):\n%s", f.Name, cmp.Diff(string(old), string(f.Content)))
		}
	}
	slices.Sort(have)
	slices.Sort(want)
	if d := cmp.Diff(have, want); d != "" {
		t.Errorf("file set differs (-golden +generated):\n%s", d)
	}
}

// TestGoldenFromCatalog plans and emits each golden case from its committed
// catalog model, without PostgreSQL (it runs under -short): catalog → Go
// source is tested apart from introspection.
func TestGoldenFromCatalog(t *testing.T) {
	if *update {
		t.Skip("TestGolden rewrites the goldens")
	}
	dirs, err := filepath.Glob("testdata/*/want/catalog.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden catalogs (%v)", err)
	}
	for _, catFile := range dirs {
		want := filepath.Dir(catFile)
		t.Run(filepath.Base(filepath.Dir(want)), func(t *testing.T) {
			opts := caseOptions{Package: "want"}
			if b, err := os.ReadFile(filepath.Join(filepath.Dir(want), "options.json")); err == nil {
				if err := json.Unmarshal(b, &opts); err != nil {
					t.Fatalf("options.json: %v", err)
				}
			}
			b, err := os.ReadFile(catFile)
			if err != nil {
				t.Fatal(err)
			}
			var cat catalog.Catalog
			if err := json.Unmarshal(b, &cat); err != nil {
				t.Fatal(err)
			}
			res, err := Emit(&cat, Options{Package: opts.Package, ClientImport: opts.clientImport(filepath.Dir(want))})
			if err != nil {
				t.Fatal(err)
			}
			compareDir(t, want, append(res.Files, emit.File{Name: "catalog.json", Content: b}))
		})
	}
}

// TestDeterministic shuffles every list of a golden case's catalog model and
// generates twice: the output must be byte-identical to the unshuffled one.
func TestDeterministic(t *testing.T) {
	b, err := os.ReadFile("testdata/names/want/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	gen := func(seed uint64) Files {
		var cat catalog.Catalog
		if err := json.Unmarshal(b, &cat); err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(seed, seed))
		r.Shuffle(len(cat.Relations), func(i, j int) { cat.Relations[i], cat.Relations[j] = cat.Relations[j], cat.Relations[i] })
		r.Shuffle(len(cat.Functions), func(i, j int) { cat.Functions[i], cat.Functions[j] = cat.Functions[j], cat.Functions[i] })
		r.Shuffle(len(cat.Enums), func(i, j int) { cat.Enums[i], cat.Enums[j] = cat.Enums[j], cat.Enums[i] })
		for i := range cat.Relations {
			cols := cat.Relations[i].Columns
			r.Shuffle(len(cols), func(a, b int) { cols[a], cols[b] = cols[b], cols[a] })
		}
		cat.Normalize()
		// With the client, whose names are allocated in an order of their own.
		res, err := Emit(&cat, Options{Package: "want", ClientImport: "example.com/want"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Files
	}
	first := gen(1)
	for seed := uint64(2); seed < 6; seed++ {
		if d := cmp.Diff(first, gen(seed)); d != "" {
			t.Fatalf("seed %d changed the output:\n%s", seed, d)
		}
	}
}
