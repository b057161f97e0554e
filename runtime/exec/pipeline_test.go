package exec

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// TestStmtCacheEvict: a full cache deallocates its oldest statements, never
// one the request is about to run, and stays bounded.
func TestStmtCacheEvict(t *testing.T) {
	c := newStmtCache()
	for i := range stmtCacheSize {
		sql := fmt.Sprintf("SELECT %d", i)
		if c.get(sql) != nil {
			t.Fatalf("%s known before it was added", sql)
		}
		c.add(c.newStatement(sql))
	}
	oldestName := c.get("SELECT 0").name
	keep := []string{"SELECT 0", "SELECT new"}
	got := c.evict(keep)
	if len(got) != 2 || slices.Contains(got, oldestName) {
		t.Fatalf("evicted %v: want the two oldest statements but the kept SELECT 0 (%s)", got, oldestName)
	}
	if len(c.order)+len(keep) != stmtCacheSize {
		t.Errorf("cache holds %d statements, want room for %d more", len(c.order), len(keep))
	}
	if c.get("SELECT 0") == nil {
		t.Error("the kept statement was dropped")
	}
	if c.get("SELECT 1") != nil {
		t.Error("the oldest statement not kept is still cached")
	}
}

// TestStmtCacheByData: a statement is found by its text's storage and by
// its content; a shorter text sharing its storage (a prefix) is another
// statement, and an evicted one is found by neither.
func TestStmtCacheByData(t *testing.T) {
	c := newStmtCache()
	text := strings.Repeat("SELECT 1 UNION ALL ", 10) + "SELECT 2"
	st := c.newStatement(text)
	c.add(st)
	if c.get(text) != st {
		t.Error("not found by its own string")
	}
	if c.get(strings.Clone(text)) != st {
		t.Error("not found by an equal string stored elsewhere")
	}
	prefix := text[:len("SELECT 1 UNION")]
	if c.get(prefix) != nil {
		t.Errorf("a prefix sharing the text's storage found %q", c.get(prefix).sql)
	}
	other := c.newStatement(prefix)
	c.add(other)
	if c.get(prefix) != other || c.get(text) != st {
		t.Error("a text and its prefix, stored together, are not told apart")
	}
	for i := range stmtCacheSize {
		c.add(c.newStatement(fmt.Sprintf("SELECT %d", i)))
	}
	c.evict([]string{"SELECT new"})
	if c.get(text) != nil || c.get(prefix) != nil {
		t.Error("an evicted statement is still found")
	}
	if len(c.byData) != len(c.byText) {
		t.Errorf("%d statements by storage, %d by text", len(c.byData), len(c.byText))
	}
}

// TestStmtCacheNames: two connections never name a statement alike, so one
// run where the other's was prepared (a transaction-mode pooler) fails
// rather than runs the other's statement.
func TestStmtCacheNames(t *testing.T) {
	a, b := newStmtCache(), newStmtCache()
	na, nb := a.newStatement("SELECT 1").name, b.newStatement("SELECT 1").name
	if na == nb || !strings.HasPrefix(na, "pgrst_") || !strings.HasPrefix(nb, "pgrst_") {
		t.Errorf("statement names %q and %q: want distinct, starting with pgrst_", na, nb)
	}
	if next := a.newStatement("SELECT 2").name; next == na || !strings.HasPrefix(next, a.prefix) {
		t.Errorf("the connection's next statement is %q after %q", next, na)
	}
}

// textBytes is a bind value that marshals to its own bytes, as
// sqlgen.Text does.
type textBytes []byte

func (t textBytes) MarshalText() ([]byte, error) { return t, nil }

// TestEncode: strings are lent, not copied, and the empty string stays an
// empty value (a nil one would reach PostgreSQL as NULL); values are
// appended to what the buffer holds.
func TestEncode(t *testing.T) {
	body := textBytes(`{"a":1}`)
	out, vals, formats, err := encode([][]byte{[]byte("before")}, []any{"", "x", nil, int64(-7), []byte{1}, body})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 7 || string(out[0]) != "before" || len(vals) != 6 {
		t.Fatalf("buffer %q, values %q", out, vals)
	}
	if vals[0] == nil || len(vals[0]) != 0 {
		t.Errorf("empty string encoded as %#v, want an empty non-nil value", vals[0])
	}
	if string(vals[1]) != "x" || vals[2] != nil || string(vals[3]) != "-7" || !slices.Equal(vals[4], []byte{1}) {
		t.Errorf("values %q", vals)
	}
	// A text marshaler's bytes are its text, in text format, not copied.
	if &vals[5][0] != &body[0] {
		t.Errorf("text marshaler's value %q is a copy", vals[5])
	}
	if !slices.Equal(formats, []int16{0, 0, 0, 0, 1, 0}) {
		t.Errorf("formats %v", formats)
	}
	buf := make([][]byte, 0, 8)
	if n := testing.AllocsPerRun(100, func() { _, _, _, _ = encode(buf, []any{"", "some value"}) }); n != 0 {
		t.Errorf("%v allocations for two strings into a buffer with room, want none", n)
	}
	if _, _, _, err := encode(nil, []any{1.5}); err == nil {
		t.Error("a float64 bind value was accepted")
	}
}

// TestBeginSQL: the BEGIN of each isolation level, read-only or not, is
// the same text every time (so a connection finds it prepared), and spells
// the level.
func TestBeginSQL(t *testing.T) {
	for _, c := range []struct {
		iso      string
		readOnly bool
		want     string
	}{
		{"", false, "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE"},
		{"", true, "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY"},
		{"REPEATABLE READ", true, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"},
		{"SERIALIZABLE", false, "BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE"},
		{"READ UNCOMMITTED", false, "BEGIN ISOLATION LEVEL READ UNCOMMITTED READ WRITE"},
	} {
		got := beginSQL(c.iso, c.readOnly)
		if got != c.want {
			t.Errorf("beginSQL(%q, %v) = %q, want %q", c.iso, c.readOnly, got, c.want)
		}
		if again := beginSQL(c.iso, c.readOnly); unsafe.StringData(again) != unsafe.StringData(got) {
			t.Errorf("beginSQL(%q, %v) made a new string", c.iso, c.readOnly)
		}
	}
}
