package runtime

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// TestNegotiate covers F-MEDIA-01…06, 10: q-values, specificity, case,
// parameters, and PostgREST's PGRST107 list.
func TestNegotiate(t *testing.T) {
	cases := []struct {
		accept string
		want   media
		err    string
	}{
		{"", mediaJSON, ""},
		{"*/*", mediaJSON, ""},
		{"text/csv", mediaCSV, ""},
		{"TEXT/CSV", mediaCSV, ""},
		{"application/json; charset=utf-8", mediaJSON, ""},
		{"text/csv;q=0.5, application/json", mediaJSON, ""},
		{"application/json;q=0.5, text/csv", mediaCSV, ""},
		{"*/*, text/csv", mediaCSV, ""}, // equal q: the more specific first
		{"text/html, text/csv;q=0.1", mediaCSV, ""},
		{"application/vnd.pgrst.object+json", mediaObject, ""},
		{"application/vnd.pgrst.object+json;nulls=stripped", mediaObjectStripped, ""},
		{"application/vnd.pgrst.array+json;nulls=stripped", mediaArrayStripped, ""},
		{"application/vnd.pgrst.array+json", mediaJSON, ""},
		{"text/html", 0, "None of these media types are available: text/html"},
		{"text/html, text/plain;q=0.5", 0, "None of these media types are available: text/html, text/plain"},
		{"application/*", 0, "None of these media types are available: application/*"},
	}
	for _, c := range cases {
		got, err := negotiate(c.accept)
		switch {
		case c.err != "" && (err == nil || err.Message != c.err || err.Status != 406):
			t.Errorf("negotiate(%q) error = %v, want 406 %q", c.accept, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("negotiate(%q) = %v, %v; want %v", c.accept, got, err, c.want)
		}
	}
}

// TestParsePrefer covers F-PREFER-04…06, 11, 12, 15 parsing.
func TestParsePrefer(t *testing.T) {
	h := http.Header{}
	h.Add("Prefer", "count=planned, handling=strict, foo=bar")
	h.Add("Prefer", "count=exact, timezone=America/Los_Angeles, tx=rollback, return=minimal, max-affected=5")
	p := parsePrefer(h, false)
	if p.count != "planned" || p.handling != "strict" || p.timezone != "America/Los_Angeles" || p.tx != "" {
		t.Errorf("parsed %+v", p)
	}
	if e := p.strictError(); e == nil || e.Code != "PGRST122" || *e.Details != "Invalid preferences: foo=bar" {
		t.Errorf("strict error = %+v", e)
	}
	if got := p.appliedForRead(); got != "count=planned, handling=strict, timezone=America/Los_Angeles" {
		t.Errorf("applied = %q", got)
	}
	if p := parsePrefer(h, true); p.tx != "rollback" {
		t.Errorf("tx with override allowed = %q", p.tx)
	}
	lenient := http.Header{"Prefer": {"foo, handling=lenient"}}
	if e := parsePrefer(lenient, false).strictError(); e != nil {
		t.Errorf("lenient gave %v", e)
	}
}

// TestReadRange covers F-PAGE-01, 02, 04, 05: Range ∩ limit/offset,
// limit=0, db-max-rows, and the two PGRST103 details.
func TestReadRange(t *testing.T) {
	i := func(n int64) *int64 { return &n }
	cases := []struct {
		rangeHdr string
		method   string
		limit    *int64
		offset   int64
		maxRows  *int64
		lower    int64
		upper    *int64
		err      string
	}{
		{"", "GET", nil, 0, nil, 0, nil, ""},
		{"0-9", "GET", nil, 0, nil, 0, i(9), ""},
		{"10-", "GET", nil, 0, nil, 10, nil, ""},
		{"items=0-9", "GET", nil, 0, nil, 0, nil, ""}, // not PostgREST's form: ignored
		{"0-9", "HEAD", nil, 0, nil, 0, nil, ""},      // Range is for GET only
		{"0-9", "GET", i(3), 2, nil, 2, i(4), ""},
		{"5-9", "GET", nil, 7, nil, 7, i(9), ""},
		{"", "GET", i(0), 5, nil, 0, i(-1), ""},
		{"", "GET", nil, 0, i(10), 0, i(9), ""},
		{"", "GET", i(50), 5, i(10), 5, i(14), ""},
		{"5-2", "GET", nil, 0, nil, 0, nil, "The lower boundary must be lower than or equal to the upper boundary in the Range header."},
		{"5-9", "GET", i(2), 0, nil, 0, nil, "Limit should be greater than or equal to zero."},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, "/t", nil)
		if c.rangeHdr != "" {
			req.Header.Set("Range", c.rangeHdr)
		}
		r, err := readRange(req, &query.Request{Limit: c.limit, Offset: c.offset}, c.maxRows)
		if c.err != "" {
			if err == nil || err.Code != "PGRST103" || err.Status != 416 || *err.Details != c.err {
				t.Errorf("%+v: error %+v, want PGRST103 %q", c, err, c.err)
			}
			continue
		}
		if err != nil || r.lower != c.lower || (r.upper == nil) != (c.upper == nil) || (r.upper != nil && *r.upper != *c.upper) {
			t.Errorf("%+v: got %+v %v (upper %v)", c, r, err, r.upper)
		}
	}
}

func TestContentRange(t *testing.T) {
	i := func(n int64) *int64 { return &n }
	for _, c := range []struct {
		lower, upper int64
		total        *int64
		want         string
	}{
		{0, 9, nil, "0-9/*"}, {0, -1, nil, "*/*"}, {0, 9, i(100), "0-9/100"}, {0, -1, i(0), "*/0"}, {5, 4, i(3), "*/3"},
	} {
		if got := contentRange(c.lower, c.upper, c.total); got != c.want {
			t.Errorf("contentRange(%d, %d, %v) = %q, want %q", c.lower, c.upper, c.total, got, c.want)
		}
	}
}

// TestCanonicalQuery is Content-Location's query: sorted keys, values of a
// key joined by commas, Haskell's urlEncode.
func TestCanonicalQuery(t *testing.T) {
	for raw, want := range map[string]string{
		"":                        "",
		"b=eq.1&a=eq.1":           "?a=eq.1&b=eq.1",
		"select=id,name&id=gt.1":  "?id=gt.1&select=id%2Cname",
		"a=1;c=3&b=2&d":           "?a=1&b=2&c=3&d=",
		"x=1&a=2&x=3":             "?a=2&x=1,3",
		"name=eq.Jos%C3%A9+P":     "?name=eq.Jos%C3%A9%20P",
		"t=like.*a*&q=(1,2)~_-.%": "?q=%281%2C2%29~_-.%25&t=like.%2Aa%2A",
	} {
		if got := canonicalQuery(raw); got != want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", raw, got, want)
		}
	}
}
