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
}

// Parse parses a read's query params. url.Values has lost the query order,
// so conditions and embed params come out ordered by key (then by value
// order); use ParseRaw to keep the query order. The error is always an
// *apierr.Error.
func Parse(q url.Values) (*Request, error) {
	var ps []param
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[k] {
			ps = append(ps, param{key: k, value: v, hasValue: true})
		}
	}
	return parseParams(ps)
}

// ParseRaw parses a raw query string (with or without its leading "?") the
// way PostgREST splits it: on "&" and ";", "+" as space, and lenient
// percent-decoding. It keeps the query order.
func ParseRaw(raw string) (*Request, error) {
	raw = strings.TrimPrefix(raw, "?")
	var ps []param
	for raw != "" {
		piece := raw
		raw = ""
		if i := strings.IndexAny(piece, "&;"); i >= 0 {
			piece, raw = piece[:i], piece[i+1:]
		}
		k, v, has := strings.Cut(piece, "=")
		ps = append(ps, param{key: urlDecode(k), value: urlDecode(v), hasValue: has})
	}
	return parseParams(ps)
}

// urlDecode is http-types' urlDecode with "+" as space: a "%" not followed
// by two hex digits stays as it is.
func urlDecode(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
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
	ps     []param
	kinds  []kind
	req    Request
	conds  map[int]Condition
	embeds map[int]EmbedParam
	// aggregate and bigIndex are semantic errors found while parsing,
	// reported after every syntax error as PostgREST reports them later.
	aggregate bool
	bigIndex  string
}

func parseParams(ps []param) (*Request, error) {
	p := &parser{ps: ps, conds: map[int]Condition{}, embeds: map[int]EmbedParam{}}
	for _, prm := range ps {
		p.kinds = append(p.kinds, classify(prm))
	}
	// PostgREST's order of checks decides which error a client sees first.
	for _, step := range []func() *apierr.Error{
		p.orders, p.logics, p.selects, p.filters, p.topRanges, p.embedRanges, p.semantic,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	p.req.Where = collect(p.conds)
	p.req.EmbedParams = collect(p.embeds)
	return &p.req, nil
}

// collect returns the values of m ordered by key.
func collect[T any](m map[int]T) []T {
	var out []T
	for _, i := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[i])
	}
	return out
}

// each runs f on the params of kind k, in query order, up to an error.
func (p *parser) each(k kind, f func(i int, prm param) *apierr.Error) *apierr.Error {
	for i, prm := range p.ps {
		if p.kinds[i] != k {
			continue
		}
		if err := f(i, prm); err != nil {
			return err
		}
	}
	return nil
}

// run parses src with g, turning a failure into PostgREST's PGRST100 for
// the given source name. Semantic findings are kept for later.
func (p *parser) run(src, source string, g func(s *pstate) bool) *apierr.Error {
	s, err := syntax(src, source, g)
	if err != nil {
		return err
	}
	p.aggregate = p.aggregate || s.aggregate
	if p.bigIndex == "" {
		p.bigIndex = s.bigIndex
	}
	return nil
}

// syntax parses src with g and reports only syntax errors.
func syntax(src, source string, g func(s *pstate) bool) (*pstate, *apierr.Error) {
	s := newState(src)
	if !g(s) {
		return nil, s.toError(source)
	}
	return s, nil
}

// keyPath parses a key as embed path + column; rest is the raw column text.
func keyPath(key string, path *[]string, f *Field, rest *string) (*pstate, *apierr.Error) {
	return syntax(key, "failed to parse tree path ("+key+")", func(s *pstate) bool {
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
func embedPath(key string) ([]string, *apierr.Error) {
	var path []string
	var f Field
	var rest string
	_, err := keyPath(key, &path, &f, &rest)
	return path, err
}

// embed records a param for an embedded resource.
func (p *parser) embed(i int, path []string, kind, key, value string) {
	p.embeds[i] = EmbedParam{Path: path, Kind: kind, Key: key, Value: value}
}

// orders parses every order param; the first top-level one wins.
func (p *parser) orders() *apierr.Error {
	return p.each(kindOrder, func(i int, prm param) *apierr.Error {
		path, err := embedPath(prm.key)
		if err != nil {
			return err
		}
		var terms []OrderTerm
		err = p.run(prm.value, "failed to parse order ("+prm.value+")", func(s *pstate) bool { return s.order(&terms) })
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
		err := p.run(prm.key, "failed to parse logic path ("+prm.key+")", func(s *pstate) bool { return s.logicPath(&path, &op) })
		if err != nil {
			return err
		}
		var c Condition
		err = p.run(op+prm.value, "failed to parse logic tree ("+prm.value+")", func(s *pstate) bool { return s.logicTree(&c) })
		switch {
		case err != nil:
			return err
		case len(path) > 0:
			p.embed(i, path, "logic", op, prm.value)
		default:
			p.conds[i] = c
		}
		return nil
	})
}

// selects parses the first select param; a bare "select" key means *.
func (p *parser) selects() *apierr.Error {
	i := slices.IndexFunc(p.kinds, func(k kind) bool { return k == kindSelect })
	if i < 0 || !p.ps[i].hasValue {
		return nil
	}
	v := p.ps[i].value
	items := []SelectItem{}
	err := p.run(v, "failed to parse select parameter ("+v+")", func(s *pstate) bool { return s.fieldForest(&items) })
	if err != nil {
		return err
	}
	p.req.Select = items
	return nil
}

// filters parses col=op.value params, top-level or embedded.
func (p *parser) filters() *apierr.Error {
	return p.each(kindFilter, func(i int, prm param) *apierr.Error {
		var path []string
		f := &Filter{}
		var rest string
		ks, err := keyPath(prm.key, &path, &f.Field, &rest)
		if err != nil {
			return err
		}
		if p.bigIndex == "" {
			p.bigIndex = ks.bigIndex
		}
		err = p.run(prm.value, "failed to parse filter ("+prm.value+")", func(s *pstate) bool { return s.opExpr(s.restValue, f) })
		switch {
		case err != nil:
			return err
		case len(path) > 0:
			p.embed(i, path, "filter", rest, prm.value)
		default:
			p.conds[i] = Condition{Filter: f}
		}
		return nil
	})
}

// topRanges reads top-level limit= and offset= (the last of each wins). PostgREST
// silently ignores a value that is not an integer; we refuse it instead.
// A negative limit is its PGRST103, a negative offset counts as 0.
func (p *parser) topRanges() *apierr.Error {
	var limit, offset *int64
	for _, k := range []kind{kindLimit, kindOffset} {
		err := p.each(k, func(_ int, prm param) *apierr.Error {
			if path, err := embedPath(prm.key); err != nil || len(path) > 0 {
				return nil // embedded, or a bad key reported by embedRanges
			}
			n, err := parseInteger(prm.value, p.kindWord(k))
			if err != nil {
				return err
			}
			if k == kindLimit {
				limit = &n
			} else {
				offset = &n
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if limit != nil && *limit < 0 {
		return apierr.New(http.StatusRequestedRangeNotSatisfiable, "PGRST103",
			"Requested range not satisfiable", "Limit should be greater than or equal to zero.", "")
	}
	p.req.Limit = limit
	if offset != nil && *offset > 0 {
		p.req.Offset = *offset
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
		k := p.kinds[i]
		if k != kindLimit && k != kindOffset {
			continue
		}
		path, err := embedPath(prm.key)
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
// aggregates (off by default, db-aggregates-enabled), then a JSON array
// index PostgreSQL cannot cast to int.
func (p *parser) semantic() *apierr.Error {
	if p.aggregate {
		return apierr.New(http.StatusBadRequest, "PGRST123", "Use of aggregate functions is not allowed", "", "")
	}
	if p.bigIndex != "" {
		return apierr.New(http.StatusBadRequest, "22003",
			"value \""+p.bigIndex+"\" is out of range for type integer", "", "")
	}
	return nil
}

// parseInteger reads a limit or offset: an optionally negative integer,
// blanks allowed around it.
func parseInteger(v, name string) (int64, *apierr.Error) {
	source := "failed to parse " + name + " parameter (" + v + ")"
	s := newState(v)
	var text string
	ok := s.lexeme(func() bool {
		start := s.pos
		s.char('-')
		digit := func() bool { return s.satisfy(isDigit, "digit") }
		if !digit() {
			return false
		}
		s.many(digit)
		text = s.src[start:s.pos]
		return true
	}) && s.eof()
	if !ok {
		return 0, s.toError(source)
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, apierr.ParseError("\""+source+"\" (line 1, column 1)", "value out of range")
	}
	return n, nil
}
