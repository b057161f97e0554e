package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
)

// Secrets the logs must never show.
const (
	opsPassword  = "pw-Zq8vK2mXr"
	opsJWTSecret = "reallyreallyreallyreallyverysafe-x7Tq"
)

// syncBuf is a log destination the server writes from several goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// opsServer is the example's generated API served by Run with an admin
// server, its access log in stdout and its diagnostics in stderr.
type opsServer struct {
	t              *testing.T
	api, admin     string
	stdout, stderr *syncBuf
	stop           func()
}

// migrate applies the example's migrations to uri and gives authenticator
// the password the URIs carry (the test clusters trust local connections, so
// it is only there to be kept out of the logs).
func migrate(t *testing.T, uri string) {
	t.Helper()
	files, err := pgcluster.MigrationFiles(filepath.Join("..", "..", "example", "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pgcluster.ApplyFiles(t.Context(), uri, files); err != nil {
		t.Fatal(err)
	}
	if err := pgcluster.ApplySQL(t.Context(), uri, "ALTER ROLE authenticator PASSWORD '"+opsPassword+"'"); err != nil {
		t.Fatal(err)
	}
}

// withPassword is uri connecting as authenticator with opsPassword.
func withPassword(t *testing.T, uri string) string {
	t.Helper()
	u := strings.Replace(uri, "postgres://postgres@", "postgres://authenticator:"+opsPassword+"@", 1)
	if u == uri {
		t.Fatalf("unexpected test URI %s", uri)
	}
	return u
}

func startOps(t *testing.T, uri string, environ ...string) *opsServer {
	t.Helper()
	return runOps(t, Options{
		Environ: append([]string{"PGRST_SERVER_HOST=127.0.0.1", "PGRST_SERVER_PORT=0", "PGRST_ADMIN_SERVER_PORT=0",
			"PGRST_DB_URI=" + uri, "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET=" + opsJWTSecret}, environ...),
		Schema:   db.Schema(),
		Register: db.Register,
	})
}

// runOps runs Run with opts (its output and readiness hooks set here) until
// the test ends, and returns once the API and the admin server listen.
func runOps(t *testing.T, opts Options) *opsServer {
	t.Helper()
	s := &opsServer{t: t, stdout: &syncBuf{}, stderr: &syncBuf{}}
	ctx, cancel := context.WithCancel(context.Background())
	addrc, adminc := make(chan net.Addr, 1), make(chan net.Addr, 1)
	errc := make(chan error, 1)
	opts.Stdout, opts.Stderr = s.stdout, s.stderr
	opts.Ready = func(a net.Addr) { addrc <- a }
	opts.AdminReady = func(a net.Addr) { adminc <- a }
	go func() { errc <- Run(ctx, opts) }()
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return within 30 s of its context's end")
		}
	}
	t.Cleanup(s.stop)
	for s.api == "" || s.admin == "" {
		select {
		case a := <-addrc:
			s.api = "http://" + a.String()
		case a := <-adminc:
			s.admin = "http://" + a.String()
		case err := <-errc:
			stopped = true
			t.Fatalf("server did not start: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("server did not start within 30 s")
		}
	}
	return s
}

// get requests url and returns the status and body.
func (s *opsServer) get(url string, header ...string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("User-Agent", "ops-test")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// metrics reads /metrics with Prometheus' own parser.
func (s *opsServer) metrics() map[string]*dto.MetricFamily {
	s.t.Helper()
	resp, err := http.Get(s.admin + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		s.t.Errorf("/metrics Content-Type %q, want Prometheus' text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		s.t.Fatalf("/metrics does not parse: %v", err)
	}
	return mfs
}

// value is the metric of family name whose labels include want (counter,
// gauge or untyped value; a histogram's sample count), and whether there is
// one.
func value(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.Metric {
		for k, v := range want {
			found := false
			for _, lp := range m.Label {
				if lp.GetName() == k && lp.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

func token(t *testing.T, role string) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"role": role, "exp": time.Now().Add(time.Hour).Unix()}).
		SignedString([]byte(opsJWTSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestAdminServer: /live and /ready answer 200 with a database, /metrics
// has PostgREST's pool and schema-cache metrics and the request metrics by
// method, route pattern (not path) and status, /schema_cache describes the
// generated code in PostgREST's shape, anything else is 404.
func TestAdminServer(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	s := startOps(t, withPassword(t, uri), "PGRST_DB_POOL=3")
	for _, p := range []string{"/books", "/books?id=eq.1", "/books?select=title&order=id"} {
		if st, body := s.get(s.api + p); st != http.StatusOK {
			t.Fatalf("GET %s: %d %s", p, st, body)
		}
	}
	if st, _ := s.get(s.api + "/members"); st != http.StatusUnauthorized {
		t.Errorf("GET /members as anon: %d, want 401", st)
	}
	if st, _ := s.get(s.api+"/members", "Authorization", "Bearer "+token(t, "web_user")); st != http.StatusOK {
		t.Errorf("GET /members as web_user: %d", st)
	}
	if st, _ := s.get(s.api + "/nowhere?select=id"); st != http.StatusNotFound {
		t.Errorf("GET /nowhere: %d, want 404", st)
	}
	if st, _ := s.get(s.api + "/rpc/average_price?min_year=1900"); st != http.StatusOK {
		t.Errorf("GET /rpc/average_price: %d", st)
	}

	for path, want := range map[string]int{"/live": 200, "/ready": 200, "/config": 404, "/": 404} {
		if st, body := s.get(s.admin + path); st != want || body != "" {
			t.Errorf("admin %s: %d %q, want %d and no body", path, st, body, want)
		}
	}

	mfs := s.metrics()
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"pgrestgen_http_requests_total", map[string]string{"method": "GET", "route": "/books", "status": "200"}, 3},
		{"pgrestgen_http_request_duration_seconds", map[string]string{"method": "GET", "route": "/books", "status": "200"}, 3},
		{"pgrestgen_http_requests_total", map[string]string{"method": "GET", "route": "/members", "status": "401"}, 1},
		{"pgrestgen_http_requests_total", map[string]string{"method": "GET", "route": "/members", "status": "200"}, 1},
		{"pgrestgen_http_requests_total", map[string]string{"method": "GET", "route": "/*", "status": "404"}, 1},
		{"pgrestgen_http_requests_total", map[string]string{"method": "GET", "route": "/rpc/average_price", "status": "200"}, 1},
		{"pgrst_db_pool_max", nil, 3},
		{"pgrst_db_pool_waiting", nil, 0},
		{"pgrestgen_db_pool_limit", nil, 3}, // db-pool-adaptive: a pool below its floor is its own limit
		{"pgrst_db_pool_timeouts_total", nil, 0},
		{"pgrestgen_db_reads_carried_total", nil, 0}, // one request at a time: nobody waits to ride
		{"pgrst_schema_cache_loads_total", map[string]string{"status": "SUCCESS"}, 1},
		{"pgrst_schema_cache_loads_total", map[string]string{"status": "FAIL"}, 0},
		{"pgrestgen_db_available", nil, 1},
	} {
		got, ok := value(mfs, c.name, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if v, ok := value(mfs, "pgrst_db_pool_available", nil); !ok || v < 1 || v > 3 {
		t.Errorf("pgrst_db_pool_available = %v (present %v), want 1..3 idle connections", v, ok)
	}
	if v, ok := value(mfs, "pgrst_schema_cache_query_time_seconds", nil); !ok || v <= 0 {
		t.Errorf("pgrst_schema_cache_query_time_seconds = %v (present %v)", v, ok)
	}
	// Routes, never raw paths: nothing a client chose beyond the path's
	// pattern becomes a label.
	for _, m := range mfs["pgrestgen_http_requests_total"].Metric {
		for _, lp := range m.Label {
			if strings.ContainsAny(lp.GetValue(), "?=") || strings.Contains(lp.GetValue(), "nowhere") {
				t.Errorf("label %s=%q comes from the request, not the route", lp.GetName(), lp.GetValue())
			}
		}
	}
	if mfs["go_goroutines"] == nil {
		t.Error("no Go runtime metrics")
	}

	st, body := s.get(s.admin + "/schema_cache")
	if st != http.StatusOK {
		t.Fatalf("/schema_cache: %d", st)
	}
	var sc struct {
		Tables        [][2]json.RawMessage `json:"dbTables"`
		Relationships [][2]json.RawMessage `json:"dbRelationships"`
		Routines      [][2]json.RawMessage `json:"dbRoutines"`
	}
	if err := json.Unmarshal([]byte(body), &sc); err != nil {
		t.Fatalf("/schema_cache: %v\n%s", err, body)
	}
	if len(sc.Tables) != len(db.Schema().Relations) || len(sc.Routines) == 0 || len(sc.Relationships) == 0 {
		t.Errorf("/schema_cache: %d tables (want %d), %d relationship entries, %d routines",
			len(sc.Tables), len(db.Schema().Relations), len(sc.Relationships), len(sc.Routines))
	}
	for _, want := range []string{
		`[{"qiSchema":"public","qiName":"books"},{"tableSchema":"public","tableName":"books","tableDescription":null,"tableIsView":false,"tableInsertable":true,"tableUpdatable":true,"tableDeletable":true,"tablePKCols":["id"],"tableColumns":{"id":{"colName":"id",`,
		`"relCardinality":{"tag":"M2O","relCons":"books_author_id_fkey","relColumns":[["author_id","id"]]}`,
		`[{"qiSchema":"public","qiName":"average_price"},[{"pdSchema":"public","pdName":"average_price","pdDescription":null,"pdParams":[{"ppName":"min_year","ppType":"integer"`,
		`"pdVolatility":"Stable"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/schema_cache lacks %s", want)
		}
	}
}

// TestPoolTimeout: with the pool's one connection held, a request waits
// (pgrst_db_pool_waiting), times out with 504 PGRST003, is counted in
// pgrst_db_pool_timeouts_total and logged at warn (PostgREST logs it from
// log-level error up).
func TestPoolTimeout(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	s := startOps(t, uri, "PGRST_DB_POOL=1", "PGRST_DB_POOL_ACQUISITION_TIMEOUT=2", "PGRST_LOG_LEVEL=warn")
	// A lock held elsewhere keeps the first request, and the pool's only
	// connection, busy.
	locker, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(context.Background())
	if _, err := locker.Exec(t.Context(), "BEGIN; LOCK TABLE genres IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	first := make(chan int, 1)
	go func() {
		st, _ := s.get(s.api + "/genres")
		first <- st
	}()
	waitFor(t, "the first request to hold the connection", func() bool {
		v, _ := value(s.metrics(), "pgrst_db_pool_available", nil)
		return v == 0
	})
	second := make(chan string, 1)
	go func() {
		st, body := s.get(s.api + "/authors")
		second <- fmt.Sprint(st, " ", body)
	}()
	waitFor(t, "the second request to wait for a connection", func() bool {
		v, _ := value(s.metrics(), "pgrst_db_pool_waiting", nil)
		return v == 1
	})
	if got := <-second; !strings.HasPrefix(got, "504 ") || !strings.Contains(got, `"code":"PGRST003"`) {
		t.Errorf("second request: %s, want 504 PGRST003", got)
	}
	if _, err := locker.Exec(t.Context(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if st := <-first; st != http.StatusOK {
		t.Errorf("first request: %d", st)
	}
	mfs := s.metrics()
	if v, _ := value(mfs, "pgrst_db_pool_timeouts_total", nil); v != 1 {
		t.Errorf("pgrst_db_pool_timeouts_total = %v, want 1", v)
	}
	if v, _ := value(mfs, "pgrst_db_pool_waiting", nil); v != 0 {
		t.Errorf("pgrst_db_pool_waiting = %v after the requests, want 0", v)
	}
	if n := strings.Count(s.stderr.String(), `level=ERROR msg="Timed out acquiring connection from connection pool." code=PGRST003 db-pool=1`); n != 1 {
		t.Errorf("pool timeout logged %d times, want 1:\n%s", n, s.stderr.String())
	}
	// At warn, the access log has the 504 and not the 200.
	out := s.stdout.String()
	if !strings.Contains(out, `"GET /authors HTTP/1.1" 504 `) || strings.Contains(out, `/genres`) {
		t.Errorf("access log at warn:\n%s", out)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// accessLine is PostgREST's access-log line (Apache's combined format with
// the role as the user).
var accessLine = regexp.MustCompile(`^127\.0\.0\.1 - (\S+) \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "(GET \S+ HTTP/1\.1)" (\d{3}) (\d+|-) "" "ops-test"$`)

// TestLogLevels: at info, one access line per request in PostgREST's format
// on stdout, with the role; the start-up line at every level but crit;
// nothing per request at error when nothing failed.
func TestLogLevels(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	requests := func(s *opsServer) {
		s.get(s.api + "/books?select=id,title&id=eq.1")
		s.get(s.api+"/members", "Authorization", "Bearer "+token(t, "web_user"))
		s.get(s.api + "/members")
		s.get(s.api+"/members", "Authorization", "Bearer not.a.jwt")
		s.get(s.api + "/nowhere")
	}
	const startup = `level=NOTICE msg="API server listening on 127.0.0.1:`

	s := startOps(t, uri, "PGRST_LOG_LEVEL=info")
	requests(s)
	s.stop()
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(s.stdout.String()), "\n") {
		m := accessLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not an access-log line: %q", line)
			continue
		}
		got = append(got, strings.Join(m[1:4], " "))
	}
	want := []string{
		"anon GET /books?select=id,title&id=eq.1 HTTP/1.1 200",
		"web_user GET /members HTTP/1.1 200",
		"anon GET /members HTTP/1.1 401",
		"- GET /members HTTP/1.1 401", // not authenticated: no role
		"anon GET /nowhere HTTP/1.1 404",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("access log at info:\n got %q\nwant %q", got, want)
	}
	stderr := s.stderr.String()
	if !strings.Contains(stderr, startup) || !regexp.MustCompile(`version=pgrestgen/\S+ schemas=public db-pool=10`).MatchString(stderr) {
		t.Errorf("start-up line missing at info:\n%s", stderr)
	}
	if !strings.Contains(stderr, `level=NOTICE msg="Admin server listening on 127.0.0.1:`) {
		t.Errorf("admin start-up line missing at info:\n%s", stderr)
	}

	s = startOps(t, uri, "PGRST_LOG_LEVEL=error")
	requests(s)
	s.stop()
	if out := s.stdout.String(); out != "" {
		t.Errorf("access log at error, with no server error:\n%s", out)
	}
	if lines := strings.Split(strings.TrimSpace(s.stderr.String()), "\n"); len(lines) != 2 ||
		!strings.Contains(lines[0], startup) || !strings.Contains(lines[1], "Admin server listening") {
		t.Errorf("diagnostics at error: want the two start-up lines only, got:\n%s", s.stderr.String())
	}

	s = startOps(t, uri, "PGRST_LOG_LEVEL=crit")
	requests(s)
	s.stop()
	if out := s.stdout.String() + s.stderr.String(); out != "" {
		t.Errorf("logs at crit with nothing failing:\n%s", out)
	}
}

// TestLogJSON: with log-format json every line of both logs is a JSON
// object; access records carry method, path, route, status, role and the
// duration.
func TestLogJSON(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	s := startOps(t, uri, "PGRST_LOG_LEVEL=info", "PGRST_LOG_FORMAT=json")
	s.get(s.api + "/books?id=eq.2")
	s.get(s.api + "/nowhere")
	s.stop()
	var access []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.stdout.String()), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("access line not JSON: %q", line)
		}
		access = append(access, r)
	}
	if len(access) != 2 {
		t.Fatalf("want 2 access records, got %d", len(access))
	}
	a := access[0]
	if a["msg"] != "request" || a["level"] != "INFO" || a["method"] != "GET" || a["path"] != "/books?id=eq.2" ||
		a["route"] != "/books" || a["status"] != float64(200) || a["role"] != "anon" || a["remote_addr"] != "127.0.0.1" {
		t.Errorf("access record: %v", a)
	}
	if d, ok := a["duration_ms"].(float64); !ok || d <= 0 {
		t.Errorf("duration_ms = %v", a["duration_ms"])
	}
	if b := access[1]; b["level"] != "WARN" || b["status"] != float64(404) || b["route"] != "/*" {
		t.Errorf("404 record: %v", b)
	}
	sawStartup := false
	for _, line := range strings.Split(strings.TrimSpace(s.stderr.String()), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("diagnostic line not JSON: %q", line)
		}
		if r["level"] == "NOTICE" && strings.HasPrefix(r["msg"].(string), "API server listening on 127.0.0.1:") {
			sawStartup = r["db-pool"] == float64(10) && strings.HasPrefix(r["version"].(string), "pgrestgen/")
		}
	}
	if !sawStartup {
		t.Errorf("no JSON start-up record with version and db-pool:\n%s", s.stderr.String())
	}
}

// TestReadyAcrossOutage: on a cluster of its own, /ready follows the
// database (200, 503 once it is stopped, 200 once it is back, without any
// API traffic noticing first) while /live stays 200; the metrics follow.
// The server logs at debug throughout, requests carry JWTs, and neither the
// database password, the JWT secret nor a token appears in any log line.
func TestReadyAcrossOutage(t *testing.T) {
	pgtest.NeedsDatabase(t)
	c, err := pgcluster.Start(t.Context(), pgcluster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	if err := c.CreateDatabase(t.Context(), "app", ""); err != nil {
		t.Fatal(err)
	}
	migrate(t, c.URI("app"))
	s := startOps(t, withPassword(t, c.URI("app")), "PGRST_LOG_LEVEL=debug")
	tok := token(t, "web_user")
	s.get(s.api+"/members", "Authorization", "Bearer "+tok)
	s.get(s.api+"/members", "Authorization", "Bearer "+tok+"x") // a bad signature: 401
	for path, want := range map[string]int{"/live": 200, "/ready": 200} {
		if st, _ := s.get(s.admin + path); st != want {
			t.Errorf("before the outage, %s: %d, want %d", path, st, want)
		}
	}

	if err := c.Halt(); err != nil {
		t.Fatal(err)
	}
	// The first /ready after the stop probes and finds the database gone.
	waitFor(t, "/ready to answer 503", func() bool { st, _ := s.get(s.admin + "/ready"); return st == http.StatusServiceUnavailable })
	if st, _ := s.get(s.admin + "/live"); st != http.StatusOK {
		t.Errorf("during the outage, /live: %d, want 200", st)
	}
	if v, _ := value(s.metrics(), "pgrestgen_db_available", nil); v != 0 {
		t.Errorf("pgrestgen_db_available = %v during the outage", v)
	}
	if st, _ := s.get(s.api+"/members", "Authorization", "Bearer "+tok); st != http.StatusServiceUnavailable {
		t.Errorf("API during the outage: %d, want 503", st)
	}

	if err := c.Resume(t.Context()); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if st, _ := s.get(s.admin + "/ready"); st == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/ready not 200 within 60 s of the database's return")
		}
	}
	if v, _ := value(s.metrics(), "pgrst_schema_cache_loads_total", map[string]string{"status": "SUCCESS"}); v != 2 {
		t.Errorf("pgrst_schema_cache_loads_total{status=SUCCESS} = %v after one outage, want 2", v)
	}
	s.get(s.api+"/members", "Authorization", "Bearer "+tok)
	s.stop()

	logs := s.stdout.String() + s.stderr.String()
	for _, l := range []string{"database connection lost", "database connection restored", "- web_user ["} {
		if !strings.Contains(logs, l) {
			t.Errorf("log lacks %q:\n%s", l, logs)
		}
	}
	for name, secret := range map[string]string{"the database password": opsPassword, "the JWT secret": opsJWTSecret,
		"a JWT": tok, "a JWT's signature": tok[strings.LastIndex(tok, ".")+1:]} {
		if strings.Contains(logs, secret) {
			t.Errorf("%s appears in the log", name)
		}
	}
}
