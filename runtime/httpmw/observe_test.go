package httpmw

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestObserve: the record has the matched route's pattern, the status the
// client got (also when a handler returns an error for echo to write, or
// nothing matched), the size written and the role a handler set.
func TestObserve(t *testing.T) {
	var got []Request
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	e := api(Observe(m.Observe, func(r Request) { got = append(got, r) }))
	e.GET("/rpc/:name", func(c echo.Context) error {
		SetRole(c.Request().Context(), "web_user")
		return c.String(http.StatusOK, "called")
	})
	for _, r := range []req{
		{method: "GET", path: "/items?id=eq.1"},
		{method: "GET", path: "/rpc/f?x=1"},
		{method: "GET", path: "/fails"},
		{method: "GET", path: "/silent"},
		{method: "GET", path: "/nothing/here"},
		{method: "BREW", path: "/items"},
	} {
		do(e, r)
	}
	want := []string{
		"GET /items?id=eq.1 /items 200 4 ",
		"GET /rpc/f?x=1 /rpc/:name 200 6 web_user",
		"GET /fails /fails 500 36 ",
		"GET /silent /silent 200 0 ",
		"GET /nothing/here  404 24 ",
		"BREW /items /items 405 33 ",
	}
	for i, r := range got {
		line := strings.Join([]string{r.Method, r.Target, r.Route, strconv.Itoa(r.Status), strconv.FormatInt(r.Size, 10), r.Role}, " ")
		if i >= len(want) || line != want[i] {
			t.Errorf("record %d: %q", i, line)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d records, want %d", len(got), len(want))
	}
	if n := count(t, m.requests.WithLabelValues("GET", "unmatched", "404")); n != 1 {
		t.Errorf("unmatched 404 counted %v times", n)
	}
	if n := count(t, m.requests.WithLabelValues("OTHER", "/items", "405")); n != 1 {
		t.Errorf("an unknown method not counted as OTHER: %v", n)
	}
}

func count(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// TestObserveConnectionSlot: with ConnContext, the requests of one
// connection share its slot, so a role set by one must not show in the
// record of the next, and the request keeps its own context.
func TestObserveConnectionSlot(t *testing.T) {
	var roles []string
	var conns int
	e := api(Observe(func(r Request) { roles = append(roles, r.Role) }))
	e.GET("/rpc/:name", func(c echo.Context) error {
		SetRole(c.Request().Context(), "web_user")
		return c.String(http.StatusOK, "called")
	})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.ServeHTTP(w, r)
	}))
	srv.Config.ConnContext = ConnContext
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns++
		}
	}
	srv.Start()
	defer srv.Close()
	client := srv.Client()
	for _, path := range []string{"/rpc/f", "/items", "/rpc/g", "/items"} {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	if want := []string{"web_user", "", "web_user", ""}; !slices.Equal(roles, want) {
		t.Errorf("roles %q, want %q", roles, want)
	}
	if conns != 1 {
		t.Errorf("%d connections, want 1: the slot was not shared", conns)
	}
}
