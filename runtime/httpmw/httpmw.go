// Package httpmw holds the echo middlewares that give a generated API
// PostgREST's HTTP behaviour outside the handlers: CORS, the trace header,
// Server-Timing and the Server header. They are Pre middlewares (they run
// before routing) because PostgREST applies them to every request, routed or
// not; serve.Run wires them from the configuration.
package httpmw

import (
	"net/textproto"
	"runtime/debug"
	"strings"

	"github.com/labstack/echo/v4"
)

// onHeader runs fn once, just before the response header is written. A
// handler that returns without writing gets fn too, since net/http then
// sends 200 with the header map as it stands. Hooking the write rather than
// the return is what lets headers reach responses that echo's error handler
// writes after the middleware chain has unwound.
func onHeader(c echo.Context, next echo.HandlerFunc, fn func(status int)) error {
	done := false
	run := func() {
		if !done {
			done = true
			fn(c.Response().Status)
		}
	}
	c.Response().Before(run)
	err := next(c)
	if err == nil && !c.Response().Committed {
		run()
	}
	return err
}

// ServerName sets the Server header on every response that has none, as
// Warp does for PostgREST (setServerName). It is set before the handler
// runs rather than hooked to the header's write: a handler's own Server
// (response.headers) replaces it either way, and nothing else removes it.
func ServerName(name string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			if _, ok := h["Server"]; !ok {
				h["Server"] = []string{name}
			}
			return next(c)
		}
	}
}

// modulePath is the module whose version names the server.
const modulePath = "github.com/pgrestgen/pgrestgen"

// Product is the Server header value: "pgrestgen/<version>", the version of
// the pgrestgen runtime linked into the binary, "devel" when the build does
// not know it (a checkout, a directory replace). PostgREST sends
// "postgrest/<version>" so that operators can see what runs; claiming to be
// PostgREST would mislead exactly them, and clients do not depend on it.
func Product() string {
	return "pgrestgen/" + moduleVersion()
}

func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	mods := append([]*debug.Module{&bi.Main}, bi.Deps...)
	for _, m := range mods {
		if m.Path != modulePath {
			continue
		}
		v := m.Version
		if m.Replace != nil {
			v = m.Replace.Version
		}
		// "(devel)" is not an HTTP token, and the zero pseudo-version that
		// `pgrestgen init` requires (before a replace) names no release.
		if v == "" || v == "(devel)" || strings.HasPrefix(v, "v0.0.0-00010101000000-") {
			return "devel"
		}
		return v
	}
	return "devel"
}

// TraceHeader copies the request header name (server-trace-header) into the
// response, as PostgREST's traceHeaderMiddleware: on every response, before
// any value the response already has, and empty when the request lacks it.
// An empty name disables it.
func TraceHeader(name string) echo.MiddlewareFunc {
	key := textproto.CanonicalMIMEHeaderKey(name)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if name == "" {
			return next
		}
		return func(c echo.Context) error {
			val := ""
			if vs := c.Request().Header[key]; len(vs) > 0 {
				val = vs[0]
			}
			return onHeader(c, next, func(int) {
				h := c.Response().Header()
				h[key] = append([]string{val}, h[key]...)
			})
		}
	}
}
