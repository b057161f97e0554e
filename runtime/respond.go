package runtime

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/auth"
	"github.com/pgrestgen/pgrestgen/runtime/header"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// identity is who a request runs as and on which schema.
type identity struct {
	ident     auth.Result
	schema    string
	byProfile bool
}

// identify runs the checks every request starts with, in PostgREST's
// order: the JWT, then the profile headers.
func (s *Server) identify(req *http.Request) (identity, *apierr.Error) {
	stop := httpmw.Timing(req.Context()).Start(httpmw.PhaseJWT)
	ident, aerr := s.auth.Authenticate(header.Get(req.Header, header.Authorization))
	stop()
	if aerr != nil {
		return identity{}, aerr
	}
	httpmw.SetRole(req.Context(), ident.Role) // for the access log
	schema, byProfile, aerr := request.Profile(req, s.cfg.DBSchemas)
	if aerr != nil {
		return identity{}, aerr
	}
	return identity{ident: ident, schema: schema, byProfile: byProfile}, nil
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

// fail answers a request whose transaction failed (respond.Responder.Fail).
func (s *Server) fail(c echo.Context, err error, authenticated bool) {
	s.respond.Fail(c.Response(), c.Request(), c.Response().Committed, err, authenticated)
}

// writeError writes a PostgREST error object (respond.Responder.Error).
func (s *Server) writeError(c echo.Context, e *apierr.Error) {
	s.respond.Error(c.Response(), c.Request(), c.Response().Committed, e)
}
