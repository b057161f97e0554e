package serve

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime"
)

// echoBody answers 200 with the request body's length, or 400 when the body
// cannot be read (a read timeout).
func echoBody(r runtime.Router, _ *runtime.Server) {
	r.Add(http.MethodPost, "/echo", func(c echo.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return c.String(http.StatusBadRequest, "body: "+err.Error())
		}
		return c.String(http.StatusOK, strings.Repeat("x", len(b)))
	})
	r.Add(http.MethodGet, "/ok", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
}

// dial opens a raw connection whose reads and writes give up when the
// test's guard (not an assertion) runs out.
func dial(t *testing.T, addr string, guard time.Duration) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(guard)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// readToEOF reads what the server sends until it closes the connection;
// a guard timeout is a failure, a reset counts as closed.
func readToEOF(t *testing.T, conn net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server did not close the connection (read so far: %q)", b)
	}
	return string(b)
}

// TestReadTimeoutClosesTricklingBody: a body sent a byte a second does not
// hold a connection past server-read-timeout.
func TestReadTimeoutClosesTricklingBody(t *testing.T) {
	uri := env.NewDatabase(t, "")
	addr, _, _ := start(t, []string{"PGRST_DB_URI=" + uri, "PGRST_SERVER_READ_TIMEOUT=1"}, echoBody)
	conn := dial(t, addr, 30*time.Second)
	if _, err := io.WriteString(conn, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		// 100 bytes at one a second would take 100 s; the guard is 30 s.
		for range 100 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			if _, err := conn.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
	got := readToEOF(t, conn)
	if strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Errorf("a trickled body was accepted: %q", got)
	}
}

// TestReadHeaderTimeout: headers that never end do not hold a connection
// past server-read-header-timeout.
func TestReadHeaderTimeout(t *testing.T) {
	uri := env.NewDatabase(t, "")
	addr, _, _ := start(t, []string{"PGRST_DB_URI=" + uri, "PGRST_SERVER_READ_HEADER_TIMEOUT=1"}, echoBody)
	conn := dial(t, addr, 30*time.Second)
	if _, err := io.WriteString(conn, "GET /ok HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	if got := readToEOF(t, conn); strings.Contains(got, " 200 ") {
		t.Errorf("unfinished headers were answered: %q", got)
	}
}

// TestIdleTimeoutClosesKeepAlive: a keep-alive connection left idle is
// closed after server-idle-timeout, once its answer was sent.
func TestIdleTimeoutClosesKeepAlive(t *testing.T) {
	uri := env.NewDatabase(t, "")
	addr, _, _ := start(t, []string{"PGRST_DB_URI=" + uri, "PGRST_SERVER_IDLE_TIMEOUT=1"}, echoBody)
	conn := dial(t, addr, 30*time.Second)
	if _, err := io.WriteString(conn, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "ok" || resp.Close {
		t.Fatalf("first request: %d %q, close %v", resp.StatusCode, body, resp.Close)
	}
	if rest, err := io.ReadAll(br); err != nil {
		t.Fatalf("the idle connection was not closed: %v (read %q)", err, rest)
	}
}

// TestTimeoutsLetRequestsThrough: with every timeout set, ordinary requests
// (with and without a body, a large one) succeed, and a handler still
// running after server-read-timeout keeps its context (net/http lifts the
// read deadline once the request has been read).
func TestTimeoutsLetRequestsThrough(t *testing.T) {
	uri := env.NewDatabase(t, "")
	addr, _, _ := start(t, []string{"PGRST_DB_URI=" + uri, "PGRST_SERVER_READ_TIMEOUT=1",
		"PGRST_SERVER_READ_HEADER_TIMEOUT=1", "PGRST_SERVER_IDLE_TIMEOUT=5", "PGRST_SERVER_WRITE_TIMEOUT=10"},
		func(r runtime.Router, s *runtime.Server) {
			echoBody(r, s)
			// Outlives the read timeout, unless its context is cancelled.
			r.Add(http.MethodPost, "/long", func(c echo.Context) error {
				_, _ = io.ReadAll(c.Request().Body)
				select {
				case <-c.Request().Context().Done():
					return c.String(http.StatusServiceUnavailable, "cancelled")
				case <-time.After(2500 * time.Millisecond):
					return c.String(http.StatusOK, "finished")
				}
			})
			r.Add(http.MethodGet, "/long", func(c echo.Context) error {
				select {
				case <-c.Request().Context().Done():
					return c.String(http.StatusServiceUnavailable, "cancelled")
				case <-time.After(2500 * time.Millisecond):
					return c.String(http.StatusOK, "finished")
				}
			})
		})
	client := &http.Client{Timeout: 30 * time.Second}
	for i, tc := range []struct{ method, path, body, want string }{
		{http.MethodGet, "/ok", "", "ok"},
		{http.MethodPost, "/echo", "abc", "xxx"},
		{http.MethodGet, "/long", "", "finished"},
		{http.MethodPost, "/long", `{"a":1}`, "finished"},
		{http.MethodPost, "/echo", strings.Repeat("y", 1<<20), strings.Repeat("x", 1<<20)},
	} {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		req, _ := http.NewRequest(tc.method, "http://"+addr+tc.path, body)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%d %s %s: %v", i, tc.method, tc.path, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || string(got) != tc.want {
			t.Errorf("%d %s %s: %d %.40q (%v)", i, tc.method, tc.path, resp.StatusCode, got, err)
		}
	}
}
