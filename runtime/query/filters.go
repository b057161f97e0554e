package query

import (
	"strings"
	"unicode"
)

// Operator families, in PostgREST's order of trial (gte before gt matters).
func simpleOps() []string {
	return []string{"neq", "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj"}
}

func quantOps() []string {
	return []string{"eq", "gte", "gt", "lte", "lt", "like", "ilike", "match", "imatch"}
}

func ftsOps() []string { return []string{"fts", "plfts", "phfts", "wfts"} }

func isValues() []string { return []string{"null", "not_null", "true", "false", "unknown"} }

// valueParser reads a filter's single value; filters and logic trees differ.
type valueParser func(out *string) bool

// keyword reads the first of words that matches, trying each in turn.
func (s *pstate) keyword(words []string, out *string) bool {
	alts := make([]func() bool, len(words))
	for i, w := range words {
		alts[i] = func() bool {
			*out = w
			return s.try(func() bool { return s.str(w) })
		}
	}
	return s.alt(alts...)
}

// opExpr reads [not.]op[(modifier)].value into f.
func (s *pstate) opExpr(val valueParser, f *Filter) bool {
	s.alt(func() bool {
		f.Negated = s.try(func() bool { return s.str("not") && s.delimiter() })
		return f.Negated
	}, func() bool { return true })
	var op Filter
	ok := s.label("operator (eq, gt, ...)", func() bool {
		return s.alt(
			func() bool { op = Filter{}; return s.inOp(&op) },
			func() bool { op = Filter{}; return s.isOp(&op) },
			func() bool { op = Filter{}; return s.isDistinctOp(val, &op) },
			func() bool { op = Filter{}; return s.try(func() bool { return s.ftsOp(val, &op) }) },
			func() bool { op = Filter{}; return s.try(func() bool { return s.simpleOp(val, &op) }) },
			func() bool { op = Filter{}; return s.try(func() bool { return s.quantOp(val, &op) }) })
	})
	if ok {
		op.Field, op.Negated = f.Field, f.Negated
		*f = op
	}
	return ok
}

// prefix reads "word." as one unit, so "isdistinct" is not taken for "is".
func (s *pstate) prefix(word string) bool {
	return s.try(func() bool { return s.str(word) && s.delimiter() })
}

func (s *pstate) inOp(f *Filter) bool {
	f.Operator = "in"
	return s.prefix("in") && s.listVal(&f.List)
}

func (s *pstate) isOp(f *Filter) bool {
	f.Operator = "is"
	return s.prefix("is") && s.isVal(&f.Value)
}

func (s *pstate) isDistinctOp(val valueParser, f *Filter) bool {
	f.Operator = "isdistinct"
	return s.prefix("isdistinct") && val(&f.Value)
}

func (s *pstate) ftsOp(val valueParser, f *Filter) bool {
	if !s.keyword(ftsOps(), &f.Operator) {
		return false
	}
	_, ok := s.optional(func() bool {
		return s.try(func() bool { return s.char('(') && s.identifier(&f.Language) && s.char(')') })
	})
	return ok && s.delimiter() && val(&f.Value)
}

func (s *pstate) simpleOp(val valueParser, f *Filter) bool {
	ok := s.label("unknown single value operator", func() bool { return s.keyword(simpleOps(), &f.Operator) })
	return ok && s.delimiter() && val(&f.Value)
}

func (s *pstate) quantOp(val valueParser, f *Filter) bool {
	ok := s.label("unknown single value operator", func() bool { return s.keyword(quantOps(), &f.Operator) })
	if !ok {
		return false
	}
	var quant string
	matched, ok := s.optional(func() bool {
		return s.try(func() bool { return s.char('(') && s.keyword([]string{"any", "all"}, &quant) && s.char(')') })
	})
	if !ok {
		return false
	}
	if matched {
		f.Quantifier = quant
	}
	if !s.delimiter() || !val(&f.Value) {
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
		alts := make([]func() bool, len(isValues()))
		for i, w := range isValues() {
			alts[i] = func() bool {
				*out = w
				return s.try(func() bool { return s.ciString(w) })
			}
		}
		return s.alt(alts...)
	})
}

// ciString is PostgREST's case-insensitive string: rune by rune, so a
// mismatch is reported where it happens.
func (s *pstate) ciString(word string) bool {
	for _, c := range word {
		up := unicode.ToUpper(c)
		if !s.alt(func() bool { return s.char(c) }, func() bool { return s.char(up) }) {
			return false
		}
	}
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
	return s.lexeme(func() bool { return s.char('(') }) &&
		s.sepBy1(item, func() bool { return s.char(',') }) &&
		s.lexeme(func() bool { return s.char(')') })
}

// listElement reads a quoted item, or raw text up to "," or ")".
func (s *pstate) listElement(out *string) bool {
	return s.alt(
		func() bool { return s.try(func() bool { return s.quotedValue(out) && s.notFollowedBy(noneOf(",)")) }) },
		func() bool { return s.rawUntil(isListEnd, out) })
}

// rawUntil reads raw text up to a rune matching stop (possibly none).
func (s *pstate) rawUntil(stop func(rune) bool, out *string) bool {
	start := s.pos
	s.many(func() bool { return s.satisfy(func(r rune) bool { return !stop(r) }) })
	*out = s.src[start:s.pos]
	return true
}

// restValue is a filter's value in a query param: everything left.
func (s *pstate) restValue(out *string) bool {
	return s.rawUntil(func(rune) bool { return false }, out)
}

// logicValue is a value inside a logic tree: quoted, {array}, or raw up to
// "," or ")".
func (s *pstate) logicValue(out *string) bool {
	return s.alt(
		func() bool { return s.try(func() bool { return s.quotedValue(out) && s.notFollowedBy(noneOf(",)")) }) },
		func() bool { return s.try(func() bool { return s.pgArray(out) }) },
		func() bool { return s.rawUntil(isListEnd, out) })
}

func (s *pstate) pgArray(out *string) bool {
	start := s.pos
	var inner string
	if !s.str("{") || !s.rawUntil(func(r rune) bool { return r == '{' || r == '}' }, &inner) || !s.str("}") {
		return false
	}
	*out = s.src[start:s.pos]
	return true
}

// logicTree reads a filter (a.eq.1) or [not.]and(...)/or(...).
func (s *pstate) logicTree(out *Condition) bool {
	return s.alt(
		func() bool {
			f := &Filter{}
			if !s.try(func() bool { return s.field(&f.Field) && s.delimiter() && s.opExpr(s.logicValue, f) }) {
				return false
			}
			*out = Condition{Filter: f}
			return true
		},
		func() bool { return s.logicExpr(out) })
}

func (s *pstate) logicExpr(out *Condition) bool {
	l := &Logic{}
	s.label("negation operator (not)", func() bool {
		return s.alt(func() bool {
			l.Negated = s.try(func() bool { return s.str("not") && s.delimiter() })
			return l.Negated
		}, func() bool { return true })
	})
	ok := s.label("logic operator (and, or)", func() bool {
		return s.alt(
			func() bool { l.Op = "and"; return s.try(func() bool { return s.str("and") }) },
			func() bool { l.Op = "or"; return s.str("or") })
	})
	child := func() bool {
		var c Condition
		if !s.logicTree(&c) {
			return false
		}
		l.Children = append(l.Children, c)
		return true
	}
	lex := func(c rune) func() bool { return func() bool { return s.lexeme(func() bool { return s.char(c) }) } }
	if !ok || !lex('(')() || !s.sepBy1(child, lex(',')) || !lex(')')() {
		return false
	}
	*out = Condition{Logic: l}
	return true
}

// order reads order=: terms separated by commas.
func (s *pstate) order(out *[]OrderTerm) bool {
	term := func() bool {
		var t OrderTerm
		ok := s.lexeme(func() bool {
			return s.alt(
				func() bool { t = OrderTerm{}; return s.try(func() bool { return s.orderRelTerm(&t) }) },
				func() bool { t = OrderTerm{}; return s.orderTerm(&t) })
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

// orderModifiers reads [.asc|.desc][.nullsfirst|.nullslast] and the term's end.
func (s *pstate) orderModifiers(t *OrderTerm) bool {
	var dir, nulls string
	dotWord := func(out *string, words ...string) func() bool {
		return func() bool {
			alts := make([]func() bool, len(words))
			for i, w := range words {
				alts[i] = func() bool {
					*out = w
					return s.try(func() bool { return s.delimiter() && s.str(w) })
				}
			}
			if !s.alt(alts...) {
				*out = ""
				return false
			}
			return true
		}
	}
	if _, ok := s.optional(dotWord(&dir, "asc", "desc")); !ok {
		return false
	}
	ok := s.alt(func() bool {
		_, ok := s.optional(dotWord(&nulls, "nullsfirst", "nullslast"))
		return ok && s.orderEnd()
	}, s.orderEnd)
	if !ok {
		return false
	}
	t.Desc = dir == "desc"
	t.Nulls = strings.TrimPrefix(nulls, "nulls")
	return true
}

func (s *pstate) orderEnd() bool {
	return s.alt(func() bool { return s.lookAheadStr(",") }, func() bool { return s.try(s.eof) })
}

// treePath reads a param key: embed path, column and JSON path. last is
// the offset where the column starts.
func (s *pstate) treePath(path *[]string, f *Field, last *int) bool {
	var names []string
	name := func() bool {
		start := s.pos
		var n string
		if !s.fieldName(&n) {
			return false
		}
		names, *last = append(names, n), start
		return true
	}
	if !s.sepBy1(name, s.delimiter) || !s.jsonPath(&f.Path) {
		return false
	}
	*path, f.Name = names[:len(names)-1], names[len(names)-1]
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
