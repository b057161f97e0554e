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
			m := map[string]string{}
			for k, vs := range h {
				joined := ""
				for i, s := range vs {
					if i > 0 {
						joined += ","
					}
					joined += s
				}
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
	}
	if got := headersJSON(http.Header{}); got != "{}" {
		t.Errorf("no headers: %s", got)
	}
}
