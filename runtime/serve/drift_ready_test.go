package serve

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
)

// waitStatus polls url until it answers want.
func waitStatus(t *testing.T, url string, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url)
		got := 0
		if err == nil {
			got = resp.StatusCode
			resp.Body.Close()
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s answers %d (%v), want %d", url, got, err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDriftPolicies: with the database differing from the generated code,
// pgrestgen-drift = serve serves requests with /ready at 503 (and --ready
// exits 1), ignore keeps /ready at 200 (--ready exits 0), refuse makes Run
// fail at start-up naming the object.
func TestDriftPolicies(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	if err := pgcluster.ApplySQL(t.Context(), uri, "ALTER TABLE books ADD COLUMN shelf text"); err != nil {
		t.Fatal(err)
	}
	as := withPassword(t, uri)

	s, _ := startWith(t, as)
	waitStatus(t, s.admin+"/ready", http.StatusServiceUnavailable)
	if code, _ := s.get(s.api + "/authors?limit=1"); code != http.StatusOK {
		t.Errorf("requests with pgrestgen-drift = serve: %d", code)
	}
	if !strings.Contains(s.stderr.String(), "generated code is stale") {
		t.Errorf("no drift error in the log:\n%s", s.stderr.String())
	}
	adminPort := s.admin[strings.LastIndex(s.admin, ":")+1:]
	code, out, errs := runMain(t, []string{"PGRST_ADMIN_SERVER_HOST=127.0.0.1", "PGRST_ADMIN_SERVER_PORT=" + adminPort}, "--ready")
	if code != 1 || out != "" || !strings.Contains(errs, "ERROR: http://127.0.0.1:"+adminPort+"/ready answered 503 Service Unavailable") {
		t.Errorf("--ready while stale: %d %q %q", code, out, errs)
	}
	s.stop()

	s, _ = startWith(t, as, "PGRST_PGRESTGEN_DRIFT=ignore")
	s.waitLog("generated code is stale", 1)
	waitStatus(t, s.admin+"/ready", http.StatusOK)
	adminPort = s.admin[strings.LastIndex(s.admin, ":")+1:]
	code, out, _ = runMain(t, []string{"PGRST_ADMIN_SERVER_PORT=" + adminPort}, "--ready")
	if code != 0 || out != "OK: http://127.0.0.1:"+adminPort+"/ready\n" {
		t.Errorf("--ready with ignore: %d %q", code, out)
	}
	s.stop()

	// refuse: Run returns the error, Main exits 1 with it.
	var stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	exit := Main(ctx, nil, Options{
		Environ: []string{"PGRST_SERVER_HOST=127.0.0.1", "PGRST_SERVER_PORT=0", "PGRST_DB_URI=" + as,
			"PGRST_DB_ANON_ROLE=anon", "PGRST_PGRESTGEN_DRIFT=refuse"},
		Schema: db.Schema(), Register: db.Register, Stderr: &stderr, Signals: make(chan os.Signal),
	})
	if exit != 1 || !strings.Contains(stderr.String(), "pgrestgen-drift = refuse: generated code is stale") ||
		!strings.Contains(stderr.String(), "public.books") {
		t.Errorf("refuse: exit %d\n%s", exit, stderr.String())
	}
	if ctx.Err() != nil {
		t.Error("refuse: Main ran until its context's end")
	}

	// Nothing listening: --ready exits 1.
	code, _, errs = runMain(t, []string{"PGRST_ADMIN_SERVER_PORT=1"}, "--ready")
	if code != 1 || !strings.HasPrefix(errs, "ERROR: http://127.0.0.1:1/ready: ") {
		t.Errorf("--ready with nothing listening: %d %q", code, errs)
	}
	code, _, errs = runMain(t, nil, "--ready")
	if code != 1 || !strings.Contains(errs, "admin-server-port") {
		t.Errorf("--ready without an admin server: %d %q", code, errs)
	}
}

// TestRefuseWithoutDrift: refuse starts when the database matches.
func TestRefuseWithoutDrift(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	s, _ := startWith(t, withPassword(t, uri), "PGRST_PGRESTGEN_DRIFT=refuse")
	waitStatus(t, s.admin+"/ready", http.StatusOK)
	if code, _ := s.get(s.api + "/authors?limit=1"); code != http.StatusOK {
		t.Errorf("GET /authors: %d", code)
	}
	if !strings.Contains(s.stderr.String(), "database schema matches the generated code") {
		t.Errorf("no match line:\n%s", s.stderr.String())
	}
}

// TestLogQuery: log-query logs each request's main statement at info;
// log-slow-query-ms logs one that took longer at warn, with its duration.
func TestLogQuery(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	s, _ := startWith(t, withPassword(t, uri), "PGRST_LOG_QUERY=true", "PGRST_LOG_SLOW_QUERY_MS=200")
	if code, _ := s.get(s.api + "/genres?select=name"); code != http.StatusOK {
		t.Fatalf("GET /genres: %d", code)
	}
	s.waitLog(`level=INFO msg="`, 1)
	log := s.stderr.String()
	var line string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=INFO") && strings.Contains(l, `genres`) && strings.Contains(l, "duration_ms=") {
			line = l
		}
	}
	if line == "" || !strings.Contains(line, "SELECT") {
		t.Fatalf("no statement line for GET /genres:\n%s", log)
	}
	t.Logf("statement line: %s", line)
	if strings.Contains(log, "slow query") {
		t.Errorf("a fast statement logged as slow:\n%s", log)
	}

	// A request blocked by a lock for 400 ms is slow.
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), "LOCK TABLE genres IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(400 * time.Millisecond)
		_ = tx.Rollback(context.Background())
	}()
	code, _ := s.get(s.api + "/genres?select=name")
	<-released
	if code != http.StatusOK {
		t.Fatalf("GET /genres: %d", code)
	}
	s.waitLog(`level=WARN msg="slow query"`, 1)
	for _, l := range strings.Split(s.stderr.String(), "\n") {
		if strings.Contains(l, "slow query") && !strings.Contains(l, "genres") {
			t.Errorf("slow query line without the statement: %s", l)
		}
	}
}

// TestUnixSocket: server-unix-socket listens there instead of TCP, with
// server-unix-socket-mode.
func TestUnixSocket(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	dir, err := os.MkdirTemp("", "pgrst") // short: socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "api.sock")
	adminSock := filepath.Join(dir, "admin.sock")
	s, _ := startWith(t, withPassword(t, uri), "PGRST_SERVER_UNIX_SOCKET="+sock, "PGRST_SERVER_UNIX_SOCKET_MODE=600",
		"PGRST_ADMIN_SERVER_UNIX_SOCKET="+adminSock)
	if !strings.HasPrefix(s.api, "http://"+sock) {
		t.Errorf("Ready got %s, want the socket", s.api)
	}
	st, err := os.Stat(sock)
	if err != nil || st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o600 {
		t.Fatalf("socket: %v %v", st, err)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}}
	// --ready asks the admin server on its socket (/ready dials the API's).
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, out, errs := runMain(t, []string{"PGRST_ADMIN_SERVER_UNIX_SOCKET=" + adminSock}, "--ready")
		if code == 0 {
			if want := "OK: http://localhost/ready on unix socket \"" + adminSock + "\"\n"; out != want {
				t.Errorf("--ready: %q, want %q", out, want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("--ready on the admin socket: %d %q", code, errs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st, err := os.Stat(adminSock); err != nil || st.Mode().Perm() != 0o660 {
		t.Errorf("admin socket: %v %v", st, err)
	}
	resp, err := client.Get("http://localhost/authors?id=eq.1&select=id")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET over the socket: %d", resp.StatusCode)
	}
	for _, l := range []string{`msg="API server listening on unix socket \"` + sock + `\""`, `msg="Admin server listening on unix socket \"` + adminSock + `\""`} {
		if !strings.Contains(s.stderr.String(), l) {
			t.Errorf("no %s in the log:\n%s", l, s.stderr.String())
		}
	}
	// The sockets go with the server.
	s.stop()
	for _, p := range []string{sock, adminSock} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s after shutdown: %v", p, err)
		}
	}
}

// TestUnixListenerStale: a socket file left by a previous run is replaced;
// any other file at the path is an error, and stays.
func TestUnixListenerStale(t *testing.T) {
	dir, err := os.MkdirTemp("", "pgrst")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "s.sock")
	old, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	old.(*net.UnixListener).SetUnlinkOnClose(false)
	old.Close()
	ln, err := unixListener(path, 0o640)
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("mode: %v %v", st, err)
	}
	ln.Close()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := unixListener(file, 0o660); err == nil || !strings.Contains(err.Error(), "is not a socket") {
		t.Errorf("regular file: %v", err)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "keep" {
		t.Errorf("the file was touched: %q %v", b, err)
	}
}
