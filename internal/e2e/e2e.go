// Package e2e runs data-driven HTTP cases against a generated API served on
// a real port over a real database: request → status, headers, body.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pgrestgen/pgrestgen/runtime"
	"github.com/pgrestgen/pgrestgen/runtime/serve"
)

// Case is one request and what must come back.
type Case struct {
	// Name names the case; start it with the feature IDs it covers
	// (F-FILTER-01 …) so the checklist can be traced to tests.
	Name    string            `json:"name"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	// Body is sent as the request body when set.
	Body json.RawMessage `json:"body"`
	// BodyText is sent verbatim (CSV, form bodies) when set.
	BodyText *string `json:"body_text"`
	Status   int     `json:"status"`
	// ResponseHeaders must be present with these exact values; a value of
	// null means the header must be absent.
	ResponseHeaders map[string]*string `json:"response_headers"`
	// Want is compared as JSON with the response body; WantText byte for
	// byte. With neither, the body must be empty.
	Want     json.RawMessage `json:"want"`
	WantText *string         `json:"want_text"`
	// AnyBody skips the body check (for bodies that vary, like timestamps).
	AnyBody bool `json:"any_body"`
}

// Server is a generated API served for a test.
type Server struct {
	URL string
}

// Serve starts the API on 127.0.0.1 with a free port, configured by env
// (PGRST_* variables), and stops it when the test ends.
func Serve(t testing.TB, schema *runtime.Schema, register func(runtime.Router, *runtime.Server), env ...string) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	environ := append([]string{"PGRST_SERVER_HOST=127.0.0.1", "PGRST_SERVER_PORT=0"}, env...)
	go func() {
		errc <- serve.Run(ctx, serve.Options{
			Environ:  environ,
			Schema:   schema,
			Register: register,
			Stderr:   testWriter{t},
			Ready:    func(a net.Addr) { addrc <- a },
		})
	}()
	select {
	case a := <-addrc:
		t.Cleanup(func() {
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("server stopped with: %v", err)
			}
		})
		return &Server{URL: "http://" + a.String()}
	case err := <-errc:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("server did not start within 30s")
	}
	return nil
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// LoadCases reads every *.json case file of dir, sorted by name; each file is
// a JSON array of cases (a file per feature group).
func LoadCases(t testing.TB, dir string) map[string][]Case {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files in %s (%v)", dir, err)
	}
	sort.Strings(files)
	out := map[string][]Case{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []Case
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = cases
	}
	return out
}

// Run performs the case against base and reports every difference.
func (c Case) Run(t testing.TB, base string) {
	t.Helper()
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if c.Body != nil {
		body = bytes.NewReader(c.Body)
	}
	if c.BodyText != nil {
		body = strings.NewReader(*c.BodyText)
	}
	req, err := http.NewRequest(method, base+c.Path, body)
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	for k, v := range c.Headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, c.Path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if resp.StatusCode != c.Status {
		t.Errorf("%s %s: status %d, want %d; body: %s", method, c.Path, resp.StatusCode, c.Status, got)
	}
	for k, want := range c.ResponseHeaders {
		vals, present := resp.Header[http.CanonicalHeaderKey(k)]
		switch {
		case want == nil && present:
			t.Errorf("%s %s: header %s = %q, want it absent", method, c.Path, k, vals)
		case want != nil && !present:
			t.Errorf("%s %s: header %s absent, want %q", method, c.Path, k, *want)
		case want != nil && strings.Join(vals, ", ") != *want:
			t.Errorf("%s %s: header %s = %q, want %q", method, c.Path, k, strings.Join(vals, ", "), *want)
		}
	}
	switch {
	case c.AnyBody:
	case c.WantText != nil:
		if string(got) != *c.WantText {
			t.Errorf("%s %s: body\n%s\nwant\n%s", method, c.Path, got, *c.WantText)
		}
	case c.Want != nil:
		var gotV, wantV any
		if err := json.Unmarshal(got, &gotV); err != nil {
			t.Errorf("%s %s: body is not JSON (%v): %s", method, c.Path, err, got)
			return
		}
		if err := json.Unmarshal(c.Want, &wantV); err != nil {
			t.Fatalf("case %q: want is not JSON: %v", c.Name, err)
		}
		if d := cmp.Diff(wantV, gotV); d != "" {
			t.Errorf("%s %s: body mismatch (-want +got):\n%s", method, c.Path, d)
		}
	default:
		if len(got) != 0 {
			t.Errorf("%s %s: body %s, want none", method, c.Path, got)
		}
	}
}

// String describes the case for test names.
func (c Case) String() string { return fmt.Sprintf("%s %s", c.Method, c.Path) }
