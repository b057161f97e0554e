package serve

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"regexp"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
)

// start runs the server with environ and register until the test ends (or
// stop is called) and returns its address; stopped yields Run's result.
func start(t *testing.T, environ []string, register func(runtime.Router, *runtime.Server)) (addr string, stop func(), stopped <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- Run(ctx, Options{
			Environ:  append([]string{"PGRST_SERVER_HOST=127.0.0.1", "PGRST_SERVER_PORT=0", "PGRST_DB_ANON_ROLE=postgres"}, environ...),
			Schema:   &runtime.Schema{Schemas: []string{"public"}},
			Register: register,
			Ready:    func(a net.Addr) { addrc <- a },
		})
	}()
	t.Cleanup(cancel)
	select {
	case a := <-addrc:
		return a.String(), cancel, errc
	case err := <-errc:
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start within 30s")
	}
	return "", nil, nil
}

// TestRunHTTPLayers: Run puts the Server header, the trace header, CORS and
// Server-Timing around the routes, from the settings.
func TestRunHTTPLayers(t *testing.T) {
	uri := env.NewDatabase(t, "")
	addr, _, _ := start(t, []string{"PGRST_DB_URI=" + uri,
		"PGRST_SERVER_TRACE_HEADER=X-Request-Id", "PGRST_SERVER_TIMING_ENABLED=true",
		"PGRST_SERVER_CORS_ALLOWED_ORIGINS=http://a.example, http://b.example"},
		func(r runtime.Router, _ *runtime.Server) {
			r.Add(http.MethodGet, "/ok", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
		})
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/ok", nil)
	req.Header.Set("Origin", "http://b.example")
	req.Header.Set("X-Request-Id", "42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for k, want := range map[string]string{
		"Server":                           httpmw.Product(),
		"X-Request-Id":                     "42",
		"Access-Control-Allow-Origin":      "http://b.example",
		"Access-Control-Allow-Credentials": "true",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if st := resp.Header.Get("Server-Timing"); !regexp.MustCompile(`^total;dur=\d+\.\d$`).MatchString(st) {
		t.Errorf("Server-Timing = %q", st)
	}
}

// TestShutdownConnectionClose: a request in flight when shutdown begins is
// finished, with Connection: close, and Run returns cleanly (F-HTTP-01).
func TestShutdownConnectionClose(t *testing.T) {
	uri := env.NewDatabase(t, "")
	entered := make(chan struct{})
	addr, stop, stopped := start(t, []string{"PGRST_DB_URI=" + uri}, func(r runtime.Router, _ *runtime.Server) {
		r.Add(http.MethodGet, "/slow", func(c echo.Context) error {
			close(entered)
			// Shutdown marks the server shutting down before it closes the
			// listener, so a refused dial means the answer below is written
			// during shutdown.
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				conn, err := net.Dial("tcp", c.Request().Host)
				if err != nil {
					break
				}
				conn.Close()
			}
			return c.String(http.StatusOK, "finished")
		})
	})
	// A raw connection, since net/http's client hides Connection: close.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /slow HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	<-entered
	stop()
	tp := textproto.NewReader(bufio.NewReader(conn))
	status, err := tp.ReadLine()
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, len("finished"))
	if _, err := io.ReadFull(tp.R, body); err != nil {
		t.Fatal(err)
	}
	if status != "HTTP/1.1 200 OK" || h.Get("Connection") != "close" || string(body) != "finished" {
		t.Errorf("in-flight answer: %s, Connection %q, body %q", status, h.Get("Connection"), body)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Run: %v", err)
	}
}
