package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/auth"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// identify runs the checks every request starts with, in PostgREST's
// order: the JWT, then the profile headers. On failure it has answered.
func (s *Server) identify(c echo.Context) (ident auth.Result, schema string, byProfile, ok bool) {
	req := c.Request()
	stop := httpmw.Timing(req.Context()).Start(httpmw.PhaseJWT)
	ident, aerr := s.auth.Authenticate(req.Header.Get("Authorization"))
	stop()
	if aerr == nil {
		schema, byProfile, aerr = request.Profile(req, s.cfg.DBSchemas)
	}
	if aerr != nil {
		s.writeError(c, aerr)
		return auth.Result{}, "", false, false
	}
	return ident, schema, byProfile, true
}

// singularError is PGRST116: the object media type needs exactly one row.
func singularError(rows int64) *apierr.Error {
	return apierr.New(http.StatusNotAcceptable, "PGRST116", "Cannot coerce the result to a single JSON object",
		fmt.Sprintf("The result contains %d rows", rows), "")
}

// maxAffectedError is PGRST124: more rows than Prefer: max-affected allows.
func maxAffectedError(rows int64) *apierr.Error {
	return apierr.New(http.StatusBadRequest, "PGRST124", "Query result exceeds max-affected preference constraint",
		fmt.Sprintf("The query affects %d rows", rows), "")
}

// fail answers a request whose transaction failed, logging what the client
// does not see.
func (s *Server) fail(c echo.Context, err error, authenticated bool) {
	ae := apierr.From(err, authenticated)
	if ae.Code == "PGRSTX00" && !errors.Is(err, context.Canceled) {
		s.log.LogAttrs(c.Request().Context(), slog.LevelError, "request failed",
			slog.String("path", c.Request().URL.Path), slog.Any("err", err))
	}
	s.writeError(c, ae)
}

// writeError writes a PostgREST error object. A server error of a request
// whose context is done is the cancellation's doing, and says so (503).
func (s *Server) writeError(c echo.Context, e *apierr.Error) {
	if c.Response().Committed {
		// The answer has begun, so an error object would be appended to it;
		// dropping the connection is the only way to show it is cut.
		panic(http.ErrAbortHandler)
	}
	if e.Status >= http.StatusInternalServerError && c.Request().Context().Err() != nil {
		e = apierr.Cancelled()
	}
	h := c.Response().Header()
	for k, v := range e.Headers {
		h[k] = v
	}
	h.Set("Proxy-Status", "PostgREST; error="+e.Code)
	if h.Get("Vary") == "" {
		h.Set("Vary", "Accept, Prefer, Range")
	}
	h.Set(echo.HeaderContentType, "application/json; charset=utf-8")
	body := s.errorBody(e)
	if c.Request().Method != http.MethodHead {
		h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	}
	c.Response().WriteHeader(e.Status)
	if c.Request().Method != http.MethodHead {
		_, _ = c.Response().Write(body)
	}
}

func (s *Server) errorBody(e *apierr.Error) []byte {
	if s.cfg.ClientErrorVerbosity == "minimal" {
		b, _ := json.Marshal(struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}{e.Code, e.Message})
		return b
	}
	b, _ := json.Marshal(e)
	return b
}
