package exec

import (
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
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
type gate struct {
	size  int64
	inUse atomic.Int64
}

// newGate is the gate of db, nil (every request bounded by a timer) when
// db does not tell its size.
func newGate(db DB) *gate {
	c, ok := db.(interface{ Config() *pgxpool.Config })
	if !ok {
		return nil
	}
	return &gate{size: int64(c.Config().MaxConns)}
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

// of is the gate of db, the pool this admission belongs to.
func (a *admission) of(db DB) *gate {
	a.once.Do(func() { a.g = newGate(db) })
	return a.g
}
