package serve

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pgrestgen/pgrestgen/runtime/dbwatch"
)

// admin is the admin server's handler (admin-server-port), PostgREST's:
//
//   - /live: 200 while the API server accepts connections, else 500;
//   - /ready: 500 when the API server does not accept connections, 503 while
//     the database is unreachable or the roles' settings are not loaded
//     (the monitor is unavailable) or, with pgrestgen-drift = serve, while
//     the database differs from the generated code, else 200;
//   - /metrics: the server's metrics in Prometheus' text format;
//   - /schema_cache: what the generated code describes (schemaCacheJSON);
//   - anything else: 404.
//
// As in PostgREST, the answers but /metrics and /schema_cache have no body
// and the method is not looked at.
type admin struct {
	apiAddr     net.Addr
	mon         *dbwatch.Monitor
	metrics     http.Handler
	schemaCache []byte
	// current is false while drift makes the server not ready.
	current func() bool
}

func newAdmin(apiAddr net.Addr, mon *dbwatch.Monitor, reg *prometheus.Registry, schemaCache []byte, current func() bool) *admin {
	return &admin{
		current:     current,
		apiAddr:     apiAddr,
		mon:         mon,
		metrics:     promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		schemaCache: schemaCache,
	}
}

func (a *admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/live":
		w.WriteHeader(a.liveStatus(r.Context()))
	case "/ready":
		status := a.liveStatus(r.Context())
		if status == http.StatusOK && (!a.mon.Check(r.Context()) || !a.current()) {
			status = http.StatusServiceUnavailable
		}
		w.WriteHeader(status)
	case "/metrics":
		a.metrics.ServeHTTP(w, r)
	case "/schema_cache":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(a.schemaCache)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// liveStatus is 200 when the API server accepts a connection, as
// PostgREST checks: a process whose listener is gone is not alive.
func (a *admin) liveStatus(ctx context.Context) int {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, a.apiAddr.Network(), a.apiAddr.String())
	if err != nil {
		return http.StatusInternalServerError
	}
	_ = conn.Close()
	return http.StatusOK
}
