package runtime

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/respond"
)

// TestWriteErrorAfterCommit: the handlers' writeError tells package respond
// that echo's response has begun, so an error drops the connection instead
// of being appended to the answer.
func TestWriteErrorAfterCommit(t *testing.T) {
	s := &Server{respond: &respond.Responder{}}
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
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
