package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
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

func suite(t *testing.T) e2e.Suite {
	sign := func(claims jwt.MapClaims) string { return e2e.SignHS256(t, jwtSecret, claims) }
	return e2e.Suite{
		Env: &env, Template: template, Schemas: []string{"public"},
		Schema: db.Schema(), Register: db.Register, GeneratedDir: "db",
		ClientImport: "github.com/pgrestgen/pgrestgen/example/db",
		Environ:      []string{"PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET=" + jwtSecret, "PGRST_DB_MAX_ROWS=100"},
		Tokens: map[string]string{
			"{{web_user_token}}":      sign(jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()}),
			"{{expired_token}}":       sign(jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(-time.Hour).Unix()}),
			"{{unknown_role_token}}":  sign(jwt.MapClaims{"role": "nobody_here"}),
			"{{anon_claims_token}}":   sign(jwt.MapClaims{"sub": "someone"}),
			"{{injected_role_token}}": sign(jwt.MapClaims{"role": `anon"; DROP TABLE books; --`}),
			"{{superuser_token}}":     sign(jwt.MapClaims{"role": "postgres"}),
			"{{aud_ok_token}}":        sign(jwt.MapClaims{"role": "web_user", "aud": []string{"other", "my-api"}}),
			"{{aud_other_token}}":     sign(jwt.MapClaims{"role": "web_user", "aud": "someone-else"}),
			"{{nested_role_token}}":   sign(jwt.MapClaims{"sub": "u-7", "app": map[string]any{"roles": []string{"reader", "web_user"}}}),
			"{{nested_other_token}}":  sign(jwt.MapClaims{"sub": "u-8", "app": map[string]any{"roles": []string{"reader"}}}),
			"{{member1_token}}":       sign(jwt.MapClaims{"role": "web_user", "member": 1}),
			"{{member2_token}}":       sign(jwt.MapClaims{"role": "web_user", "member": 2}),
			"{{quote_claims_token}}":  sign(jwt.MapClaims{"role": "web_user", "sub": `'); DROP TABLE books; --`, "name": `"}'`}),
		},
	}
}

// TestGeneratedCodeIsCurrent fails when ./db is not what the migrations
// generate now (the committed generated code is stale).
func TestGeneratedCodeIsCurrent(t *testing.T) { suite(t).CheckGenerated(t) }

// TestHTTP runs the case files of testdata/http, one fresh database and
// server per file, end to end over HTTP.
func TestHTTP(t *testing.T) { suite(t).RunCases(t, "testdata/http") }

// TestStatements checks the statement each case's request runs against the
// golden files of testdata/sql, without a database.
func TestStatements(t *testing.T) { suite(t).CheckStatements(t, "testdata/http", "testdata/sql") }
