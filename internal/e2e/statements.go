package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/pgrestgen/pgrestgen/runtime"
	"github.com/pgrestgen/pgrestgen/runtime/config"
)

var updateStatements = flag.Bool("update-sql", false, "rewrite the request → SQL golden files (testdata/sql/*.txtar)")

// CheckStatements renders every case of the case files in dir to the
// statement its request runs — through the request, plan and SQL stages,
// without a database (runtime.Server.Prepare) — and compares them with the
// golden files in goldenDir, one txtar archive per group: a file per case
// holding its request line, then the statement and its bind values (or the
// error the request gets before it reaches the database). -update-sql
// rewrites them. It runs under -short: what the SQL of a feature is can be
// reviewed, and is checked, without PostgreSQL.
func (s Suite) CheckStatements(t *testing.T, dir, goldenDir string) {
	for group, cases := range LoadCases(t, dir) {
		t.Run(group, func(t *testing.T) {
			srv := s.offlineServer(t, groupEnv(t, filepath.Join(dir, group+".env")))
			got := &txtar.Archive{Comment: []byte("Statements of " + filepath.Join(dir, group+".json") + ", by case (go test -update-sql rewrites this file).\n")}
			seen := map[string]bool{}
			for _, c := range cases {
				name := c.Name
				for i := 2; seen[name]; i++ {
					name = fmt.Sprintf("%s (%d)", c.Name, i)
				}
				seen[name] = true
				got.Files = append(got.Files, txtar.File{Name: name, Data: s.statement(t, srv, c)})
			}
			// Prepared again, each read binds the statement the server kept
			// for its shape (runtime's shapes.go): it must be the same.
			for i, c := range cases {
				if again := s.statement(t, srv, c); !bytes.Equal(again, got.Files[i].Data) {
					t.Errorf("case %q: prepared again, statement differs (-first +again):\n%s", got.Files[i].Name,
						cmp.Diff(string(got.Files[i].Data), string(again)))
				}
			}
			path := filepath.Join(goldenDir, group+".txtar")
			if *updateStatements {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, txtar.Format(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update-sql writes it)", err)
			}
			want := txtar.Parse(raw)
			wantByName := map[string][]byte{}
			var wantNames, gotNames []string
			for _, f := range want.Files {
				wantByName[f.Name] = f.Data
				wantNames = append(wantNames, f.Name)
			}
			for _, f := range got.Files {
				gotNames = append(gotNames, f.Name)
				if w, ok := wantByName[f.Name]; ok && !bytes.Equal(w, f.Data) {
					t.Errorf("case %q: statement differs (-golden +now):\n%s", f.Name, cmp.Diff(string(w), string(f.Data)))
				}
			}
			slices.Sort(wantNames)
			slices.Sort(gotNames)
			if d := cmp.Diff(wantNames, gotNames); d != "" {
				t.Errorf("cases differ from %s (-golden +now):\n%s", path, d)
			}
		})
	}
}

// offlineServer is the suite's server with a group's settings (see
// OfflineServer).
func (s Suite) offlineServer(t *testing.T, groupEnv []string) *runtime.Server {
	t.Helper()
	return OfflineServer(t, s.Schema, append(slices.Clone(s.Environ), groupEnv...)...)
}

// OfflineServer is a server for schema with PGRST_* settings environ, on a
// pool that never connects: Prepare (and benchmarks of the request, plan and
// SQL stages) run no statement.
func OfflineServer(t testing.TB, schema *runtime.Schema, environ ...string) *runtime.Server {
	t.Helper()
	// A closed loopback port: any attempt to connect would fail at once.
	cfg, err := config.Load("", append([]string{"PGRST_DB_URI=postgres://authenticator@127.0.0.1:1/none?sslmode=disable"}, environ...))
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(t.Context(), cfg.DBURI)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	srv, err := runtime.New(runtime.Options{Config: cfg, Schema: schema, DB: pool})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// statement is a case's golden entry: its request line, then its
// statement, bind values and EXPLAIN, or the error it gets.
func (s Suite) statement(t *testing.T, srv *runtime.Server, c Case) []byte {
	t.Helper()
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	var body []byte
	switch {
	case c.BodyText != nil:
		body = []byte(*c.BodyText)
	case c.Body != nil:
		body = c.Body
	}
	req := httptest.NewRequest(method, c.Path, bytes.NewReader(body))
	for k, v := range c.Headers {
		for tok, val := range s.Tokens {
			v = strings.ReplaceAll(v, tok, val)
		}
		req.Header.Set(k, v)
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%s %s\n", method, c.Path)
	tx, aerr := srv.Prepare(req)
	switch {
	case aerr != nil:
		fmt.Fprintf(&out, "error: %d %s %s\n", aerr.Status, aerr.Code, aerr.Message)
	case tx == nil:
		out.WriteString("no statement\n")
	default:
		fmt.Fprintf(&out, "sql: %s\nargs: %s\n", tx.Main, jsonArgs(t, tx.Args))
		if tx.Explain != "" {
			fmt.Fprintf(&out, "explain: %s\nexplain args: %s\n", tx.Explain, jsonArgs(t, tx.ExplainArgs))
		}
		if tx.Plan {
			// A plan's transaction: whether it is rolled back (analyze).
			fmt.Fprintf(&out, "plan, rollback: %v\n", tx.Rollback)
		}
	}
	return []byte(out.String())
}

func jsonArgs(t *testing.T, args []any) string {
	t.Helper()
	shown := slices.Clone(args)
	for i, a := range shown {
		if b, ok := a.([]byte); ok {
			shown[i] = string(b) // bytea bodies read better as text
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(shown); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
