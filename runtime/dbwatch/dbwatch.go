// Package dbwatch tracks whether the database can be reached. One background
// loop probes it, with capped exponential backoff while it is away, so that
// requests during an outage fail fast instead of each opening a connection,
// and an outage is logged once when it starts and once when it ends.
package dbwatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Options configure a Monitor.
type Options struct {
	// Probe checks that the database accepts a new connection.
	Probe func(ctx context.Context) error
	// Ready runs after a successful probe ends an outage (or the start-up
	// wait), before requests are served: it reads what the server needs from
	// the database. Its error keeps the database away and is retried.
	Ready func(ctx context.Context) error
	// Reset drops pooled connections when an outage begins, so none that
	// died with the old server is handed to a request afterwards.
	Reset func()
	Log   *slog.Logger
	// MinBackoff and MaxBackoff bound the wait between probes during an
	// outage; it doubles from the first to the second (1 s and 32 s when
	// zero, PostgREST's).
	MinBackoff, MaxBackoff time.Duration
	// ProbeTimeout bounds one probe and one Ready (10 s when zero).
	ProbeTimeout time.Duration
}

// Monitor knows whether the database is available. It starts unavailable:
// a successful probe and Ready make it available.
type Monitor struct {
	opts Options
	up   atomic.Bool
	// kick asks Run for a probe; one pending request is enough.
	kick chan struct{}

	checkMu   sync.Mutex
	checkedAt time.Time
	checkErr  error
}

// checkInterval is how long a Check's probe answers the next ones: a
// readiness probe polled by several agents opens one connection a second
// at most.
const checkInterval = time.Second

// Check reports whether the database is available now, for readiness
// probes. While the monitor believes it is, Check probes (see
// checkInterval), since with no traffic nothing else would notice an
// outage; a failed probe is reported as Lost, so the outage begins as if a
// request had failed.
func (m *Monitor) Check(ctx context.Context) bool {
	if !m.up.Load() {
		return false
	}
	m.checkMu.Lock()
	defer m.checkMu.Unlock()
	if !m.checkedAt.IsZero() && time.Since(m.checkedAt) < checkInterval {
		return m.checkErr == nil && m.up.Load()
	}
	err := m.probe(ctx)
	if err != nil && ctx.Err() != nil {
		return m.up.Load() // the caller gave up: that says nothing of the database
	}
	m.checkedAt, m.checkErr = time.Now(), err
	if err != nil {
		m.Lost(err)
		return false
	}
	return m.up.Load()
}

// New makes a Monitor; call Run to start probing.
func New(opts Options) *Monitor {
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(32*time.Second, opts.MinBackoff)
	}
	if opts.ProbeTimeout <= 0 {
		opts.ProbeTimeout = 10 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Reset == nil {
		opts.Reset = func() {}
	}
	return &Monitor{opts: opts, kick: make(chan struct{}, 1)}
}

// Available is false during an outage and until the first connection.
func (m *Monitor) Available() bool { return m.up.Load() }

// Lost reports a request's connection failure: Run probes at once, and an
// outage begins only if the probe fails too (one dead connection is not an
// outage). A failed connection attempt is already proof enough: requests
// fail fast from then on, until the probe says otherwise.
func (m *Monitor) Lost(err error) {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		m.up.Store(false)
	}
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// Connect makes the first attempt, so that a server whose database is up
// serves from its first request; Run goes on from there.
func (m *Monitor) Connect(ctx context.Context) {
	m.opts.Log.Info("Attempting to connect to the database...")
	if err := m.attempt(ctx); err != nil {
		m.opts.Log.Error("could not connect to the database; retrying", slog.String("err", err.Error()))
		return
	}
	m.opts.Log.Info("connected to the database")
}

// Run probes until ctx is done: with backoff while the database is away
// (after Connect failed, or once an outage began), and on each Lost while it
// is available.
func (m *Monitor) Run(ctx context.Context) {
	log := m.opts.Log
	begun := time.Now()
	for {
		if !m.up.Load() {
			if !m.recover(ctx, begun) {
				return
			}
			log.Info("database connection restored", slog.Duration("outage", time.Since(begun).Round(time.Millisecond)))
		}
		select {
		case <-ctx.Done():
			return
		case <-m.kick:
		}
		err := m.probe(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			m.up.Store(true)
			continue
		}
		m.up.Store(false)
		m.opts.Reset()
		begun = time.Now()
		log.Error("database connection lost; retrying", slog.String("err", err.Error()))
	}
}

// recover waits with backoff and attempts until the database is back (true)
// or ctx is done (false).
func (m *Monitor) recover(ctx context.Context, begun time.Time) bool {
	wait := m.opts.MinBackoff
	for attempt := 1; ; attempt++ {
		m.opts.Log.Debug(fmt.Sprintf("Attempting to reconnect to the database in %d seconds...", int(wait/time.Second)), slog.Int("attempt", attempt),
			slog.Duration("in", wait), slog.Duration("away", time.Since(begun).Round(time.Millisecond)))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		err := m.attempt(ctx)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		m.opts.Log.Debug("database still unavailable", slog.String("err", err.Error()))
		wait = min(2*wait, m.opts.MaxBackoff)
	}
}

// attempt probes, runs Ready and, when both succeed, marks the database
// available.
func (m *Monitor) attempt(ctx context.Context) error {
	err := m.probe(ctx)
	if err == nil {
		rctx, cancel := context.WithTimeout(ctx, m.opts.ProbeTimeout)
		err = m.opts.Ready(rctx)
		cancel()
	}
	if err != nil {
		return err
	}
	m.drain()
	m.up.Store(true)
	return nil
}

func (m *Monitor) probe(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, m.opts.ProbeTimeout)
	defer cancel()
	return m.opts.Probe(pctx)
}

// drain forgets failures reported during the outage: they are its own.
func (m *Monitor) drain() {
	select {
	case <-m.kick:
	default:
	}
}
