package query

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAppendShape: which query strings have a shape, the values taken out
// of them, and that what decides a read's plan keeps shapes apart.
func TestAppendShape(t *testing.T) {
	for _, c := range []struct {
		raw  string
		ok   bool
		vals []string
	}{
		{"", true, nil},
		{"select=id,name&id=eq.1&name=not.like.*a%2Ab*&order=id.desc&limit=2&offset=4", true, []string{"1", "%a%b%"}},
		{"items.order=id&items.limit=1&select=*,items(*)&price=lt.50+1", true, []string{"50 1"}},
		{"id=eq.&id=neq.eq.x;a=gte.1", true, []string{"", "eq.x", "1"}},
		{"id=is.null", false, nil},
		{"id=in.(1,2)", false, nil},
		{"id=eq(any).{1,2}", false, nil},
		{"or=(id.eq.1)", false, nil},
		{"items.id=eq.1", false, nil},
		{"data->>a=eq.1", false, nil},
		{"id=1", false, nil},
		{"id", false, nil},
		{"columns=a", false, nil},
	} {
		key, vals, _, ok := AppendShape(nil, nil, nil, c.raw, false)
		if ok != c.ok || ok && !cmp.Equal(vals, c.vals) {
			t.Errorf("%q: ok %v, values %q; want %v, %q", c.raw, ok, vals, c.ok, c.vals)
		}
		if ok && len(key) == 0 && c.raw != "" {
			t.Errorf("%q: empty key", c.raw)
		}
	}
	// A call's arguments: a value that cannot start an operator.
	for _, c := range []struct {
		raw           string
		ok            bool
		filters, args []string
	}{
		{"a=1&b=&c=2024-01-01&id=eq.3", true, []string{"3"}, []string{"1", "", "2024-01-01"}},
		{"name=Ada+Lovelace&select=id", true, nil, []string{"Ada Lovelace"}},
		{"a=eq.1", true, []string{"1"}, nil},
		{"a=not.x", false, nil, nil},
		{"a=in.(1)", false, nil, nil},
	} {
		_, filters, args, ok := AppendShape(nil, nil, nil, c.raw, true)
		if ok != c.ok || ok && (!cmp.Equal(filters, c.filters) || !cmp.Equal(args, c.args)) {
			t.Errorf("call %q: ok %v, filters %q, args %q; want %v, %q, %q", c.raw, ok, filters, args, c.ok, c.filters, c.args)
		}
	}
	if k1, _, _, _ := AppendShape(nil, nil, nil, "a=1", true); string(k1) == func() string {
		k2, _, _, _ := AppendShape(nil, nil, nil, "a=eq.1", true)
		return string(k2)
	}() {
		t.Error("an argument and a filter: one shape")
	}
	// Each pair differs in something a read's plan depends on.
	for _, pair := range [][2]string{
		{"id=eq.1", "id=neq.1"},
		{"id=eq.1", "id=not.eq.1"},
		{"id=eq.1", "name=eq.1"},
		{"a=eq.1&b=eq.2", "b=eq.1&a=eq.2"},
		{"select=a", "select=b"},
		{"select", "select="},
		{"limit=1", "limit=2"},
		{"order=a", "order=a.desc"},
		{"id=eq.1&limit=1", "limit=1&id=eq.1"},
		{"select=a&limit=1", "select=a%26limit%3D1"},
	} {
		k1, _, _, ok1 := AppendShape(nil, nil, nil, pair[0], false)
		k2, _, _, ok2 := AppendShape(nil, nil, nil, pair[1], false)
		if !ok1 || !ok2 || string(k1) == string(k2) {
			t.Errorf("%q and %q: one shape (ok %v, %v)", pair[0], pair[1], ok1, ok2)
		}
	}
	// Each pair differs only in filter values.
	for _, pair := range [][2]string{
		{"id=eq.1&select=a", "id=eq.%32%33&select=a"},
		{"name=like.a*", "name=like.b"},
		{"id=eq.1;x=lt.2", "id=eq.3&x=lt.4"},
	} {
		k1, _, _, _ := AppendShape(nil, nil, nil, pair[0], false)
		k2, _, _, _ := AppendShape(nil, nil, nil, pair[1], false)
		if string(k1) != string(k2) {
			t.Errorf("%q and %q: two shapes", pair[0], pair[1])
		}
	}
}
