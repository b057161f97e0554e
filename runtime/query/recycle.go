package query

import "sync"

// Parsers recycles parsers with their buffers (params, select items,
// filters, conditions: about 1.5 KB of a typical read's 9 KB of
// allocations, which garbage collection pays for) from one request to the
// next. The zero value is ready to use.
type Parsers struct {
	pool sync.Pool
}

// A Lease is what Release takes back: the parser behind a Request.
type Lease struct {
	p *parser
}

// ParseRaw is ParseRawWith with a recycled parser. The Request, and every
// slice and pointer read from it, must not be used after Release(lease).
func (ps *Parsers) ParseRaw(raw string, o Options) (*Request, Lease, error) {
	return ps.parse(raw, false, o)
}

// ParseCall is ParseCallWith with a recycled parser, as ParseRaw.
func (ps *Parsers) ParseCall(raw string, o Options) (*Request, Lease, error) {
	return ps.parse(raw, true, o)
}

func (ps *Parsers) parse(raw string, call bool, o Options) (*Request, Lease, error) {
	p, _ := ps.pool.Get().(*parser)
	if p == nil {
		p = &parser{}
	}
	l := Lease{p}
	p.reuse = true
	p.ps = appendSplit(p.bufs.ps[:0], raw)
	p.bufs.ps = p.ps
	r, err := p.parse(call, o, true)
	return r, l, err
}

// Release clears the leased parser's buffers and keeps it for another
// parse. A zero Lease is ignored.
func (ps *Parsers) Release(l Lease) {
	p := l.p
	if p == nil {
		return
	}
	// Only what this parse could write (the buffers' lengths): clearing
	// their whole capacity cost every later request what the longest
	// query string once grew them to, in time and in cold cache lines.
	b := p.bufs
	clear(b.ps)
	clear(b.items)
	clear(b.filters)
	clear(b.conds)
	*p = parser{bufs: buffers{ps: b.ps[:0], items: b.items[:0], filters: b.filters[:0], conds: b.conds[:0]}}
	ps.pool.Put(p)
}

// buffers are a recycled parser's: taken cleared, at most once per parse
// each (a second use in one parse would overwrite the first's).
type buffers struct {
	ps      []param
	items   []SelectItem
	filters []Filter
	conds   []Condition
}

// take returns a cleared slice of length n from *buf when reuse is on and
// it is large enough, else a new one (kept in *buf for the next parse).
// *buf's length becomes the capacity handed out: what Release clears.
func take[T any](reuse bool, buf *[]T, n, capacity int) []T {
	if !reuse {
		return make([]T, n, capacity)
	}
	if cap(*buf) < capacity {
		*buf = make([]T, 0, capacity)
	}
	*buf = (*buf)[:capacity]
	return (*buf)[:n:capacity]
}
