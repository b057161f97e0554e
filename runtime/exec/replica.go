package exec

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Replica is a read replica (db-replica-uris): read-only transactions run
// on the least busy available one, everything else on Runner.DB.
type Replica struct {
	// DB is the replica's pool (NewPool with its URI).
	DB DB
	// Availability is the replica's own monitor; required: requests skip a
	// replica known to be away and report its lost connections to it.
	Availability Availability
	// busy counts the replica's transactions in progress.
	busy atomic.Int64
	// admission holds DB's gate.
	admission admission
}

// lease is a pooled connection and the server it came from, so that a
// failure is reported to that server's monitor.
type lease struct {
	pooled *pgxpool.Conn
	avail  Availability // nil: none
	rep    *Replica     // nil: the primary
	gate   *gate        // the pool's, left once the connection is back
	// sql and rtt are the transaction's statement and round trip, for the
	// gate's limiter (sample); none when the transaction failed.
	sql string
	rtt time.Duration
}

// Release gives the connection back to its pool.
func (l *lease) Release() {
	if l.rep != nil {
		l.rep.busy.Add(-1)
	}
	l.pooled.Release()
	l.gate.limiter().Leave(l.sql, l.rtt)
	l.gate.leave()
}

// sample records the transaction's statement and its round trip since
// start: how long the database took, for the gate's limiter.
func (l *lease) sample(sql string, start time.Time) {
	if l.gate.limiter() != nil {
		l.sql, l.rtt = sql, time.Since(start)
	}
}

// Conn is the connection.
func (l *lease) Conn() *pgx.Conn { return l.pooled.Conn() }

// Exec runs sql on the connection.
func (l *lease) Exec(ctx context.Context, sql string) (pgconn.CommandTag, error) {
	return l.pooled.Exec(ctx, sql)
}

// replica picks the available replica with the fewest transactions in
// progress, ties in turn; nil when none is available.
func (r *Runner) replica() *Replica {
	least, ties := int64(-1), 0
	for _, rep := range r.Replicas {
		if !rep.Availability.Available() {
			continue
		}
		switch n := rep.busy.Load(); {
		case least < 0 || n < least:
			least, ties = n, 1
		case n == least:
			ties++
		}
	}
	if ties == 0 {
		return nil
	}
	// The k-th of the ties; a count that changed meanwhile picks another
	// available replica or the last one seen, which is as good.
	k := int(r.next.Add(1) % uint64(ties))
	var last *Replica
	for _, rep := range r.Replicas {
		if !rep.Availability.Available() {
			continue
		}
		last = rep
		if rep.busy.Load() == least {
			if k == 0 {
				return rep
			}
			k--
		}
	}
	return last
}

// acquire takes a pool connection for a transaction: a replica's for a
// read-only one when one is available and primary is false, else the
// primary's. A replica that cannot hand out a connection is skipped for the
// primary; its monitor is told. A read that may ride (ride) may come back
// carried instead: its rider, and no connection.
func (r *Runner) acquire(ctx context.Context, readOnly, primary bool, ride *Tx) (lease, *rider, error) {
	if readOnly && !primary {
		if rep := r.replica(); rep != nil {
			rep.busy.Add(1)
			g := rep.admission.of(rep.DB, r.Adaptive)
			conn, rd, err := r.acquireFrom(ctx, rep.DB, g, rep.Availability, ride)
			if err == nil && rd == nil {
				return lease{pooled: conn, avail: rep.Availability, rep: rep, gate: g}, nil, nil
			}
			g.leave()
			rep.busy.Add(-1)
			if rd != nil || ctx.Err() != nil {
				return lease{}, rd, err
			}
		}
	}
	g := r.admission.of(r.DB, r.Adaptive)
	conn, rd, err := r.acquireFrom(ctx, r.DB, g, r.Availability, ride)
	if err != nil || rd != nil {
		g.leave()
		return lease{}, rd, err
	}
	return lease{pooled: conn, avail: r.Availability, gate: g}, nil, nil
}

// retryable says whether a transaction that failed with err on l may run
// again elsewhere: one that never started (see notStarted), or a read-only
// one whose replica connection broke — nothing a read-only transaction did
// outlives it, and the primary answers in the replica's stead.
func retryable(ctx context.Context, l *lease, begun bool, err error) bool {
	if notStarted(ctx, begun, err) {
		return true
	}
	return l.rep != nil && l.Conn().PgConn().IsClosed() && ctx.Err() == nil
}
