package exec

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestHeadersJSON: request.headers is what json.Marshal makes of the
// lower-cased header map (Host in, Cookie out, a repeated header's last
// value), byte for byte, for any header text.
func TestHeadersJSON(t *testing.T) {
	values := []string{"", "plain", `q"uote\back`, "<script>&amp;</script>", "tab\tnew\nline\r\b\f\x00\x1f\x7f",
		"ünïcödé ✓ 😀", "\u2028\u2029", "bad \xff\xfe utf8 \xc3", "a,b"}
	for _, v := range values {
		for _, h := range []http.Header{
			{"Accept": {v}},
			{"X-Many": {v, "second"}, "Content-Type": {"application/json"}, "X-" + v: {v}},
			{"Foo_bar": {v}, "foo_bar": {"other"}},
			{"Cookie": {"a=1"}, "X-" + v: {"first", v}},
		} {
			checkHeadersJSON(t, h, "")
			checkHeadersJSON(t, h, "example.com:"+v)
		}
	}
	if got := headersJSON(http.Header{}, ""); got != "{}" {
		t.Errorf("no headers: %s", got)
	}
	want := `{"accept":"*/*","host":"localhost:3000","x-a":"2"}`
	if got := headersJSON(http.Header{"Accept": {"*/*"}, "Cookie": {"s=1"}, "X-A": {"1", "2"}}, "localhost:3000"); got != want {
		t.Errorf("headersJSON = %s, want %s", got, want)
	}
}

// checkHeadersJSON compares headersJSON(h, host) with json.Marshal of the
// lower-cased map (of names equal once lower-cased, the greatest value).
func checkHeadersJSON(t *testing.T, h http.Header, host string) {
	t.Helper()
	m := map[string]string{}
	add := func(k, v string) {
		if old, dup := m[strings.ToLower(k)]; !dup || v > old {
			m[strings.ToLower(k)] = v
		}
	}
	if host != "" {
		add("Host", host)
	}
	for k, vs := range h {
		if !strings.EqualFold(k, "Cookie") && len(vs) > 0 {
			add(k, vs[len(vs)-1])
		}
	}
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := headersJSON(h, host); got != string(want) {
		t.Errorf("headersJSON(%q)\n got %s\nwant %s", h, got, want)
	}
}

func FuzzHeadersJSON(f *testing.F) {
	f.Add("Accept", "x", "accept", "y", "X-Ü", "z")
	f.Add("Content-Type", "application/json", "A_b", "<&>", "a-B", "\xff")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		h := http.Header{}
		for _, kv := range [][2]string{{k1, v1}, {k2, v2}, {k3, v3}} {
			h[kv[0]] = append(h[kv[0]], kv[1])
		}
		checkHeadersJSON(t, h, v3)
	})
}

// TestHeadersJSONCommonNames: the names lowerHeaderName knows (keep this
// list in step with its switch) are in net/http's canonical form and
// lower-cased as strings.ToLower does, and a request of such headers costs
// request.headers its one string.
func TestHeadersJSONCommonNames(t *testing.T) {
	h := http.Header{}
	for _, name := range []string{"Accept", "Accept-Encoding", "Accept-Language", "Accept-Profile", "Apikey",
		"Authorization", "Cache-Control", "Connection", "Content-Length", "Content-Profile", "Content-Type",
		"Forwarded", "If-Match", "If-None-Match", "Origin", "Prefer", "Range", "Range-Unit", "Referer",
		"User-Agent", "Via", "X-Client-Info", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
		"X-Real-Ip", "X-Request-Id", "X-Other"} {
		if got := lowerHeaderName(name); got != strings.ToLower(name) {
			t.Errorf("lowerHeaderName(%q) = %q", name, got)
		}
		if c := http.CanonicalHeaderKey(name); c != name {
			t.Errorf("%q is not net/http's form of the name (%q): no request would have it", name, c)
		}
		h.Set(name, "v")
	}
	checkHeadersJSON(t, h, "localhost")
	typical := http.Header{"Accept": {"*/*"}, "Content-Type": {"application/json"}, "Prefer": {"return=representation"},
		"Content-Length": {"42"}, "User-Agent": {"curl/8"}}
	if n := testing.AllocsPerRun(100, func() { headersJSON(typical, "localhost:3000") }); n != 1 {
		t.Errorf("headersJSON: %v allocations, want 1", n)
	}
}
