package exec

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// Riding. While reads wait for the limiter (db-pool-adaptive), a read let
// in carries up to maxRiders of them in its own pipeline: each is still its
// own transaction — the implicit one PostgreSQL opens for its statements
// and ends at its own Sync, with its own settings and role, and an error in
// one skips only to that Sync — but they go out in one write and come back
// in one read, and one PostgreSQL process runs them in one turn instead of
// each waking a process of its own. Those wake-ups, not the statements, are
// most of what a cheap read costs PostgreSQL when many run at once (see
// docs/performance.md). Only reads ride and carry: a write's explicit
// transaction, after an error, would leave the session aborted for the
// next transaction in the pipeline.

// rideBudget and maxRiders bound the reads one transaction carries: a
// rider waits for the ones before it in the pipeline, so a batch holds at
// most about rideBudget of work, going by each statement's best round trip
// (admit.Limiter.Best). A read whose statement takes longer neither rides
// nor carries, and neither does one whose statement the limiter has not
// timed lately.
const (
	rideBudget = time.Millisecond
	maxRiders  = 15
)

// canRide says whether tx may ride or carry riders: a read whose
// transaction ends with its Sync, one round trip, whose statement errors
// only end itself.
func canRide(tx *Tx) bool {
	return tx.ReadOnly && !tx.Rollback && tx.Check == nil && tx.Isolation == "" && !tx.Plan && tx.Explain == ""
}

// A rider is a read waiting for a place in the limiter's queue that a
// transaction let in may carry instead.
type rider struct {
	tx *Tx
	// ctx is the rider's request's: a batch's context ends once every
	// member's has.
	ctx context.Context
	// stop ends the rider's wait in the limiter once it is taken.
	stop  context.CancelFunc
	state atomic.Int32
	// done is closed once res, err and retry are set.
	done chan struct{}
	res  *Result
	err  error
	// retry is set when the batch's connection failed before any of the
	// read's results came back: it runs again (see Run).
	retry bool
}

// A rider's states: waiting in the queue, taken by a carrier, or left the
// queue on its own (let in, timed out, gone).
const (
	riderWaiting int32 = iota
	riderTaken
	riderLeft
)

// riders is a pool's queue of riders, first come first carried.
type riders struct {
	n  atomic.Int32 // len(q), read without the lock
	mu sync.Mutex
	q  []*rider
}

func (q *riders) add(rd *rider) {
	q.mu.Lock()
	q.q = append(q.q, rd)
	q.n.Store(int32(len(q.q)))
	q.mu.Unlock()
}

// any says whether riders wait, without taking the lock: most
// transactions find none.
func (q *riders) any() bool { return q != nil && q.n.Load() > 0 }

// remove takes out a rider that left on its own.
func (q *riders) remove(rd *rider) {
	q.mu.Lock()
	if i := slices.Index(q.q, rd); i >= 0 {
		q.q = slices.Delete(q.q, i, i+1)
		q.n.Store(int32(len(q.q)))
	}
	q.mu.Unlock()
}

// take claims waiting riders, oldest first, at most maxRiders, whose
// statements' best round trips (cost; 0 for one not seen lately, which
// does not ride) fit in what is left of rideBudget after spent, the
// carrier's own; and ends their waits in the limiter.
func (q *riders) take(spent time.Duration, cost func(sql string) time.Duration) []*rider {
	if !q.any() {
		return nil
	}
	var out []*rider
	q.mu.Lock()
	// The scan is bounded too: a long queue of reads that do not fit is
	// not read through for every batch.
	for i, seen := 0, 0; i < len(q.q) && seen < 4*maxRiders && len(out) < maxRiders && spent < rideBudget; seen++ {
		rd := q.q[i]
		c := cost(rd.tx.Main)
		if c == 0 || spent+c > rideBudget {
			i++
			continue
		}
		if rd.state.CompareAndSwap(riderWaiting, riderTaken) {
			spent += c
			out = append(out, rd)
		}
		q.q = slices.Delete(q.q, i, i+1) // taken, or left on its own
	}
	q.n.Store(int32(len(q.q)))
	q.mu.Unlock()
	for _, rd := range out {
		rd.stop()
	}
	return out
}

// waitToRide is the rider of a read about to wait in the limiter, queued
// in g, and the context its wait takes.
func waitToRide(ctx context.Context, g *gate, tx *Tx) (*rider, context.Context) {
	wctx, stop := context.WithCancel(ctx)
	rd := &rider{tx: tx, ctx: ctx, stop: stop, done: make(chan struct{})}
	g.riders().add(rd)
	return rd, wctx
}

// leave ends rd's wait: it reports whether a carrier took rd (the result
// comes on rd.done); if not, rd is out of the queue.
func (rd *rider) leave(g *gate) (taken bool) {
	defer rd.stop()
	if rd.state.CompareAndSwap(riderWaiting, riderLeft) {
		g.riders().remove(rd)
		return false
	}
	return true
}

// carried is a rider's outcome once its carrier read it.
func (rd *rider) carried() (*Result, bool, error) {
	<-rd.done
	return rd.res, rd.retry, rd.err
}

// carry runs tx and its riders in one pipeline on conn, in that order, and
// hands each rider its outcome; tx's is returned as runOnce's.
func (r *Runner) carry(ctx context.Context, conn *lease, tx *Tx, riders []*rider) (*Result, bool, error) {
	// Counted on the primary's pool, which a server meters, whichever
	// pool carries them.
	if c, ok := r.DB.(interface{ Carried(int) }); ok {
		c.Carried(len(riders))
	}
	bctx, end := batchContext(ctx, riders)
	defer end()
	pc := conn.Conn().PgConn()
	p := pc.StartPipeline(bctx)
	start := time.Now()
	pp, err := r.queue(p, pc, tx, true, false)
	if pp != nil {
		pp.shared = true
	}
	pipes := make([]*pipe, len(riders))
	for i, rd := range riders {
		pipes[i], rd.err = r.queue(p, pc, rd.tx, true, true)
	}
	ferr := p.Flush()
	var res *Result
	switch {
	case pp == nil:
		// err is tx's own: nothing of it was queued.
	case ferr != nil:
		err = ferr
	default:
		res = &Result{pool: &r.bodies}
		if err = pp.run(tx, res); err == nil {
			conn.sample(tx.Main, start)
		}
	}
	for i, rd := range riders {
		if pipes[i] != nil && ferr == nil {
			rd.res = &Result{pool: &r.bodies}
			rd.err = pipes[i].run(rd.tx, rd.res)
		} else if rd.err == nil {
			rd.err = ferr
		}
		if rd.err != nil {
			rd.res = nil
			if pipes[i] != nil && pc.IsClosed() && rd.ctx.Err() == nil {
				// Lost with the connection. A read none of whose
				// results came back runs again (see Run); one whose
				// own statement was running when the connection
				// broke, as a read alone would, does not.
				rd.retry = !pipes[i].begun
				rd.err = apierr.ConnectionLost(rd.err)
			}
		}
		close(rd.done)
	}
	if cerr := p.Close(); cerr != nil && err == nil && pc.IsClosed() && ctx.Err() == nil {
		// tx's answer came whole; a rider's end broke the connection.
		conn.lost(cerr)
	}
	if err != nil {
		begun := pp != nil && pp.begun
		return nil, retryable(ctx, conn, begun, err), r.abort(ctx, conn, err)
	}
	return res, false, nil
}

// batchContext is a batch's context: its end cancels the queries, so it
// ends once every member's request has ended (the client gone, say), not
// when the first has — the others still want their answers.
func batchContext(ctx context.Context, riders []*rider) (context.Context, func()) {
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var left atomic.Int32
	left.Store(int32(len(riders) + 1))
	gone := func() {
		if left.Add(-1) == 0 {
			cancel()
		}
	}
	stops := make([]func() bool, 0, len(riders)+1)
	stops = append(stops, context.AfterFunc(ctx, gone))
	for _, rd := range riders {
		stops = append(stops, context.AfterFunc(rd.ctx, gone))
	}
	return bctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
