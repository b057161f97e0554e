package header

import (
	"net/http"
	"testing"
)

// names lists the constants.
var names = []Name{Accept, AcceptProfile, Authorization, ContentLength, ContentLocation,
	ContentProfile, ContentRange, ContentType, Prefer, PreferenceApplied, Range, Referer,
	Server, UserAgent, Vary}

func TestNamesAreCanonical(t *testing.T) {
	for _, n := range names {
		if c := http.CanonicalHeaderKey(string(n)); c != string(n) {
			t.Errorf("%q is not canonical: %q", n, c)
		}
	}
}

func TestSameAsNetHTTP(t *testing.T) {
	for _, n := range names {
		h := http.Header{}
		if Get(h, n) != "" || Values(h, n) != nil {
			t.Errorf("%s: found in an empty header", n)
		}
		Set(h, n, "a")
		h.Add(string(n), "b")
		if got := Get(h, n); got != h.Get(string(n)) || got != "a" {
			t.Errorf("%s: Get = %q, net/http %q", n, got, h.Get(string(n)))
		}
		if got := Values(h, n); len(got) != 2 || got[1] != "b" {
			t.Errorf("%s: Values = %q", n, got)
		}
	}
}
