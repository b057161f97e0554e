package serve

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/generator"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
	"github.com/pgrestgen/pgrestgen/runtime"
)

var env pgtest.Env

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, &env, nil)) }

// TestCheckDrift: the start-up check is quiet while the schema matches the
// generated fingerprint and warns once a column changes.
func TestCheckDrift(t *testing.T) {
	ctx := t.Context()
	uri := env.NewDatabase(t, "")
	if err := pgcluster.ApplySQL(ctx, uri, "CREATE TABLE items (id int PRIMARY KEY, name text)"); err != nil {
		t.Fatal(err)
	}
	res, err := generator.Generate(ctx, generator.Options{DBURI: uri, Schemas: []string{"public"}, Package: "db"})
	if err != nil {
		t.Fatal(err)
	}
	fp, err := res.Catalog.Fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	schema := &runtime.Schema{Schemas: []string{"public"}, Fingerprint: fp}
	pool, err := pgxpool.New(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if stale, err := checkDrift(ctx, pool, schema, log); err != nil || stale {
		t.Fatalf("fresh code: stale=%v err=%v", stale, err)
	}
	if err := pgcluster.ApplySQL(context.Background(), uri, "ALTER TABLE items RENAME COLUMN name TO title"); err != nil {
		t.Fatal(err)
	}
	if stale, err := checkDrift(ctx, pool, schema, log); err != nil || !stale {
		t.Fatalf("after a renamed column: stale=%v err=%v", stale, err)
	}
	if !strings.Contains(logs.String(), "generated code is stale") {
		t.Errorf("no warning logged:\n%s", logs.String())
	}
}
