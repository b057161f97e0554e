package query

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// param is one key=value of the query string. hasValue is false for a bare
// key ("?a"), which PostgREST ignores except for select.
type param struct {
	key, value string
	hasValue   bool
	kind       kind // set by parseParams
}

// Parse parses a read's query params. url.Values has lost the query order,
// so conditions and embed params come out ordered by key (then by value
// order); use ParseRaw to keep the query order. The error is always an
// *apierr.Error.
func Parse(q url.Values) (*Request, error) {
	return parseParams(sortedParams(q), false, Options{}, true)
}

// sortedParams lists q's params by key, then in value order.
func sortedParams(q url.Values) []param {
	n := 0
	for _, vs := range q {
		n += len(vs)
	}
	ps := make([]param, 0, n)
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[k] {
			ps = append(ps, param{key: k, value: v, hasValue: true})
		}
	}
	return ps
}

// Options are the settings that change what a query may ask.
type Options struct {
	// Aggregates allows aggregate functions in select
	// (db-aggregates-enabled); without it they are PGRST123.
	Aggregates bool
}

// ParseRaw parses a raw query string (with or without its leading "?") the
// way PostgREST splits it (see Split). It keeps the query order.
func ParseRaw(raw string) (*Request, error) {
	return parseParams(split(raw), false, Options{}, true)
}

// ParseRawWith is ParseRaw with options.
func ParseRawWith(raw string, o Options) (*Request, error) {
	return parseParams(split(raw), false, o, true)
}

// ParseCall parses the query string of a GET or HEAD function call: a
// param whose value does not start like an operator (a=1, but not a=eq.1)
// is an argument of the call (Request.Args) instead of a filter on its
// result, as PostgREST decides.
func ParseCall(raw string) (*Request, error) {
	return parseParams(split(raw), true, Options{}, true)
}

// ParseCallWith is ParseCall with options.
func ParseCallWith(raw string, o Options) (*Request, error) {
	return parseParams(split(raw), true, o, true)
}

// Param is one key=value of a query string, decoded. HasValue is false for
// a bare key ("?a").
type Param struct {
	Key, Value string
	HasValue   bool
}

// Split splits a raw query string as PostgREST's server does: on "&" and
// ";", "+" as space, lenient percent-decoding, in query order. Other
// readers of the query string (columns=, on_conflict=, Content-Location)
// use it so every part of the server splits alike.
func Split(raw string) []Param {
	return AppendSplit(make([]Param, 0, count(raw)), raw)
}

// AppendSplit is Split appending to dst, for callers that bring a buffer.
func AppendSplit(dst []Param, raw string) []Param {
	eachParam(raw, func(k, v string, has bool) { dst = append(dst, Param{Key: k, Value: v, HasValue: has}) })
	return dst
}

func split(raw string) []param {
	return appendSplit(nil, raw)
}

// appendSplit is split appending to ps, grown once to fit.
func appendSplit(ps []param, raw string) []param {
	ps = slices.Grow(ps, count(raw))
	eachParam(raw, func(k, v string, has bool) { ps = append(ps, param{key: k, value: v, hasValue: has}) })
	return ps
}

// count is the number of params of raw, at most.
func count(raw string) int {
	n := 1 + strings.Count(raw, "&")
	if strings.IndexByte(raw, ';') >= 0 {
		n += strings.Count(raw, ";")
	}
	return n
}

// eachParam calls fn with each decoded key=value of raw, in query order.
func eachParam(raw string, fn func(key, value string, hasValue bool)) {
	raw = strings.TrimPrefix(raw, "?")
	// Most query strings have nothing to decode and no ";": two scans of
	// the whole string (vectorised, as are the IndexByte below) spare a
	// byte loop per param and per key and value.
	plain := strings.IndexByte(raw, '%') < 0 && strings.IndexByte(raw, '+') < 0
	semicolons := strings.IndexByte(raw, ';') >= 0
	for raw != "" {
		piece := raw
		raw = ""
		var i int
		if semicolons {
			i = separator(piece)
		} else {
			i = strings.IndexByte(piece, '&')
		}
		if i >= 0 {
			piece, raw = piece[:i], piece[i+1:]
		}
		k, v, has := strings.Cut(piece, "=")
		if !plain {
			k, v = urlDecode(k), urlDecode(v)
		}
		fn(k, v, has)
	}
}

// separator is the index of the first "&" or ";" in s, -1 if none.
func separator(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '&' || s[i] == ';' {
			return i
		}
	}
	return -1
}

// Unescape decodes a form or query component as Split does ("+" as space,
// a "%" without two hex digits kept).
func Unescape(s string) string { return urlDecode(s) }

// urlDecode is http-types' urlDecode with "+" as space: a "%" not followed
// by two hex digits stays as it is.
func urlDecode(s string) string {
	// A byte loop: strings.ContainsAny, for two bytes, was most of the
	// decoding's cost for the common values that have nothing to decode.
	i := 0
	for i < len(s) && s[i] != '+' && s[i] != '%' {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, i, len(s))
	copy(b, s[:i])
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(n))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// kind is what a param is for, decided as PostgREST does: by the exact key
// for select and the write params, else by the key's last dot segment.
type kind uint8

const (
	kindIgnored kind = iota
	kindSelect
	kindOrder
	kindLimit
	kindOffset
	kindLogic
	kindFilter
)

func classify(p param) kind {
	switch p.key {
	case "select":
		return kindSelect
	case "columns", "on_conflict":
		return kindIgnored // handled with writes
	}
	if !p.hasValue {
		return kindIgnored
	}
	switch p.key[strings.LastIndexByte(p.key, '.')+1:] {
	case "order":
		return kindOrder
	case "limit":
		return kindLimit
	case "offset":
		return kindOffset
	case "and", "or":
		return kindLogic
	}
	return kindFilter
}

// parser assembles a Request; the index of each param keeps query order
// for conditions and embed params, whatever order the checks run in.
type parser struct {
	ps  []param
	req Request
	// conds and embeds hold the condition or embed param of each param, by
	// param index (nil until the first one).
	conds  []Condition
	embeds []EmbedParam
	// aggregate and bigIndex are semantic errors found while parsing,
	// reported after every syntax error as PostgREST reports them later.
	aggregate bool
	bigIndex  string
	// st is the state of the current syntax call, reused by the next one.
	st pstate
	// call reads operator-less filters as function arguments (ParseCall).
	call bool
	opts Options
	// fast tries the fast path (fast.go) before the full grammar; only
	// tests turn it off, to compare the two.
	fast bool
	// reuse takes the select items, filters and conditions from bufs: the
	// parser is recycled (Parsers).
	reuse bool
	bufs  buffers
}

func parseParams(ps []param, call bool, o Options, fast bool) (*Request, error) {
	p := &parser{ps: ps}
	return p.parse(call, o, fast)
}

// parse parses p.ps.
func (p *parser) parse(call bool, o Options, fast bool) (*Request, error) {
	p.call, p.opts, p.fast = call, o, fast
	for i, prm := range p.ps {
		p.ps[i].kind = classify(prm)
	}
	// PostgREST's order of checks decides which error a client sees first.
	for _, step := range []func() *apierr.Error{
		p.orders, p.logics, p.selects, p.filters, p.topRanges, p.embedRanges, p.semantic,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	p.req.Where = compact(p.conds, func(c Condition) bool { return c.Filter != nil || c.Logic != nil })
	p.req.EmbedParams = compact(p.embeds, func(e EmbedParam) bool { return e.Kind != "" })
	return &p.req, nil
}

// compact keeps the set entries of byParam, in order, in place; nil if none.
func compact[T any](byParam []T, set func(T) bool) []T {
	n := 0
	for _, v := range byParam {
		if set(v) {
			byParam[n] = v
			n++
		}
	}
	if n == 0 {
		return nil
	}
	clear(byParam[n:])
	return byParam[:n:n]
}

// cond records the condition of param i.
func (p *parser) cond(i int, c Condition) {
	if p.conds == nil {
		p.conds = take(p.reuse, &p.bufs.conds, len(p.ps), len(p.ps))
	}
	p.conds[i] = c
}

// each runs f on the params of kind k, in query order, up to an error.
func (p *parser) each(k kind, f func(i int, prm param) *apierr.Error) *apierr.Error {
	for i, prm := range p.ps {
		if prm.kind != k {
			continue
		}
		if err := f(i, prm); err != nil {
			return err
		}
	}
	return nil
}

// run parses src with g, turning a failure into PostgREST's PGRST100 (see
// syntax). Semantic findings are kept for later.
func (p *parser) run(src, what, arg string, g func(s *pstate) bool) *apierr.Error {
	s, err := p.syntax(src, what, arg, g)
	if err != nil {
		return err
	}
	p.aggregate = p.aggregate || s.aggregate
	if p.bigIndex == "" {
		p.bigIndex = s.bigIndex
	}
	return nil
}

// syntax parses src with g and reports only syntax errors, as PostgREST's
// PGRST100 for the source "failed to parse <what> (<arg>)". It parses
// without collecting errors first; only a failed parse runs again, with
// error tracking, to build PostgREST's message. g must tolerate running
// twice after a failure (it only writes results the caller drops on error).
//
// The state returned is valid until the next call.
func (p *parser) syntax(src, what, arg string, g func(s *pstate) bool) (*pstate, *apierr.Error) {
	s := &p.st
	*s = pstate{src: src}
	if g(s) {
		return s, nil
	}
	*s = pstate{src: src, track: true}
	if g(s) {
		// Success never depends on tracking (FuzzModes checks it); should it
		// ever, the tracked parse is a valid parse, so serve it.
		return s, nil
	}
	return nil, s.toError("failed to parse " + what + " (" + arg + ")")
}

// keyPath parses a key as embed path + column; rest is the raw column text.
func (p *parser) keyPath(key string, path *[]string, f *Field, rest *string) (*pstate, *apierr.Error) {
	return p.syntax(key, "tree path", key, func(s *pstate) bool {
		var last int
		if !s.treePath(path, f, &last) {
			return false
		}
		*rest = key[last:]
		return true
	})
}

// embedPath is the embed path of an order, limit or offset key, whose
// column part PostgREST ignores.
func (p *parser) embedPath(key string) ([]string, *apierr.Error) {
	if p.fast && isPlainName(key) {
		return nil, nil
	}
	var path []string
	var f Field
	var rest string
	_, err := p.keyPath(key, &path, &f, &rest)
	return path, err
}

// embed records a param for an embedded resource.
func (p *parser) embed(i int, path []string, kind, key, value string) {
	if p.embeds == nil {
		p.embeds = make([]EmbedParam, len(p.ps))
	}
	p.embeds[i] = EmbedParam{Path: path, Kind: kind, Key: key, Value: value}
}

// orders parses every order param; the first top-level one wins.
func (p *parser) orders() *apierr.Error {
	return p.each(kindOrder, func(i int, prm param) *apierr.Error {
		path, err := p.embedPath(prm.key)
		if err != nil {
			return err
		}
		terms := make([]OrderTerm, 0, strings.Count(prm.value, ",")+1) // at most
		ok := false
		if p.fast {
			terms, ok = fastOrder(prm.value, terms)
		}
		if !ok {
			terms = terms[:0]
			err = p.run(prm.value, "order", prm.value, func(s *pstate) bool { return s.order(&terms) })
		}
		switch {
		case err != nil:
			return err
		case len(path) > 0:
			p.embed(i, path, "order", "order", prm.value)
		case p.req.Order == nil:
			p.req.Order = terms
		}
		return nil
	})
}

// logics parses and=, or=, not.and=, not.or= (and embedded ones). The key's
// operator is prefixed to the value, so "or=(a.eq.1)" parses "or(a.eq.1)".
func (p *parser) logics() *apierr.Error {
	return p.each(kindLogic, func(i int, prm param) *apierr.Error {
		var path []string
		var op string
		err := p.run(prm.key, "logic path", prm.key, func(s *pstate) bool { return s.logicPath(&path, &op) })
		if err != nil {
			return err
		}
		var c Condition
		err = p.run(op+prm.value, "logic tree", prm.value, func(s *pstate) bool { return s.logicTree(&c) })
		switch {
		case err != nil:
			return err
		case len(path) > 0:
			p.embed(i, path, "logic", op, prm.value)
		default:
			p.cond(i, c)
		}
		return nil
	})
}

// selects parses the first select param; a bare "select" key means *.
func (p *parser) selects() *apierr.Error {
	i := slices.IndexFunc(p.ps, func(prm param) bool { return prm.kind == kindSelect })
	if i < 0 || !p.ps[i].hasValue {
		return nil
	}
	v := p.ps[i].value
	// At most one item per comma, plus one.
	items := take(p.reuse, &p.bufs.items, 0, strings.Count(v, ",")+1)
	if p.fast {
		var ok bool
		if items, ok = fastSelect(v, items); ok {
			p.req.Select = items
			return nil
		}
		clear(items)
		items = items[:0]
	}
	err := p.run(v, "select parameter", v, func(s *pstate) bool { return s.fieldForest(&items) })
	if err != nil {
		return err
	}
	p.req.Select = items
	return nil
}

// filters parses col=op.value params, top-level or embedded.
func (p *parser) filters() *apierr.Error {
	var buf []Filter // the filters, allocated at once
	return p.each(kindFilter, func(i int, prm param) *apierr.Error {
		if buf == nil {
			n := p.count(kindFilter)
			buf = take(p.reuse, &p.bufs.filters, n, n)
		}
		var path []string
		f := &buf[0]
		buf = buf[1:]
		rest, err := p.filterKey(prm.key, &path, &f.Field)
		if err != nil {
			return err
		}
		// What the fast path accepts is an operator expression, so never a
		// call's argument.
		if !p.fast || !fastFilter(prm.value, f) {
			if p.call && !p.startsLikeOperator(prm.value) {
				// PostgREST names the argument after the key's column part.
				p.req.Args = append(p.req.Args, Arg{Name: f.Field.Name, Value: prm.value})
				return nil
			}
			err = p.run(prm.value, "filter", prm.value, func(s *pstate) bool { return s.opExpr(false, f) })
		}
		switch {
		case err != nil:
			return err
		case len(path) > 0:
			p.embed(i, path, "filter", rest, prm.value)
		default:
			p.cond(i, Condition{Filter: f})
		}
		return nil
	})
}

// filterKey reads a filter's key into its embed path and field; rest is
// the raw column text.
func (p *parser) filterKey(key string, path *[]string, f *Field) (rest string, err *apierr.Error) {
	if p.fast && isPlainName(key) {
		f.Name = key
		return key, nil
	}
	ks, err := p.keyPath(key, path, f, &rest)
	if err != nil {
		return "", err
	}
	if p.bigIndex == "" {
		p.bigIndex = ks.bigIndex
	}
	return rest, nil
}

// count is the number of params of kind k.
func (p *parser) count(k kind) int {
	n := 0
	for _, prm := range p.ps {
		if prm.kind == k {
			n++
		}
	}
	return n
}

// startsLikeOperator reports whether value is an operator expression, or
// fails as one only after consuming input (in.x, not.x): PostgREST tries the
// operator grammar first and falls back to an argument only when it failed
// without consuming anything.
func (p *parser) startsLikeOperator(value string) bool {
	// Every operator and "not" starts with a letter: a value that does not
	// (an id, a number, a date) is an argument without the grammar.
	if value == "" || !isASCIILetter(value[0]) {
		return false
	}
	return p.grammarStartsLikeOperator(value)
}

// startsLikeOperator is the parser's, in a state of its own.
func startsLikeOperator(value string) bool {
	if value == "" || !isASCIILetter(value[0]) {
		return false
	}
	s := pstate{src: value}
	var f Filter
	return s.opExpr(false, &f) || s.pos > 0
}

// grammarStartsLikeOperator is startsLikeOperator by the grammar alone.
func (p *parser) grammarStartsLikeOperator(value string) bool {
	s := &p.st
	*s = pstate{src: value}
	var f Filter
	return s.opExpr(false, &f) || s.pos > 0
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// topRanges reads top-level limit= and offset= (the last of each wins).
// Range errors (PGRST103) depend on the Range header too, so they are the
// runtime's, after every parse error, as in PostgREST.
func (p *parser) topRanges() *apierr.Error {
	for _, k := range []kind{kindLimit, kindOffset} {
		err := p.each(k, func(_ int, prm param) *apierr.Error {
			if path, err := p.embedPath(prm.key); err != nil || len(path) > 0 {
				return nil // embedded, or a bad key reported by embedRanges
			}
			v := &RangeParam{Int: readBigInteger(prm.value)}
			if k == kindLimit {
				p.req.Limit = v
			} else {
				p.req.Offset = v
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) kindWord(k kind) string {
	if k == kindLimit {
		return "limit"
	}
	return "offset"
}

// embedRanges keeps actors.limit= and actors.offset= for the embedding
// feature, after checking their keys as PostgREST's planner does.
func (p *parser) embedRanges() *apierr.Error {
	for i, prm := range p.ps {
		k := prm.kind
		if k != kindLimit && k != kindOffset {
			continue
		}
		path, err := p.embedPath(prm.key)
		switch {
		case err != nil:
			return err
		case len(path) > 0:
			p.embed(i, path, p.kindWord(k), p.kindWord(k), prm.value)
		}
	}
	return nil
}

// semantic reports what parses but cannot run, in PostgREST's order:
// aggregates unless allowed (db-aggregates-enabled), then a JSON array
// index PostgreSQL cannot cast to int.
func (p *parser) semantic() *apierr.Error {
	if p.aggregate && !p.opts.Aggregates {
		return apierr.New(http.StatusBadRequest, "PGRST123", "Use of aggregate functions is not allowed", "", "")
	}
	if p.bigIndex != "" {
		return apierr.New(http.StatusBadRequest, "22003",
			"value \""+p.bigIndex+"\" is out of range for type integer", "", "")
	}
	return nil
}

// readBigInteger reads a top-level limit or offset as readMaybe reads an
// Integer, whatever its size: the canonical decimal, "" when it is not one.
func readBigInteger(v string) string {
	t := strings.TrimSpace(v)
	digits := strings.TrimPrefix(t, "-")
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return ""
	}
	digits = strings.TrimLeft(digits, "0")
	switch {
	case digits == "":
		return "0"
	case t[0] == '-':
		return "-" + digits
	}
	return digits
}

// integer reads the whole of a limit or offset.
func (s *pstate) integer(text *string) bool {
	return s.lexeme(func() bool {
		start := s.pos
		s.char('-')
		if !s.satisfy(isDigit, "digit") {
			return false
		}
		s.skipMany(isDigit, "digit")
		*text = s.src[start:s.pos]
		return true
	}) && s.eof()
}
