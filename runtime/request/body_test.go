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
