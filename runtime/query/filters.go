package query

import (
	"strings"
	"unicode"
)

// Operator families, in PostgREST's order of trial (gte before gt matters).
// They are read-only.
var (
	simpleOps  = []string{"neq", "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj"}
	quantOps   = []string{"eq", "gte", "gt", "lte", "lt", "like", "ilike", "match", "imatch"}
	ftsOps     = []string{"fts", "plfts", "phfts", "wfts"}
	quantWords = []string{"any", "all"}
	isValues   = []string{"null", "not_null", "true", "false", "unknown"}
)

// keyword reads the first of words that matches, trying each in turn:
// try (string w1) <|> try (string w2) <|> ...
func (s *pstate) keyword(words []string, out *string) bool {
	for _, w := range words {
		*out = w
		if s.tryStr(w) {
			return true
		}
	}
	return false
}

// opExpr reads [not.]op[(modifier)].value into f. inLogic is whether it
// is inside a logic tree, where values are read by logicValue rather than
// restValue.
func (s *pstate) opExpr(inLogic bool, f *Filter) bool {
	f.Negated = s.prefix("not") // optional (try (string "not" *> delimiter))
	var op Filter
	ok := s.label("operator (eq, gt, ...)", func() bool { return s.operator(inLogic, &op) })
	if ok {
		op.Field, op.Negated = f.Field, f.Negated
		*f = op
	}
	return ok
}

// operator tries the operator families in PostgREST's order (alt).
func (s *pstate) operator(inLogic bool, op *Filter) bool {
	for i := range 6 {
		start := s.pos
		*op = Filter{}
		var ok bool
		switch i {
		case 0:
			ok = s.inOp(op)
		case 1:
			ok = s.isOp(op)
		case 2:
			ok = s.isDistinctOp(inLogic, op)
		case 3:
			ok = s.try(func() bool { return s.ftsOp(inLogic, op) })
		case 4:
			ok = s.try(func() bool { return s.simpleOp(inLogic, op) })
		default:
			ok = s.try(func() bool { return s.quantOp(inLogic, op) })
		}
		if ok {
			return true
		}
		if s.pos != start {
			return false
		}
	}
	return false
}

// value reads a filter's single value: logicValue or restValue.
func (s *pstate) value(inLogic bool, out *string) bool {
	if inLogic {
		return s.logicValue(out)
	}
	return s.restValue(out)
}

// prefix reads "word." as one unit, so "isdistinct" is not taken for "is":
// try (string word *> delimiter).
func (s *pstate) prefix(word string) bool {
	start, prior := s.pos, s.err
	if s.str(word) && s.delimiter() {
		return true
	}
	s.restore(start, prior)
	return false
}

func (s *pstate) inOp(f *Filter) bool {
	f.Operator = "in"
	return s.prefix("in") && s.listVal(&f.List)
}

func (s *pstate) isOp(f *Filter) bool {
	f.Operator = "is"
	return s.prefix("is") && s.isVal(&f.Value)
}

func (s *pstate) isDistinctOp(inLogic bool, f *Filter) bool {
	f.Operator = "isdistinct"
	return s.prefix("isdistinct") && s.value(inLogic, &f.Value)
}

func (s *pstate) ftsOp(inLogic bool, f *Filter) bool {
	if !s.keyword(ftsOps, &f.Operator) {
		return false
	}
	_, ok := s.optional(func() bool {
		return s.try(func() bool { return s.char('(') && s.identifier(&f.Language) && s.char(')') })
	})
	return ok && s.delimiter() && s.value(inLogic, &f.Value)
}

func (s *pstate) simpleOp(inLogic bool, f *Filter) bool {
	ok := s.label("unknown single value operator", func() bool { return s.keyword(simpleOps, &f.Operator) })
	return ok && s.delimiter() && s.value(inLogic, &f.Value)
}

func (s *pstate) quantOp(inLogic bool, f *Filter) bool {
	ok := s.label("unknown single value operator", func() bool { return s.keyword(quantOps, &f.Operator) })
	if !ok {
		return false
	}
	var quant string
	matched, ok := s.optional(func() bool {
		return s.try(func() bool { return s.char('(') && s.keyword(quantWords, &quant) && s.char(')') })
	})
	if !ok {
		return false
	}
	if matched {
		f.Quantifier = quant
	}
	if !s.delimiter() || !s.value(inLogic, &f.Value) {
		return false
	}
	if f.Operator == "like" || f.Operator == "ilike" {
		f.Value = strings.ReplaceAll(f.Value, "*", "%")
	}
	if f.Quantifier != "" {
		f.List, _ = arrayItems(f.Value)
	}
	return true
}

// isVal reads null, not_null, true, false or unknown, each letter in either
// case. PostgREST whitelists these because IS cannot take a parameter.
func (s *pstate) isVal(out *string) bool {
	return s.label("isVal: (null, not_null, true, false, unknown)", func() bool {
		for _, w := range isValues { // try (ciString w1) <|> ...
			*out = w
			start, prior := s.pos, s.err
			if s.ciString(w) {
				return true
			}
			s.restore(start, prior)
		}
		return false
	})
}

// ciString is PostgREST's case-insensitive string: rune by rune, so a
// mismatch is reported where it happens.
func (s *pstate) ciString(word string) bool {
	for _, c := range word {
		// char c <|> char (toUpper c); char never consumes when it fails.
		if !s.char(c) && !s.char(unicode.ToUpper(c)) {
			return false
		}
	}
	return true
}

// lexChar is lexeme (char c).
func (s *pstate) lexChar(c rune) bool {
	s.ws()
	if !s.char(c) {
		return false
	}
	s.ws()
	return true
}

// listVal reads (a,"b,c",d) for in.
func (s *pstate) listVal(out *[]string) bool {
	item := func() bool {
		var v string
		if !s.listElement(&v) {
			return false
		}
		*out = append(*out, v)
		return true
	}
	return s.lexChar('(') &&
		s.sepBy1(item, func() bool { return s.char(',') }) &&
		s.lexChar(')')
}

// listElement reads a quoted item, or raw text up to "," or ")".
func (s *pstate) listElement(out *string) bool {
	return s.quotedItem(out) || s.rawWhile(isNotListEnd, out)
}

// quotedItem is try (quotedValue <* notFollowedBy (noneOf ",)")); it never
// fails after consuming input.
func (s *pstate) quotedItem(out *string) bool {
	start, prior := s.pos, s.err
	if s.quotedValue(out) && s.notFollowedBy(isNotListEnd) {
		return true
	}
	s.restore(start, prior)
	return false
}

// rawWhile reads raw text of runes matching ok (possibly none).
func (s *pstate) rawWhile(ok func(rune) bool, out *string) bool {
	start := s.pos
	s.skipMany(ok)
	*out = s.src[start:s.pos]
	return true
}

// restValue is a filter's value in a query param: everything left.
func (s *pstate) restValue(out *string) bool {
	return s.rawWhile(anyRune, out)
}

// logicValue is a value inside a logic tree: quoted, {array}, or raw up to
// "," or ")".
func (s *pstate) logicValue(out *string) bool {
	if s.quotedItem(out) {
		return true
	}
	start, prior := s.pos, s.err // try pgArray
	if s.pgArray(out) {
		return true
	}
	s.restore(start, prior)
	return s.rawWhile(isNotListEnd, out)
}

func (s *pstate) pgArray(out *string) bool {
	start := s.pos
	var inner string
	if !s.str("{") || !s.rawWhile(isNotBrace, &inner) || !s.str("}") {
		return false
	}
	*out = s.src[start:s.pos]
	return true
}

// logicTree reads a filter (a.eq.1) or [not.]and(...)/or(...).
func (s *pstate) logicTree(out *Condition) bool {
	// try (field *> delimiter *> opExpr) <|> logicExpr; the try never fails
	// after consuming input.
	var f Filter
	start, prior := s.pos, s.err
	if s.field(&f.Field) && s.delimiter() && s.opExpr(true, &f) {
		fp := new(Filter)
		*fp = f
		*out = Condition{Filter: fp}
		return true
	}
	s.restore(start, prior)
	return s.logicExpr(out)
}

func (s *pstate) logicExpr(out *Condition) bool {
	var l Logic
	s.label("negation operator (not)", func() bool {
		l.Negated = s.prefix("not") // optional (try (string "not" *> delimiter))
		return true
	})
	ok := s.label("logic operator (and, or)", func() bool {
		if s.tryStr("and") { // try (string "and") <|> string "or"
			l.Op = "and"
			return true
		}
		l.Op = "or"
		return s.str("or")
	})
	// A failed child always fails the whole tree (it either consumed input
	// or follows a consumed ","), so children are parsed in place.
	child := func() bool {
		l.Children = append(l.Children, Condition{})
		return s.logicTree(&l.Children[len(l.Children)-1])
	}
	if !ok || !s.lexChar('(') || !s.sepBy1(child, func() bool { return s.lexChar(',') }) || !s.lexChar(')') {
		return false
	}
	lp := new(Logic)
	*lp = l
	*out = Condition{Logic: lp}
	return true
}

// order reads order=: terms separated by commas.
func (s *pstate) order(out *[]OrderTerm) bool {
	term := func() bool {
		var t OrderTerm
		ok := s.lexeme(func() bool {
			// try orderRelTerm <|> orderTerm; the try never fails after
			// consuming input.
			start, prior := s.pos, s.err
			if s.orderRelTerm(&t) {
				return true
			}
			s.restore(start, prior)
			t = OrderTerm{}
			return s.orderTerm(&t)
		})
		if ok {
			*out = append(*out, t)
		}
		return ok
	}
	return s.sepBy1(term, func() bool { return s.char(',') })
}

// orderRelTerm reads rel(col)[.dir][.nulls].
func (s *pstate) orderRelTerm(t *OrderTerm) bool {
	return s.fieldName(&t.Relation) && s.char('(') && s.field(&t.Field) && s.char(')') && s.orderModifiers(t)
}

func (s *pstate) orderTerm(t *OrderTerm) bool {
	return s.field(&t.Field) && s.orderModifiers(t)
}

// dotWord is try (delimiter *> string w1) <|> try (...) <|> ...; out is
// the word matched, "" if none. It never fails after consuming input.
func (s *pstate) dotWord(out *string, words ...string) bool {
	for _, w := range words {
		*out = w
		start, prior := s.pos, s.err
		if s.delimiter() && s.str(w) {
			return true
		}
		s.restore(start, prior)
	}
	*out = ""
	return false
}

// orderModifiers reads [.asc|.desc][.nullsfirst|.nullslast] and the term's end.
func (s *pstate) orderModifiers(t *OrderTerm) bool {
	var dir, nulls string
	s.dotWord(&dir, "asc", "desc") // optional: it cannot fail after consuming
	// (optional nulls *> orderEnd) <|> orderEnd
	start := s.pos
	s.dotWord(&nulls, "nullsfirst", "nullslast")
	if !s.orderEnd() && (s.pos != start || !s.orderEnd()) {
		return false
	}
	t.Desc = dir == "desc"
	t.Nulls = strings.TrimPrefix(nulls, "nulls")
	return true
}

// orderEnd is lookAhead "," or the end; it never consumes input.
func (s *pstate) orderEnd() bool {
	return s.lookAheadStr(",") || s.eof()
}

// treePath reads a param key: embed path, column and JSON path. last is
// the offset where the column starts.
func (s *pstate) treePath(path *[]string, f *Field, last *int) bool {
	var names []string // the names before the last
	var lastName string
	count := 0
	name := func() bool {
		start := s.pos
		var n string
		if !s.fieldName(&n) {
			return false
		}
		if count > 0 {
			names = append(names, lastName)
		}
		lastName, *last = n, start
		count++
		return true
	}
	if !s.sepBy1(name, s.delimiter) || !s.jsonPath(&f.Path) {
		return false
	}
	*path, f.Name = names, lastName
	return true
}

// logicPath reads a logic key such as actors.not.or: "not" anywhere negates.
func (s *pstate) logicPath(path *[]string, op *string) bool {
	var names []string
	name := func() bool {
		var n string
		if !s.fieldName(&n) {
			return false
		}
		names = append(names, n)
		return true
	}
	if !s.sepBy1(name, s.delimiter) {
		return false
	}
	*op = names[len(names)-1]
	negated := false
	for _, n := range names[:len(names)-1] {
		if n == "not" {
			negated = true
			continue
		}
		*path = append(*path, n)
	}
	if negated || *op == "not" {
		*op = "not." + *op
	}
	return true
}
