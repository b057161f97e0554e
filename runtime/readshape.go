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
	// rel is the relation read, fn the function called (GET or HEAD on
	// /rpc/): one of both.
	rel *Relation
	fn  *Function
	rng request.Range
	// read is the plan's response part (media, handler, warning, stream);
	// it has no scope.
	read plan.Read
	sql  string
	// binds are the statement's bind values in placeholder order.
	binds []shapeBind
	// A call's Content-Type, the isolation level its function sets ("" for
	// the role's) and the settings hoisted from it.
	contentType string
	isolation   string
	hoisted     [][2]string
}

// shapeBind is a bind value: the request's value number slot (shapeBuf's
// value), or, when slot is negative, value, which the shape fixes (a
// limit, an offset).
type shapeBind struct {
	slot  int
	value any
}

// shapeBuf holds a request's shape key, its filter values and its
// arguments' values; recycled.
type shapeBuf struct {
	key           []byte
	filters, args []string
}

// value is the request's value number slot: its filters', then its
// arguments'.
func (b *shapeBuf) value(slot int) string {
	if slot < len(b.filters) {
		return b.filters[slot]
	}
	return b.args[slot-len(b.filters)]
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

// find looks up the shape of a read of name as id: the relation's, or the
// function's for a call. A read with no shape gets a zero shapeRead; one
// not seen yet a nil entry and its buffer, for learn.
func (m *shapes) find(req *http.Request, id identity, name string, allowTx, call bool) shapeRead {
	if m == nil {
		return shapeRead{}
	}
	b, _ := m.bufs.Get().(*shapeBuf)
	if b == nil {
		b = &shapeBuf{}
	}
	key, filters, args, ok := query.AppendShape(b.key[:0], b.filters[:0], b.args[:0], req.URL.RawQuery, call)
	b.key, b.filters, b.args = key, filters, args
	if !ok {
		m.release(b)
		return shapeRead{}
	}
	prefs := request.ParsePrefer(req.Header, allowTx)
	kind := byte('r')
	if call {
		kind = 'c'
	}
	strictMax := byte('-')
	if prefs.Handling == "strict" && prefs.MaxAffected != nil {
		strictMax = 's'
	}
	key = append(key, kind, req.Method[0], strictMax)
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
	clear(b.filters)
	clear(b.args)
	b.key, b.filters, b.args = b.key[:0], b.filters[:0], b.args[:0]
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

// learn keeps e, the shape of a read whose query q was planned as p and
// rendered to main with the bind values fresh, if its statement is bound
// the same way for any values: replan plans q again, with stand-ins for
// the values, and the shape keeps its statement only if that renders the
// same text, with each stand-in bound once, where fresh has its value,
// and every other value the same. probe false keeps the shape without a
// statement at once.
func (s *Server) learn(buf *shapeBuf, q *query.Request, e *shapeEntry, probe bool, p *plan.Read, main string, fresh []any,
	replan func() (*plan.Read, plan.Lease, *apierr.Error)) {
	m := s.shapes
	e.read = *p
	e.read.Scope, e.read.Call = nil, nil
	where, args := q.Where, q.Args
	if probe && len(where) == len(buf.filters) && len(args) == len(buf.args) && fromValues(where, args, buf) {
		for i := range where {
			where[i].Filter.Value = m.standIn(i)
		}
		for i := range args {
			args[i].Value = m.standIn(len(where) + i)
		}
		probed, lease, aerr := replan()
		for i := range where {
			where[i].Filter.Value = buf.filters[i]
		}
		for i := range args {
			args[i].Value = buf.args[i]
		}
		if aerr == nil {
			var a sqlgen.Args
			st := s.sql.Read(&a, probed)
			if st.SQL == main && st.Explain == "" && sameResponse(probed, p) {
				if binds, ok := m.binds(fresh, st.Args, buf); ok {
					e.sql, e.binds = st.SQL, binds
				}
			}
			s.plans.Release(lease)
		}
	}
	m.put(buf.key, e)
}

// fromValues reports whether the conditions are one filter per filter
// value of buf, and the arguments one per argument value, each reading
// its value.
func fromValues(where []query.Condition, args []query.Arg, buf *shapeBuf) bool {
	for i, c := range where {
		if c.Filter == nil || c.Filter.Value != buf.filters[i] {
			return false
		}
	}
	for i, a := range args {
		if a.Value != buf.args[i] {
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
// buf's values (fresh) and with stand-ins (probe): each stand-in
// must be bound once, where fresh has its value, and every other value be
// the same in both and a string or integer (what the shape fixes: limits,
// offsets, JSON keys).
func (m *shapes) binds(fresh, probe []any, buf *shapeBuf) ([]shapeBind, bool) {
	if len(fresh) != len(probe) {
		return nil, false
	}
	used := make([]int, len(buf.filters)+len(buf.args))
	binds := make([]shapeBind, len(probe))
	for i, p := range probe {
		ps, isString := p.(string)
		if slot := m.slot(ps); isString && slot >= 0 {
			if fs, ok := fresh[i].(string); !ok || slot >= len(used) || fs != buf.value(slot) {
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

// bind adds the bind values of e, with the request's values in buf, to a.
func (e *shapeEntry) bind(a *sqlgen.Args, buf *shapeBuf) {
	for _, b := range e.binds {
		if b.slot >= 0 {
			a.Add(buf.value(b.slot))
		} else {
			a.Add(b.value)
		}
	}
}

// shapeReadTx is readTx for a read of a known shape: the kept statement,
// bound to the request's values. The shape passed every check before
// Prefer's, so Prefer's is the only one left.
func (s *Server) shapeReadTx(req *http.Request, r relationRequest) (*readPlan, *apierr.Error) {
	e, prefs := r.shape.entry, r.shape.prefs
	if aerr := prefs.StrictError(); aerr != nil {
		return nil, aerr
	}
	rp := s.readPlans.get()
	rp.prefs, rp.plan = prefs, &e.read
	e.bind(&rp.args, r.shape.buf)
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
