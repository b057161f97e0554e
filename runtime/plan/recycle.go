package plan

import (
	"sync"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// Plans recycles planners, in which read and write plans are made (the
// Read or Mutate, its top scope, the planned select items, filters,
// conditions, orders and body columns: about 1.6 KB of a page read's
// allocations, which garbage collection pays for), from one request to
// the next. The zero value is ready to use.
type Plans struct {
	pool sync.Pool
}

// A Lease is what Release takes back: the planner behind a plan.
type Lease struct {
	p *planner
}

// Read is PlanRead in a recycled planner. The Read, and every slice and
// pointer read from it, must not be used after Release(lease). On error
// the planner is already released (the Lease is zero).
func (ps *Plans) Read(rel *contract.Relation, q *query.Request, rels *Relations, o ReadOptions) (*Read, Lease, *apierr.Error) {
	p := ps.get(rels)
	r, aerr := planRead(p, rel, q, o)
	return r, ps.lease(p, aerr), aerr
}

// Mutate is PlanMutate in a recycled planner, as Read.
func (ps *Plans) Mutate(t *MutateTarget, q *query.Request, rels *Relations, o MutateOptions) (*Mutate, Lease, *apierr.Error) {
	p := ps.get(rels)
	m, aerr := planMutate(p, t, q, o)
	return m, ps.lease(p, aerr), aerr
}

func (ps *Plans) get(rels *Relations) *planner {
	p, _ := ps.pool.Get().(*planner)
	if p == nil {
		p = &planner{}
	}
	p.rels = rels
	return p
}

// lease is p's Lease, or none when planning failed: p is then released.
func (ps *Plans) lease(p *planner, aerr *apierr.Error) Lease {
	if aerr != nil {
		ps.Release(Lease{p})
		return Lease{}
	}
	return Lease{p}
}

// Release clears the leased planner and keeps it for another plan. A zero
// Lease is ignored.
func (ps *Plans) Release(l Lease) {
	p := l.p
	if p == nil {
		return
	}
	// Cleared so that the pool holds no request's strings or descriptors.
	b := p.bufs
	clear(b.items)
	clear(b.filters)
	clear(b.conds)
	clear(b.orders)
	clear(b.columns)
	*p = planner{bufs: buffers{items: b.items[:0], filters: b.filters[:0], conds: b.conds[:0], orders: b.orders[:0],
		columns: b.columns[:0]}}
	ps.pool.Put(p)
}

// carve returns an empty slice of capacity n from the free end of *buf,
// which grows when it lacks room (slices carved before keep the old array:
// they stay valid, and the next plan gets the larger one).
func carve[T any](buf *[]T, n int) []T {
	b := *buf
	if cap(b)-len(b) < n {
		b = make([]T, 0, max(2*cap(b), n, 8))
	}
	l := len(b)
	*buf = b[:l+n]
	return b[l : l : l+n]
}

// newFilter makes a planned filter, carved from the planner's filters.
func (p *planner) newFilter(f Filter) *Filter {
	s := append(carve(&p.bufs.filters, 1), f)
	return &s[0]
}
