package runtime

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/header"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// Reads of one shape (query.AppendShape, with the method, schema,
// relation, Accept, Range and Prefer: count that also decide the plan)
// render to one statement: only their filter values differ, and those are
// bind parameters. The first read of a shape is parsed, planned and
// rendered; if its statement is bound the same way for any values (learn
// checks it), the statement, where each filter value binds and what the
// response needs of the plan are kept, and later reads of the shape skip
// the parser, the planner and the renderer. They were a third of a page
// read's instructions and a quarter of its instruction-cache misses.

// shapes memoises what read shapes render to; a nil *shapes keeps none
// (every read is parsed, planned and rendered). Its memory is bounded:
// past maxShapeBytes it starts over, so clients varying their shapes cost
// memory only up to there.
type shapes struct {
	mu      sync.RWMutex
	entries map[string]*shapeEntry
	size    int
	// nonce makes learn's stand-in values ones no client can send.
	nonce string
	bufs  sync.Pool // of *shapeBuf
}

const maxShapeBytes = 1 << 20

// shapeEntry is what one shape renders to. A shape whose statement is not
// bound the same way for every value has an entry with no statement, so
// that it is checked once, not on every read.
type shapeEntry struct {
	rel *Relation
	rng request.Range
	// read is the plan's response part (media, handler, warning, stream);
	// it has no scope.
	read plan.Read
	sql  string
	// binds are the statement's bind values in placeholder order.
	binds []shapeBind
}

// shapeBind is a bind value: the request's filter value number slot, or,
// when slot is negative, value, which the shape fixes (a limit, an offset).
type shapeBind struct {
	slot  int
	value any
}

// shapeBuf holds a request's shape key and filter values; recycled.
type shapeBuf struct {
	key  []byte
	vals []string
}

func newShapes() *shapes {
	var n [8]byte
	_, _ = rand.Read(n[:]) // never fails (crypto/rand's documentation)
	return &shapes{entries: map[string]*shapeEntry{}, nonce: hex.EncodeToString(n[:])}
}

// shapeRead is a read's shape as relationRequest finds it: the entry
// when the shape was seen, the buffer with its key and values.
type shapeRead struct {
	entry *shapeEntry
	buf   *shapeBuf
	prefs request.Preferences
}

// find looks up the shape of a read of name as id. A read with no shape
// gets a zero shapeRead; one not seen yet a nil entry and its buffer, for
// learn.
func (m *shapes) find(req *http.Request, id identity, name string, allowTx bool) shapeRead {
	if m == nil {
		return shapeRead{}
	}
	b, _ := m.bufs.Get().(*shapeBuf)
	if b == nil {
		b = &shapeBuf{}
	}
	key, vals, ok := query.AppendShape(b.key[:0], b.vals[:0], req.URL.RawQuery)
	b.key, b.vals = key, vals
	if !ok {
		m.release(b)
		return shapeRead{}
	}
	prefs := request.ParsePrefer(req.Header, allowTx)
	key = append(key, req.Method[0])
	for _, f := range [...]string{prefs.Count, id.schema, name, header.Get(req.Header, header.Accept), header.Get(req.Header, header.Range)} {
		key = append(binary.AppendUvarint(key, uint64(len(f))), f...)
	}
	b.key = key
	m.mu.RLock()
	e := m.entries[string(key)] // no allocation for the lookup
	m.mu.RUnlock()
	return shapeRead{entry: e, buf: b, prefs: prefs}
}

// release gives a shapeRead's buffer back; the zero shapeRead has none.
func (m *shapes) release(b *shapeBuf) {
	if m == nil || b == nil {
		return
	}
	clear(b.vals)
	b.key, b.vals = b.key[:0], b.vals[:0]
	m.bufs.Put(b)
}

// put keeps e for key, starting over when the memo is full.
func (m *shapes) put(key []byte, e *shapeEntry) {
	n := len(key) + len(e.sql) + 64*len(e.binds) + 256
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.size+n > maxShapeBytes {
		m.entries, m.size = map[string]*shapeEntry{}, 0
	}
	if _, ok := m.entries[string(key)]; !ok {
		m.entries[string(key)] = e
		m.size += n
	}
}

// standIn is the value learn puts in place of filter value i.
func (m *shapes) standIn(i int) string {
	return "\x00" + m.nonce + "#" + strconv.Itoa(i)
}

// learn keeps what the read r, planned and rendered into rp with opts,
// renders to, if its statement is bound the same way for any filter
// values: it plans and renders r again with stand-ins for the values, and
// keeps the shape only if the statement is the same text, with each value
// bound once, as itself, and every other bind value the same.
func (s *Server) learn(r relationRequest, rp *readPlan, opts plan.ReadOptions) {
	m, vals := s.shapes, r.shape.buf.vals
	fresh := rp.args.Values()
	e := &shapeEntry{rel: r.rel, rng: r.rng, read: *rp.plan}
	e.read.Scope, e.read.Call = nil, nil
	where := r.q.Where
	if len(where) == len(vals) && rp.explain == nil && rp.tx.Explain == "" && fromFilters(where, vals) {
		for i := range where {
			where[i].Filter.Value = m.standIn(i)
		}
		p, lease, aerr := s.plans.Read(r.rel, r.q, s.readRelatedIn(r.schema), opts)
		for i := range where {
			where[i].Filter.Value = vals[i]
		}
		if aerr == nil {
			var args sqlgen.Args
			st := s.sql.Read(&args, p)
			if st.SQL == rp.tx.Main && st.Explain == "" && sameResponse(p, rp.plan) {
				if binds, ok := m.binds(fresh, st.Args, vals); ok {
					e.sql, e.binds = st.SQL, binds
				}
			}
			s.plans.Release(lease)
		}
	}
	m.put(r.shape.buf.key, e)
}

// fromFilters reports whether the conditions are one filter per value,
// each reading its value.
func fromFilters(where []query.Condition, vals []string) bool {
	for i, c := range where {
		if c.Filter == nil || c.Filter.Value != vals[i] {
			return false
		}
	}
	return true
}

// sameResponse reports whether two plans of a read answer alike.
func sameResponse(a, b *plan.Read) bool {
	return a.Media == b.Media && a.Handler == b.Handler && a.Warning == b.Warning && a.Stream == b.Stream && a.Head == b.Head
}

// binds are the bind values of a shape, from a statement's values with
// the request's values (fresh) and with stand-ins (probe): each stand-in
// must be bound once, where fresh has its value, and every other value be
// the same in both and a string or integer (what the shape fixes: limits,
// offsets, JSON keys).
func (m *shapes) binds(fresh, probe []any, vals []string) ([]shapeBind, bool) {
	if len(fresh) != len(probe) {
		return nil, false
	}
	used := make([]int, len(vals))
	binds := make([]shapeBind, len(probe))
	for i, p := range probe {
		ps, isString := p.(string)
		if slot := m.slot(ps); isString && slot >= 0 {
			if fs, ok := fresh[i].(string); !ok || slot >= len(vals) || fs != vals[slot] {
				return nil, false
			}
			used[slot]++
			binds[i] = shapeBind{slot: slot}
			continue
		}
		switch p.(type) {
		case string, int64, int:
		default:
			return nil, false
		}
		if isString && strings.Contains(ps, m.nonce) || fresh[i] != p {
			return nil, false
		}
		binds[i] = shapeBind{slot: -1, value: p}
	}
	for _, n := range used {
		if n != 1 {
			return nil, false
		}
	}
	return binds, true
}

// slot is the filter value number of the stand-in s, -1 if s is none.
func (m *shapes) slot(s string) int {
	rest, ok := strings.CutPrefix(s, "\x00"+m.nonce+"#")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// shapeReadTx is readTx for a read of a known shape: the kept statement,
// bound to the request's filter values. The shape passed every check
// before Prefer's, so Prefer's is the only one left.
func (s *Server) shapeReadTx(req *http.Request, r relationRequest) (*readPlan, *apierr.Error) {
	e, prefs := r.shape.entry, r.shape.prefs
	if aerr := prefs.StrictError(); aerr != nil {
		return nil, aerr
	}
	rp := s.readPlans.get()
	rp.prefs, rp.plan = prefs, &e.read
	vals := r.shape.buf.vals
	for _, b := range e.binds {
		if b.slot >= 0 {
			rp.args.Add(vals[b.slot])
		} else {
			rp.args.Add(b.value)
		}
	}
	rollback, _ := exec.End(s.cfg.DBTxEnd, prefs.Tx)
	rp.tx = exec.Tx{
		ReadOnly:  true,
		Rollback:  rollback,
		Isolation: s.role(r.ident.Role).Isolation,
		GUCs:      s.appendRequestGUCs(rp.gucs[:0], req, r.schema, r.ident.Role, r.ident.Claims, prefs.Timezone),
		Main:      e.sql,
		Args:      rp.args.Values(),
	}
	return rp, nil
}
