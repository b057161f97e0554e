// Package replicatest tests db-replica-uris on a real streaming replica:
// reads go to the replica, writes to the primary, a replica that stops is
// replaced by the primary without failed requests, and is used again when
// it comes back.
package replicatest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
	"github.com/pgrestgen/pgrestgen/internal/replicatest/db"
	"github.com/pgrestgen/pgrestgen/runtime/serve"
)

var env pgtest.Env

const template = "replicatest_template"

func TestMain(m *testing.M) {
	os.Exit(pgtest.Run(m, &env, func(ctx context.Context, c *pgcluster.Cluster) error {
		if err := c.CreateDatabase(ctx, template, ""); err != nil {
			return err
		}
		return pgcluster.ApplyFiles(ctx, c.URI(template), []string{"schema.sql"})
	}))
}

// TestGeneratedCodeIsCurrent fails when ./db is not what schema.sql
// generates now.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	e2e.Suite{Env: &env, Template: template, Schemas: []string{"api"}, GeneratedDir: "db"}.CheckGenerated(t)
}

// server is what /rpc/server answers: which server ran the request.
type server struct {
	Port       int  `json:"port"`
	InRecovery bool `json:"in_recovery"`
}

// api is a server under test and its log.
type api struct {
	url, admin string
	log        *e2e.SyncBuffer
}

// start serves the test bed with environ until the test ends.
func start(t *testing.T, environ ...string) *api {
	ctx, cancel := context.WithCancel(context.Background())
	a := &api{log: &e2e.SyncBuffer{}}
	addrc, adminc := make(chan net.Addr, 1), make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- serve.Run(ctx, serve.Options{
			Environ: append([]string{"PGRST_SERVER_HOST=127.0.0.1", "PGRST_SERVER_PORT=0", "PGRST_DB_ANON_ROLE=anon",
				"PGRST_DB_SCHEMAS=api", "PGRST_LOG_LEVEL=info", "PGRST_ADMIN_SERVER_PORT=0"}, environ...),
			Schema: db.Schema(), Register: db.Register,
			Stderr: a.log, Stdout: io.Discard,
			Ready:      func(addr net.Addr) { addrc <- addr },
			AdminReady: func(addr net.Addr) { adminc <- addr },
		})
	}()
	select {
	case addr := <-addrc:
		a.url = "http://" + addr.String()
		a.admin = "http://" + (<-adminc).String()
	case err := <-errc:
		cancel()
		t.Fatalf("server did not start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("server stopped with: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", a.log)
		}
	})
	return a
}

// do sends a request and returns the status and body.
func (a *api) do(method, path, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// replicaGauge is pgrestgen_db_replica_available's value for the replica
// on port, "" when the series is missing.
func (a *api) replicaGauge(t *testing.T, port int) string {
	t.Helper()
	resp, err := http.Get(a.admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	series := fmt.Sprintf(`pgrestgen_db_replica_available{replica="127.0.0.1:%d"} `, port)
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, series); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// server asks which server answers method /rpc/fn.
func (a *api) server(method, fn string) (server, error) {
	body := ""
	if method == http.MethodPost {
		body = "{}"
	}
	status, b, err := a.do(method, "/rpc/"+fn, body)
	if err != nil {
		return server{}, err
	}
	if status != http.StatusOK {
		return server{}, fmt.Errorf("%s /rpc/%s: status %d: %s", method, fn, status, b)
	}
	var s server
	if err := json.Unmarshal(b, &s); err != nil {
		return server{}, fmt.Errorf("%s /rpc/%s: %w: %s", method, fn, err, b)
	}
	return s, nil
}

// waitFor polls GET /rpc/server until the answer comes from port.
func (a *api) waitFor(t *testing.T, port int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		s, err := a.server(http.MethodGet, "server")
		if err == nil && s.Port == port {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("reads did not go to port %d within %v: last %+v, %v", port, within, s, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestReadReplica(t *testing.T) {
	pgtest.NeedsDatabase(t)
	primary := env.Cluster
	uri := env.NewDatabase(t, template)
	dbname := uri[strings.LastIndex(uri, "/")+1 : strings.Index(uri, "?")]
	ctx := t.Context()
	replica, err := pgcluster.StartReplica(ctx, primary, pgcluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = replica.Stop() })
	if err := replica.WaitReplayed(ctx, primary); err != nil {
		t.Fatal(err)
	}
	a := start(t, "PGRST_DB_URI="+e2e.AsAuthenticator(uri),
		"PGRST_DB_REPLICA_URIS="+e2e.AsAuthenticator(replica.URI(dbname)), "PGRST_DB_POOL=4")
	// The replica's monitor connects in the background.
	a.waitFor(t, replica.Port(), 10*time.Second)
	if g := a.replicaGauge(t, replica.Port()); g != "1" {
		t.Errorf("pgrestgen_db_replica_available = %q with the replica up, want 1", g)
	}

	t.Run("reads on the replica, writes on the primary", func(t *testing.T) {
		for _, c := range []struct {
			method, fn string
			port       int
			recovery   bool
		}{
			{http.MethodGet, "server", replica.Port(), true},
			{http.MethodPost, "server", replica.Port(), true}, // STABLE: READ ONLY
			{http.MethodGet, "server_rw", replica.Port(), true},
			{http.MethodPost, "server_rw", primary.Port(), false}, // VOLATILE: READ WRITE
		} {
			s, err := a.server(c.method, c.fn)
			if err != nil {
				t.Fatal(err)
			}
			if s.Port != c.port || s.InRecovery != c.recovery {
				t.Errorf("%s /rpc/%s ran on %+v, want port %d in_recovery %v", c.method, c.fn, s, c.port, c.recovery)
			}
		}
		// An INSERT on the replica would fail (25006, read-only
		// transaction): 201 says it ran on the primary.
		status, b, err := a.do(http.MethodPost, "/notes", `{"body":"written"}`)
		if err != nil || status != http.StatusCreated {
			t.Fatalf("POST /notes: %d %s %v", status, b, err)
		}
		// The replica serves the row once it has replayed it.
		if err := replica.WaitReplayed(ctx, primary); err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		defer func() { t.Logf("row visible %v after the replay", time.Since(t1)) }()
		// Replication is asynchronous: poll a little past the replay.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			status, b, err = a.do(http.MethodGet, "/notes?select=body", "")
			if err == nil && status == http.StatusOK && string(b) == `[{"body":"written"}]` {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET /notes: %d %s %v", status, b, err)
			}
		}
		if s, err := a.server(http.MethodGet, "server"); err != nil || s.Port != replica.Port() {
			t.Errorf("GET /notes was not served by the replica: %+v %v", s, err)
		}
	})

	t.Run("a replica that stops under load", func(t *testing.T) {
		const workers, perWorker = 4, 50
		var done, failed atomic.Int64
		var mu sync.Mutex
		var failures []string
		ports := map[int]int{}
		halted := make(chan error, 1)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range perWorker {
					s, err := a.server(http.MethodGet, "server")
					mu.Lock()
					if err != nil {
						failed.Add(1)
						failures = append(failures, err.Error())
					} else {
						ports[s.Port]++
					}
					mu.Unlock()
					if done.Add(1) == workers*perWorker/4 {
						go func() { halted <- replica.Halt() }()
					}
				}
			})
		}
		wg.Wait()
		if err := <-halted; err != nil {
			t.Fatal(err)
		}
		t.Logf("%d reads: by port %v (replica %d, primary %d)", done.Load(), ports, replica.Port(), primary.Port())
		if failed.Load() != 0 {
			t.Errorf("%d reads failed while the replica stopped: %s", failed.Load(), strings.Join(failures, "; "))
		}
		if ports[replica.Port()] == 0 || ports[primary.Port()] == 0 {
			t.Errorf("want reads on both the replica and the primary, got %v", ports)
		}
		// With the replica away, reads go to the primary.
		s, err := a.server(http.MethodGet, "server")
		if err != nil || s.Port != primary.Port() {
			t.Fatalf("after the replica stopped: %+v %v, want port %d", s, err, primary.Port())
		}
		replicaAttr := fmt.Sprintf("replica=127.0.0.1:%d", replica.Port())
		if !logHas(a.log.String(), "database connection lost", replicaAttr) {
			t.Errorf("no log line of the replica going away (%s)", replicaAttr)
		}
		if g := a.replicaGauge(t, replica.Port()); g != "0" {
			t.Errorf("pgrestgen_db_replica_available = %q with the replica away, want 0", g)
		}
	})

	t.Run("a replica that comes back", func(t *testing.T) {
		if err := replica.Resume(ctx); err != nil {
			t.Fatal(err)
		}
		// The monitor retries with backoff: 1 s, 2 s, 4 s … after the outage.
		a.waitFor(t, replica.Port(), 20*time.Second)
		if !logHas(a.log.String(), "database connection restored", fmt.Sprintf("replica=127.0.0.1:%d", replica.Port())) {
			t.Errorf("no log line of the replica coming back")
		}
		if g := a.replicaGauge(t, replica.Port()); g != "1" {
			t.Errorf("pgrestgen_db_replica_available = %q with the replica back, want 1", g)
		}
	})

	t.Run("the primary away", func(t *testing.T) {
		if err := primary.Halt(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := primary.Resume(context.Background()); err != nil {
				t.Error(err)
			}
		})
		// Reads keep going to the replica; writes fail fast.
		s, err := a.server(http.MethodGet, "server")
		if err != nil || s.Port != replica.Port() {
			t.Errorf("a read with the primary away: %+v %v, want the replica's port %d", s, err, replica.Port())
		}
		status, b, err := a.do(http.MethodPost, "/notes", `{"body":"lost"}`)
		if err != nil || status != http.StatusServiceUnavailable {
			t.Errorf("a write with the primary away: %d %s %v, want 503", status, b, err)
		}
	})
}

// logHas says whether a line of log holds every one of parts.
func logHas(log string, parts ...string) bool {
	for line := range strings.Lines(log) {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return true
		}
	}
	return false
}
