package main

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
)

// throughPgBouncer runs the whole case suite with each group's server
// connecting through one pgbouncer in front of the test cluster; environ
// adds server settings. Without pgbouncer installed the test is skipped.
func throughPgBouncer(t *testing.T, opts pgcluster.BouncerOptions, environ ...string) {
	pgtest.NeedsDatabase(t)
	// Groups run in parallel, each on its own database: a few server
	// connections each keep the total well under max_connections.
	opts.PoolSize = 4
	b, err := env.Cluster.StartBouncer(t.Context(), opts)
	if errors.Is(err, pgcluster.ErrNoPgBouncer) {
		t.Skipf("skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pgbouncer's output:\n%s", b.Output())
		}
		if err := b.Stop(); err != nil {
			t.Error(err)
		}
	})
	s := suite(t)
	s.Environ = append(s.Environ, environ...)
	s.RouteURI = func(t testing.TB, uri string) string {
		routed, err := b.Route(uri)
		if err != nil {
			t.Fatal(err)
		}
		// Runs after the group's server stopped (a later cleanup) and
		// before its database is dropped (an earlier one).
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			u, _ := url.Parse(uri)
			if err := b.Settle(ctx, strings.TrimPrefix(u.Path, "/")); err != nil {
				t.Error(err)
			}
		})
		return routed
	}
	s.RunCases(t, "testdata/http")
}

// TestHTTPThroughPgBouncerTransactionPooling: in transaction pooling a
// session's next transaction may run on another server connection, where
// statements prepared by name do not exist: db-prepared-statements=false
// sends each statement unnamed, which any pgbouncer passes through.
func TestHTTPThroughPgBouncerTransactionPooling(t *testing.T) {
	throughPgBouncer(t, pgcluster.BouncerOptions{PoolMode: "transaction"}, "PGRST_DB_PREPARED_STATEMENTS=false")
}

// TestHTTPThroughPgBouncerSessionPooling: a session keeps its server
// connection, so the default prepared statements work.
func TestHTTPThroughPgBouncerSessionPooling(t *testing.T) {
	throughPgBouncer(t, pgcluster.BouncerOptions{PoolMode: "session"})
}

// TestHTTPThroughPgBouncerPreparedStatements: pgbouncer 1.21 and later
// follow protocol-level prepared statements across server connections
// (max_prepared_statements), so transaction pooling keeps them.
func TestHTTPThroughPgBouncerPreparedStatements(t *testing.T) {
	v, err := pgcluster.PgBouncerVersion()
	if errors.Is(err, pgcluster.ErrNoPgBouncer) {
		t.Skipf("skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if slices.Compare(v, []int{1, 21}) < 0 {
		t.Skipf("skipped: pgbouncer %v has no max_prepared_statements (1.21 or later)", v)
	}
	throughPgBouncer(t, pgcluster.BouncerOptions{PoolMode: "transaction", MaxPreparedStatements: 200})
}
