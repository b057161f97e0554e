// Package admit decides how many transactions run at once on a database.
//
// A pool lets up to db-pool transactions run together, and PostgreSQL
// runs every one it is given; past the point where its CPUs are busy, more
// at once only makes each slower and all of them costlier: its processes
// take turns, wait on each other's locks and spin. On two cores the same
// statement cost PostgreSQL 65 µs at two clients and 442 µs at 64
// (docs/performance.md). A Limiter lets in as many as keep each
// statement's round trip near its own best and queues the rest in the
// server, first come first served, where waiting costs nothing.
//
// The measure is per statement: a slow report is not a sign of a busy
// database, a cheap lookup taking five times its best is. Every window of
// round trips the Limiter compares their mean ratio to the statements'
// best (the least seen in the last minute) with a tolerance: below it the
// database has room and the limit grows; above it the limit moves toward
// the count at which the ratio would be the tolerance, as it would if
// round trips grew in proportion to the transactions let in. The limit
// stays between a floor and the pool's size, and a queue that sees no
// transaction end for a while (long ones holding every place) lets one
// more in, so slow transactions cannot hold quick ones back for long.
package admit

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"time"
)

// Tuning. Tolerance is the mean ratio to their best that round trips may
// reach before the limit shrinks: round trips vary by half or more
// without a queue (scheduling, caches), and the limit should only settle
// where a queue shows.
const (
	tolerance   = 2.0
	maxRatio    = 10.0 // a sample's weight at most: one stall is not a trend
	minWindow   = 16   // round trips per decision, at least
	floor       = 8    // the limit's least, or the pool's size if smaller
	epoch       = 30 * time.Second
	maxStmts    = 4096 // best round trips kept; past it they start over
	stallMin    = time.Millisecond
	stallMax    = 50 * time.Millisecond
	stallFactor = 4 // no end for this many mean round trips is a stall
)

// Limiter bounds the transactions running at once on one database. Its
// zero value is not usable; see New. A nil *Limiter lets everything in.
type Limiter struct {
	mu       sync.Mutex
	max      float64 // the pool's size
	min      float64
	est      float64 // the limit, before rounding
	limit    int
	inflight int
	queue    []*waiter // first come, first let in
	win      window
	lastEnd  time.Time
	meanRTT  float64 // moving average, nanoseconds; for the stall period
	watching bool    // a watch goroutine runs while the queue is not empty
	best     map[string]*best
	now      func() time.Time
	waiters  sync.Pool // of *waiter
}

// waiter is a transaction in the queue; ready says whether it was let in
// (true) or timed out (false). Waiters are reused: ready is buffered, so
// the one answer never blocks the Limiter.
type waiter struct {
	ready    chan bool
	deadline time.Time
}

// window gathers the samples of one decision.
type window struct {
	n    int
	sum  float64 // of ratios, each at most maxRatio
	peak int     // most transactions in at once
}

// best is a statement's least round trip in this epoch and the last.
type best struct {
	epoch     int64
	cur, prev time.Duration
}

// New is a Limiter for a pool of size transactions, starting at its floor.
func New(size int) *Limiter {
	size = max(size, 1)
	lo := float64(min(size, floor))
	return &Limiter{max: float64(size), min: lo, est: lo, limit: int(lo), best: map[string]*best{}, now: time.Now}
}

// Limit is how many transactions may run at once now.
func (l *Limiter) Limit() int {
	if l == nil {
		return math.MaxInt
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// Queued is how many transactions wait for a place.
func (l *Limiter) Queued() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue)
}

// TryEnter lets a transaction in if there is room and nobody waits.
func (l *Limiter) TryEnter() bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight < l.limit && len(l.queue) == 0 {
		l.enterLocked()
		return true
	}
	return false
}

func (l *Limiter) enterLocked() {
	l.inflight++
	l.win.peak = max(l.win.peak, l.inflight)
}

// ErrTimeout is Wait's answer when the deadline passed first.
var ErrTimeout = errors.New("admit: timed out waiting for a place")

// Wait lets a transaction in, waiting its turn until deadline (ErrTimeout)
// or until ctx ends (its error). Every nil return is matched by one Leave.
// The queue's watcher enforces the deadline, to the stall period, so that
// a waiting request costs no timer of its own.
func (l *Limiter) Wait(ctx context.Context, deadline time.Time) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	if l.inflight < l.limit && len(l.queue) == 0 {
		l.enterLocked()
		l.mu.Unlock()
		return nil
	}
	if !l.now().Before(deadline) {
		l.mu.Unlock()
		return ErrTimeout
	}
	w, _ := l.waiters.Get().(*waiter)
	if w == nil {
		w = &waiter{ready: make(chan bool, 1)}
	}
	w.deadline = deadline
	l.queue = append(l.queue, w)
	if !l.watching {
		l.watching = true
		go l.watch()
	}
	l.mu.Unlock()
	select {
	case in := <-w.ready:
		l.waiters.Put(w)
		if !in {
			return ErrTimeout
		}
		return nil
	case <-ctx.Done():
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := slices.Index(l.queue, w); i >= 0 {
		l.queue = slices.Delete(l.queue, i, i+1)
		l.waiters.Put(w)
		return ctx.Err()
	}
	// Let in or timed out as ctx ended: the answer is in ready; a place
	// goes to the next in line.
	if <-w.ready {
		l.inflight--
		l.admitLocked()
	}
	l.waiters.Put(w)
	return ctx.Err()
}

// Leave counts a transaction out. sql and rtt are its statement and round
// trip, a sample of how busy the database is; sql "" (a failure, a
// stream) gives none.
func (l *Limiter) Leave(sql string, rtt time.Duration) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	now := l.now()
	l.lastEnd = now
	if sql != "" && rtt > 0 {
		l.sampleLocked(l.ratioLocked(sql, rtt, now))
		l.meanRTT += (float64(rtt) - l.meanRTT) / 16
	}
	l.admitLocked()
}

// admitLocked lets waiters in while there is room.
func (l *Limiter) admitLocked() {
	for len(l.queue) > 0 && l.inflight < l.limit {
		w := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		l.enterLocked()
		w.ready <- true
	}
}

// ratioLocked is rtt over sql's best round trip of this epoch and the last.
func (l *Limiter) ratioLocked(sql string, rtt time.Duration, now time.Time) float64 {
	e := now.UnixNano() / int64(epoch)
	b := l.best[sql]
	if b == nil {
		if len(l.best) >= maxStmts {
			clear(l.best)
		}
		b = &best{epoch: e, cur: rtt}
		l.best[sql] = b
	}
	if e != b.epoch {
		b.prev = 0
		if e == b.epoch+1 {
			b.prev = b.cur
		}
		b.epoch, b.cur = e, rtt
	}
	b.cur = min(b.cur, rtt)
	return float64(rtt) / float64(b.least())
}

// least is the least round trip of b's epoch and the one before.
func (b *best) least() time.Duration {
	if b.prev > 0 {
		return min(b.cur, b.prev)
	}
	return b.cur
}

// Best is sql's least round trip of this epoch and the last, 0 when the
// limiter has not seen it lately (or l is nil).
func (l *Limiter) Best(sql string) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.best[sql]
	if b == nil || l.now().UnixNano()/int64(epoch) > b.epoch+1 {
		return 0
	}
	return b.least()
}

// sampleLocked adds a ratio to the window and, once it is full, moves the
// limit.
func (l *Limiter) sampleLocked(ratio float64) {
	l.win.n++
	l.win.sum += min(ratio, maxRatio)
	if l.win.n < max(minWindow, l.limit) {
		return
	}
	mean, peak := l.win.sum/float64(l.win.n), l.win.peak
	l.win = window{peak: l.inflight}
	switch {
	case mean <= tolerance:
		if peak < l.limit {
			return // the demand did not reach the limit: no evidence of room
		}
		l.est += math.Sqrt(l.est)
	default:
		l.est = (l.est + l.est*tolerance/mean) / 2
	}
	l.est = min(max(l.est, l.min), l.max)
	l.limit = int(math.Round(l.est))
}

// watch runs while the queue is not empty. It times out the waiters whose
// deadline passed, and lets one more transaction in whenever the queue has
// waited a stall period with no transaction ending: the ones in are long,
// and the quick ones behind them should not wait for them.
func (l *Limiter) watch() {
	t := time.NewTimer(stallMin)
	defer t.Stop()
	for range t.C {
		l.mu.Lock()
		now := l.now()
		l.queue = slices.DeleteFunc(l.queue, func(w *waiter) bool {
			if now.Before(w.deadline) {
				return false
			}
			w.ready <- false
			return true
		})
		if len(l.queue) == 0 {
			l.watching = false
			l.mu.Unlock()
			return
		}
		p := min(max(time.Duration(l.meanRTT*stallFactor), stallMin), stallMax)
		if now.Sub(l.lastEnd) >= p && float64(l.inflight) < l.max {
			l.est = max(l.est, float64(l.inflight+1))
			l.limit = int(math.Round(l.est))
			l.admitLocked()
		}
		for _, w := range l.queue { // wake for the first deadline
			p = min(p, max(w.deadline.Sub(now), 0))
		}
		l.mu.Unlock()
		t.Reset(p)
	}
}
