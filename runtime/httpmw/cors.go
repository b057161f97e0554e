package httpmw

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// PostgREST's CORS is wai-cors run with PostgREST's policy (Cors.hs):
// credentials with listed origins, no Vary: Origin, no Origin required, and
// failures ignored, that is, a request the policy does not cover goes on to
// the API unchanged instead of getting wai-cors' 400.
const (
	// allowMethods is the policy's methods united with the simple ones
	// (GET, HEAD, POST), in wai-cors' order.
	allowMethods = "GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD"
	// exposeHeaders are the response headers scripts may read.
	exposeHeaders = "Content-Encoding, Content-Location, Content-Range, Content-Type, " +
		"Date, Location, Server, Transfer-Encoding, Range-Unit"
	maxAge = "86400" // a day
)

// CORS applies server-cors-allowed-origins (none: any origin) as PostgREST
// does:
//
//   - Without an Origin header (or on a WebSocket upgrade) nothing happens.
//   - An origin not in the list gets no CORS headers; the request goes on.
//   - OPTIONS with Origin is a preflight, answered here with 200 and no body
//     when Access-Control-Request-Method names an allowed method (exact
//     case) and the requested headers parse; otherwise it goes on.
//   - Other requests go on and get Access-Control-Allow-Origin and
//     Access-Control-Expose-Headers added.
//
// Access-Control-Allow-Origin is "*" when any origin is allowed, else the
// request's origin with Access-Control-Allow-Credentials: true.
//
// It also gives the API's own OPTIONS answers (200, Allow: …) the
// Access-Control-Allow-Origin: * that PostgREST's respondInfo adds, with or
// without Origin; the runtime's OPTIONS handler does not set it.
func CORS(allowedOrigins []string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			origin, ok := first(req.Header, "Origin")
			if !ok || strings.EqualFold(req.Header.Get("Upgrade"), "websocket") {
				return passOn(c, next)
			}
			allowOrigin, credentials := "*", false
			if len(allowedOrigins) > 0 {
				if !slices.Contains(allowedOrigins, origin) {
					return passOn(c, next)
				}
				allowOrigin, credentials = origin, true
			}
			if req.Method == http.MethodOptions {
				allowHeaders, ok := preflight(req.Header)
				if !ok {
					return passOn(c, next)
				}
				h := c.Response().Header()
				h.Set("Access-Control-Allow-Origin", allowOrigin)
				if credentials {
					h.Set("Access-Control-Allow-Credentials", "true")
				}
				h.Set("Access-Control-Allow-Methods", allowMethods)
				if allowHeaders != "" {
					h.Set("Access-Control-Allow-Headers", allowHeaders)
				}
				h.Set("Access-Control-Max-Age", maxAge)
				c.Response().WriteHeader(http.StatusOK)
				return nil
			}
			// wai-cors appends to whatever the API answered, error or not.
			return onHeader(c, next, func(int) {
				h := c.Response().Header()
				h.Add("Access-Control-Allow-Origin", allowOrigin)
				if credentials {
					h.Add("Access-Control-Allow-Credentials", "true")
				}
				h.Add("Access-Control-Expose-Headers", exposeHeaders)
			})
		}
	}
}

// passOn hands the request to the API; an OPTIONS answered 200 there is an
// info response, which PostgREST opens to every origin.
func passOn(c echo.Context, next echo.HandlerFunc) error {
	if c.Request().Method != http.MethodOptions {
		return next(c)
	}
	return onHeader(c, next, func(status int) {
		h := c.Response().Header()
		if status == http.StatusOK && h.Get("Access-Control-Allow-Origin") == "" {
			h.Set("Access-Control-Allow-Origin", "*")
		}
	})
}

// preflight checks a preflight's requested method and headers as wai-cors
// does and returns the Access-Control-Allow-Headers value ("" when no
// headers were requested); ok is false when wai-cors would fail it.
func preflight(reqh http.Header) (allowHeaders string, ok bool) {
	method, ok := first(reqh, "Access-Control-Request-Method")
	if !ok || !slices.Contains([]string{"GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "HEAD"}, method) {
		return "", false
	}
	requested, ok := first(reqh, "Access-Control-Request-Headers")
	if !ok {
		return "", true
	}
	// PostgREST allows Authorization and whatever was requested, split on
	// commas and stripped; wai-cors adds the simple headers but Content-Type.
	allowed := []string{"Authorization"}
	if requested != "" {
		for _, n := range strings.Split(requested, ",") {
			allowed = append(allowed, strip(n))
		}
	}
	for _, s := range []string{"Accept", "Accept-Language", "Content-Language"} {
		if !containsFold(allowed, s) {
			allowed = append(allowed, s)
		}
	}
	// wai-cors then parses the request's list its own way and fails when a
	// name it reads is not among the allowed (e.g. "Foo;Bar" reads as Foo).
	for _, n := range headerNames(requested) {
		if !containsFold(allowed, n) {
			return "", false
		}
	}
	return strings.Join(allowed, ", "), true
}

// headerNames reads a header-name list as wai-cors' parser does: optional
// spaces, then names separated by commas, each name followed by optional
// spaces; it stops at the first thing that does not fit, keeping what it
// read (a space after a comma ends the list).
func headerNames(s string) []string {
	skip := func(i int) int {
		for i < len(s) && (s[i] == ' ' || '\t' <= s[i] && s[i] <= '\r') {
			i++
		}
		return i
	}
	var names []string
	for i := skip(0); ; {
		j := i
		for j < len(s) && isNameChar(s[j]) {
			j++
		}
		if j == i {
			return names
		}
		names = append(names, s[i:j])
		j = skip(j)
		if j == len(s) || s[j] != ',' {
			return names
		}
		i = j + 1
	}
}

// isNameChar is wai-cors' header-name character: visible ASCII but
// separators.
func isNameChar(b byte) bool {
	return b >= 33 && b <= 126 && !strings.ContainsRune(`()<>@,;:\"/[]?={}`, rune(b))
}

// strip trims bytes as Data.ByteString.Char8.strip does: ASCII white space
// and Latin-1's no-break space.
func strip(s string) string {
	space := func(b byte) bool { return b == ' ' || '\t' <= b && b <= '\r' || b == 0xa0 }
	for len(s) > 0 && space(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && space(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// containsFold compares header names case-insensitively (ASCII), as
// Data.CaseInsensitive does.
func containsFold(list []string, s string) bool {
	for _, l := range list {
		if asciiEqualFold(l, s) {
			return true
		}
	}
	return false
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// first is the first value of a request header and whether it was sent at
// all (an empty value counts, as in wai's lookup). name is canonical.
func first(h http.Header, name string) (string, bool) {
	vs := h[name]
	if len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}
