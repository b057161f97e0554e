package exec

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
	"github.com/pgrestgen/pgrestgen/runtime/config"
)

var env pgtest.Env

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, &env, nil)) }

// newTestRunner makes a Runner on a fresh database prepared by setup, with
// PGRST_* settings from environ, as runtime.New makes a Server's.
func newTestRunner(t *testing.T, setup string, environ ...string) (*Runner, *config.Config, string) {
	t.Helper()
	uri := env.NewDatabase(t, "")
	if err := pgcluster.ApplySQL(t.Context(), uri, setup); err != nil {
		t.Fatal(err)
	}
	return newTestRunnerOn(t, uri, environ...)
}

// insertRow is a main statement in the shape Run scans, with a write.
const insertRow = `WITH ins AS (INSERT INTO written (v) VALUES ($1) RETURNING v)
SELECT NULL::bigint, count(*), '[]'::text, NULL::text, NULL::text FROM ins`

func countRows(t *testing.T, uri string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM written").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTxEnd checks F-TX-05 / F-PREFER-13: every db-tx-end mode with and
// without Prefer: tx=, on a real write that either persists or not.
func TestTxEnd(t *testing.T) {
	cases := []struct {
		mode, prefer string
		persists     bool
		applied      bool
	}{
		{"commit", "", true, false},
		{"commit", "rollback", true, false},
		{"commit-allow-override", "", true, false},
		{"commit-allow-override", "rollback", false, true},
		{"commit-allow-override", "commit", true, true},
		{"rollback", "", false, false},
		{"rollback", "commit", false, false},
		{"rollback-allow-override", "", false, false},
		{"rollback-allow-override", "commit", true, true},
		{"rollback-allow-override", "rollback", false, true},
	}
	for _, c := range cases {
		t.Run(c.mode+"/"+c.prefer, func(t *testing.T) {
			t.Parallel()
			s, cfg, uri := newTestRunner(t, "CREATE TABLE written (v text)", "PGRST_DB_TX_END="+c.mode)
			rollback, applied := End(cfg.DBTxEnd, c.prefer)
			if applied != c.applied {
				t.Errorf("applied = %v, want %v", applied, c.applied)
			}
			res, err := s.Run(t.Context(), &Tx{Rollback: rollback, Main: insertRow, Args: []any{"x"}})
			if err != nil {
				t.Fatal(err)
			}
			if res.PageTotal != 1 {
				t.Errorf("pageTotal = %d, want 1", res.PageTotal)
			}
			want := 0
			if c.persists {
				want = 1
			}
			if got := countRows(t, uri); got != want {
				t.Errorf("rows after the request = %d, want %d", got, want)
			}
		})
	}
}

// TestRunSettingsAndPreRequest checks F-TX-01/F-AUTH-13/F-AUTH-15: the GUCs
// and the pre-request function are in the statement's transaction, READ ONLY
// refuses writes (25006), and a failed request leaves a clean connection.
func TestRunSettingsAndPreRequest(t *testing.T) {
	s, cfg, uri := newTestRunner(t, `
CREATE TABLE written (v text);
CREATE FUNCTION pre() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('request.headers')::json->>'x-block' = 'yes' THEN
    RAISE EXCEPTION 'blocked by pre-request' USING ERRCODE = 'PT403';
  END IF;
  PERFORM set_config('response.headers', '[{"X-Pre": "ran"}]', true);
END $$;`, "PGRST_DB_PRE_REQUEST=public.pre", "PGRST_APP_SETTINGS_GREETING=hello")

	req := httptest.NewRequest("GET", "/things?x=1", nil)
	req.Header.Set("X-Custom", "v")
	req.AddCookie(&http.Cookie{Name: "sid", Value: "abc"})
	gucs := requestGUCs(cfg, req, "public", "postgres", []byte(`{"role":"postgres"}`), "")
	main := `SELECT NULL::bigint, 1::bigint, json_build_object(
	  'method', current_setting('request.method'), 'path', current_setting('request.path'),
	  'header', current_setting('request.headers')::json->>'x-custom',
	  'cookie', current_setting('request.cookies')::json->>'sid',
	  'claims', current_setting('request.jwt.claims'), 'greeting', current_setting('app.settings.greeting'),
	  'search_path', current_setting('search_path'), 'read_only', current_setting('transaction_read_only'))::text,
	  nullif(current_setting('response.headers', true), ''), NULL::text`
	res, err := s.Run(t.Context(), &Tx{ReadOnly: true, GUCs: gucs, Main: main})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"method" : "GET"`, `"path" : "/things"`, `"header" : "v"`, `"cookie" : "abc"`,
		`"claims" : "{\"role\":\"postgres\"}"`, `"greeting" : "hello"`, `"search_path" : "\"public\", \"public\""`, `"read_only" : "on"`} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("body %s lacks %s", res.Body, want)
		}
	}
	if res.RespHeader == nil || *res.RespHeader != `[{"X-Pre": "ran"}]` {
		t.Errorf("response.headers from the pre-request function = %v", res.RespHeader)
	}

	// A write in a READ ONLY transaction fails with 25006 and writes nothing.
	_, err = s.Run(t.Context(), &Tx{ReadOnly: true, GUCs: gucs, Main: insertRow, Args: []any{"x"}})
	if err == nil || !strings.Contains(err.Error(), "25006") {
		t.Errorf("write in READ ONLY: err = %v, want SQLSTATE 25006", err)
	}
	// The pre-request function can refuse the request.
	blocked := httptest.NewRequest("GET", "/things", nil)
	blocked.Header.Set("X-Block", "yes")
	_, err = s.Run(t.Context(), &Tx{GUCs: requestGUCs(cfg, blocked, "public", "postgres", []byte(`{}`), ""), Main: insertRow, Args: []any{"x"}})
	if err == nil || !strings.Contains(err.Error(), "blocked by pre-request") {
		t.Errorf("pre-request refusal: err = %v", err)
	}
	if n := countRows(t, uri); n != 0 {
		t.Errorf("failed requests wrote %d rows", n)
	}
	// The pool's connections are clean after the failures.
	if _, err := s.Run(t.Context(), &Tx{GUCs: gucs, Main: insertRow, Args: []any{"y"}}); err != nil {
		t.Fatalf("request after failures: %v", err)
	}
	if n := countRows(t, uri); n != 1 {
		t.Errorf("rows = %d, want 1", n)
	}
}

// requestGUCs is what runtime's Server.requestGUCs passes to Settings for
// a request, with no role settings.
func requestGUCs(cfg *config.Config, req *http.Request, schema, role string, claims []byte, timezone string) [][2]string {
	var app [][2]string
	for _, st := range cfg.SortedAppSettings() {
		app = append(app, [2]string{st.Name, st.Value})
	}
	in := Settings{Schema: schema, ExtraSearchPath: cfg.DBExtraSearchPath, Role: role, Claims: claims,
		Method: req.Method, Path: req.URL.Path, Headers: req.Header, Cookies: req.Cookies(), Timezone: timezone, App: app}
	return in.GUCs()
}

// TestPreparedStatements: with db-prepared-statements (the default) a
// connection prepares a main statement once, inside the request's
// transaction after the role is set — the login role here cannot see the
// schema, only the request's role can — and then only binds and executes
// it, for every role; with it off, nothing is prepared (transaction-mode
// poolers).
func TestPreparedStatements(t *testing.T) {
	const setup = `DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'prep_login') THEN CREATE ROLE prep_login NOINHERIT LOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'prep_reader') THEN CREATE ROLE prep_reader NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'prep_other') THEN CREATE ROLE prep_other NOLOGIN; END IF;
END $$;
GRANT prep_reader, prep_other TO prep_login;
CREATE SCHEMA hidden; CREATE TABLE hidden.t (v text); INSERT INTO hidden.t VALUES ('a'), ('b'), ('c');
ALTER TABLE hidden.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY readers ON hidden.t TO prep_reader USING (true);
CREATE POLICY others ON hidden.t TO prep_other USING (v <> 'c');
GRANT USAGE ON SCHEMA hidden TO prep_reader, prep_other; GRANT SELECT ON hidden.t TO prep_reader, prep_other;
REVOKE ALL ON SCHEMA hidden FROM PUBLIC`
	const read = `SELECT NULL::bigint, count(*), string_agg(v, ',' ORDER BY v), NULL::text, NULL::text FROM hidden.t WHERE v >= $1`
	for _, c := range []struct {
		setting string
		want    int
	}{{"true", 1}, {"false", 0}} {
		t.Run(c.setting, func(t *testing.T) {
			uri := env.NewDatabase(t, "")
			if err := pgcluster.ApplySQL(t.Context(), uri, setup); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load("", []string{"PGRST_DB_URI=" + strings.Replace(uri, "postgres://postgres@", "postgres://prep_login@", 1),
				"PGRST_DB_ANON_ROLE=prep_reader", "PGRST_DB_POOL=1", "PGRST_DB_PREPARED_STATEMENTS=" + c.setting})
			if err != nil {
				t.Fatal(err)
			}
			pool, err := NewPool(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			r := New(cfg, pool, nil, nil)
			// Row-level security differs by role: the same prepared
			// statement must see what each role sees.
			for i, want := range []struct{ role, body string }{{"prep_reader", "a,b,c"}, {"prep_other", "a,b"}, {"prep_reader", "a,b,c"}} {
				res, err := r.Run(t.Context(), &Tx{ReadOnly: true, GUCs: [][2]string{{"role", want.role}}, Main: read, Args: []any{"a"}})
				if err != nil {
					t.Fatalf("run %d as %s: %v", i, want.role, err)
				}
				if string(res.Body) != want.body {
					t.Errorf("run %d as %s: body %q, want %q", i, want.role, res.Body, want.body)
				}
			}
			conn, err := pool.Acquire(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Release()
			var n int
			if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'pgrst_%' AND statement LIKE '%hidden.t%'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != c.want {
				t.Errorf("prepared statements on the connection = %d, want %d", n, c.want)
			}
		})
	}
}

// TestImplicitReadTransaction: a read runs in the pipeline's implicit
// transaction (no BEGIN or COMMIT sent), still read-only and still one
// transaction for the settings and the statement; a session whose default
// isolation is not read committed gets an explicit BEGIN again.
func TestImplicitReadTransaction(t *testing.T) {
	const setup = `CREATE TABLE written (v text)`
	// Reads what the transaction is: its settings, mode and isolation.
	const probe = `SELECT NULL::bigint, 1::bigint, json_build_object(
		'setting', current_setting('request.method', true),
		'read_only', current_setting('transaction_read_only'),
		'isolation', current_setting('transaction_isolation'))::text, NULL::text, NULL::text`
	r, _, uri := newTestRunner(t, setup)
	read := &Tx{ReadOnly: true, GUCs: [][2]string{{"request.method", "GET"}}, Main: probe}
	res, err := r.Run(t.Context(), read)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"setting" : "GET", "read_only" : "on", "isolation" : "read committed"}`; string(res.Body) != want {
		t.Errorf("implicit read transaction = %s, want %s", res.Body, want)
	}
	_, err = r.Run(t.Context(), &Tx{ReadOnly: true, Main: insertRow, Args: []any{"x"}})
	if err == nil || !strings.Contains(err.Error(), "25006") {
		t.Errorf("a write in a read's transaction: %v, want 25006 (read-only transaction)", err)
	}
	if n := countRows(t, uri); n != 0 {
		t.Errorf("rows written by reads = %d", n)
	}

	if err := pgcluster.ApplySQL(t.Context(), uri, `ALTER ROLE postgres IN DATABASE `+pgx.Identifier{dbName(t, uri)}.Sanitize()+` SET default_transaction_isolation = 'serializable'`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = pgcluster.ApplySQL(context.Background(), uri, `ALTER ROLE postgres IN DATABASE `+pgx.Identifier{dbName(t, uri)}.Sanitize()+` RESET default_transaction_isolation`)
	})
	r2, _, _ := newTestRunnerOn(t, uri)
	res, err = r2.Run(t.Context(), read)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"setting" : "GET", "read_only" : "on", "isolation" : "read committed"}`; string(res.Body) != want {
		t.Errorf("read on a serializable-by-default session = %s, want %s (BEGIN ISOLATION LEVEL READ COMMITTED)", res.Body, want)
	}
}

// newTestRunnerOn makes a Runner with a new pool on an existing database.
func newTestRunnerOn(t *testing.T, uri string, environ ...string) (*Runner, *config.Config, string) {
	t.Helper()
	cfg, err := config.Load("", append([]string{"PGRST_DB_URI=" + uri, "PGRST_DB_ANON_ROLE=postgres"}, environ...))
	if err != nil {
		t.Fatal(err)
	}
	pool, err := NewPool(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return New(cfg, pool, nil, nil), cfg, uri
}

func dbName(t *testing.T, uri string) string {
	t.Helper()
	cc, err := pgx.ParseConfig(uri)
	if err != nil {
		t.Fatal(err)
	}
	return cc.Database
}
