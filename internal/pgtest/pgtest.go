// Package pgtest gives a test package one throwaway PostgreSQL cluster per
// test process and a fresh database per test. Typical use:
//
//	var env pgtest.Env
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, &env, nil)) }
//
//	func TestX(t *testing.T) { uri := env.NewDatabase(t, "") ... }
//
// Missing PostgreSQL binaries fail the tests instead of skipping them, so a
// misconfigured machine cannot pass silently. Under `go test -short` no
// cluster is started and every test that needs one is skipped: the pure
// tests (parsing, SQL rendering, generated source) run in seconds.
package pgtest

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
)

// Env holds what TestMain hands to the tests; keep it in a package-level
// variable of the test package.
type Env struct {
	Cluster *pgcluster.Cluster
}

// NewDatabase is NewDatabase on e's cluster.
func (e *Env) NewDatabase(t testing.TB, template string) string {
	t.Helper()
	return NewDatabase(t, e.Cluster, template)
}

// setupTimeout bounds cluster start plus setup, so a wedged server fails
// the run instead of hanging until go test's own timeout.
const setupTimeout = 2 * time.Minute

// Run starts a cluster, stores it in env (which may be nil), runs setup (may
// be nil; e.g. to build a template database), runs the tests, stops the
// cluster and returns the exit code for os.Exit. Any failure before the
// tests is printed to stderr and yields exit code 1.
func Run(m *testing.M, env *Env, setup func(ctx context.Context, c *pgcluster.Cluster) error) int {
	if !flag.Parsed() {
		flag.Parse()
	}
	if testing.Short() {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	c, err := pgcluster.Start(ctx, pgcluster.Options{})
	if err != nil {
		cancel()
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stop cluster: %v\n", err)
		}
	}()
	// An interrupted run (Ctrl-C, CI cancel) would otherwise leave the
	// cluster directory behind; the server itself dies with us on Linux.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		<-sig
		_ = c.Stop()
		os.Exit(1)
	}()
	if env != nil {
		env.Cluster = c
	}
	if setup != nil {
		err = setup(ctx, c)
	}
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: setup: %v\n", err)
		return 1
	}
	return m.Run()
}

// NewDatabase creates a uniquely named database on c, cloned from template
// unless template is "", drops it (forcibly) when t finishes, and returns its
// superuser URI. Tests get isolation without paying for a cluster each.
func NewDatabase(t testing.TB, c *pgcluster.Cluster, template string) string {
	t.Helper()
	NeedsDatabase(t)
	if c == nil {
		t.Fatal("pgtest: nil cluster; was pgtest.Run called from TestMain?")
	}
	name := dbName(t.Name())
	if err := c.CreateDatabase(t.Context(), name, template); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		// t.Context() is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.DropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return c.URI(name)
}

// NeedsDatabase skips t under -short, where no cluster runs.
func NeedsDatabase(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs PostgreSQL; skipped under -short")
	}
}

// dbName derives a readable, unique, lower-case identifier (under the 63
// byte limit) from the test name, so leftovers are easy to attribute.
func dbName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= 40 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return fmt.Sprintf("t_%s_%08x", b.String(), rand.Uint32())
}
