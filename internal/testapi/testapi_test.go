// Package testapi is the read-grammar test bed: a schema made for the
// query-string grammar (schema.sql), its generated API (./db) and
// data-driven end-to-end cases (testdata/http/<group>.json) served over HTTP
// on a real database.
package testapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pgrestgen/pgrestgen/generator"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
	"github.com/pgrestgen/pgrestgen/internal/testapi/db"
)

var env pgtest.Env

const template = "testapi_template"

// schemas are the exposed schemas, the first the default profile.
var schemas = []string{"test", "v2"}

// jwtSecret is the server's HS256 secret in these tests.
const jwtSecret = "a-test-bed-secret-of-at-least-32-characters"

func TestMain(m *testing.M) {
	os.Exit(pgtest.Run(m, &env, func(ctx context.Context, c *pgcluster.Cluster) error {
		if err := c.CreateDatabase(ctx, template, ""); err != nil {
			return err
		}
		return pgcluster.ApplyFiles(ctx, c.URI(template), []string{"schema.sql"})
	}))
}

// asAuthenticator turns a superuser URI into the authenticator role's, as a
// PostgREST deployment connects.
func asAuthenticator(uri string) string {
	return strings.Replace(uri, "postgres://postgres@", "postgres://authenticator@", 1)
}

// TestGeneratedCodeIsCurrent fails when ./db is not what schema.sql
// generates now (the generated code is stale).
func TestGeneratedCodeIsCurrent(t *testing.T) {
	uri := env.NewDatabase(t, template)
	res, err := generator.Generate(t.Context(), generator.Options{DBURI: uri, Schemas: schemas, Package: "db"})
	if err != nil {
		t.Fatal(err)
	}
	diff, err := res.Files.Diff("db")
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("internal/testapi/db is stale; run go generate ./internal/testapi/...\n%s", diff)
	}
}

// TestHTTP runs the case files of testdata/http, one fresh database and
// server per file, end to end over HTTP. A group may prepare its database in
// <group>.sql and add server settings in <group>.env (KEY=VALUE lines).
func TestHTTP(t *testing.T) {
	tokens := map[string]string{
		"{{web_user_token}}": sign(t, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()}),
	}
	for group, cases := range e2e.LoadCases(t, "testdata/http") {
		t.Run(group, func(t *testing.T) {
			t.Parallel()
			uri := env.NewDatabase(t, template)
			if setup, err := os.ReadFile("testdata/http/" + group + ".sql"); err == nil {
				if err := pgcluster.ApplySQL(t.Context(), uri, string(setup)); err != nil {
					t.Fatal(err)
				}
			}
			environ := []string{
				"PGRST_DB_URI=" + asAuthenticator(uri),
				"PGRST_DB_ANON_ROLE=anon",
				"PGRST_DB_SCHEMAS=" + strings.Join(schemas, ","),
				"PGRST_DB_EXTRA_SEARCH_PATH=public,extensions",
				"PGRST_JWT_SECRET=" + jwtSecret,
			}
			environ = append(environ, groupEnv(t, "testdata/http/"+group+".env")...)
			srv := e2e.Serve(t, db.Schema(), db.RegisterHandlers, environ...)
			for _, c := range cases {
				for k, v := range c.Headers {
					for tok, val := range tokens {
						v = strings.ReplaceAll(v, tok, val)
					}
					c.Headers[k] = v
				}
				t.Run(c.Name, func(t *testing.T) { c.Run(t, srv.URL) })
			}
		})
	}
}

// groupEnv reads a group's extra server settings: KEY=VALUE lines; blank
// lines and lines starting with # are skipped. A missing file is no settings.
func groupEnv(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, _, ok := strings.Cut(line, "="); !ok || k == "" {
			t.Fatalf("%s:%d: want KEY=VALUE, got %q", path, n, line)
		}
		out = append(out, line)
	}
	return out
}

func sign(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(jwtSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
