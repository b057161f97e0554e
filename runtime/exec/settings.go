package exec

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/runtime/config"
)

// Settings are the inputs of a request's settings (Tx.GUCs): what the
// request said, and what configuration and the role add.
type Settings struct {
	// Schema is the request's schema, first on search_path;
	// ExtraSearchPath is db-extra-search-path.
	Schema          string
	ExtraSearchPath []string
	// RoleSettings are the role's own settings (ALTER ROLE … SET).
	RoleSettings [][2]string
	Role         string
	Claims       []byte
	Method, Path string
	Headers      http.Header
	Cookies      []*http.Cookie
	// Timezone is Prefer: timezone, "" for none.
	Timezone string
	// Hoisted are a called function's db-hoisted-tx-settings.
	Hoisted [][2]string
	// App are app.settings.*, in their configured order.
	App [][2]string
}

// GUCs are PostgREST's per-request settings, in the order PostgREST sets
// them: search_path, the role's settings, role, claims, method, path,
// headers, cookies, timezone, a called function's hoisted settings, then
// app.settings.*.
func (s *Settings) GUCs() [][2]string {
	headers := map[string]string{}
	for k, v := range s.Headers {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	cookies := map[string]string{}
	for _, c := range s.Cookies {
		cookies[c.Name] = c.Value
	}
	hj, _ := json.Marshal(headers)
	cj, _ := json.Marshal(cookies)
	searchPath := pgx.Identifier{s.Schema}.Sanitize()
	for _, p := range s.ExtraSearchPath {
		searchPath += ", " + pgx.Identifier{p}.Sanitize()
	}
	g := make([][2]string, 0, 8+len(s.RoleSettings)+len(s.App))
	g = append(g, [2]string{"search_path", searchPath})
	// The impersonated role's own settings, then the role (PostgREST's order).
	g = append(g, s.RoleSettings...)
	g = append(g,
		[2]string{"role", s.Role},
		[2]string{"request.jwt.claims", string(s.Claims)},
		[2]string{"request.method", s.Method},
		[2]string{"request.path", s.Path},
		[2]string{"request.headers", string(hj)},
		[2]string{"request.cookies", string(cj)},
	)
	if s.Timezone != "" {
		// An invalid zone fails set_config with 22023, a 400, as in PostgREST.
		g = append(g, [2]string{"timezone", s.Timezone})
	}
	g = append(g, s.Hoisted...)
	return append(g, s.App...)
}

// End decides commit or rollback from db-tx-end and Prefer: tx=, and
// whether the preference was honoured (for Preference-Applied).
func End(mode config.TxEnd, prefer string) (rollback, applied bool) {
	if prefer != "" && mode.AllowOverride() {
		return prefer == "rollback", true
	}
	return mode.Rollback(), false
}
