package auth

import (
	"cmp"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// This file evaluates parsed JSONPath queries on decoded claims. Nodes are
// produced one at a time through yield, so the role lookup stops at the
// first match and a filter's existence test at the first node.

// selectNodes calls yield with each node segs selects from cur, in order,
// until yield returns false; it reports whether it ran to the end.
func selectNodes(root, cur any, segs []segment, yield func(any) bool) bool {
	if len(segs) == 0 {
		return yield(cur)
	}
	seg, rest := segs[0], segs[1:]
	next := func(n any) bool { return selectNodes(root, n, rest, yield) }
	if seg.descendant {
		return descendants(cur, func(d any) bool { return applySelectors(root, d, seg.selectors, next) })
	}
	return applySelectors(root, cur, seg.selectors, next)
}

func applySelectors(root, node any, sels []selector, yield func(any) bool) bool {
	for i := range sels {
		if !sels[i].apply(root, node, yield) {
			return false
		}
	}
	return true
}

// apply yields the nodes s selects from node.
func (s *selector) apply(root, node any, yield func(any) bool) bool {
	switch s.kind {
	case selectName:
		if obj, ok := node.(map[string]any); ok {
			if v, ok := obj[s.name]; ok {
				return yield(v)
			}
		}
	case selectWildcard:
		return children(node, yield)
	case selectIndex:
		if arr, ok := node.([]any); ok {
			i, n := s.index, int64(len(arr))
			if i < 0 {
				i += n
			}
			if i >= 0 && i < n {
				return yield(arr[i])
			}
		}
	case selectSlice:
		if arr, ok := node.([]any); ok {
			return s.slice(arr, yield)
		}
	case selectFilter:
		return children(node, func(c any) bool {
			if s.filter.test(root, c) {
				return yield(c)
			}
			return true
		})
	}
	return true
}

// slice yields arr[start:end:step] with RFC 9535's normalization and bounds.
func (s *selector) slice(arr []any, yield func(any) bool) bool {
	n := int64(len(arr))
	norm := func(i int64) int64 {
		if i < 0 {
			return n + i
		}
		return i
	}
	switch {
	case s.step > 0:
		start, end := int64(0), n
		if s.hasStart {
			start = norm(s.index)
		}
		if s.hasEnd {
			end = norm(s.end)
		}
		lower, upper := min(max(start, 0), n), min(max(end, 0), n)
		for i := lower; i < upper; i += s.step {
			if !yield(arr[i]) {
				return false
			}
		}
	case s.step < 0:
		start, end := n-1, -n-1
		if s.hasStart {
			start = norm(s.index)
		}
		if s.hasEnd {
			end = norm(s.end)
		}
		upper, lower := min(max(start, -1), n-1), min(max(end, -1), n-1)
		for i := upper; lower < i; i += s.step {
			if !yield(arr[i]) {
				return false
			}
		}
	}
	return true
}

// children yields an array's elements in order and an object's member
// values in key order (aeson's maps are ordered, so PostgREST's first match
// among object members is the one with the smallest key).
func children(node any, yield func(any) bool) bool {
	switch n := node.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(n)) {
			if !yield(n[k]) {
				return false
			}
		}
	case []any:
		for _, c := range n {
			if !yield(c) {
				return false
			}
		}
	}
	return true
}

// descendants yields node and then, depth first, every array and object
// below it: the nodes a descendant segment applies its selectors to.
func descendants(node any, yield func(any) bool) bool {
	if !yield(node) {
		return false
	}
	return children(node, func(c any) bool {
		switch c.(type) {
		case map[string]any, []any:
			return descendants(c, yield)
		}
		return true
	})
}

func (e orExpr) test(root, cur any) bool {
	for _, x := range e {
		if x.test(root, cur) {
			return true
		}
	}
	return false
}

func (e andExpr) test(root, cur any) bool {
	for _, x := range e {
		if !x.test(root, cur) {
			return false
		}
	}
	return true
}

func (e notExpr) test(root, cur any) bool { return !e.x.test(root, cur) }

func (e existExpr) test(root, cur any) bool {
	return !selectNodes(root, e.q.start(root, cur), e.q.segs, func(any) bool { return false })
}

func (q filterQuery) start(root, cur any) any {
	if q.root {
		return root
	}
	return cur
}

// value is the operand's value; ok is false for a query that does not
// select exactly one node (RFC 9535's "Nothing").
func (o operand) value(root, cur any) (v any, ok bool) {
	if o.query == nil {
		return o.lit, true
	}
	n := 0
	selectNodes(root, o.query.start(root, cur), o.query.segs, func(node any) bool {
		v, n = node, n+1
		return n < 2
	})
	if n != 1 {
		return nil, false
	}
	return v, true
}

func (e compareExpr) test(root, cur any) bool {
	l, lok := e.left.value(root, cur)
	r, rok := e.right.value(root, cur)
	eq := func() bool { return lok == rok && (!lok || jsonEqual(l, r)) }
	switch e.op {
	case "==":
		return eq()
	case "!=":
		return !eq()
	case "<":
		return lok && rok && jsonLess(l, r)
	case "<=":
		return lok && rok && jsonLess(l, r) || eq()
	case ">":
		return lok && rok && jsonLess(r, l)
	case ">=":
		return lok && rok && jsonLess(r, l) || eq()
	}
	return false
}

func (e searchExpr) test(root, cur any) bool {
	v, ok := e.subject.value(root, cur)
	s, isString := v.(string)
	if !ok || !isString {
		return false
	}
	re := e.re
	if re == nil {
		pv, ok := e.pattern.value(root, cur)
		pattern, isString := pv.(string)
		if !ok || !isString {
			return false
		}
		var err error
		if re, err = compileSearch(pattern); err != nil {
			return false
		}
	}
	return re.MatchString(s)
}

// jsonEqual compares JSON values, numbers by value (1 == 1.0 == 1e0).
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	c, ok := compareNumbers(a, b)
	return ok && c == 0
}

// jsonLess orders two numbers or two strings (by code point); other pairs
// are not ordered.
func jsonLess(a, b any) bool {
	if x, ok := a.(string); ok {
		y, ok := b.(string)
		return ok && x < y
	}
	c, ok := compareNumbers(a, b)
	return ok && c < 0
}

// compareNumbers compares two JSON numbers exactly; ok is false unless both
// are numbers.
func compareNumbers(a, b any) (int, bool) {
	x, ok := toDecimal(a)
	if !ok {
		return 0, false
	}
	y, ok := toDecimal(b)
	if !ok {
		return 0, false
	}
	return x.cmp(y), true
}

func toDecimal(v any) (decimal, bool) {
	switch n := v.(type) {
	case json.Number:
		return parseDecimal(string(n))
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return decimal{}, false
		}
		return parseDecimal(strconv.FormatFloat(n, 'g', -1, 64))
	case int:
		return parseDecimal(strconv.Itoa(n))
	case int64:
		return parseDecimal(strconv.FormatInt(n, 10))
	}
	return decimal{}, false
}

// decimal is an exact JSON number, 0.digits × 10^exp, compared without
// converting to float64 (which would equate distinct large integers) and
// without big arithmetic (which a huge exponent in a token could slow).
type decimal struct {
	neg    bool
	digits string // no leading or trailing zeros; "" is zero
	exp    int64
}

// maxExp clamps exponents: beyond it only absurd numbers differ, and
// PostgREST's Scientific stores the exponent in an Int as well.
const maxExp = 1 << 60

// parseDecimal reads JSON number syntax.
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && s[i] == '-' {
		d.neg = true
		i++
	}
	digitsFrom := func() string {
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return s[start:i]
	}
	intPart := digitsFrom()
	if intPart == "" {
		return decimal{}, false
	}
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		if frac = digitsFrom(); frac == "" {
			return decimal{}, false
		}
	}
	var exp int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		negExp := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			negExp = s[i] == '-'
			i++
		}
		expDigits := digitsFrom()
		if expDigits == "" {
			return decimal{}, false
		}
		e := strings.TrimLeft(expDigits, "0")
		if len(e) > 18 {
			exp = maxExp
		} else if e != "" {
			exp, _ = strconv.ParseInt(e, 10, 64)
			exp = min(exp, maxExp)
		}
		if negExp {
			exp = -exp
		}
	}
	if i != len(s) {
		return decimal{}, false
	}
	all := intPart + frac
	trimmed := strings.TrimLeft(all, "0")
	point := int64(len(intPart)) - int64(len(all)-len(trimmed))
	d.digits = strings.TrimRight(trimmed, "0")
	if d.digits == "" {
		return decimal{}, true // zero, whatever its sign
	}
	d.exp = point + exp
	return d, true
}

func (d decimal) sign() int {
	switch {
	case d.digits == "":
		return 0
	case d.neg:
		return -1
	}
	return 1
}

func (d decimal) cmp(e decimal) int {
	if c := cmp.Compare(d.sign(), e.sign()); c != 0 || d.sign() == 0 {
		return c
	}
	c := cmp.Compare(d.exp, e.exp)
	if c == 0 {
		c = strings.Compare(d.digits, e.digits)
	}
	if d.neg {
		return -c
	}
	return c
}
