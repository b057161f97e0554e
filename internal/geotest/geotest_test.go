// Package geotest tests PostGIS's GeoJSON (F-MEDIA-07) and handler
// aggregates over geometries on a schema of its own (schema.sql), so only
// these tests need PostGIS. Without it they fail under CI (CI is set; the
// CI script installs it) and are skipped elsewhere, saying so.
package geotest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/geotest/db"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
)

var env pgtest.Env

const template = "geotest_template"

// missing says why PostGIS cannot be used, "" when it can.
var missing string

func TestMain(m *testing.M) {
	os.Exit(pgtest.Run(m, &env, func(ctx context.Context, c *pgcluster.Cluster) error {
		if err := c.CreateDatabase(ctx, template, ""); err != nil {
			return err
		}
		ok, err := postgisAvailable(ctx, c.URI(template))
		if err != nil {
			return err
		}
		if !ok {
			missing = "PostGIS is not installed for this PostgreSQL (Debian: apt-get install postgresql-15-postgis-3, or run scripts/ensure-postgres.sh)"
			return nil
		}
		return pgcluster.ApplyFiles(ctx, c.URI(template), []string{"schema.sql"})
	}))
}

// postgisAvailable says whether the cluster can CREATE EXTENSION postgis.
func postgisAvailable(ctx context.Context, uri string) (bool, error) {
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		return false, err
	}
	defer conn.Close(ctx)
	var ok bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_catalog.pg_available_extensions WHERE name = 'postgis')").Scan(&ok)
	return ok, err
}

// requirePostGIS fails the test under CI without PostGIS, and skips it
// elsewhere.
func requirePostGIS(t *testing.T) {
	t.Helper()
	if testing.Short() || missing == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal(missing)
	}
	t.Skip(missing)
}

func suite(t *testing.T) e2e.Suite {
	requirePostGIS(t)
	return e2e.Suite{
		Env: &env, Template: template, Schemas: []string{"geo"},
		Schema: db.Schema(), Register: db.Register, GeneratedDir: "db",
		Environ: []string{"PGRST_DB_ANON_ROLE=anon", "PGRST_DB_SCHEMAS=geo"},
	}
}

// TestGeneratedCodeIsCurrent fails when ./db is not what schema.sql
// generates now.
func TestGeneratedCodeIsCurrent(t *testing.T) { suite(t).CheckGenerated(t) }

// TestHTTP runs the case files of testdata/http end to end over HTTP.
func TestHTTP(t *testing.T) { suite(t).RunCases(t, "testdata/http") }

// TestStatements checks each case's statement against testdata/sql.
func TestStatements(t *testing.T) { suite(t).CheckStatements(t, "testdata/http", "testdata/sql") }
