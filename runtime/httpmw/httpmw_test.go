package httpmw

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// api stands in for a generated API: a table answering GET and OPTIONS as
// the runtime does, an error in the runtime's shape, a handler that writes
// nothing and one that returns an error to echo.
func api(mw ...echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.Pre(mw...)
	e.GET("/items", func(c echo.Context) error {
		tm := Timing(c.Request().Context())
		tm.Add(PhaseJWT, 400*time.Microsecond)
		tm.Add(PhaseTransaction, 1500*time.Microsecond)
		tm.Add(PhaseTransaction, 500*time.Microsecond)
		return c.JSON(http.StatusOK, []int{1})
	})
	e.OPTIONS("/items", func(c echo.Context) error {
		c.Response().Header().Set("Allow", "OPTIONS,GET,HEAD")
		c.Response().WriteHeader(http.StatusOK)
		return nil
	})
	e.Any("/missing", func(c echo.Context) error {
		c.Response().Header().Set("Proxy-Status", "PostgREST; error=PGRST205")
		return c.JSON(http.StatusNotFound, map[string]string{"code": "PGRST205"})
	})
	e.GET("/silent", func(echo.Context) error { return nil })
	e.GET("/fails", func(echo.Context) error { return errors.New("boom") })
	return e
}

type req struct {
	method, path string
	headers      map[string]string
}

func do(e *echo.Echo, r req) *httptest.ResponseRecorder {
	hr := httptest.NewRequest(r.method, r.path, nil)
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, hr)
	return w
}

// absent marks a header that must not be sent.
const absent = "<absent>"

func check(t *testing.T, w *httptest.ResponseRecorder, status int, want map[string]string) {
	t.Helper()
	if w.Code != status {
		t.Errorf("status %d, want %d", w.Code, status)
	}
	for k, v := range want {
		got, ok := w.Header()[http.CanonicalHeaderKey(k)]
		switch {
		case v == absent && ok:
			t.Errorf("%s = %q, want it absent", k, got)
		case v != absent && !ok:
			t.Errorf("%s absent, want %q", k, v)
		case v != absent && strings.Join(got, " | ") != v:
			t.Errorf("%s = %q, want %q", k, strings.Join(got, " | "), v)
		}
	}
}

const (
	acao    = "Access-Control-Allow-Origin"
	acac    = "Access-Control-Allow-Credentials"
	acam    = "Access-Control-Allow-Methods"
	acah    = "Access-Control-Allow-Headers"
	acma    = "Access-Control-Max-Age"
	aceh    = "Access-Control-Expose-Headers"
	methods = "GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD"
	exposed = "Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit"
)

// TestCORS replays PostgREST's CorsSpec and the wai-cors rules behind it.
func TestCORS(t *testing.T) {
	open := api(CORS(nil))
	listed := api(CORS([]string{"http://example.com", "http://example2.com"}))
	preflight := func(path, origin, method, headers string) req {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		return req{http.MethodOptions, path, h}
	}
	for _, tc := range []struct {
		name   string
		e      *echo.Echo
		r      req
		status int
		want   map[string]string
	}{
		{"preflight, any origin", open, preflight("/", "http://example.com", "POST", "Foo,Bar"), 200, map[string]string{
			acao: "*", acac: absent, acam: methods, acma: "86400", "Allow": absent,
			acah: "Authorization, Foo, Bar, Accept, Accept-Language, Content-Language"}},
		{"preflight keeps requested spelling, drops simple duplicates", open, preflight("/items", "http://a", "PUT", " content-type , accept,x-y "), 200, map[string]string{
			acah: "Authorization, content-type, accept, x-y, Accept-Language, Content-Language"}},
		{"preflight without requested headers", open, preflight("/items", "http://a", "DELETE", ""), 200, map[string]string{
			acah: absent, acam: methods}},
		{"preflight with an empty header list", open, req{http.MethodOptions, "/items", map[string]string{
			"Origin": "http://a", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": ""}}, 200, map[string]string{
			acah: "Authorization, Accept, Accept-Language, Content-Language"}},
		{"preflight whose parsed header is not the split one goes on", open, preflight("/items", "http://a", "GET", "Foo;Bar"), 200, map[string]string{
			acam: absent, "Allow": "OPTIONS,GET,HEAD", acao: "*"}},
		{"method names are case-sensitive", open, preflight("/items", "http://a", "post", ""), 200, map[string]string{
			acam: absent, "Allow": "OPTIONS,GET,HEAD", acao: "*"}},
		{"OPTIONS with Origin but no requested method is the API's", open, req{http.MethodOptions, "/items", map[string]string{"Origin": "http://a"}}, 200, map[string]string{
			acam: absent, "Allow": "OPTIONS,GET,HEAD", acao: "*"}},
		{"OPTIONS without Origin is the API's, open to all", open, req{http.MethodOptions, "/items", nil}, 200, map[string]string{
			acam: absent, "Allow": "OPTIONS,GET,HEAD", acao: "*"}},
		{"a failed OPTIONS gets no origin", open, req{http.MethodOptions, "/missing", nil}, 404, map[string]string{acao: absent}},
		{"GET with Origin exposes headers", open, req{http.MethodGet, "/items", map[string]string{"Origin": "http://a"}}, 200, map[string]string{
			acao: "*", acac: absent, aceh: exposed, acam: absent}},
		{"errors get CORS headers too", open, req{http.MethodGet, "/missing", map[string]string{"Origin": "http://a"}}, 404, map[string]string{
			acao: "*", aceh: exposed}},
		{"echo's error handler's answer too", open, req{http.MethodGet, "/fails", map[string]string{"Origin": "http://a"}}, 500, map[string]string{
			acao: "*", aceh: exposed}},
		{"GET without Origin", open, req{http.MethodGet, "/items", nil}, 200, map[string]string{acao: absent, aceh: absent}},
		{"WebSocket upgrades are left alone", open, req{http.MethodGet, "/items", map[string]string{"Origin": "http://a", "Upgrade": "WebSocket"}}, 200, map[string]string{
			acao: absent}},
		{"listed origin, preflight", listed, preflight("/items", "http://example.com", "POST", "Content-Type"), 200, map[string]string{
			acao: "http://example.com", acac: "true", acam: methods, acma: "86400",
			acah: "Authorization, Content-Type, Accept, Accept-Language, Content-Language"}},
		{"second listed origin, GET", listed, req{http.MethodGet, "/items", map[string]string{"Origin": "http://example2.com"}}, 200, map[string]string{
			acao: "http://example2.com", acac: "true", aceh: exposed}},
		{"unlisted origin, GET", listed, req{http.MethodGet, "/items", map[string]string{"Origin": "http://invalid.com"}}, 200, map[string]string{
			acao: absent, acac: absent, aceh: absent}},
		{"unlisted origin, preflight goes to the API", listed, preflight("/items", "http://invalid.com", "POST", ""), 200, map[string]string{
			acao: "*", acac: absent, acam: absent, "Allow": "OPTIONS,GET,HEAD"}},
		{"origins match exactly", listed, req{http.MethodGet, "/items", map[string]string{"Origin": "http://Example.com"}}, 200, map[string]string{
			acao: absent}},
	} {
		t.Run(tc.name, func(t *testing.T) { check(t, do(tc.e, tc.r), tc.status, tc.want) })
	}
}

func TestHeaderNames(t *testing.T) {
	for in, want := range map[string]string{
		"":           "",
		"Foo,Bar":    "Foo|Bar",
		"  Foo ,Bar": "Foo|Bar",
		"Foo, Bar":   "Foo",
		"Foo;Bar":    "Foo",
		"(x)":        "",
		"a,,b":       "a",
	} {
		if got := strings.Join(headerNames(in), "|"); got != want {
			t.Errorf("headerNames(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTraceHeader(t *testing.T) {
	e := api(TraceHeader("x-request-id"), CORS(nil))
	check(t, do(e, req{http.MethodGet, "/items", map[string]string{"X-Request-Id": "abc"}}), 200, map[string]string{"X-Request-Id": "abc"})
	check(t, do(e, req{http.MethodGet, "/items", nil}), 200, map[string]string{"X-Request-Id": ""})
	check(t, do(e, req{http.MethodGet, "/missing", map[string]string{"X-Request-Id": "e"}}), 404, map[string]string{"X-Request-Id": "e"})
	check(t, do(e, req{http.MethodGet, "/silent", map[string]string{"X-Request-Id": "s"}}), 200, map[string]string{"X-Request-Id": "s"})
	check(t, do(e, req{http.MethodOptions, "/nowhere", map[string]string{
		"X-Request-Id": "p", "Origin": "http://a", "Access-Control-Request-Method": "GET"}}), 200, map[string]string{"X-Request-Id": "p", acao: "*"})
	check(t, do(api(TraceHeader("")), req{http.MethodGet, "/items", map[string]string{"X-Request-Id": "abc"}}), 200, map[string]string{"X-Request-Id": absent})
}

func TestServerName(t *testing.T) {
	e := api(ServerName("pgrestgen/v1.2.3"), CORS(nil))
	for _, r := range []req{
		{http.MethodGet, "/items", nil},
		{http.MethodGet, "/missing", nil},
		{http.MethodGet, "/silent", nil},
		{http.MethodGet, "/fails", nil},
		{http.MethodOptions, "/items", map[string]string{"Origin": "http://a", "Access-Control-Request-Method": "GET"}},
	} {
		if got := do(e, r).Header().Get("Server"); got != "pgrestgen/v1.2.3" {
			t.Errorf("%s %s: Server %q", r.method, r.path, got)
		}
	}
	if p := Product(); !regexp.MustCompile(`^pgrestgen/[!#$%&'*+.^_|~0-9A-Za-z-]+$`).MatchString(p) {
		t.Errorf("Product() = %q, not a product token", p)
	}
}

func TestServerTiming(t *testing.T) {
	e := api(CORS(nil), ServerTiming())
	check(t, do(e, req{http.MethodGet, "/items", nil}), 200, map[string]string{"Server-Timing": "jwt;dur=0.4, transaction;dur=2.0"})
	if st := do(e, req{http.MethodGet, "/silent", nil}).Header().Get("Server-Timing"); !regexp.MustCompile(`^total;dur=\d+\.\d$`).MatchString(st) {
		t.Errorf("nothing recorded: Server-Timing %q", st)
	}
	check(t, do(e, req{http.MethodGet, "/missing", nil}), 404, map[string]string{"Server-Timing": absent})
	check(t, do(e, req{http.MethodOptions, "/items", map[string]string{"Origin": "http://a", "Access-Control-Request-Method": "GET"}}), 200,
		map[string]string{"Server-Timing": absent, acam: methods})
	check(t, do(api(), req{http.MethodGet, "/items", nil}), 200, map[string]string{"Server-Timing": absent})
}

func TestTimerNil(t *testing.T) {
	var tm *Timer
	tm.Add(PhasePlan, time.Second)
	tm.Start(PhaseParse)()
	if Timing(t.Context()) != nil {
		t.Error("Timing without the middleware is not nil")
	}
	tm = &Timer{start: time.Now()}
	stop := tm.Start(PhasePlan)
	tm.Add(PhaseResponse, 49*time.Microsecond)
	stop()
	if h := tm.header(); !regexp.MustCompile(`^plan;dur=\d+\.\d, response;dur=0\.0$`).MatchString(h) {
		t.Errorf("header %q", h)
	}
}
