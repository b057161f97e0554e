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
	type kv struct{ name, value string }
	var small [16]kv
	hs := small[:0]
	size := 2
	if host != "" {
		// net/http moves Host out of the header map; PostgREST's server
		// keeps it among the headers.
		hs = append(hs, kv{"Host", host})
		size += len(host) + 10
	}
	for k, v := range h {
		if len(v) == 0 || len(k) == len("Cookie") && strings.EqualFold(k, "Cookie") {
			continue
		}
		hs = append(hs, kv{k, v[len(v)-1]})
		size += len(k) + len(v[len(v)-1]) + 6
	}
	// Ordered and compared by lower-cased name, without making the
	// lower-cased strings (a string per header was most of this
	// function's allocations); by insertion, as requests have a handful.
	less := func(a, b kv) bool {
		c := compareFold(a.name, b.name)
		return c < 0 || c == 0 && a.value < b.value
	}
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && less(hs[j], hs[j-1]); j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, e := range hs {
		// Names equal once lower-cased (only non-canonical ones can be)
		// are one key: the last in sorted order.
		if i+1 < len(hs) && compareFold(hs[i+1].name, e.name) == 0 {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendLowerName(b, e.name)
		b = append(b, ':')
		b = appendJSONString(b, e.value)
	}
	return string(append(b, '}'))
}

// compareFold compares a and b as strings.ToLower(a) and strings.ToLower(b)
// would compare, for the ASCII names that HTTP allows; any other byte
// falls back to those strings.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= utf8.RuneSelf || cb >= utf8.RuneSelf {
			return strings.Compare(strings.ToLower(a), strings.ToLower(b))
		}
		ca, cb = lowerASCII(ca), lowerASCII(cb)
		if ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// appendLowerName appends name lower-cased as a JSON string, as
// appendJSONString(b, strings.ToLower(name)) does: copied whole, then
// lower-cased in place, one table lookup a byte.
func appendLowerName(b []byte, name string) []byte {
	start := len(b)
	b = append(b, '"')
	b = append(b, name...)
	for i := start + 1; i < len(b); i++ {
		switch nameBytes[b[i]] {
		case nameUpper:
			b[i] += 'a' - 'A'
		case nameEscaped:
			return appendJSONString(b[:start], strings.ToLower(name))
		}
	}
	return append(b, '"')
}

// What appendLowerName does with each byte of a header name.
const (
	nameKept byte = iota
	nameUpper
	nameEscaped // JSON escapes it, or it is not ASCII: the general path
)

// nameBytes classifies each byte for appendLowerName, and jsonPlain marks
// the ASCII bytes appendJSONString copies as they are.
var nameBytes, jsonPlain = func() (names [256]byte, plain [256]bool) {
	for c := 0; c < 256; c++ {
		switch {
		case c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&':
			names[c] = nameEscaped
		case 'A' <= c && c <= 'Z':
			names[c] = nameUpper
			plain[c] = true
		default:
			plain[c] = true
		}
	}
	return names, plain
}()

// appendJSONString appends s as encoding/json encodes a string: HTML
// characters and U+2028/U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonPlain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
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
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			switch r {
			case utf8.RuneError:
				b = append(b, `\ufffd`...)
			case '\u2028':
				b = append(b, `\u2028`...)
			default:
				b = append(b, `\u2029`...)
			}
			i += n
			start = i
			continue
		}
		i += n
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
