package runtime

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/header"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// Requests of one shape render to one statement: only their values
// differ, and those are bind parameters. A GET's or HEAD's shape is its
// query string without its filter and argument values (query.AppendShape)
// with the method, schema, relation or function, Accept, Range and what
// of Prefer decides the plan; a POST's its query string, headers and its
// body's form and keys (findWrite). The first request of a shape is
// parsed, planned and rendered; if its statement is bound the same way for
// any values (learn checks it), the statement, where each value binds and
// what the response needs of the plan are kept, and later requests of the
// shape skip the parser, the planner and the renderer: they were a third
// of a page read's instructions and a quarter of its instruction-cache
// misses (docs/performance.md).

// shapes memoises what shapes render to; a nil *shapes keeps none (every
// request is parsed, planned and rendered). Its memory is bounded:
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
	// read is a read's or call's plan, write a POST's: what the response
	// needs of it (media, handler, warning, stream, resolution), without
	// the request's scopes, columns and body.
	read  plan.Read
	write plan.Mutate
	// inserted is a POST's Tx.Inserted.
	inserted bool
	sql      string
	// binds are the statement's bind values in placeholder order.
	binds []shapeBind
	// A call's Content-Type, the isolation level its function sets ("" for
	// the role's) and the settings hoisted from it.
	contentType string
	isolation   string
	hoisted     [][2]string
}

// shapeBind is a bind value: the request's value number slot (shapeBuf's
// value), a POST's body (bodySlot), or, for any other negative slot,
// value, which the shape fixes (a limit, an offset).
type shapeBind struct {
	slot  int
	value any
}

// bodySlot is shapeBind's slot of a POST's body.
const bodySlot = -2

// shapeBuf holds a request's shape key, its filter values and its
// arguments' values, or a POST's body; recycled.
type shapeBuf struct {
	key           []byte
	filters, args []string
	// write is a POST's, whose body is bound once.
	write bool
	body  []byte
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

// foundShape is a request's shape as found: the entry when the shape was
// seen, and the buffer with its key and values (a GET's and HEAD's with
// their preferences).
type foundShape struct {
	entry *shapeEntry
	buf   *shapeBuf
	prefs request.Preferences
}

// find looks up the shape of a read of name as id: the relation's, or the
// function's for a call. A read with no shape gets a zero foundShape; one
// not seen yet a nil entry and its buffer, for learn.
func (m *shapes) find(req *http.Request, id identity, name string, allowTx, call bool) foundShape {
	if m == nil {
		return foundShape{}
	}
	b, _ := m.bufs.Get().(*shapeBuf)
	if b == nil {
		b = &shapeBuf{}
	}
	key, filters, args, ok := query.AppendShape(b.key[:0], b.filters[:0], b.args[:0], req.URL.RawQuery, call)
	b.key, b.filters, b.args = key, filters, args
	if !ok {
		m.release(b)
		return foundShape{}
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
		key = query.AppendShapeField(key, f)
	}
	b.key = key
	m.mu.RLock()
	e := m.entries[string(key)] // no allocation for the lookup
	m.mu.RUnlock()
	return foundShape{entry: e, buf: b, prefs: prefs}
}

// findWrite looks up the shape of a POST on name: its query string as it
// is (a POST's has no values to take out), the headers that decide its
// plan, and its body's form and keys, whose values are the one bind value
// that differs.
func (m *shapes) findWrite(req *http.Request, schema, name string, p *request.Payload) foundShape {
	if m == nil {
		return foundShape{}
	}
	b, _ := m.bufs.Get().(*shapeBuf)
	if b == nil {
		b = &shapeBuf{}
	}
	key := append(b.key[:0], 'w')
	if p.Object {
		key = append(key, 'o')
	}
	fields := [...]string{schema, name, req.URL.RawQuery, header.Get(req.Header, header.Accept), header.Get(req.Header, header.ContentType)}
	for _, f := range fields {
		key = query.AppendShapeField(key, f)
	}
	for _, f := range header.Values(req.Header, header.Prefer) {
		key = query.AppendShapeField(append(key, 'p'), f)
	}
	for _, c := range p.Columns {
		key = query.AppendShapeField(append(key, 'c'), c)
	}
	b.key, b.write, b.body = key, true, p.JSON
	m.mu.RLock()
	e := m.entries[string(key)]
	m.mu.RUnlock()
	return foundShape{entry: e, buf: b}
}

// release gives a foundShape's buffer back; the zero foundShape has none.
func (m *shapes) release(b *shapeBuf) {
	if m == nil || b == nil {
		return
	}
	clear(b.filters)
	clear(b.args)
	b.key, b.filters, b.args, b.write, b.body = b.key[:0], b.filters[:0], b.args[:0], false, nil
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

// learn keeps e, the shape of a request whose query is q and whose
// statement main has the bind values fresh, if its statement is bound the
// same way for any values: with stand-ins for q's values (and render's
// own for a POST's body), render plans and renders the request again, and
// the shape keeps its statement only if that is the same text, with each
// stand-in bound once, where fresh has its value, and every other value
// the same. render's ok false, or probe false, keeps the shape without a
// statement.
func (s *Server) learn(buf *shapeBuf, q *query.Request, e *shapeEntry, probe bool, main string, fresh []any,
	render func() (sql string, args []any, ok bool)) {
	m := s.shapes
	var where []query.Condition
	var args []query.Arg
	if q != nil {
		where, args = q.Where, q.Args
	}
	if probe && len(where) == len(buf.filters) && len(args) == len(buf.args) && fromValues(where, args, buf) {
		for i := range where {
			where[i].Filter.Value = m.standIn(i)
		}
		for i := range args {
			args[i].Value = m.standIn(len(where) + i)
		}
		sql, probed, ok := render()
		for i := range where {
			where[i].Filter.Value = buf.filters[i]
		}
		for i := range args {
			args[i].Value = buf.args[i]
		}
		if ok && sql == main {
			if binds, ok := m.binds(fresh, probed, buf); ok {
				e.sql, e.binds = sql, binds
			}
		}
	}
	m.put(buf.key, e)
}

// renderRead is learn's render of a read or call: replan, rendered, must
// answer as p.
func (s *Server) renderRead(p *plan.Read, replan func() (*plan.Read, plan.Lease, *apierr.Error)) func() (string, []any, bool) {
	return func() (string, []any, bool) {
		probed, lease, aerr := replan()
		if aerr != nil {
			return "", nil, false
		}
		defer s.plans.Release(lease)
		var a sqlgen.Args
		st := s.sql.Read(&a, probed)
		return st.SQL, st.Args, st.Explain == "" && sameResponse(probed, p)
	}
}

// readEntry is the entry of a read or call planned as p: p without its
// scope and call.
func readEntry(e *shapeEntry, p *plan.Read) *shapeEntry {
	e.read = *p
	e.read.Scope, e.read.Call = nil, nil
	return e
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

// renderWrite is learn's render of a POST planned as mp: replan, with a
// stand-in for the body, rendered, must answer as mp.
func (s *Server) renderWrite(mp *plan.Mutate, replan func(*request.Payload) (*plan.Mutate, plan.Lease, *apierr.Error)) func() (string, []any, bool) {
	return func() (string, []any, bool) {
		probe := *mp.Payload
		probe.JSON = []byte(s.shapes.bodyStandIn())
		probed, lease, aerr := replan(&probe)
		if aerr != nil {
			return "", nil, false
		}
		defer s.plans.Release(lease)
		var a sqlgen.Args
		sql, args := s.sql.Mutate(&a, probed)
		return sql, args, sameWrite(probed, mp)
	}
}

// writeEntry is the entry of a POST planned as mp: what its response
// needs of the plan.
func writeEntry(mp *plan.Mutate) *shapeEntry {
	return &shapeEntry{inserted: mp.Counts(), write: plan.Mutate{MutateTarget: plan.MutateTarget{Resolution: mp.Resolution},
		Warning: mp.Warning, Media: mp.Media, Handler: mp.Handler}}
}

// sameWrite reports whether two plans of a POST answer alike.
func sameWrite(a, b *plan.Mutate) bool {
	return a.Counts() == b.Counts() && a.Resolution == b.Resolution && a.Warning == b.Warning && a.Media == b.Media &&
		a.Handler == b.Handler && a.Return == b.Return
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
	bodies := 0
	binds := make([]shapeBind, len(probe))
	for i, p := range probe {
		if t, ok := p.(sqlgen.Text); ok {
			// Only a POST's body is a Text, and it is bound as it is.
			if ft, ok := fresh[i].(sqlgen.Text); !ok || string(t) != m.bodyStandIn() || !bytes.Equal(ft, buf.body) {
				return nil, false
			}
			bodies++
			binds[i] = shapeBind{slot: bodySlot}
			continue
		}
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
	if bodies != 0 && (bodies != 1 || !buf.write) || bodies == 0 && buf.write {
		return nil, false
	}
	return binds, true
}

// bodyStandIn is the stand-in of a POST's body: not JSON, so that no
// client sends it.
func (m *shapes) bodyStandIn() string {
	return "\x00" + m.nonce + "#body"
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
		switch {
		case b.slot >= 0:
			a.Add(buf.value(b.slot))
		case b.slot == bodySlot:
			a.Add(sqlgen.Text(buf.body))
		default:
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
	s.setReadTx(req, r, rp, e.sql, rp.args.Values())
	return rp, nil
}
