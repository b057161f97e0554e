package runtime

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/config"
)

// TestWriteErrorCancelled: a server error of a request whose context was
// cancelled (shutdown) is answered as PGRST503; a client error keeps its own
// object; an error once the answer has begun drops the connection instead
// of being appended to the answer.
func TestWriteErrorCancelled(t *testing.T) {
	s := &Server{cfg: &config.Config{}}
	e := echo.New()
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
		s.writeError(e.NewContext(req, rec), tc.in)
		if rec.Body.String() != tc.want {
			t.Errorf("%s: got %d %s, want %s", tc.in.Code, rec.Code, rec.Body, tc.want)
		}
	}

	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
	c.Response().WriteHeader(http.StatusOK)
	_, _ = c.Response().Write([]byte(`[{"a":`))
	defer func() {
		if r := recover(); r != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", r)
		}
		if rec.Body.String() != `[{"a":` {
			t.Errorf("body %q: the error was appended", rec.Body)
		}
	}()
	s.writeError(c, apierr.New(http.StatusInternalServerError, "PGRSTX00", "Internal server error", "", ""))
	t.Error("writeError returned after the answer had begun")
}
