package sqlgen

import (
	"sync"

	"github.com/pgrestgen/pgrestgen/runtime/plan"
)

// Renderer renders statements into recycled buffers and hands out one
// string per distinct statement text. A request's text depends on its
// shape (which columns, filters, order, body keys), not on its values,
// which are bind parameters: the same few texts come back request after
// request, and allocating each again was, with its oversized buffer, a
// large share of a read's or a write's allocations. The zero value is
// ready to use; a nil *Renderer allocates every text (the package's
// functions use one).
type Renderer struct {
	bufs sync.Pool // of *buffer

	mu    sync.RWMutex
	texts map[string]string
	size  int // bytes of texts
}

// maxTextBytes bounds the interned texts: past it they are dropped and
// interning starts over, so clients varying their requests' shapes cost
// memory only up to here.
const maxTextBytes = 1 << 20

// Read is the package's Read, in a recycled buffer with an interned text,
// its bind values in a (which the caller may keep with the statement, as
// the runtime does in its recycled plans).
func (rd *Renderer) Read(a *Args, r *plan.Read) Statement {
	w := rd.buffer()
	st := read(w, a, r)
	st.SQL = rd.text(w)
	return st
}

// Mutate is the package's Mutate, in a recycled buffer with an interned
// text, its bind values in a, as Read.
func (rd *Renderer) Mutate(a *Args, m *plan.Mutate) (sql string, args []any) {
	w := rd.buffer()
	args = mutate(w, a, m)
	return rd.text(w), args
}

func (rd *Renderer) buffer() *buffer {
	if rd != nil {
		if w, _ := rd.bufs.Get().(*buffer); w != nil {
			return w
		}
	}
	return &buffer{}
}

// text is the string of w's bytes, the interned one when there is one, and
// gives w back for another statement.
func (rd *Renderer) text(w *buffer) string {
	if rd == nil {
		return string(w.b)
	}
	defer rd.release(w)
	rd.mu.RLock()
	s, ok := rd.texts[string(w.b)] // no allocation for the lookup
	rd.mu.RUnlock()
	if ok {
		return s
	}
	s = string(w.b)
	if len(s) > maxTextBytes/4 {
		return s // a huge statement is not kept, nor makes room
	}
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if rd.texts == nil || rd.size+len(s) > maxTextBytes {
		rd.texts, rd.size = make(map[string]string), 0
	}
	rd.texts[s] = s
	rd.size += len(s)
	return s
}

// maxBuffer is the largest buffer kept for another statement: a rare huge
// statement does not stay in memory.
const maxBuffer = 64 << 10

func (rd *Renderer) release(w *buffer) {
	if cap(w.b) > maxBuffer {
		return
	}
	w.b = w.b[:0]
	rd.bufs.Put(w)
}

// buffer is a statement being written, as a strings.Builder whose bytes
// outlive the text made of them.
type buffer struct {
	b []byte
}

func (w *buffer) WriteString(s string) { w.b = append(w.b, s...) }

// WriteByte never fails; the error is io.ByteWriter's.
func (w *buffer) WriteByte(c byte) error {
	w.b = append(w.b, c)
	return nil
}

// Grow makes room for n more bytes.
func (w *buffer) Grow(n int) {
	if cap(w.b)-len(w.b) < n {
		nb := make([]byte, len(w.b), len(w.b)+n)
		copy(nb, w.b)
		w.b = nb
	}
}
