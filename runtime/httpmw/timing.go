package httpmw

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Phase is a stage of a request that PostgREST reports in Server-Timing.
type Phase uint8

// PostgREST's phases, in the order its header lists them.
const (
	PhaseJWT         Phase = iota // authentication: the JWT checked
	PhaseParse                    // the URL, headers and body read
	PhasePlan                     // the query built
	PhaseTransaction              // the database round trip
	PhaseResponse                 // status, headers and body computed
	numPhases
)

// String is the metric name in Server-Timing.
func (p Phase) String() string {
	switch p {
	case PhaseJWT:
		return "jwt"
	case PhaseParse:
		return "parse"
	case PhasePlan:
		return "plan"
	case PhaseTransaction:
		return "transaction"
	case PhaseResponse:
		return "response"
	}
	return "phase" + strconv.Itoa(int(p))
}

// Timer collects one request's phase durations for Server-Timing. Handlers
// get it with Timing; a nil *Timer (timing disabled, or no middleware)
// ignores everything, so handlers record unconditionally.
type Timer struct {
	start time.Time
	mu    sync.Mutex // handlers may record from helper goroutines
	dur   [numPhases]time.Duration
	seen  [numPhases]bool
}

type timerKey struct{}

// Timing is the request's Timer, nil when server-timing-enabled is off.
func Timing(ctx context.Context) *Timer {
	t, _ := ctx.Value(timerKey{}).(*Timer)
	return t
}

// Add records d for phase p; several records of a phase add up.
func (t *Timer) Add(p Phase, d time.Duration) {
	if t == nil || p >= numPhases {
		return
	}
	t.mu.Lock()
	t.dur[p] += d
	t.seen[p] = true
	t.mu.Unlock()
}

// Start begins timing phase p; calling the returned func records it:
//
//	defer httpmw.Timing(ctx).Start(httpmw.PhasePlan)()
func (t *Timer) Start(p Phase) (stop func()) {
	if t == nil {
		return func() {}
	}
	begin := time.Now()
	return func() { t.Add(p, time.Since(begin)) }
}

// header renders Server-Timing as PostgREST does: the recorded phases in
// its order, durations in milliseconds with one decimal. Until handlers
// record phases, it reports the time so far as "total" (a name PostgREST
// does not use), rather than mislabel it as one of PostgREST's phases.
func (t *Timer) header() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	for p := range numPhases {
		if !t.seen[p] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.String())
		b.WriteString(";dur=")
		b.WriteString(ms(t.dur[p]))
	}
	if b.Len() == 0 {
		return "total;dur=" + ms(time.Since(t.start))
	}
	return b.String()
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64)
}

// ServerTiming (server-timing-enabled) gives each request a Timer and sends
// its Server-Timing header. Like PostgREST, it leaves the header off error
// responses, which the runtime, as PostgREST, marks with Proxy-Status; CORS
// preflights never reach it.
func ServerTiming() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			t := &Timer{start: time.Now()}
			req := c.Request()
			c.SetRequest(req.WithContext(context.WithValue(req.Context(), timerKey{}, t)))
			return onHeader(c, next, func(int) {
				h := c.Response().Header()
				if _, failed := h["Proxy-Status"]; !failed {
					h.Add("Server-Timing", t.header())
				}
			})
		}
	}
}
