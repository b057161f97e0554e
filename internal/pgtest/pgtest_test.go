package pgtest_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
)

var env pgtest.Env

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, &env, setup)) }

func setup(ctx context.Context, c *pgcluster.Cluster) error {
	if err := c.CreateDatabase(ctx, "tmpl", ""); err != nil {
		return err
	}
	return pgcluster.ApplySQL(ctx, c.URI("tmpl"), "CREATE TABLE t (id int); INSERT INTO t VALUES (1);")
}

func TestNewDatabase(t *testing.T) {
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			uri := env.NewDatabase(t, "tmpl")
			conn, err := pgx.Connect(t.Context(), uri)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			// Each test writes to its own copy; the template stays untouched.
			if _, err := conn.Exec(t.Context(), "INSERT INTO t VALUES (2)"); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM t").Scan(&n); err != nil || n != 2 {
				t.Fatalf("count = %d, %v; want 2", n, err)
			}
		})
	}
}
