package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/runtime/config"
)

// runMain runs Main with args and environ, returning its exit status,
// stdout and stderr.
func runMain(t *testing.T, environ []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(t.Context(), args, Options{Environ: environ, Schema: db.Schema(), Register: db.Register, Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

// TestMainFlags: the command line PostgREST has, without a database.
func TestMainFlags(t *testing.T) {
	code, out, errs := runMain(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "--dump-config") || !strings.Contains(out, "[FILENAME]") || errs != "" {
		t.Errorf("--help: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runMain(t, nil, "-v")
	if code != 0 || !strings.HasPrefix(out, "pgrestgen ") || !strings.Contains(out, db.Schema().Fingerprint) {
		t.Errorf("--version: %d %q", code, out)
	}
	// An unknown option is refused with the usage, not taken for a file.
	code, out, errs = runMain(t, nil, "--bogus")
	if code != 1 || out != "" || !strings.Contains(errs, "unknown option --bogus") || !strings.Contains(errs, "Usage:") {
		t.Errorf("--bogus: %d %q %q", code, out, errs)
	}
	code, _, errs = runMain(t, nil, "--dump-config", "--ready")
	if code != 1 || !strings.Contains(errs, "--dump-config and --ready exclude each other") {
		t.Errorf("--dump-config --ready: %d %q", code, errs)
	}
	code, _, errs = runMain(t, nil, "a.conf", "b.conf")
	if code != 1 || !strings.Contains(errs, "one config file at most") {
		t.Errorf("two files: %d %q", code, errs)
	}
	// A missing config file is an error naming it.
	code, _, errs = runMain(t, nil, filepath.Join(t.TempDir(), "missing.conf"))
	if code != 1 || !strings.Contains(errs, "missing.conf") {
		t.Errorf("missing file: %d %q", code, errs)
	}

	// --example is a config file this server reads, with the defaults it
	// documents.
	code, out, _ = runMain(t, nil, "--example")
	if code != 0 {
		t.Fatalf("--example: %d", code)
	}
	path := filepath.Join(t.TempDir(), "example.conf")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, nil)
	if err != nil {
		t.Fatalf("--example does not load: %v", err)
	}
	if cfg.DBAnonRole != "anon" || cfg.DBURI != "postgres://authenticator:password@localhost:5432/app" || cfg.PgrestgenDrift != config.DriftServe ||
		!cfg.DBConfig || cfg.DBChannel != "pgrst" || cfg.ServerPort != 3000 || len(cfg.Warnings) != 0 {
		t.Errorf("--example loads as %+v", cfg)
	}

	// --dump-schema is the admin server's /schema_cache.
	code, out, _ = runMain(t, nil, "--dump-schema")
	want, err := schemaCacheJSON(db.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || out != string(want)+"\n" || !json.Valid([]byte(out)) {
		t.Errorf("--dump-schema: %d, %d bytes, want %d", code, len(out), len(want)+1)
	}

	// --dump-config without db-config needs no database: defaults, the
	// file, the environment over the file; secrets as configured.
	conf := filepath.Join(t.TempDir(), "s.conf")
	if err := os.WriteFile(conf, []byte("db-anon-role = \"file\"\nserver-port = 4000\njwt-secret = \"cmVhbGx5cmVhbGx5cmVhbGx5cmVhbGx5dmVyeXNhZmU=\"\njwt-secret-is-base64 = true\napp.settings.x = \"1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runMain(t, []string{"PGRST_DB_CONFIG=false", "PGRST_DB_ANON_ROLE=env", "PGRST_LOG_QUERY=main-query"}, "--dump-config", conf)
	if code != 0 {
		t.Fatalf("--dump-config: %d %s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range []string{
		`app.settings.x = "1"`,
		`db-anon-role = "env"`,
		`db-config = false`,
		`db-max-rows = ""`,
		`db-pool-max-idletime = 30`,
		`jwt-secret = "cmVhbGx5cmVhbGx5cmVhbGx5cmVhbGx5dmVyeXNhZmU="`,
		`log-query = true`,
		`pgrestgen-drift = "serve"`,
		`server-port = 4000`,
		`server-unix-socket-mode = "660"`,
		`admin-server-port = ""`,
	} {
		if !contains(lines, l) {
			t.Errorf("--dump-config lacks %s:\n%s", l, out)
		}
	}
	if !isSorted(lines) {
		t.Errorf("--dump-config is not sorted:\n%s", out)
	}
}

func contains(lines []string, l string) bool {
	for _, x := range lines {
		if x == l {
			return true
		}
	}
	return false
}

func isSorted(lines []string) bool {
	for i := 1; i < len(lines); i++ {
		if lines[i-1] > lines[i] {
			return false
		}
	}
	return true
}

// loginRole creates a login role of its own for the test (role settings
// are cluster-wide) that may become anon and web_user, and returns uri
// connecting as it.
func loginRole(t *testing.T, uri, role string) string {
	t.Helper()
	sql := fmt.Sprintf(`DROP ROLE IF EXISTS %[1]s; CREATE ROLE %[1]s NOINHERIT LOGIN; GRANT anon, web_user TO %[1]s;`, role)
	if err := pgcluster.ApplySQL(t.Context(), uri, sql); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = pgcluster.ApplySQL(context.Background(), uri, fmt.Sprintf("DROP OWNED BY %[1]s; DROP ROLE IF EXISTS %[1]s", role))
	})
	u := strings.Replace(uri, "postgres://postgres@", "postgres://"+role+"@", 1)
	if u == uri {
		t.Fatalf("unexpected test URI %s", uri)
	}
	return u
}

// TestDumpConfigInDatabase: with db-config the role's pgrst.* settings
// override the environment and the file; a setting for the role in this
// database overrides one for the role; db-pre-config's function comes
// last; settings that need a restart (db-pool) are not read from the
// database.
func TestDumpConfigInDatabase(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	as := loginRole(t, uri, "authn_dump")
	dbName := uri[strings.LastIndex(uri, "/")+1:]
	if i := strings.IndexByte(dbName, '?'); i >= 0 {
		dbName = dbName[:i]
	}
	sql := fmt.Sprintf(`
ALTER ROLE authn_dump SET pgrst.jwt_aud = 'role-wide';
ALTER ROLE authn_dump IN DATABASE %[1]q SET pgrst.jwt_aud = 'in-database';
ALTER ROLE authn_dump SET pgrst.db_anon_role = 'web_user';
ALTER ROLE authn_dump SET pgrst.db_pool = '3';
ALTER ROLE authn_dump SET pgrst.db_max_rows = '7';
ALTER ROLE authn_dump SET pgrst.openapi_mode = 'disabled';
CREATE SCHEMA conf;
CREATE FUNCTION conf.pre() RETURNS void LANGUAGE sql AS $$
  SELECT set_config('pgrst.db_max_rows', '99', true), set_config('pgrst.server_timing_enabled', 'true', true);
$$;
GRANT USAGE ON SCHEMA conf TO authn_dump;
`, dbName)
	if err := pgcluster.ApplySQL(t.Context(), uri, sql); err != nil {
		t.Fatal(err)
	}
	environ := []string{"PGRST_DB_URI=" + as, "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_AUD=env", "PGRST_DB_PRE_CONFIG=conf.pre"}
	code, out, errs := runMain(t, environ, "--dump-config")
	if code != 0 {
		t.Fatalf("--dump-config: %d %s", code, errs)
	}
	lines := strings.Split(out, "\n")
	for _, l := range []string{
		`jwt-aud = "in-database"`,      // role in database > role > env
		`db-anon-role = "web_user"`,    // role > env
		`db-pool = 10`,                 // not settable in the database
		`db-max-rows = 7`,              // role > pre-config
		`server-timing-enabled = true`, // pre-config > default
		`openapi-mode = "disabled"`,
		`db-pre-config = "conf.pre"`,
	} {
		if !contains(lines, l) {
			t.Errorf("--dump-config lacks %s:\n%s", l, out)
		}
	}
	// Without db-config, the environment's.
	code, out, _ = runMain(t, append(environ, "PGRST_DB_CONFIG=false"), "--dump-config")
	if code != 0 || !strings.Contains(out, "\njwt-aud = \"env\"\n") || !strings.Contains(out, "\ndb-anon-role = \"anon\"\n") {
		t.Errorf("db-config = false: %d\n%s", code, out)
	}
	// A database that cannot be reached fails the command, as in PostgREST.
	code, _, errs = runMain(t, []string{"PGRST_DB_URI=postgres://nobody@127.0.0.1:1/x?connect_timeout=2"}, "--dump-config")
	if code != 1 || !strings.Contains(errs, "in-database configuration") {
		t.Errorf("unreachable database: %d %q", code, errs)
	}
}

// startWith starts the example's API with Run as role's URI, with its own
// signal channel; it returns the server and the channel.
func startWith(t *testing.T, uri string, environ ...string) (*opsServer, chan os.Signal) {
	t.Helper()
	return startConf(t, "", append([]string{"PGRST_DB_URI=" + uri, "PGRST_LOG_LEVEL=info"}, environ...)...)
}

// startConf is startWith with a config file and no settings but the
// listeners'.
func startConf(t *testing.T, configPath string, environ ...string) (*opsServer, chan os.Signal) {
	t.Helper()
	sigs := make(chan os.Signal, 1)
	s := runOps(t, Options{
		ConfigPath: configPath,
		Environ: append([]string{"PGRST_SERVER_HOST=127.0.0.1", "PGRST_SERVER_PORT=0", "PGRST_ADMIN_SERVER_PORT=0",
			"PGRST_DB_ANON_ROLE=anon"}, environ...),
		Schema: db.Schema(), Register: db.Register, Signals: sigs,
	})
	return s, sigs
}

// waitLog waits until stderr has n lines containing text.
func (s *opsServer) waitLog(text string, n int) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(s.stderr.String(), text) < n {
		if time.Now().After(deadline) {
			s.t.Fatalf("no %d× %q in the log within 20 s:\n%s", n, text, s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func header(t *testing.T, url, name string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get(name)
}

// TestReloadConfig: NOTIFY pgrst, 'reload config' and SIGUSR2 apply the
// file, the environment and the in-database settings as they are now,
// without a restart; 'reload schema' and SIGUSR1 are answered with a log
// line; an invalid configuration is logged and the one in effect stays.
func TestReloadConfig(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	as := loginRole(t, uri, "authn_reload")
	s, sigs := startWith(t, as, "PGRST_DB_CHANNEL=pgrst_reload_test")
	s.waitLog(`and listening for database notifications on the \"pgrst_reload_test\" channel"`, 1)
	s.waitLog(`msg="Starting pgrestgen `, 1)
	s.waitLog(`msg="Attempting to connect to the database..."`, 1)
	s.waitLog(`msg="Successfully connected to PostgreSQL `, 1)
	s.waitLog(`msg="Schema cache loaded `, 1)
	s.waitLog(`msg="Config reloaded"`, 1) // read the in-database config on connecting
	if _, h := header(t, s.api+"/books", "Server-Timing"); h != "" {
		t.Fatalf("Server-Timing before the reload: %q", h)
	}
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "ALTER ROLE authn_reload SET pgrst.server_timing_enabled = 'true'"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), "NOTIFY pgrst_reload_test, 'reload config'"); err != nil {
		t.Fatal(err)
	}
	s.waitLog(`msg="Config reloaded"`, 2)
	s.waitLog(`msg="Received a config reload message on the \"pgrst_reload_test\" channel"`, 1)
	if _, h := header(t, s.api+"/books", "Server-Timing"); !strings.Contains(h, "transaction") {
		t.Errorf("Server-Timing after NOTIFY reload config: %q", h)
	}

	// reload schema: nothing to reload, said so.
	if _, err := conn.Exec(t.Context(), "NOTIFY pgrst_reload_test, 'reload schema'"); err != nil {
		t.Fatal(err)
	}
	s.waitLog(`msg="Received a schema cache reload message on the \"pgrst_reload_test\" channel"`, 1)
	s.waitLog(`Schema cache reload requested (NOTIFY pgrst_reload_test): nothing to reload`, 1)
	sigs <- syscall.SIGUSR1
	s.waitLog(`Schema cache reload requested (SIGUSR1)`, 1)

	// The LISTEN connection, lost, is opened again.
	if _, err := conn.Exec(t.Context(), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND usename = 'authn_reload'", listenerName); err != nil {
		t.Fatal(err)
	}
	s.waitLog(`msg="Failed listening for database notifications on the \"pgrst_reload_test\" channel.`, 1)
	s.waitLog(`msg="Retrying listening for database notifications in 1 seconds..."`, 1)
	s.waitLog(`and listening for database notifications on the \"pgrst_reload_test\" channel"`, 2)
	if _, err := conn.Exec(t.Context(), "NOTIFY pgrst_reload_test, 'reload schema'"); err != nil {
		t.Fatal(err)
	}
	s.waitLog(`Schema cache reload requested (NOTIFY pgrst_reload_test): nothing to reload`, 2)

	// SIGUSR2: the in-database anonymous role changes who anonymous
	// requests are: web_user may read members, anon may not.
	if code, _ := s.get(s.api + "/members"); code != http.StatusUnauthorized {
		t.Fatalf("members as anon: %d", code)
	}
	if _, err := conn.Exec(t.Context(), "ALTER ROLE authn_reload SET pgrst.db_anon_role = 'web_user'"); err != nil {
		t.Fatal(err)
	}
	sigs <- syscall.SIGUSR2
	s.waitLog(`msg="Config reloaded"`, 3)
	if code, body := s.get(s.api + "/members"); code != http.StatusOK {
		t.Errorf("members as web_user after SIGUSR2: %d %s", code, body)
	}

	// An invalid value: logged, the configuration in effect stays.
	if _, err := conn.Exec(t.Context(), "ALTER ROLE authn_reload SET pgrst.db_tx_end = 'sometimes'"); err != nil {
		t.Fatal(err)
	}
	sigs <- syscall.SIGUSR2
	s.waitLog(`Failed reloading config`, 1)
	if code, _ := s.get(s.api + "/members"); code != http.StatusOK {
		t.Errorf("members after a failed reload: %d", code)
	}
}

// TestReloadFile: SIGUSR2 applies the config file as it is now: the JWT
// secret (tokens signed with the old one are refused), db-max-rows and
// log-level; the new secret is masked in the log.
func TestReloadFile(t *testing.T) {
	uri := env.NewDatabase(t, "")
	migrate(t, uri)
	const secret2 = "another-secret-at-least-32-chars-long-Kp3"
	conf := filepath.Join(t.TempDir(), "server.conf")
	write := func(text string) {
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(fmt.Sprintf("db-uri = %q\njwt-secret = %q\ndb-max-rows = 1\nlog-level = \"error\"\n", withPassword(t, uri), opsJWTSecret))
	s, sigs := startConf(t, conf)
	waitStatus(t, s.admin+"/ready", http.StatusOK)
	old := token(t, "web_user")
	if code, body := s.get(s.api+"/authors?select=id", "Authorization", "Bearer "+old); code != http.StatusOK || strings.Count(body, `"id"`) != 1 {
		t.Fatalf("before: %d %s", code, body)
	}
	write(fmt.Sprintf("db-uri = %q\njwt-secret = %q\ndb-max-rows = 2\nlog-level = \"info\"\n", withPassword(t, uri), secret2))
	sigs <- syscall.SIGUSR2
	s.waitLog(`msg="Config reloaded"`, 1)
	if code, _ := s.get(s.api+"/members", "Authorization", "Bearer "+old); code != http.StatusUnauthorized {
		t.Errorf("a token signed with the old secret: %d", code)
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"role": "web_user"}).SignedString([]byte(secret2))
	if err != nil {
		t.Fatal(err)
	}
	if code, body := s.get(s.api+"/authors?select=id", "Authorization", "Bearer "+tok); code != http.StatusOK || strings.Count(body, `"id"`) != 2 {
		t.Errorf("after: %d %s", code, body)
	}
	// log-level info now: a request's line in the access log.
	if !strings.Contains(s.stdout.String(), `"GET /authors?select=id HTTP/1.1" 200`) {
		t.Errorf("no access line at log-level info after the reload:\n%s", s.stdout.String())
	}
	// The new secret is masked should a message quote it.
	write(fmt.Sprintf("db-uri = %q\njwt-secret = %q\ndb-max-rows = 2\nlog-level = \"info\"\ndb-tx-end = %q\n", withPassword(t, uri), secret2, secret2))
	sigs <- syscall.SIGUSR2
	s.waitLog("Failed reloading config", 1)
	if strings.Contains(s.stderr.String(), secret2) {
		t.Errorf("the JWT secret in the log:\n%s", s.stderr.String())
	}
}
