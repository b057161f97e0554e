package deploy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
	"github.com/pgrestgen/pgrestgen/runtime/serve"
)

// TestStack runs compose.yaml's stack without containers: a throwaway
// PostgreSQL with compose's init scripts run by psql (as the postgres
// image's entrypoint runs them), the example's server configured with
// compose's environment, and a real Caddy with deploy/Caddyfile in front.
// Every request goes through Caddy.
func TestStack(t *testing.T) {
	pgtest.NeedsDatabase(t)
	caddyBin, err := exec.LookPath("caddy")
	if err != nil {
		t.Skip("caddy is not installed (scripts/ensure-caddy.sh installs it): the stack test needs a real Caddy")
	}
	ctx := t.Context()
	c := loadCompose(t)
	pass, secret := randomHex(t, 16), randomHex(t, 32)

	bin, err := pgcluster.FindBinDir()
	if err != nil {
		t.Fatal(err)
	}
	dbName := c.Services["postgres"].Environment["POSTGRES_DB"]
	// The authenticator logs in with its password over TCP, as it does in
	// the compose network; the superuser keeps initdb's trust.
	cl, err := pgcluster.Start(ctx, pgcluster.Options{BinDir: bin,
		HBA: []string{"host all authenticator 127.0.0.1/32 scram-sha-256"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Stop() })
	if err := cl.CreateDatabase(ctx, dbName, ""); err != nil {
		t.Fatal(err)
	}
	admin := cl.URI(dbName)

	scripts := initScripts(t, c)
	t.Run("init without password", func(t *testing.T) {
		out, err := psql(ctx, bin, admin, scripts[0].Host, nil)
		if err == nil || !strings.Contains(out, "PGRST_AUTHENTICATOR_PASS is not set") {
			t.Fatalf("00-init_postgrest.sql without PGRST_AUTHENTICATOR_PASS: err %v, output:\n%s", err, out)
		}
		if n := queryInt(t, admin, "SELECT count(*) FROM pg_roles WHERE rolname IN ('authenticator', 'anon')"); n != 0 {
			t.Errorf("%d roles created before the script stopped", n)
		}
	})
	apply := func(s bindMount) {
		t.Helper()
		if out, err := psql(ctx, bin, admin, s.Host, []string{"PGRST_AUTHENTICATOR_PASS=" + pass}); err != nil {
			t.Fatalf("%s: %v\n%s", s.Host, err, out)
		}
	}
	// 00-init_postgrest.sql alone makes the roles; the example's
	// 001_roles.sql, which also makes them when they are missing, runs after.
	apply(scripts[0])
	t.Run("roles", func(t *testing.T) {
		// authenticator: LOGIN, NOINHERIT, member of anon; anon: NOLOGIN.
		got := queryInt(t, admin, `SELECT count(*) FROM pg_roles a, pg_roles n
			WHERE a.rolname = 'authenticator' AND a.rolcanlogin AND NOT a.rolinherit AND NOT a.rolsuper
			  AND n.rolname = 'anon' AND NOT n.rolcanlogin AND pg_has_role(a.oid, n.oid, 'MEMBER')
			  AND has_schema_privilege('anon', 'public', 'USAGE')`)
		if got != 1 {
			t.Error("want authenticator a NOINHERIT LOGIN member of anon, anon NOLOGIN with USAGE on schema public")
		}
		if n := queryInt(t, admin, `SELECT count(*) FROM pg_namespace n, aclexplode(n.nspacl) a
			WHERE n.nspname = 'public' AND a.grantee = 0`); n != 0 {
			t.Errorf("PUBLIC keeps %d privileges on schema public", n)
		}
		u, _ := url.Parse(admin)
		u.User = url.UserPassword("authenticator", "not-"+pass)
		var pgErr *pgconn.PgError
		if _, err := queryOne(ctx, u.String(), "SELECT 1"); !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
			t.Errorf("authenticator with a wrong password: %v, want 28P01", err)
		}
		u.User = url.UserPassword("authenticator", pass)
		if _, err := queryOne(ctx, u.String(), "SELECT 1"); err != nil {
			t.Errorf("authenticator with PGRST_AUTHENTICATOR_PASS: %v", err)
		}
	})
	for _, s := range scripts[1:] {
		apply(s)
	}

	// The server with compose's environment, the database host and the
	// ports being this machine's.
	env := map[string]string{}
	for k, v := range c.Services["server"].Environment {
		env[k] = interpolate(t, v, map[string]string{"PGRST_AUTHENTICATOR_PASS": pass, "PGRST_JWT_SECRET": secret})
	}
	u, err := url.Parse(env["PGRST_DB_URI"])
	if err != nil {
		t.Fatal(err)
	}
	u.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(cl.Port()))
	env["PGRST_DB_URI"] = u.String()
	env["PGRST_SERVER_HOST"], env["PGRST_SERVER_PORT"] = "127.0.0.1", "0"
	env["PGRST_ADMIN_SERVER_HOST"], env["PGRST_ADMIN_SERVER_PORT"] = "127.0.0.1", "0"
	api, adminAddr := startServer(t, env)

	caddyURL := startCaddy(t, caddyBin, api)

	t.Run("admin ready", func(t *testing.T) {
		resp, err := http.Get("http://" + adminAddr + "/ready")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("/ready: %d (compose's healthcheck)", resp.StatusCode)
		}
	})

	token := e2e.SignHS256(t, secret, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()})
	writer := map[string]string{"Authorization": "Bearer " + token}
	call := func(t *testing.T, method, path string, hdr map[string]string, body string) *result {
		t.Helper()
		return do(t, method, caddyURL+path, hdr, body)
	}

	t.Run("read with Content-Range", func(t *testing.T) {
		r := call(t, "GET", "/rest/books?select=id,title&order=id&limit=2", map[string]string{"Prefer": "count=exact"}, "")
		r.want(t, 206, `[{"id":1,"title":"The Left Hand of Darkness"},{"id":2,"title":"The Dispossessed"}]`)
		if got := r.header.Get("Content-Range"); got != "0-1/5" {
			t.Errorf("Content-Range %q, want 0-1/5", got)
		}
		if got := r.header.Get("Content-Location"); got != "/rest/books?limit=2&order=id&select=id%2Ctitle" {
			t.Errorf("Content-Location %q, want the request's path under /rest/", got)
		}
		r = call(t, "GET", "/rest/authors?id=eq.2&select=name", map[string]string{"Accept": "application/vnd.pgrst.object+json"}, "")
		r.want(t, 200, `{"name":"Stanisław Lem"}`)
	})

	t.Run("write", func(t *testing.T) {
		hdr := map[string]string{"Authorization": writer["Authorization"], "Prefer": "return=headers-only", "Content-Type": "application/json"}
		r := call(t, "POST", "/rest/reviews", hdr, `{"book_id":5,"member_id":2,"stars":4,"body":"read through Caddy"}`)
		r.want(t, 201, "")
		loc := r.header.Get("Location")
		if loc != "/rest/reviews?id=eq.4" {
			t.Fatalf("Location %q, want /rest/reviews?id=eq.4 (the server's /reviews?id=eq.4 under Caddy's prefix)", loc)
		}
		// The Location leads to the row through the proxy.
		call(t, "GET", loc+"&select=id,book_id,stars,body", nil, "").
			want(t, 200, `[{"id":4,"book_id":5,"stars":4,"body":"read through Caddy"}]`)
		hdr["Prefer"] = "return=representation"
		call(t, "PATCH", "/rest/reviews?id=eq.4&select=id,stars", hdr, `{"stars":2}`).
			want(t, 200, `[{"id":4,"stars":2}]`)
		call(t, "DELETE", "/rest/reviews?id=eq.4", writer, "").want(t, 204, "")
		r = call(t, "HEAD", "/rest/reviews", map[string]string{"Prefer": "count=exact"}, "")
		if got := r.header.Get("Content-Range"); got != "0-2/3" {
			t.Errorf("after the delete, Content-Range %q, want 0-2/3", got)
		}
		// anon may not write.
		call(t, "POST", "/rest/reviews", map[string]string{"Content-Type": "application/json"}, `{"book_id":5,"member_id":2,"stars":4}`).
			wantError(t, 401, "42501", "permission denied for table reviews")
	})

	for _, prefix := range []string{"/rest/rpc/", "/rpc/"} {
		t.Run("functions under "+prefix, func(t *testing.T) {
			call(t, "GET", prefix+"books_by_author?author_name=lem&select=title&order=title", nil, "").
				want(t, 200, `[{"title":"Solaris"},{"title":"The Cyberiad"}]`)
			call(t, "POST", prefix+"average_price", map[string]string{"Content-Type": "application/json"}, `{"min_year":1970}`).
				want(t, 200, `19.13`)
			r := call(t, "GET", prefix+"books_by_author?author_name=e&select=id&order=id&limit=1", map[string]string{"Prefer": "count=exact"}, "")
			r.want(t, 206, `[{"id":1}]`)
			if got := r.header.Get("Content-Range"); got != "0-0/5" {
				t.Errorf("Content-Range %q, want 0-0/5", got)
			}
			call(t, "GET", prefix+"no_such_function", nil, "").
				wantError(t, 404, "PGRST202", "Could not find the function public.no_such_function without parameters in the schema cache")
		})
	}

	t.Run("errors keep PostgREST's bodies", func(t *testing.T) {
		call(t, "GET", "/rest/members", nil, "").wantError(t, 401, "42501", "permission denied for table members")
		call(t, "GET", "/rest/no_such_table", nil, "").
			wantError(t, 404, "PGRST205", "Could not find the table 'public.no_such_table' in the schema cache")
		call(t, "GET", "/rest/books?id=gt", nil, "").wantError(t, 400, "PGRST100", "")
		call(t, "GET", "/rest/books?select=nope", nil, "").wantError(t, 400, "42703", "column books.nope does not exist")
	})

	t.Run("other paths stay Caddy's", func(t *testing.T) {
		r := call(t, "GET", "/books", nil, "")
		if r.status != 404 || string(r.body) != "Not Found" {
			t.Errorf("GET /books: %d %q, want Caddy's 404 (only /rest/ and /rpc/ reach the server)", r.status, r.body)
		}
	})
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// psql runs file as the postgres image's entrypoint does: psql with
// ON_ERROR_STOP, no psqlrc, env added to this process's environment less
// PGRST_AUTHENTICATOR_PASS.
func psql(ctx context.Context, bin, uri, file string, env []string) (string, error) {
	exe := filepath.Join(bin, "psql")
	if _, err := os.Stat(exe); err != nil {
		if exe, err = exec.LookPath("psql"); err != nil {
			return "", fmt.Errorf("psql is neither in %s nor on PATH: %w", bin, err)
		}
	}
	cmd := exec.CommandContext(ctx, exe, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri, "-f", file)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PGRST_AUTHENTICATOR_PASS=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("psql -f %s: %w", file, err)
	}
	return string(out), nil
}

func queryOne(ctx context.Context, uri, sql string) (int64, error) {
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		return 0, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		return 0, fmt.Errorf("query: %w", err)
	}
	return n, nil
}

func queryInt(t *testing.T, uri, sql string) int64 {
	t.Helper()
	n, err := queryOne(t.Context(), uri, sql)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// startServer runs the example's generated API with env as its whole
// environment and returns its API and admin addresses.
func startServer(t *testing.T, env map[string]string) (api, admin string) {
	t.Helper()
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	apic, adminc := make(chan net.Addr, 1), make(chan net.Addr, 1)
	errc := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		errc <- serve.Run(ctx, serve.Options{
			Environ:    environ,
			Schema:     db.Schema(),
			Register:   db.Register,
			Stdout:     io.Discard,
			Stderr:     &logs,
			Ready:      func(a net.Addr) { apic <- a },
			AdminReady: func(a net.Addr) { adminc <- a },
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("server stopped with: %v", err)
		}
		if t.Failed() {
			t.Logf("the server's log:\n%s", logs.String())
		}
	})
	timeout := time.After(30 * time.Second)
	for api == "" || admin == "" {
		select {
		case a := <-apic:
			api = a.String()
		case a := <-adminc:
			admin = a.String()
		case err := <-errc:
			errc <- err
			t.Fatalf("server did not start: %v", err)
		case <-timeout:
			t.Fatal("server did not start within 30s")
		}
	}
	return api, admin
}

// startCaddy runs `caddy run` with deploy/Caddyfile, the environment
// pointing it at upstream on a free 127.0.0.1 port, and returns its URL
// once it proxies.
func startCaddy(t *testing.T, bin, upstream string) string {
	t.Helper()
	port, adminPort := freePort(t), freePort(t)
	home := t.TempDir()
	cmd := exec.Command(bin, "run", "--config", "Caddyfile", "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(),
		"SITE_ADDRESS=http://127.0.0.1:"+port,
		"CADDY_BIND=127.0.0.1",
		"CADDY_ADMIN=127.0.0.1:"+adminPort,
		"UPSTREAM="+upstream,
		"HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start caddy: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("caddy's log:\n%s", out.String())
		}
	})
	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/rest/genres?limit=1")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("caddy exited: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("caddy did not proxy within 20s (last: %v)\n%s", err, out.String())
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

type result struct {
	status int
	header http.Header
	body   []byte
	what   string
}

func do(t *testing.T, method, url string, hdr map[string]string, body string) *result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &result{status: resp.StatusCode, header: resp.Header, body: b, what: method + " " + url}
}

// want checks the status and the body, compared as JSON ("" for none).
func (r *result) want(t *testing.T, status int, body string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d; body %s", r.what, r.status, status, r.body)
	}
	if body == "" {
		if len(r.body) != 0 {
			t.Errorf("%s: body %s, want none", r.what, r.body)
		}
		return
	}
	var got, want any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Errorf("%s: body %q is not JSON: %v", r.what, r.body, err)
		return
	}
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s: body (-want +got):\n%s", r.what, d)
	}
}

// wantError checks a PostgREST error object: its status, code and (when
// not "") message, and that it came as JSON.
func (r *result) wantError(t *testing.T, status int, code, message string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d; body %s", r.what, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", r.what, ct)
	}
	var e struct {
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Details *string `json:"details"`
		Hint    *string `json:"hint"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	if err := dec.Decode(&e); err != nil {
		t.Errorf("%s: body %q is not an error object: %v", r.what, r.body, err)
		return
	}
	if e.Code != code || (message != "" && e.Message != message) {
		t.Errorf("%s: error %s %q, want %s %q", r.what, e.Code, e.Message, code, message)
	}
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(r.body, &keys)
	for _, k := range []string{"code", "message", "details", "hint"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("%s: error object %s has no %q", r.what, r.body, k)
		}
	}
}
