// Package faults tests what a generated server answers when its database
// fails: a backend terminated at each point of a request's pipelined
// transaction, a serialization failure at COMMIT, the database stopped and
// started again under traffic, a server started without its database. Each
// test has a cluster of its own (it stops and restarts it), the example's
// schema and a proxy in front of PostgreSQL that can act between two
// protocol messages and counts connection attempts.
package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
	"github.com/pgrestgen/pgrestgen/runtime/serve"
)

// faultSQL adds triggers on genres that stop a request where a test wants
// it: on an advisory lock the test holds, in the statement or at COMMIT.
const faultSQL = `
CREATE FUNCTION fault_in_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name = 'block-in-statement' THEN PERFORM pg_advisory_xact_lock(1); END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER genres_in_statement BEFORE INSERT ON genres
  FOR EACH ROW EXECUTE FUNCTION fault_in_statement();
CREATE FUNCTION fault_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name = 'block-at-commit' THEN PERFORM pg_advisory_xact_lock(2); END IF;
  IF NEW.name = 'serialize-at-commit' THEN
    PERFORM count(*) FROM genres WHERE name = 'other-side';
    PERFORM pg_advisory_xact_lock(3);
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER genres_at_commit AFTER INSERT ON genres
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_at_commit();
-- Requests run as serial_writer are SERIALIZABLE (the role's setting).
CREATE ROLE serial_writer NOLOGIN;
ALTER ROLE serial_writer SET default_transaction_isolation = 'serializable';
GRANT serial_writer TO postgres;
GRANT USAGE ON SCHEMA public TO serial_writer;
GRANT SELECT, INSERT ON genres TO serial_writer;
GRANT USAGE ON SEQUENCE genres_id_seq TO serial_writer;
SELECT setval(pg_get_serial_sequence('genres', 'id'), 100);
`

// bed is one test's cluster, proxy and server.
type bed struct {
	t       *testing.T
	cluster *pgcluster.Cluster
	proxy   *proxy
	url     string
	log     *e2e.SyncBuffer
	stop    func() error
}

// newBed starts a cluster with the example's schema, a proxy in front of
// it and, unless halted is set (the database is stopped first), a server.
func newBed(t *testing.T, halted bool, environ ...string) *bed {
	t.Helper()
	pgtest.NeedsDatabase(t)
	ctx := t.Context()
	c, err := pgcluster.Start(ctx, pgcluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	files, err := pgcluster.MigrationFiles(filepath.Join("..", "..", "example", "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateDatabase(ctx, "app", ""); err != nil {
		t.Fatal(err)
	}
	if err := pgcluster.ApplyFiles(ctx, c.URI("app"), files); err != nil {
		t.Fatal(err)
	}
	if err := pgcluster.ApplySQL(ctx, c.URI("app"), faultSQL); err != nil {
		t.Fatal(err)
	}
	b := &bed{t: t, cluster: c, proxy: startProxy(t, fmt.Sprintf("127.0.0.1:%d", c.Port())), log: &e2e.SyncBuffer{}}
	if halted {
		if err := c.Halt(); err != nil {
			t.Fatal(err)
		}
	}
	b.serve(environ...)
	return b
}

// serve runs the example's generated API against the proxy.
func (b *bed) serve(environ ...string) {
	t := b.t
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- serve.Run(ctx, serve.Options{
			Environ: append([]string{"PGRST_SERVER_HOST=127.0.0.1", "PGRST_SERVER_PORT=0", "PGRST_LOG_LEVEL=info",
				"PGRST_DB_URI=postgres://postgres@" + b.proxy.addr() + "/app?sslmode=disable",
				"PGRST_DB_ANON_ROLE=postgres"}, environ...),
			Schema:   db.Schema(),
			Register: db.Register,
			Stderr:   b.log,
			Ready:    func(a net.Addr) { addrc <- a },
		})
	}()
	select {
	case a := <-addrc:
		b.url = "http://" + a.String()
	case err := <-errc:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("server did not start within 60s")
	}
	b.stop = func() error { cancel(); return <-errc }
	t.Cleanup(func() {
		if err := b.stop(); err != nil {
			t.Errorf("server stopped with: %v", err)
		}
		t.Logf("server log:\n%s", b.log)
	})
}

// answer is a response's status and, for errors, PostgREST's error object.
type answer struct {
	status int
	code   string
	body   string
}

func (b *bed) do(method, path, body string, header ...string) answer {
	b.t.Helper()
	req, err := http.NewRequest(method, b.url+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	a := answer{status: resp.StatusCode, body: string(raw)}
	if resp.StatusCode >= 400 {
		var e struct {
			Code    *string `json:"code"`
			Message *string `json:"message"`
		}
		if err := json.Unmarshal(raw, &e); err != nil || e.Code == nil || e.Message == nil {
			b.t.Errorf("%s %s: %d with a body that is not PostgREST's error object: %q", method, path, resp.StatusCode, raw)
		} else {
			a.code = *e.Code
		}
	}
	return a
}

// admin is a superuser connection to the cluster, not through the proxy.
func (b *bed) admin() *pgx.Conn {
	b.t.Helper()
	conn, err := pgx.Connect(b.t.Context(), b.cluster.URI("app"))
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func (b *bed) genres(name string) int {
	b.t.Helper()
	var n int
	if err := b.admin().QueryRow(b.t.Context(), "SELECT count(*) FROM genres WHERE name = $1", name).Scan(&n); err != nil {
		b.t.Fatal(err)
	}
	return n
}

// waitForLockWaiter returns the pid of the server's backend once it waits on
// an advisory lock.
func (b *bed) waitForLockWaiter(admin *pgx.Conn) int {
	b.t.Helper()
	for range 600 {
		var pid int
		err := admin.QueryRow(b.t.Context(), `SELECT pid FROM pg_stat_activity
			WHERE application_name = 'pgrestgen' AND wait_event_type = 'Lock' AND wait_event = 'advisory'`).Scan(&pid)
		if err == nil {
			return pid
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatal("no request waited on the advisory lock within 30s")
	return 0
}

// terminateWhileBlocked sends a request that stops on advisory lock key,
// terminates its backend there and returns the answer.
func (b *bed) terminateWhileBlocked(key int, name string) answer {
	b.t.Helper()
	admin := b.admin()
	if _, err := admin.Exec(b.t.Context(), "SELECT pg_advisory_lock($1)", key); err != nil {
		b.t.Fatal(err)
	}
	done := make(chan answer, 1)
	go func() { done <- b.do(http.MethodPost, "/genres", `{"name":"`+name+`"}`) }()
	pid := b.waitForLockWaiter(admin)
	if _, err := admin.Exec(b.t.Context(), "SELECT pg_terminate_backend($1)", pid); err != nil {
		b.t.Fatal(err)
	}
	return <-done
}

// TestTerminatedInStatement: a backend terminated while the statement
// runs: 503 with PostgreSQL's 57P01, nothing stored, and the next request
// is served (one lost connection is not an outage).
func TestTerminatedInStatement(t *testing.T) {
	t.Parallel()
	b := newBed(t, false)
	got := b.terminateWhileBlocked(1, "block-in-statement")
	if got.status != http.StatusServiceUnavailable || got.code != "57P01" {
		t.Errorf("answer = %d %s %s, want 503 57P01", got.status, got.code, got.body)
	}
	if n := b.genres("block-in-statement"); n != 0 {
		t.Errorf("%d rows stored by the terminated request", n)
	}
	if got := b.do(http.MethodGet, "/genres?id=eq.1", ""); got.status != http.StatusOK {
		t.Errorf("next request: %d %s", got.status, got.body)
	}
}

// TestTerminatedAtCommit: a backend terminated while COMMIT runs deferred
// triggers: 503, nothing stored.
func TestTerminatedAtCommit(t *testing.T) {
	t.Parallel()
	b := newBed(t, false)
	got := b.terminateWhileBlocked(2, "block-at-commit")
	if got.status != http.StatusServiceUnavailable || got.code != "57P01" {
		t.Errorf("answer = %d %s %s, want 503 57P01", got.status, got.code, got.body)
	}
	if n := b.genres("block-at-commit"); n != 0 {
		t.Errorf("%d rows stored by the terminated request", n)
	}
}

// TestTerminatedAfterCommit: PostgreSQL confirms COMMIT, then the session is
// terminated before it says it is ready again (57P01 instead of
// ReadyForQuery, as in a fast shutdown). The write is stored, so the answer
// is the success response.
func TestTerminatedAfterCommit(t *testing.T) {
	t.Parallel()
	b := newBed(t, false)
	admin := b.admin()
	var armed, fired atomic.Bool
	armed.Store(true)
	var dropping atomic.Bool
	hook := messageHook(func(typ byte, body []byte, pid uint32) bool {
		switch {
		case typ == 'C' && string(bytes.TrimRight(body, "\x00")) == "COMMIT" && armed.CompareAndSwap(true, false):
			if _, err := admin.Exec(context.Background(), "SELECT pg_terminate_backend($1)", int(pid)); err != nil {
				t.Errorf("terminate: %v", err)
			}
			fired.Store(true)
			dropping.Store(true)
		case typ == 'Z' && dropping.Load():
			return false // the session dies before it is ready again
		case typ == 'E':
			dropping.Store(false)
		}
		return true
	})
	b.proxy.hook.Store(&hook)
	got := b.do(http.MethodPost, "/genres", `{"name":"committed"}`)
	if !fired.Load() {
		t.Fatal("the request's COMMIT was not seen")
	}
	if got.status != http.StatusCreated {
		t.Errorf("answer = %d %s, want 201: the write is stored", got.status, got.body)
	}
	if n := b.genres("committed"); n != 1 {
		t.Errorf("rows stored = %d, want 1", n)
	}
	if got := b.do(http.MethodGet, "/genres?id=eq.1", ""); got.status != http.StatusOK {
		t.Errorf("next request: %d %s", got.status, got.body)
	}
}

// TestTerminatedBeforeBegin: the pooled connections' backends were
// terminated while idle (the session sent FATAL 57P01 and closed): the
// next write runs once, on a new connection, and succeeds.
func TestTerminatedBeforeBegin(t *testing.T) {
	t.Parallel()
	b := newBed(t, false, "PGRST_DB_POOL=1")
	if got := b.do(http.MethodGet, "/genres?id=eq.1", ""); got.status != http.StatusOK {
		t.Fatalf("warm-up: %d %s", got.status, got.body)
	}
	admin := b.admin()
	var n int
	if err := admin.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'pgrestgen'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminated %d idle sessions (%v), want 1", n, err)
	}
	if got := b.do(http.MethodPost, "/genres", `{"name":"after-idle-termination"}`); got.status != http.StatusCreated {
		t.Errorf("answer = %d %s, want 201", got.status, got.body)
	}
	if n := b.genres("after-idle-termination"); n != 1 {
		t.Errorf("rows stored = %d, want exactly 1", n)
	}
}

// TestSerializationFailureAtCommit: a SERIALIZABLE request whose COMMIT
// fails with 40001 (a concurrent transaction committed a conflicting
// write while the request's deferred trigger ran) answers that error.
func TestSerializationFailureAtCommit(t *testing.T) {
	t.Parallel()
	b := newBed(t, false, "PGRST_DB_ANON_ROLE=serial_writer")
	admin := b.admin()
	if _, err := admin.Exec(t.Context(), "SELECT pg_advisory_lock(3)"); err != nil {
		t.Fatal(err)
	}
	done := make(chan answer, 1)
	go func() { done <- b.do(http.MethodPost, "/genres", `{"name":"serialize-at-commit"}`) }()
	b.waitForLockWaiter(admin)
	other, err := pgx.Connect(t.Context(), b.cluster.URI("app"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	for _, sql := range []string{"BEGIN ISOLATION LEVEL SERIALIZABLE",
		"SELECT count(*) FROM genres WHERE name = 'serialize-at-commit'",
		"INSERT INTO genres (name) VALUES ('other-side')", "COMMIT"} {
		if _, err := other.Exec(t.Context(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if _, err := admin.Exec(t.Context(), "SELECT pg_advisory_unlock(3)"); err != nil {
		t.Fatal(err)
	}
	got := <-done
	if got.status != http.StatusInternalServerError || got.code != "40001" {
		t.Errorf("answer = %d %s %s, want 500 40001", got.status, got.code, got.body)
	}
	if n := b.genres("serialize-at-commit"); n != 0 {
		t.Errorf("%d rows stored by the failed request", n)
	}
}

// TestOutage: the database stops (fast shutdown) and comes back under
// traffic. During the outage every request gets a 503 error object without
// a connection attempt of its own; the outage is logged once when it starts
// and once when it ends; afterwards requests are served again.
func TestOutage(t *testing.T) {
	t.Parallel()
	b := newBed(t, false)
	if got := b.do(http.MethodGet, "/genres?id=eq.1", ""); got.status != http.StatusOK {
		t.Fatalf("before the outage: %d %s", got.status, got.body)
	}
	if err := b.cluster.Halt(); err != nil {
		t.Fatal(err)
	}
	before := b.proxy.accepted.Load()
	const during = 300
	for i := range during {
		got := b.do(http.MethodGet, "/genres?id=eq.1", "")
		if got.status != http.StatusServiceUnavailable {
			t.Fatalf("request %d during the outage: %d %s, want 503", i, got.status, got.body)
		}
	}
	if n := b.proxy.accepted.Load() - before; n > 10 {
		t.Errorf("%d connection attempts for %d requests during the outage; want only the monitor's probes", n, during)
	}
	if err := b.cluster.Resume(t.Context()); err != nil {
		t.Fatal(err)
	}
	b.waitServed()
	log := b.log.String()
	if n := strings.Count(log, "database connection lost"); n != 1 {
		t.Errorf("outage start logged %d times, want 1", n)
	}
	if n := strings.Count(log, "database connection restored"); n != 1 {
		t.Errorf("outage end logged %d times, want 1", n)
	}
}

// TestStartWithoutDatabase: the server starts while PostgreSQL is down,
// answers 503 PGRST000 without connecting per request, and serves once the
// database is up (reading the role settings and checking drift then).
func TestStartWithoutDatabase(t *testing.T) {
	t.Parallel()
	b := newBed(t, true)
	before := b.proxy.accepted.Load()
	for range 100 {
		if got := b.do(http.MethodGet, "/genres?id=eq.1", ""); got.status != http.StatusServiceUnavailable || got.code != "PGRST000" {
			t.Fatalf("before the database is up: %d %s, want 503 PGRST000", got.status, got.body)
		}
	}
	if n := b.proxy.accepted.Load() - before; n > 10 {
		t.Errorf("%d connection attempts for 100 requests; want only the monitor's probes", n)
	}
	if err := b.cluster.Resume(t.Context()); err != nil {
		t.Fatal(err)
	}
	b.waitServed()
	// What is read at (re)connection was read: the drift check runs after
	// the role settings.
	for range 100 {
		if strings.Contains(b.log.String(), "generated code") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(b.log.String(), "database schema matches the generated code") {
		t.Error("the drift check did not run once the database was up")
	}
	if n := strings.Count(b.log.String(), "could not connect to the database"); n != 1 {
		t.Errorf("start-up failure logged %d times, want 1", n)
	}
}

// waitServed polls until a read succeeds: the monitor's backoff decides
// when, so this is a bounded wait, not a timing assertion.
func (b *bed) waitServed() {
	b.t.Helper()
	for range 600 {
		req, _ := http.NewRequest(http.MethodGet, b.url+"/genres?id=eq.1", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatal("the server did not serve again within 60s of the database's return")
}
