package request

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestReadBody: a declared length over the limit is refused without reading,
// a declared length is read into a buffer of exactly that size, and a chunked
// body is cut off once it passes the limit.
func TestReadBody(t *testing.T) {
	const limit = 1000
	req := func(body io.Reader, n int64) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "/", body)
		r.ContentLength = n
		return r
	}

	never := &countingReader{}
	if _, aerr := readBody(req(never, limit+1), limit); aerr == nil || aerr.Code != "PGRST413" || aerr.Status != 413 {
		t.Errorf("declared length over the limit: %v", aerr)
	}
	if never.reads != 0 {
		t.Errorf("declared length over the limit: the body was read %d times", never.reads)
	}

	at := bytes.Repeat([]byte("x"), limit)
	if b, aerr := readBody(req(bytes.NewReader(at), limit), limit); aerr != nil || len(b) != limit || cap(b) != limit {
		t.Errorf("at the limit: len %d cap %d, %v", len(b), cap(b), aerr)
	}
	if _, aerr := readBody(req(strings.NewReader("short"), 10), limit); aerr == nil || aerr.Code != "PGRST102" {
		t.Errorf("body shorter than declared: %v", aerr)
	}

	if b, aerr := readBody(req(bytes.NewReader(at), -1), limit); aerr != nil || len(b) != limit || cap(b) > limit+1 {
		t.Errorf("chunked at the limit: len %d cap %d, %v", len(b), cap(b), aerr)
	}
	endless := &countingReader{endless: true}
	if _, aerr := readBody(req(endless, -1), limit); aerr == nil || aerr.Code != "PGRST413" {
		t.Errorf("chunked over the limit: %v", aerr)
	}
	if endless.n > limit+1 {
		t.Errorf("chunked over the limit: %d bytes read, want at most %d", endless.n, limit+1)
	}
}

// countingReader yields 'x' forever (endless) or fails, counting reads.
type countingReader struct {
	endless bool
	reads   int
	n       int
}

func (r *countingReader) Read(p []byte) (int, error) {
	r.reads++
	if !r.endless {
		return 0, io.ErrUnexpectedEOF
	}
	for i := range p {
		p[i] = 'x'
	}
	r.n += len(p)
	return len(p), nil
}

// TestReadPayload: each body kind a write accepts, as the JSON it sends and
// the columns it sets.
func TestReadPayload(t *testing.T) {
	cases := []struct {
		ct, body, query string
		json, columns   string
		object          bool
		err             string
	}{
		{"", `{"b":1,"a":2}`, "", `{"b":1,"a":2}`, "a,b", true, ""},
		{"application/json; charset=utf-8", `[{"a":1},{"a":2}]`, "", `[{"a":1},{"a":2}]`, "a", false, ""},
		{"application/json", `[{"a":1},{"b":2}]`, "", "", "", false, "All object keys must match"},
		{"application/json", `[]`, "", `[]`, "", false, ""},
		{"application/json", `42`, "", `[]`, "", false, ""},
		{"application/json", `{"a":`, "", "", "", false, "Empty or invalid json"},
		{"application/json", `not json`, "columns=a,%22b%22", `not json`, "a,b", false, ""},
		{"text/csv", "a,b\n1,NULL\n", "", `[{"a":"1","b":null}]`, "a,b", false, ""},
		{"application/x-www-form-urlencoded", "a=1&b=x+y&a=2", "", `{"a":"2","b":"x y"}`, "a,b", true, ""},
		{"text/plain", "x", "", "", "", false, "Content-Type not acceptable: text/plain"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, "/t?"+c.query, strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ct)
		p, aerr := ReadPayload(req, ColumnsParam(req.URL.RawQuery), 1000, nil)
		switch {
		case c.err != "":
			if aerr == nil || aerr.Code != "PGRST102" || aerr.Message != c.err {
				t.Errorf("%q %q: error %+v, want %q", c.ct, c.body, aerr, c.err)
			}
		case aerr != nil:
			t.Errorf("%q %q: %+v", c.ct, c.body, aerr)
		case string(p.JSON) != c.json || strings.Join(p.Columns, ",") != c.columns || p.Object != c.object:
			t.Errorf("%q %q: %s %v %v, want %s %s %v", c.ct, c.body, p.JSON, p.Columns, p.Object, c.json, c.columns, c.object)
		}
	}
}

// TestReadCallBody: the argument names each body kind gives a call.
func TestReadCallBody(t *testing.T) {
	cases := []struct {
		ct, body, query string
		keys            string
		form, raw       bool
		err             string
	}{
		{"", "", "", "", false, false, ""},
		{"", " ", "columns=b,a,b", "a,b", false, false, ""},
		{"application/json", `{"y":1,"x":2}`, "", "x,y", false, false, ""},
		{"text/csv", "x,y\n1,2\n", "", "x,y", false, false, ""},
		{"application/x-www-form-urlencoded", "v=1&v=2&a=3", "", "a,v", true, false, ""},
		{"text/plain", "hello", "", "", false, true, ""},
		{"application/octet-stream", "\x00\x01", "", "", false, true, ""},
		{"application/xml", "<a/>", "", "", false, false, "PGRST102"},
		{"application/x-www-form-urlencoded", "a=%FF", "", "", false, false, "22021"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, "/rpc/f?"+c.query, strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ct)
		b, aerr := ReadCallBody(req, req.URL.RawQuery, 1000)
		switch {
		case c.err != "":
			if aerr == nil || aerr.Code != c.err {
				t.Errorf("%q %q: error %+v, want %s", c.ct, c.body, aerr, c.err)
			}
		case aerr != nil:
			t.Errorf("%q %q: %+v", c.ct, c.body, aerr)
		case strings.Join(b.Keys, ",") != c.keys || b.IsForm != c.form || (b.Media != "") != c.raw:
			t.Errorf("%q %q: %+v", c.ct, c.body, b)
		case c.raw && (string(b.Raw) != c.body || RawParamType(b.Media) == ""):
			t.Errorf("%q %q: raw %q for %s", c.ct, c.body, b.Raw, RawParamType(b.Media))
		}
	}
}
