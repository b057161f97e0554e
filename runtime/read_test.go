package runtime

import (
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
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
// limit=0, db-max-rows, the two PGRST103 details, PUT's PGRST114, and
// bounds beyond int64, which are values (PostgREST's Integer), never
// dropped: the LIMIT and OFFSET sent are exact, for PostgreSQL to refuse
// past bigint.
func TestReadRange(t *testing.T) {
	i := func(n int64) *int64 { return &n }
	p := func(s string) *query.RangeParam { return &query.RangeParam{Int: s} }
	const (
		max64  = "9223372036854775807"
		over64 = "9223372036854775808"
		huge   = "99999999999999999999"
	)
	negLimit := "Limit should be greater than or equal to zero."
	cases := []struct {
		rangeHdr      string
		method        string
		limit, offset *query.RangeParam
		maxRows       *int64
		// limit is the LIMIT sent ("" for ALL, "-" for no LIMIT/OFFSET).
		sqlLimit, sqlOffset string
		err                 string
	}{
		{"", "GET", nil, nil, nil, "-", "", ""},
		{"0-9", "GET", nil, nil, nil, "10", "0", ""},
		{"10-", "GET", nil, nil, nil, "", "10", ""},
		{"items=0-9", "GET", nil, nil, nil, "-", "", ""}, // not PostgREST's form: ignored
		{"0-9", "HEAD", nil, nil, nil, "-", "", ""},      // Range is for GET only
		{"0-9", "GET", p("3"), p("2"), nil, "3", "2", ""},
		{"5-9", "GET", nil, p("7"), nil, "3", "7", ""},
		{"", "GET", p("0"), nil, nil, "0", "0", ""},
		{"", "GET", nil, nil, i(10), "10", "0", ""},
		{"", "GET", p("50"), p("5"), i(10), "10", "5", ""},
		{"", "GET", p("0"), nil, i(10), "0", "0", ""}, // limit=0 stays 0 under db-max-rows
		{"5-2", "GET", nil, nil, nil, "", "", "The lower boundary must be lower than or equal to the upper boundary in the Range header."},
		{"5-9", "GET", p("2"), nil, nil, "", "", negLimit},
		{"", "GET", p("-1"), nil, nil, "", "", negLimit},
		{"", "GET", nil, p("-4"), nil, "-", "", ""}, // a negative offset is a no-op
		// PostgREST's combination of both params: [o, o+l-1], a value that
		// is not an integer counting as 0; hasLimitZero is an upper of -1.
		{"", "GET", p("0"), p("5"), nil, "", "", negLimit},
		{"", "GET", p("-1"), p("1"), nil, "0", "0", ""},
		{"", "GET", p(""), p("5"), nil, "", "", negLimit},
		{"", "GET", p(""), p(""), nil, "0", "0", ""},
		{"", "GET", p(""), nil, nil, "-", "", ""},
		{"", "GET", p("5"), p(""), nil, "5", "0", ""},
		// Bounds past int64: exact, for PostgreSQL's 22003.
		{"0-" + max64, "GET", nil, nil, nil, over64, "0", ""},
		{"0-" + huge, "GET", nil, nil, nil, "100000000000000000000", "0", ""},
		{"0-" + huge, "GET", p("5"), nil, nil, "5", "0", ""},
		{"0-" + huge, "GET", nil, nil, i(10), "10", "0", ""},
		{huge + "-", "GET", nil, nil, nil, "", huge, ""},
		{"", "GET", p(max64), nil, nil, max64, "0", ""},
		{"", "GET", p(over64), nil, nil, over64, "0", ""},
		{"", "GET", nil, p(max64), nil, "", max64, ""},
		{"", "GET", nil, p(over64), nil, "", over64, ""},
		{"", "GET", p("10"), p(max64), nil, "10", max64, ""}, // upper overflows int64: no matter
		{"", "GET", p(max64), p(max64), nil, max64, max64, ""},
		{"", "GET", nil, p(max64), i(10), "10", max64, ""},
		{"", "GET", p("-" + huge), p(huge), nil, "0", "0", ""}, // sums to 0: limit zero
		{"", "GET", p("-" + huge), p(max64), nil, "", "", negLimit},
		{"", "GET", nil, p("-" + huge), nil, "-", "", ""},
		// PUT: any range but all rows is PGRST114; a no-op offset is none.
		{"", "PUT", p("1"), nil, nil, "", "", "PGRST114"},
		{"", "PUT", p("0"), nil, nil, "", "", "PGRST114"},
		{"", "PUT", nil, p("-4"), nil, "-", "", ""},
		{"0-1", "PUT", nil, nil, nil, "-", "", ""},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, "/t", nil)
		if c.rangeHdr != "" {
			req.Header.Set("Range", c.rangeHdr)
		}
		r, err := readRange(req, &query.Request{Limit: c.limit, Offset: c.offset}, c.maxRows)
		switch {
		case c.err == "PGRST114":
			if err == nil || err.Code != "PGRST114" || err.Status != 400 {
				t.Errorf("%+v: error %+v, want PGRST114", c, err)
			}
		case c.err != "":
			if err == nil || err.Code != "PGRST103" || err.Status != 416 || *err.Details != c.err {
				t.Errorf("%+v: error %+v, want PGRST103 %q", c, err, c.err)
			}
		case err != nil:
			t.Errorf("%+v: error %+v", c, err)
		case c.sqlLimit == "-":
			if !r.all() {
				t.Errorf("%+v: LIMIT %q OFFSET %q, want all rows", c, r.sqlLimit(), r.sqlOffset())
			}
		case r.all() || r.sqlLimit() != c.sqlLimit || r.sqlOffset() != c.sqlOffset:
			t.Errorf("%+v: all %v, LIMIT %q OFFSET %q; want %q %q", c, r.all(), r.sqlLimit(), r.sqlOffset(), c.sqlLimit, c.sqlOffset)
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

// rows is the range lower ≤ n ≤ upper, for tests.
func rows(lower, upper int64) rowRange {
	return rowRange{lower: big.NewInt(lower), upper: big.NewInt(upper)}
}

// FuzzReadRange: any Range header, limit=, offset= and db-max-rows give a
// range or a PostgREST error, never a panic; a range's LIMIT and OFFSET are
// exact non-negative decimals (however large), within db-max-rows unless
// limit=0, and an offset= that reads as an integer is never dropped.
func FuzzReadRange(f *testing.F) {
	f.Add("0-9223372036854775807", "", "", int64(-1))
	f.Add("9223372036854775808-", "10", "", int64(5))
	f.Add("", "99999999999999999999", "9223372036854775807", int64(-1))
	f.Add("5-2", "0", "-3", int64(0))
	f.Add("", "-1", "1", int64(-1))
	f.Fuzz(func(t *testing.T, rangeHdr, limit, offset string, maxRows int64) {
		req := httptest.NewRequest(http.MethodGet, "/t", nil)
		req.Header.Set("Range", rangeHdr)
		raw := "limit=" + url.QueryEscape(limit) + "&offset=" + url.QueryEscape(offset)
		q, err := query.ParseRaw(raw)
		if err != nil {
			t.Skip()
		}
		var mr *int64
		if maxRows > 0 {
			mr = &maxRows
		}
		r, aerr := readRange(req, q, mr)
		if aerr != nil {
			if aerr.Code != "PGRST103" || aerr.Status != 416 {
				t.Fatalf("%q %q %q: %+v", rangeHdr, limit, offset, aerr)
			}
			return
		}
		if r.all() {
			return
		}
		l, o := r.sqlLimit(), r.sqlOffset()
		if !decimal.MatchString(o) || l != "" && !decimal.MatchString(l) {
			t.Fatalf("%q %q %q: LIMIT %q OFFSET %q", rangeHdr, limit, offset, l, o)
		}
		if mr != nil && !r.limitZero() {
			n, _ := new(big.Int).SetString(l, 10)
			if l == "" || n.Cmp(big.NewInt(maxRows)) > 0 {
				t.Fatalf("%q %q %q max %d: LIMIT %q", rangeHdr, limit, offset, maxRows, l)
			}
		}
		if q.Offset != nil && q.Offset.Int != "" && !strings.HasPrefix(q.Offset.Int, "-") && q.Limit.Int != "" && !r.limitZero() {
			if want := maxOf(q.Offset.Int, rangeLower(rangeHdr)); o != want {
				t.Fatalf("%q %q %q: OFFSET %q, want %q", rangeHdr, limit, offset, o, want)
			}
		}
	})
}

// decimal is a non-negative integer in canonical decimal.
var decimal = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

// rangeLower is the first row a Range header asks for, "0" for none.
func rangeLower(h string) string {
	if m := rangeHeader.FindStringSubmatch(h); m != nil {
		n, _ := new(big.Int).SetString(m[1], 10)
		return n.String()
	}
	return "0"
}

func maxOf(a, b string) string {
	x, _ := new(big.Int).SetString(a, 10)
	y, _ := new(big.Int).SetString(b, 10)
	return maxBig(x, y).String()
}
