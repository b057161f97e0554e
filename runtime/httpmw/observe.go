package httpmw

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pgrestgen/pgrestgen/runtime/header"
)

// Request is what Observe saw of one answered request: what the access log
// and the request metrics are made of.
type Request struct {
	Start    time.Time
	Duration time.Duration
	Method   string
	// Target is the request target as the client sent it (path and query).
	Target string
	Proto  string
	// Route is the matched route's pattern ("/books", "/rpc/:name", "/*"
	// for the fallback): bounded, unlike the path, so metrics label by it.
	Route  string
	Status int
	// Size is the number of body bytes written.
	Size int64
	// Role is the database role the request was authenticated as, "" when
	// authentication failed or was never reached.
	Role       string
	RemoteHost string
	Referer    string
	UserAgent  string
}

// observed is the per-request state handlers write into (SetRole).
type observed struct {
	mu   sync.Mutex // a handler's goroutine writes, report reads
	role string
}

type observedKey struct{}

// ConnContext gives each connection one observed slot, for
// http.Server.ConnContext: HTTP/1 serves a connection's requests one after
// another, so Observe reuses the slot instead of deriving each request a
// context and a copy of its http.Request to carry one (three allocations
// of every request). A server that may serve HTTP/2 must not use it: its
// streams run at once on one connection.
func ConnContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, observedKey{}, &observed{})
}

// SetRole records the role the request runs as, for the access log. Without
// Observe around the request it does nothing.
func SetRole(ctx context.Context, role string) {
	if o, ok := ctx.Value(observedKey{}).(*observed); ok {
		o.mu.Lock()
		o.role = role
		o.mu.Unlock()
	}
}

// Observe calls each fn once per request, after its answer is written, with
// what was answered. It must be the outermost middleware: it has echo write
// the error a handler returns (as echo's own Logger does), so that the status
// it reports is the one the client got.
func Observe(fns ...func(Request)) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			req := c.Request()
			o, ok := req.Context().Value(observedKey{}).(*observed)
			if ok {
				o.mu.Lock()
				o.role = "" // the connection's previous request's
				o.mu.Unlock()
			} else {
				o = &observed{}
				c.SetRequest(req.WithContext(context.WithValue(req.Context(), observedKey{}, o)))
			}
			// A panic (http.ErrAbortHandler cutting a response short) is
			// still a request answered, if badly: report it, then re-panic.
			defer func() {
				if p := recover(); p != nil {
					report(c, o, start, fns)
					panic(p)
				}
			}()
			if err := next(c); err != nil {
				c.Error(err)
			}
			report(c, o, start, fns)
			return nil
		}
	}
}

func report(c echo.Context, o *observed, start time.Time, fns []func(Request)) {
	req, res := c.Request(), c.Response()
	status := res.Status
	if !res.Committed && status == 0 {
		status = http.StatusOK
	}
	r := Request{
		Start:      start,
		Duration:   time.Since(start),
		Method:     req.Method,
		Target:     req.RequestURI,
		Proto:      req.Proto,
		Route:      c.Path(),
		Status:     status,
		Size:       res.Size,
		RemoteHost: remoteHost(req.RemoteAddr),
		Referer:    header.Get(req.Header, header.Referer),
		UserAgent:  header.Get(req.Header, header.UserAgent),
	}
	if r.Target == "" {
		r.Target = req.URL.RequestURI()
	}
	o.mu.Lock()
	r.Role = o.role
	o.mu.Unlock()
	for _, fn := range fns {
		fn(r)
	}
}

func remoteHost(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// Metrics are the request counts and latencies by method, route and status.
// PostgREST has no request metrics, so they carry pgrestgen's prefix rather
// than pgrst_.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// series caches each label set's counter and histogram: looking them
	// up in the vectors hashes the labels on every request.
	series sync.Map // seriesKey → *series
}

type seriesKey struct {
	method, route string
	status        int
}

type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// NewMetrics registers the request metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	labels := []string{"method", "route", "status"}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pgrestgen_http_requests_total",
			Help: "The total number of HTTP requests answered, by method, matched route pattern and status.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "pgrestgen_http_request_duration_seconds",
			Help: "The time from receiving a request to having written its answer, by method, matched route pattern and status.",
			// From a cached read to a slow report; the default buckets stop at 10 s.
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, labels),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Observe records one request; pass it to the Observe middleware.
func (m *Metrics) Observe(r Request) {
	route := r.Route
	if route == "" {
		route = "unmatched"
	}
	key := seriesKey{methodLabel(r.Method), route, r.Status}
	v, ok := m.series.Load(key)
	if !ok {
		l := prometheus.Labels{"method": key.method, "route": route, "status": strconv.Itoa(r.Status)}
		v, _ = m.series.LoadOrStore(key, &series{m.requests.With(l), m.duration.With(l)})
	}
	s := v.(*series)
	s.requests.Inc()
	s.duration.Observe(r.Duration.Seconds())
}

// methodLabel keeps the method label's values bounded: a client can send
// any token as a method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}
