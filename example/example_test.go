package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/generator"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
)

var env pgtest.Env

const template = "library_template"

// jwtSecret is the example server's HS256 secret in tests.
const jwtSecret = "an-example-secret-of-at-least-32-characters"

func TestMain(m *testing.M) {
	os.Exit(pgtest.Run(m, &env, func(ctx context.Context, c *pgcluster.Cluster) error {
		files, err := pgcluster.MigrationFiles("migrations")
		if err != nil {
			return err
		}
		if err := c.CreateDatabase(ctx, template, ""); err != nil {
			return err
		}
		return pgcluster.ApplyFiles(ctx, c.URI(template), files)
	}))
}

// asAuthenticator turns a superuser URI into the authenticator role's, as a
// PostgREST deployment connects.
func asAuthenticator(uri string) string {
	return strings.Replace(uri, "postgres://postgres@", "postgres://authenticator@", 1)
}

// TestGeneratedCodeIsCurrent fails when ./db is not what the migrations
// generate now (the committed generated code is stale).
func TestGeneratedCodeIsCurrent(t *testing.T) {
	uri := env.NewDatabase(t, template)
	res, err := generator.Generate(t.Context(), generator.Options{DBURI: uri, Schemas: []string{"public"}, Package: "db"})
	if err != nil {
		t.Fatal(err)
	}
	diff, err := res.Files.Diff("db")
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("example/db is stale; run go generate ./example/...\n%s", diff)
	}
}

// TestHTTP runs the case files of testdata/http, one fresh database and
// server per file, end to end over HTTP.
func TestHTTP(t *testing.T) {
	tokens := map[string]string{
		"{{web_user_token}}":     sign(t, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()}),
		"{{expired_token}}":      sign(t, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(-time.Hour).Unix()}),
		"{{unknown_role_token}}": sign(t, jwt.MapClaims{"role": "nobody_here"}),
		"{{anon_claims_token}}":  sign(t, jwt.MapClaims{"sub": "someone"}),
	}
	for group, cases := range e2e.LoadCases(t, "testdata/http") {
		t.Run(group, func(t *testing.T) {
			t.Parallel()
			uri := env.NewDatabase(t, template)
			// A group may prepare its database (grants, rows) in <group>.sql.
			if setup, err := os.ReadFile("testdata/http/" + group + ".sql"); err == nil {
				if err := pgcluster.ApplySQL(t.Context(), uri, string(setup)); err != nil {
					t.Fatal(err)
				}
			}
			srv := e2e.Serve(t, db.Schema(), db.RegisterHandlers,
				"PGRST_DB_URI="+asAuthenticator(uri),
				"PGRST_DB_ANON_ROLE=anon",
				"PGRST_JWT_SECRET="+jwtSecret,
				"PGRST_DB_MAX_ROWS=100",
			)
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

func sign(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(jwtSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
