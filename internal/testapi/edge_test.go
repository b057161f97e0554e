package testapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/testapi/db"
	"github.com/pgrestgen/pgrestgen/runtime/serve"
)

// guard bounds every wait of these tests; it is a guard against hangs, not a
// timing assertion.
const guard = 30 * time.Second

// runServer serves the test bed on uri's database with the suite's settings
// plus environ until ctx is done; stopped yields Run's result.
func runServer(t *testing.T, ctx context.Context, uri string, environ ...string) (addr string, stopped <-chan error) {
	t.Helper()
	env := append([]string{"PGRST_SERVER_HOST=127.0.0.1", "PGRST_SERVER_PORT=0", "PGRST_DB_URI=" + e2e.AsAuthenticator(uri)}, suite(t).Environ...)
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- serve.Run(ctx, serve.Options{Environ: append(env, environ...), Schema: db.Schema(),
			Register: db.Register, Ready: func(a net.Addr) { addrc <- a }})
	}()
	select {
	case a := <-addrc:
		return a.String(), errc
	case err := <-errc:
		t.Fatalf("server did not start: %v", err)
	case <-time.After(guard):
		t.Fatal("server did not start")
	}
	return "", nil
}

// rawRequest writes head (request line and headers, without the blank line
// ending them) and body on a fresh connection, then reads one response.
// The body may be short of the declared length: the server must answer
// without waiting for the rest.
func rawRequest(t *testing.T, addr, head, body string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(guard)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, head+"\r\n\r\n"+body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: no answer: %v", strings.SplitN(head, "\r\n", 2)[0], err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", strings.SplitN(head, "\r\n", 2)[0], err)
	}
	return resp, b
}

// TestBodyLimit: server-max-body-size refuses a declared over-limit body
// before reading any of it, cuts a chunked body off at the limit, and
// accepts a body of exactly the limit, on writes and on calls.
func TestBodyLimit(t *testing.T) {
	uri := env.NewDatabase(t, template)
	const limit = 1024
	addr, _ := runServer(t, t.Context(), uri, fmt.Sprintf("PGRST_SERVER_MAX_BODY_SIZE=%d", limit))
	tooLarge := `{"code":"PGRST413","details":"The request body exceeds the server-max-body-size of 1024 bytes","hint":null,"message":"Payload too large"}`

	// Declared over the limit, and none of the body is ever sent: the 413
	// can only come before reading. (The length is above the 256 KiB
	// net/http would drain after the handler.)
	for _, head := range []string{
		"POST /call_log HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576",
		"POST /rpc/add_them HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576",
		"POST /rpc/add_them HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 1048576",
	} {
		resp, body := rawRequest(t, addr, head, "")
		if resp.StatusCode != http.StatusRequestEntityTooLarge || string(body) != tooLarge {
			t.Errorf("%q: %d %s", head, resp.StatusCode, body)
		}
	}
	// One byte over, sent in full.
	over := `{"msg":"` + strings.Repeat("o", limit+1-len(`{"msg":""}`)) + `"}`
	resp, body := rawRequest(t, addr, fmt.Sprintf("POST /call_log HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d", len(over)), over)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || string(body) != tooLarge {
		t.Errorf("one byte over: %d %s", resp.StatusCode, body)
	}
	// Chunked, over the limit.
	chunk := strings.Repeat(" ", 2*limit)
	resp, body = rawRequest(t, addr, "POST /rpc/add_them HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
		fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(chunk), chunk))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || string(body) != tooLarge {
		t.Errorf("chunked over the limit: %d %s", resp.StatusCode, body)
	}

	// Exactly the limit: declared and chunked.
	at := `{"msg":"` + strings.Repeat("a", limit-len(`{"msg":""}`)) + `"}`
	call := `{"a":1,"b":2}` + strings.Repeat(" ", limit-len(`{"a":1,"b":2}`))
	client := &http.Client{Timeout: guard}
	for _, tc := range []struct {
		name, path, body string
		chunked          bool
		status           int
	}{
		{"insert at the limit", "/call_log", at, false, http.StatusCreated},
		{"call at the limit", "/rpc/add_them", call, false, http.StatusOK},
		{"chunked call at the limit", "/rpc/add_them", call, true, http.StatusOK},
	} {
		var r io.Reader = strings.NewReader(tc.body)
		if tc.chunked {
			r = struct{ io.Reader }{r} // no length: net/http sends it chunked
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+tc.path, r)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || (tc.path == "/rpc/add_them" && string(got) != "3") {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, got)
		}
	}

	// Only the body within the limit was written.
	resp, err := client.Get("http://" + addr + "/call_log?select=msg")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `[{"msg":"` + strings.Repeat("a", limit-len(`{"msg":""}`)) + `"}]`; string(got) != want {
		t.Errorf("call_log = %.80s…, want only the insert at the limit", got)
	}
}

// TestShutdownCancelsAfterGrace: on shutdown a request that ends within
// server-shutdown-timeout is answered; those still running then are
// cancelled, in PostgreSQL too, and answered with a JSON error (or their
// connection is closed), and Run returns.
func TestShutdownCancelsAfterGrace(t *testing.T) {
	uri := env.NewDatabase(t, template)
	// test.slow without its own statement_timeout, which is not hoisted
	// either: it sleeps as long as asked.
	if err := pgcluster.ApplySQL(t.Context(), uri, "ALTER FUNCTION test.slow(float8) RESET statement_timeout"); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	addr, stopped := runServer(t, ctx, uri, "PGRST_SERVER_SHUTDOWN_TIMEOUT=3", "PGRST_DB_HOISTED_TX_SETTINGS=work_mem")

	watch, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(context.Background())
	// active counts the server's queries PostgreSQL is running.
	active := func() int {
		var n int
		err := watch.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = 'pgrestgen' AND state = 'active' AND query LIKE '%"slow"%'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitActive := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(guard); active() != n; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d queries active, want %d", active(), n)
			}
		}
	}

	type answer struct {
		status int
		body   []byte
		err    error
	}
	client := &http.Client{Timeout: guard, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(seconds string, out *answer, wg *sync.WaitGroup) {
		defer wg.Done()
		resp, err := client.Get("http://" + addr + "/rpc/slow?seconds=" + seconds)
		if err != nil {
			out.err = err
			return
		}
		defer resp.Body.Close()
		out.status = resp.StatusCode
		out.body, out.err = io.ReadAll(resp.Body)
	}
	var wg sync.WaitGroup
	long := make([]answer, 4)
	for i := range long {
		wg.Add(1)
		go get("60", &long[i], &wg)
	}
	waitActive(len(long))
	var short answer
	wg.Add(1)
	go get("1", &short, &wg)
	waitActive(len(long) + 1)

	stop()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(guard):
		t.Fatal("Run did not return")
	}
	wg.Wait()

	if short.err != nil || short.status != http.StatusOK || string(short.body) != `"done"` {
		t.Errorf("request ending within the grace period: %d %s %v", short.status, short.body, short.err)
	}
	answered := 0
	for i, a := range long {
		if a.err != nil {
			t.Logf("request %d: connection error %v", i, a.err)
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal(a.body, &obj); err != nil || a.status < 500 {
			t.Errorf("request %d: %d %q is not a JSON error", i, a.status, a.body)
			continue
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"code", "details", "hint", "message"}) || a.status != http.StatusServiceUnavailable || obj["code"] != "PGRST503" {
			t.Errorf("request %d: %d %s, want 503 PGRST503", i, a.status, a.body)
		}
		if bytes.Contains(a.body, []byte("context")) {
			t.Errorf("request %d: a Go error reached the client: %s", i, a.body)
		}
		answered++
	}
	// Closed connections are allowed, but cancelling is meant to answer.
	if answered == 0 {
		t.Error("no cancelled request was answered: their connections were closed")
	}
	if n := active(); n != 0 {
		t.Errorf("%d queries still running in PostgreSQL after Run returned", n)
	}
}
