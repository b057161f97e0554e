package auth

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// This file parses RFC 9535 JSONPath queries into segments; the role claim
// key is parsed once, at startup, so parse errors are config errors.

// segment is one child ([...], .name, .*) or descendant (..) segment.
type segment struct {
	descendant bool
	selectors  []selector
}

type selectorKind uint8

const (
	selectName selectorKind = iota
	selectWildcard
	selectIndex
	selectSlice
	selectFilter
)

// selector is one RFC 9535 selector.
type selector struct {
	kind  selectorKind
	name  string // selectName
	index int64  // selectIndex; the start of a selectSlice
	// Slice bounds; a missing start or end takes the RFC's default.
	end, step        int64
	hasStart, hasEnd bool
	filter           logicalExpr // selectFilter
}

// logicalExpr is a filter expression, tested on each child of the node
// the filter selector is applied to.
type logicalExpr interface {
	test(root, cur any) bool
}

type (
	orExpr  []logicalExpr
	andExpr []logicalExpr
	notExpr struct{ x logicalExpr }
	// existExpr is a test expression: true when the query selects a node.
	existExpr struct{ q filterQuery }
	// compareExpr compares two singular queries or literals.
	compareExpr struct {
		op          string
		left, right operand
	}
	// searchExpr is search(subject, pattern); re is the compiled pattern
	// when it is a string literal.
	searchExpr struct {
		subject, pattern operand
		re               *regexp.Regexp
	}
)

// filterQuery is a query inside a filter, from @ (the current node) or $.
type filterQuery struct {
	root bool
	segs []segment
}

// operand is a literal (string, json.Number, bool or nil) or a query.
type operand struct {
	query *filterQuery
	lit   any
}

// parseJSONPath parses "$" followed by segments and nothing else.
func parseJSONPath(s string) ([]segment, error) {
	p := &pathParser{s: s, pos: 1}
	segs, err := p.segments()
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		if strings.Trim(p.s[p.pos:], " \t\n\r") == "" {
			return nil, p.errorf("trailing blank space")
		}
		return nil, p.errorf("unexpected %q", p.peek())
	}
	return segs, nil
}

// segments parses *(S segment), stopping before any blank space that does
// not precede a segment.
func (p *pathParser) segments() ([]segment, error) {
	var segs []segment
	for {
		start := p.pos
		p.skipBlank()
		var (
			seg segment
			err error
		)
		switch {
		case p.consume("["):
			seg.selectors, err = p.bracketed()
		case p.consume(".."):
			seg.descendant = true
			switch {
			case p.consume("["):
				seg.selectors, err = p.bracketed()
			case p.consume("*"):
				seg.selectors = []selector{{kind: selectWildcard}}
			default:
				var name string
				if name, err = p.memberName(); err == nil {
					seg.selectors = []selector{{kind: selectName, name: name}}
				}
			}
		case p.consume("."):
			if p.consume("*") {
				seg.selectors = []selector{{kind: selectWildcard}}
				break
			}
			var name string
			if name, err = p.memberName(); err == nil {
				seg.selectors = []selector{{kind: selectName, name: name}}
			}
		default:
			p.pos = start
			return segs, nil
		}
		if err != nil {
			return nil, err
		}
		segs = append(segs, seg)
	}
}

// bracketed parses the selectors after "[" through "]".
func (p *pathParser) bracketed() ([]selector, error) {
	var sels []selector
	for {
		p.skipBlank()
		sel, err := p.selector()
		if err != nil {
			return nil, err
		}
		sels = append(sels, sel)
		p.skipBlank()
		switch {
		case p.consume("]"):
			return sels, nil
		case p.consume(","):
		default:
			return nil, p.errorf("expected ']'")
		}
	}
}

// selector parses a name, wildcard, index, slice or filter selector.
func (p *pathParser) selector() (selector, error) {
	switch c := p.peek(); {
	case c == '\'' || c == '"':
		name, err := p.stringLiteral(c)
		return selector{kind: selectName, name: name}, err
	case c == '*':
		p.pos++
		return selector{kind: selectWildcard}, nil
	case c == '?':
		p.pos++
		p.skipBlank()
		e, err := p.logicalOr()
		return selector{kind: selectFilter, filter: e}, err
	case c == '-' || c == ':' || isDigit(c):
		return p.indexOrSlice()
	}
	return selector{}, p.errorf("expected a selector (a quoted name, an index, a slice, * or ?filter) after '['")
}

// indexOrSlice parses "n" or "[start S] : S [end S] [: [S step]]".
func (p *pathParser) indexOrSlice() (selector, error) {
	sel := selector{kind: selectSlice, step: 1}
	if p.peek() != ':' {
		n, err := p.index()
		if err != nil {
			return sel, err
		}
		sel.index, sel.hasStart = n, true
		save := p.pos
		p.skipBlank()
		if p.peek() != ':' {
			p.pos = save
			return selector{kind: selectIndex, index: n}, nil
		}
	}
	p.pos++ // ':'
	p.skipBlank()
	if c := p.peek(); c == '-' || isDigit(c) {
		n, err := p.index()
		if err != nil {
			return sel, err
		}
		sel.end, sel.hasEnd = n, true
	}
	save := p.pos
	p.skipBlank()
	if !p.consume(":") {
		p.pos = save
		return sel, nil
	}
	save = p.pos
	p.skipBlank()
	if c := p.peek(); c == '-' || isDigit(c) {
		n, err := p.index()
		if err != nil {
			return sel, err
		}
		sel.step = n
	} else {
		p.pos = save
	}
	return sel, nil
}

// logicalOr parses logical-and-expr *(S "||" S logical-and-expr).
func (p *pathParser) logicalOr() (logicalExpr, error) {
	if p.depth++; p.depth > maxNesting {
		return nil, p.errorf("filters and parentheses nested more than %d deep", maxNesting)
	}
	defer func() { p.depth-- }()
	var terms orExpr
	for {
		t, err := p.logicalAnd()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
		save := p.pos
		p.skipBlank()
		if !p.consume("||") {
			p.pos = save
			break
		}
		p.skipBlank()
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return terms, nil
}

// logicalAnd parses basic-expr *(S "&&" S basic-expr).
func (p *pathParser) logicalAnd() (logicalExpr, error) {
	var terms andExpr
	for {
		t, err := p.basicExpr()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
		save := p.pos
		p.skipBlank()
		if !p.consume("&&") {
			p.pos = save
			break
		}
		p.skipBlank()
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return terms, nil
}

// basicExpr parses a parenthesized expression, a comparison or a test
// (a query that must select something, or a function).
func (p *pathParser) basicExpr() (logicalExpr, error) {
	if p.consume("!") {
		p.skipBlank()
		var (
			x   logicalExpr
			err error
		)
		switch c := p.peek(); {
		case c == '(':
			x, err = p.paren()
		case c == '@' || c == '$':
			var q filterQuery
			if q, err = p.filterQuery(); err == nil {
				x = existExpr{q}
			}
		case isLower(c):
			x, err = p.function()
		default:
			return nil, p.errorf("expected '(', a query or a function after '!'")
		}
		if err != nil {
			return nil, err
		}
		return notExpr{x}, nil
	}
	var left operand
	switch c := p.peek(); {
	case c == '(':
		return p.paren()
	case c == '@' || c == '$':
		q, err := p.filterQuery()
		if err != nil {
			return nil, err
		}
		save := p.pos
		p.skipBlank()
		if p.comparisonOp() == "" {
			p.pos = save
			return existExpr{q}, nil
		}
		p.pos = save
		if !q.singular() {
			return nil, p.errorf("only a singular query (names and indexes) can be compared")
		}
		left = operand{query: &q}
	case isLower(c) && !p.atKeyword():
		f, err := p.function()
		if err != nil {
			return nil, err
		}
		save := p.pos
		p.skipBlank()
		if p.comparisonOp() != "" {
			return nil, p.errorf("a function is a test and cannot be compared")
		}
		p.pos = save
		return f, nil
	default:
		var err error
		if left, err = p.comparable(); err != nil {
			return nil, err
		}
	}
	p.skipBlank()
	op := p.comparisonOp()
	if op == "" {
		return nil, p.errorf("expected a comparison operator (==, !=, <, <=, >, >=)")
	}
	p.skipBlank()
	right, err := p.comparable()
	if err != nil {
		return nil, err
	}
	return compareExpr{op: op, left: left, right: right}, nil
}

// paren parses "(" S logical-expr S ")".
func (p *pathParser) paren() (logicalExpr, error) {
	p.pos++ // '('
	p.skipBlank()
	e, err := p.logicalOr()
	if err != nil {
		return nil, err
	}
	p.skipBlank()
	if !p.consume(")") {
		return nil, p.errorf("expected ')'")
	}
	return e, nil
}

// comparisonOp consumes and returns a comparison operator, or "".
func (p *pathParser) comparisonOp() string {
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if p.consume(op) {
			return op
		}
	}
	return ""
}

// comparable parses a literal or a singular query (RFC 9535 has no
// value-returning function among the ones PostgREST offers).
func (p *pathParser) comparable() (operand, error) {
	if c := p.peek(); c == '@' || c == '$' {
		q, err := p.filterQuery()
		if err != nil {
			return operand{}, err
		}
		if !q.singular() {
			return operand{}, p.errorf("only a singular query (names and indexes) can be compared")
		}
		return operand{query: &q}, nil
	}
	lit, ok, err := p.literal()
	if err != nil {
		return operand{}, err
	}
	if !ok {
		save := p.pos
		for isFuncNameChar(p.peek()) {
			p.pos++
		}
		isCall := p.pos > save && p.peek() == '('
		p.pos = save
		if isCall {
			return operand{}, p.errorf("a function is a test and cannot be compared")
		}
		return operand{}, p.errorf("expected a literal or a singular query")
	}
	return operand{lit: lit}, nil
}

// literal parses a string, number, true, false or null; ok is false when
// the text does not start one.
func (p *pathParser) literal() (v any, ok bool, err error) {
	switch c := p.peek(); {
	case c == '\'' || c == '"':
		s, err := p.stringLiteral(c)
		return s, true, err
	case c == '-' || isDigit(c):
		n, err := p.number()
		return n, true, err
	}
	for _, kw := range []struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if p.atWord(kw.text) {
			p.pos += len(kw.text)
			return kw.v, true, nil
		}
	}
	return nil, false, nil
}

// atKeyword reports whether the text continues with true, false or null.
func (p *pathParser) atKeyword() bool {
	return p.atWord("true") || p.atWord("false") || p.atWord("null")
}

// atWord reports whether the text continues with w not followed by a
// function-name character.
func (p *pathParser) atWord(w string) bool {
	rest := p.s[p.pos:]
	if !strings.HasPrefix(rest, w) {
		return false
	}
	return len(rest) == len(w) || !isFuncNameChar(rest[len(w)])
}

// number parses an RFC 9535 number: (int / "-0") [frac] [exp].
func (p *pathParser) number() (json.Number, error) {
	start := p.pos
	p.consume("-")
	switch {
	case p.consume("0"):
		if isDigit(p.peek()) {
			return "", p.errorf("leading zero in number")
		}
	case isDigit(p.peek()):
		for isDigit(p.peek()) {
			p.pos++
		}
	default:
		return "", p.errorf("expected digits")
	}
	if p.consume(".") {
		if !isDigit(p.peek()) {
			return "", p.errorf("expected digits after '.'")
		}
		for isDigit(p.peek()) {
			p.pos++
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if !isDigit(p.peek()) {
			return "", p.errorf("expected digits in exponent")
		}
		for isDigit(p.peek()) {
			p.pos++
		}
	}
	return json.Number(p.s[start:p.pos]), nil
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

func isFuncNameChar(c byte) bool { return isLower(c) || isDigit(c) || c == '_' }

// function parses a function expression; search(subject, pattern) is the
// only function PostgREST offers.
func (p *pathParser) function() (logicalExpr, error) {
	start := p.pos
	for isFuncNameChar(p.peek()) {
		p.pos++
	}
	name := p.s[start:p.pos]
	if !p.consume("(") {
		p.pos = start
		return nil, p.errorf("expected a query, a literal or a function")
	}
	if name != "search" {
		p.pos = start
		return nil, p.errorf("unknown function %s(): only search() is available", name)
	}
	var args []operand
	for {
		p.skipBlank()
		if len(args) == 0 && p.consume(")") {
			break
		}
		arg, err := p.functionArg()
		if err != nil {
			return nil, err
		}
		args = append(args, arg)
		p.skipBlank()
		if p.consume(")") {
			break
		}
		if !p.consume(",") {
			return nil, p.errorf("expected ',' or ')'")
		}
	}
	if len(args) != 2 {
		p.pos = start
		return nil, p.errorf("search() takes 2 arguments, not %d", len(args))
	}
	e := searchExpr{subject: args[0], pattern: args[1]}
	if pat, ok := e.pattern.lit.(string); ok && e.pattern.query == nil {
		re, err := compileSearch(pat)
		if err != nil {
			return nil, fmt.Errorf("search() pattern %q: %w", pat, err)
		}
		e.re = re
	}
	return e, nil
}

// functionArg parses a search() argument: a literal or a query. A query
// gives a value only when it selects exactly one node.
func (p *pathParser) functionArg() (operand, error) {
	if c := p.peek(); c == '@' || c == '$' {
		q, err := p.filterQuery()
		return operand{query: &q}, err
	}
	lit, ok, err := p.literal()
	if err != nil {
		return operand{}, err
	}
	if !ok {
		return operand{}, p.errorf("a search() argument must be a literal or a query")
	}
	return operand{lit: lit}, nil
}

// compileSearch compiles a search() pattern. PostgREST's regex-tdfa is
// POSIX-style with multiline on (^ and $ match at line breaks); Go's RE2
// syntax agrees on the patterns role filters use, and (?m) keeps ^ and $.
func compileSearch(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile("(?m)" + pattern)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression: %w", err)
	}
	return re, nil
}

// filterQuery parses @ or $ followed by segments.
func (p *pathParser) filterQuery() (filterQuery, error) {
	q := filterQuery{root: p.peek() == '$'}
	p.pos++
	segs, err := p.segments()
	q.segs = segs
	return q, err
}

// singular reports whether q selects at most one node: only child
// segments with one name or index selector each.
func (q filterQuery) singular() bool {
	for _, s := range q.segs {
		if s.descendant || len(s.selectors) != 1 {
			return false
		}
		if k := s.selectors[0].kind; k != selectName && k != selectIndex {
			return false
		}
	}
	return true
}
