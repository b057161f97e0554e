package exec

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestHeadersJSON: request.headers is what json.Marshal makes of the
// lower-cased header map, byte for byte, for any header text.
func TestHeadersJSON(t *testing.T) {
	values := []string{"", "plain", `q"uote\back`, "<script>&amp;</script>", "tab\tnew\nline\r\b\f\x00\x1f\x7f",
		"ünïcödé ✓ 😀", "\u2028\u2029", "bad \xff\xfe utf8 \xc3", "a,b"}
	for _, v := range values {
		for _, h := range []http.Header{
			{"Accept": {v}},
			{"X-Many": {v, "second"}, "Content-Type": {"application/json"}, "X-" + v: {v}},
			{"Foo_bar": {v}, "foo_bar": {"other"}},
		} {
			checkHeadersJSON(t, h)
		}
	}
	if got := headersJSON(http.Header{}); got != "{}" {
		t.Errorf("no headers: %s", got)
	}
}

// checkHeadersJSON compares headersJSON(h) with json.Marshal of the
// lower-cased map (of names equal once lower-cased, the greatest value).
func checkHeadersJSON(t *testing.T, h http.Header) {
	t.Helper()
	m := map[string]string{}
	for k, vs := range h {
		joined := strings.Join(vs, ",")
		if old, dup := m[strings.ToLower(k)]; !dup || joined > old {
			m[strings.ToLower(k)] = joined
		}
	}
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := headersJSON(h); got != string(want) {
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
		checkHeadersJSON(t, h)
	})
}
