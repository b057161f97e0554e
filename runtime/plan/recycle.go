package plan

import (
	"sync"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// Plans recycles the storage of read and write plans (the Read or Mutate,
// its top scope, the planned select items, filters, conditions, orders and
// body columns: about 1.6 KB of a page read's allocations, which garbage
// collection pays for) from one request to the next. The zero value is
// ready to use.
type Plans struct {
	pool sync.Pool
}

// A Lease is what Release takes back: the storage behind a Read.
type Lease struct {
	st *store
}

// Read is PlanRead with recycled storage. The Read, and every slice and
// pointer read from it, must not be used after Release(lease). On error
// the storage is already released (the Lease is zero).
func (ps *Plans) Read(rel *contract.Relation, q *query.Request, rels *Relations, o ReadOptions) (*Read, Lease, *apierr.Error) {
	st, _ := ps.pool.Get().(*store)
	if st == nil {
		st = &store{}
	}
	r, aerr := planRead(&planner{rels: rels, st: st}, rel, q, o)
	if aerr != nil {
		ps.Release(Lease{st})
		return nil, Lease{}, aerr
	}
	return r, Lease{st}, nil
}

// Mutate is PlanMutate with recycled storage, as Read.
func (ps *Plans) Mutate(t *MutateTarget, q *query.Request, rels *Relations, o MutateOptions) (*Mutate, Lease, *apierr.Error) {
	st, _ := ps.pool.Get().(*store)
	if st == nil {
		st = &store{}
	}
	m, aerr := planMutate(&planner{rels: rels, st: st}, t, q, o)
	if aerr != nil {
		ps.Release(Lease{st})
		return nil, Lease{}, aerr
	}
	return m, Lease{st}, nil
}

// Release clears the leased storage and keeps it for another plan. A zero
// Lease is ignored.
func (ps *Plans) Release(l Lease) {
	st := l.st
	if st == nil {
		return
	}
	// Cleared so that the pool holds no request's strings or descriptors.
	clear(st.items)
	clear(st.filters)
	clear(st.conds)
	clear(st.orders)
	clear(st.columns)
	*st = store{items: st.items[:0], filters: st.filters[:0], conds: st.conds[:0], orders: st.orders[:0],
		columns: st.columns[:0]}
	ps.pool.Put(st)
}

// store is one plan's storage: its Read or Mutate and top scope, and
// arrays that the plan's slices and filters are carved from.
type store struct {
	read    Read
	mutate  Mutate
	scope   Scope
	items   []Item
	filters []Filter
	conds   []Cond
	orders  []Order
	columns []*contract.Column
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

// newItems, newConds and newOrders make a planned list's slice (capacity
// n), from the store when there is one.
func (p *planner) newItems(n int) []Item {
	if p.st == nil {
		return make([]Item, 0, n)
	}
	return carve(&p.st.items, n)
}

func (p *planner) newConds(n int) []Cond {
	if p.st == nil {
		return make([]Cond, 0, n)
	}
	return carve(&p.st.conds, n)
}

func (p *planner) newOrders(n int) []Order {
	if p.st == nil {
		return make([]Order, 0, n)
	}
	return carve(&p.st.orders, n)
}

func (p *planner) newColumns(n int) []*contract.Column {
	if p.st == nil {
		return make([]*contract.Column, 0, n)
	}
	return carve(&p.st.columns, n)
}

// newFilter makes a planned filter, in the store when there is one.
func (p *planner) newFilter(f Filter) *Filter {
	if p.st == nil {
		n := new(Filter) // not &f: f would move to the heap on both paths
		*n = f
		return n
	}
	s := append(carve(&p.st.filters, 1), f)
	return &s[0]
}

// newScope makes the top scope, the store's when there is one.
func (p *planner) newScope(s Scope) *Scope {
	if p.st == nil {
		n := new(Scope)
		*n = s
		return n
	}
	p.st.scope = s
	return &p.st.scope
}

// newMutate makes the Mutate, the store's when there is one.
func (p *planner) newMutate(m Mutate) *Mutate {
	if p.st == nil {
		n := new(Mutate)
		*n = m
		return n
	}
	p.st.mutate = m
	return &p.st.mutate
}

// newRead makes the Read, the store's when there is one.
func (p *planner) newRead(r Read) *Read {
	if p.st == nil {
		n := new(Read)
		*n = r
		return n
	}
	p.st.read = r
	return &p.st.read
}
