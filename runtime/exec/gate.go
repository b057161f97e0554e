package exec

import (
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/runtime/admit"
)

// gate counts the transactions holding or waiting for a pool's
// connections. While fewer than the pool's size are counted, a connection
// is free (or the pool may open one) and nobody queues for it, so a
// request takes it without a deadline; only when every connection is taken
// does a request pay for db-pool-acquisition-timeout's timer. That timer,
// with its cancel context and their registration with the request's
// context, was a tenth of a read's allocations.
//
// The gate sees only the Runner's transactions: a connection the server
// uses for itself (the monitor's probe, schema and role reads) can make a
// request that found the gate open wait until that short query ends.
//
// Its limiter, when db-pool-adaptive is on, lets fewer transactions run at
// once than the pool has connections when more would only queue inside
// PostgreSQL (see package admit).
type gate struct {
	size  int64
	inUse atomic.Int64
	lim   *admit.Limiter // nil: as many as the pool has
	// waiting are the reads waiting for lim that a transaction let in
	// may carry (see ride.go).
	waiting riders
}

// newGate is the gate of db, nil (every request bounded by a timer, no
// limiter) when db does not tell its size.
func newGate(db DB, adaptive bool) *gate {
	c, ok := db.(interface{ Config() *pgxpool.Config })
	if !ok {
		return nil
	}
	g := &gate{size: int64(c.Config().MaxConns)}
	if adaptive {
		g.lim = admit.New(int(g.size))
	}
	return g
}

// limiter is g's limiter, nil for none.
func (g *gate) limiter() *admit.Limiter {
	if g == nil {
		return nil
	}
	return g.lim
}

// riders is g's queue of riders, nil without a limiter (nobody waits for
// a place, so nobody rides).
func (g *gate) riders() *riders {
	if g == nil || g.lim == nil {
		return nil
	}
	return &g.waiting
}

// enter counts a transaction in and reports whether a connection is free
// for it. Every enter is matched by a leave, whatever happened next.
func (g *gate) enter() (free bool) {
	if g == nil {
		return false
	}
	for {
		n := g.inUse.Load()
		if n >= g.size {
			g.inUse.Add(1)
			return false
		}
		if g.inUse.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// leave counts a transaction out, once its connection is back in the pool
// or its acquisition failed.
func (g *gate) leave() {
	if g != nil {
		g.inUse.Add(-1)
	}
}

// admission is a pool's gate, made on first use: a Runner's DB and its
// Replicas may be set after New.
type admission struct {
	once sync.Once
	g    *gate
}

// of is the gate of db, the pool this admission belongs to, with a limiter
// when adaptive.
func (a *admission) of(db DB, adaptive bool) *gate {
	a.once.Do(func() { a.g = newGate(db, adaptive) })
	return a.g
}
