// Package testapi is the read-grammar test bed: a schema made for the
// query-string grammar (schema.sql), its generated API (./db) and
// data-driven end-to-end cases (testdata/http/<group>.json) served over HTTP
// on a real database.
package testapi

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

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
		return pgcluster.ApplyFiles(ctx, c.URI(template), []string{"schema.sql", "films.sql", "rpc.sql", "domainrep.sql", "media.sql"})
	}))
}

func suite(t *testing.T) e2e.Suite {
	return e2e.Suite{
		Env: &env, Template: template, Schemas: schemas,
		Schema: db.Schema(), Register: db.Register, GeneratedDir: "db",
		ClientImport: "github.com/pgrestgen/pgrestgen/internal/testapi/db",
		Environ: []string{
			"PGRST_DB_ANON_ROLE=anon",
			"PGRST_DB_SCHEMAS=" + strings.Join(schemas, ","),
			"PGRST_DB_EXTRA_SEARCH_PATH=public,extensions",
			"PGRST_JWT_SECRET=" + jwtSecret,
		},
		Tokens: map[string]string{
			"{{web_user_token}}": e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()}),
		},
	}
}

// TestGeneratedCodeIsCurrent fails when ./db is not what schema.sql
// generates now (the generated code is stale).
func TestGeneratedCodeIsCurrent(t *testing.T) { suite(t).CheckGenerated(t) }

// TestHTTP runs the case files of testdata/http end to end over HTTP.
func TestHTTP(t *testing.T) { suite(t).RunCases(t, "testdata/http") }

// TestStatements checks the statement each case's request runs against the
// golden files of testdata/sql, without a database.
func TestStatements(t *testing.T) { suite(t).CheckStatements(t, "testdata/http", "testdata/sql") }
