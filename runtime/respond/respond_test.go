package respond

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// TestWriteErrorCancelled: a server error of a request whose context was
// cancelled (shutdown) is answered as PGRST503; a client error keeps its own
// object; an error once the answer has begun drops the connection instead
// of being appended to the answer.
func TestWriteErrorCancelled(t *testing.T) {
	s := &Responder{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		in   *apierr.Error
		want string
	}{
		{apierr.New(http.StatusInternalServerError, "57014", "canceling statement due to user request", "", ""),
			`{"code":"PGRST503","details":"The server is shutting down","hint":"Retry the request","message":"The request was cancelled before it finished"}`},
		{apierr.New(http.StatusBadRequest, "PGRST100", "bad", "", ""), `{"code":"PGRST100","details":null,"hint":null,"message":"bad"}`},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
		s.Error(rec, req, false, tc.in)
		if rec.Body.String() != tc.want {
			t.Errorf("%s: got %d %s, want %s", tc.in.Code, rec.Code, rec.Body, tc.want)
		}
	}

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	rec.WriteHeader(http.StatusOK)
	_, _ = rec.Write([]byte(`[{"a":`))
	defer func() {
		if r := recover(); r != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", r)
		}
		if rec.Body.String() != `[{"a":` {
			t.Errorf("body %q: the error was appended", rec.Body)
		}
	}()
	s.Error(rec, req, true, apierr.New(http.StatusInternalServerError, "PGRSTX00", "Internal server error", "", ""))
	t.Error("Error returned after the answer had begun")
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
		if got := ContentRange(c.lower, c.upper, c.total); got != c.want {
			t.Errorf("ContentRange(%d, %d, %v) = %q, want %q", c.lower, c.upper, c.total, got, c.want)
		}
	}
}

// TestGUCs: response.headers replaces the server's headers of the names it
// sets and sends each of its own, repeated names included (Set-Cookie);
// an object of other than one key is PGRST111, as in PostgREST.
func TestGUCs(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Vary", "Accept")
	headers := `[{"Set-Cookie": "a=1"}, {"Content-Type": "text/plain"}, {"Set-Cookie": "b=2"}]`
	status := 200
	if err := GUCs(&headers, nil, h, &status); err != nil {
		t.Fatal(err)
	}
	want := http.Header{"Set-Cookie": {"a=1", "b=2"}, "Content-Type": {"text/plain"}, "Vary": {"Accept"}}
	if len(h) != len(want) {
		t.Fatalf("headers %v, want %v", h, want)
	}
	for k, v := range want {
		if got := h.Values(k); len(got) != len(v) || strings.Join(got, "|") != strings.Join(v, "|") {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	for _, bad := range []string{`[{"A": "1", "B": "2"}]`, `[{}]`, `{"A": "1"}`} {
		err := GUCs(&bad, nil, http.Header{}, &status)
		if e, ok := err.(*apierr.Error); !ok || e.Code != "PGRST111" {
			t.Errorf("%s: %v, want PGRST111", bad, err)
		}
	}
}
