package header

import (
	"net/http"
	"slices"
	"testing"
)

// names lists the constants.
var names = []Name{Accept, AcceptProfile, Authorization, ContentLength, ContentLocation,
	ContentProfile, ContentRange, ContentType, Prefer, PreferenceApplied, Range, Referer,
	UserAgent, Vary}

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

func TestBatch(t *testing.T) {
	h := http.Header{}
	b := NewBatch(h, 2)
	b.Set(ContentRange, "0-0/*")
	b.Set(Vary, "Accept")
	b.Set(Prefer, "beyond n")               // past the array: still set
	h.Add(string(ContentRange), "appended") // must not overwrite Vary's value
	want := http.Header{"Content-Range": {"0-0/*", "appended"}, "Vary": {"Accept"}, "Prefer": {"beyond n"}}
	if len(h) != len(want) {
		t.Fatalf("%v, want %v", h, want)
	}
	for k, v := range want {
		if !slices.Equal(h[k], v) {
			t.Errorf("%s: %q, want %q", k, h[k], v)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		b := NewBatch(h, 3)
		b.Set(ContentRange, "a")
		b.Set(ContentType, "b")
		b.Set(Vary, "c")
	}); n != 1 {
		t.Errorf("%v allocations for three fields, want 1", n)
	}
}
