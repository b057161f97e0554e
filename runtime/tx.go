package runtime

import (
	"context"
	"net/http"

	"github.com/pgrestgen/pgrestgen/runtime/exec"
)

// requestGUCs are the request's settings (exec.Settings.GUCs) from the
// request, the configuration and the role's own settings.
func (s *Server) requestGUCs(req *http.Request, schema, role string, claims []byte, timezone string, hoisted ...[2]string) [][2]string {
	return s.appendRequestGUCs(nil, req, schema, role, claims, timezone, hoisted...)
}

// appendRequestGUCs is requestGUCs appended to dst (a recycled plan's
// array, for reads and writes).
func (s *Server) appendRequestGUCs(dst [][2]string, req *http.Request, schema, role string, claims []byte, timezone string, hoisted ...[2]string) [][2]string {
	in := exec.Settings{Schema: schema, ExtraSearchPath: s.cfg.DBExtraSearchPath, SearchPath: s.searchPaths[schema], RoleSettings: s.role(role).Settings,
		Role: role, Claims: claims, Method: req.Method, Path: req.URL.Path, Headers: req.Header, Host: req.Host, Cookies: req.Cookies(),
		Timezone: timezone, Hoisted: hoisted, App: s.appSettings}
	return in.AppendGUCs(dst)
}

// checkTimezone asks PostgreSQL whether it accepts a Prefer: timezone
// value, for error precedence when a request fails before its statement.
func (s *Server) checkTimezone(ctx context.Context, tz string) error {
	_, err := s.exec.Run(ctx, &exec.Tx{ReadOnly: true, Rollback: true, GUCs: [][2]string{{"timezone", tz}},
		Main: "SELECT NULL::bigint, 0::bigint, NULL::text, NULL::text, NULL::text"})
	return err
}
