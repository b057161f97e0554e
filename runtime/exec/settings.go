package exec

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

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
	// SearchPath, when set, is SearchPath(Schema, ExtraSearchPath) made
	// ahead of the request.
	SearchPath string
	// RoleSettings are the role's own settings (ALTER ROLE … SET).
	RoleSettings [][2]string
	Role         string
	Claims       []byte
	Method, Path string
	Headers      http.Header
	// Host is the request's Host (net/http keeps it out of Headers).
	Host    string
	Cookies []*http.Cookie
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
	return s.AppendGUCs(nil)
}

// AppendGUCs is GUCs appended to dst, for callers that bring a buffer.
func (s *Settings) AppendGUCs(dst [][2]string) [][2]string {
	hj := headersJSON(s.Headers, s.Host)
	cj := "{}"
	if len(s.Cookies) > 0 {
		cookies := map[string]string{}
		for _, c := range s.Cookies {
			cookies[c.Name] = c.Value
		}
		b, _ := json.Marshal(cookies)
		cj = string(b)
	}
	searchPath := s.SearchPath
	if searchPath == "" {
		searchPath = SearchPath(s.Schema, s.ExtraSearchPath)
	}
	g := slices.Grow(dst, 8+len(s.RoleSettings)+len(s.Hoisted)+len(s.App))
	g = append(g, [2]string{"search_path", searchPath})
	// The impersonated role's own settings, then the role (PostgREST's order).
	g = append(g, s.RoleSettings...)
	g = append(g,
		[2]string{"role", s.Role},
		[2]string{"request.jwt.claims", string(s.Claims)},
		[2]string{"request.method", s.Method},
		[2]string{"request.path", s.Path},
		[2]string{"request.headers", hj},
		[2]string{"request.cookies", cj},
	)
	if s.Timezone != "" {
		// An invalid zone fails set_config with 22023, a 400, as in PostgREST.
		g = append(g, [2]string{"timezone", s.Timezone})
	}
	g = append(g, s.Hoisted...)
	return append(g, s.App...)
}

// SearchPath is search_path's value for schema and db-extra-search-path:
// fixed per schema, so a server makes it once (Settings.SearchPath).
func SearchPath(schema string, extra []string) string {
	searchPath := pgx.Identifier{schema}.Sanitize()
	for _, p := range extra {
		searchPath += ", " + pgx.Identifier{p}.Sanitize()
	}
	return searchPath
}

// End decides commit or rollback from db-tx-end and Prefer: tx=, and
// whether the preference was honoured (for Preference-Applied).
func End(mode config.TxEnd, prefer string) (rollback, applied bool) {
	if prefer != "" && mode.AllowOverride() {
		return prefer == "rollback", true
	}
	return mode.Rollback(), false
}

// headersJSON is request.headers as PostgREST sets it: the request's
// headers with Host and without Cookie (request.cookies has them), names
// lower-cased, of a repeated header the last value, as a JSON object with
// sorted keys — what json.Marshal makes of that map, byte for byte,
// written without the map and reflection since every request needs it.
func headersJSON(h http.Header, host string) string {
	type kv struct{ name, value string } // name lower-cased
	var small [16]kv
	hs := small[:0]
	if host != "" {
		// net/http moves Host out of the header map; PostgREST's server
		// keeps it among the headers.
		hs = append(hs, kv{"host", host})
	}
	for k, v := range h {
		if len(v) == 0 || len(k) == len("Cookie") && strings.EqualFold(k, "Cookie") {
			continue
		}
		hs = append(hs, kv{lowerHeaderName(k), v[len(v)-1]})
	}
	// Ordered by name as json.Marshal orders a map's keys, by insertion:
	// requests have a handful.
	less := func(a, b kv) bool { return a.name < b.name || a.name == b.name && a.value < b.value }
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && less(hs[j], hs[j-1]); j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	// Written on the stack, then copied once into the setting's string.
	var stack [512]byte
	b := append(stack[:0], '{')
	for i, e := range hs {
		// Names equal once lower-cased (only non-canonical ones can be)
		// are one key: the last in sorted order.
		if i+1 < len(hs) && hs[i+1].name == e.name {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, e.name)
		b = append(b, ':')
		b = appendJSONString(b, e.value)
	}
	return string(append(b, '}'))
}

// lowerHeaderName is strings.ToLower(name), without making a string for
// the names clients send most, in net/http's canonical form.
func lowerHeaderName(name string) string {
	switch name {
	case "Accept":
		return "accept"
	case "Accept-Encoding":
		return "accept-encoding"
	case "Accept-Language":
		return "accept-language"
	case "Accept-Profile":
		return "accept-profile"
	case "Apikey":
		return "apikey"
	case "Authorization":
		return "authorization"
	case "Cache-Control":
		return "cache-control"
	case "Connection":
		return "connection"
	case "Content-Length":
		return "content-length"
	case "Content-Profile":
		return "content-profile"
	case "Content-Type":
		return "content-type"
	case "Forwarded":
		return "forwarded"
	case "If-Match":
		return "if-match"
	case "If-None-Match":
		return "if-none-match"
	case "Origin":
		return "origin"
	case "Prefer":
		return "prefer"
	case "Range":
		return "range"
	case "Range-Unit":
		return "range-unit"
	case "Referer":
		return "referer"
	case "User-Agent":
		return "user-agent"
	case "Via":
		return "via"
	case "X-Client-Info":
		return "x-client-info"
	case "X-Forwarded-For":
		return "x-forwarded-for"
	case "X-Forwarded-Host":
		return "x-forwarded-host"
	case "X-Forwarded-Proto":
		return "x-forwarded-proto"
	case "X-Real-Ip":
		return "x-real-ip"
	case "X-Request-Id":
		return "x-request-id"
	}
	return strings.ToLower(name)
}

// jsonPlain marks the bytes appendJSONString copies as they are: ASCII
// but for control characters, quote, backslash and HTML's three.
var jsonPlain = func() (plain [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		plain[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return plain
}()

// appendJSONString appends s as encoding/json encodes a string: HTML
// characters and U+2028/U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for {
		// The plain run first, copied whole.
		i := 0
		for i < len(s) && jsonPlain[s[i]] {
			i++
		}
		b = append(b, s[:i]...)
		if i == len(s) {
			return append(b, '"')
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			s = s[i+1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028':
			b = append(b, `\u2028`...)
		case r == '\u2029':
			b = append(b, `\u2029`...)
		default:
			b = append(b, s[i:i+n]...)
		}
		s = s[i+n:]
	}
}
