package runtime

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// TestCanonicalQuery is Content-Location's query: sorted keys, values of a
// key joined by commas, Haskell's urlEncode.
func TestCanonicalQuery(t *testing.T) {
	for raw, want := range map[string]string{
		"":                        "",
		"b=eq.1&a=eq.1":           "?a=eq.1&b=eq.1",
		"select=id,name&id=gt.1":  "?id=gt.1&select=id%2Cname",
		"a=1;c=3&b=2&d":           "?a=1&b=2&c=3&d=",
		"x=1&a=2&x=3":             "?a=2&x=1,3",
		"e=5&d=4&b=2&c=3&a=1&b=0": "?a=1&b=2,0&c=3&d=4&e=5",
		"name=eq.Jos%C3%A9+P":     "?name=eq.Jos%C3%A9%20P",
		"t=like.*a*&q=(1,2)~_-.%": "?q=%281%2C2%29~_-.%25&t=like.%2Aa%2A",
		// Past the stack buffer's 512 bytes.
		"b=" + strings.Repeat("x,", 300) + "&a": "?a=&b=" + strings.Repeat("x%2C", 300),
	} {
		if got := canonicalQuery("t", raw); got != "/t"+want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", raw, got, want)
		}
	}
	// Every read sends it: the header's string is its one allocation.
	raw := "select=id,sku,name&category_id=eq.3&price=lt.500&order=price.desc&limit=25"
	if n := testing.AllocsPerRun(100, func() { canonicalQuery("products", raw) }); n != 1 {
		t.Errorf("canonicalQuery: %v allocations, want 1", n)
	}
}

// rows is the range lower ≤ n ≤ upper, for tests: what a Range header
// asks for.
func rows(lower, upper int64) request.Range {
	req := httptest.NewRequest("GET", "/t", nil)
	req.Header.Set("Range", fmt.Sprintf("%d-%d", lower, upper))
	r, aerr := request.ReadRange(req, &query.Request{}, nil)
	if aerr != nil {
		panic(aerr)
	}
	return r
}
