package query

// fieldForest reads select=: items separated by commas, possibly none.
func (s *pstate) fieldForest(out *[]SelectItem) bool {
	tree := func() bool {
		var it SelectItem
		if !s.fieldTree(&it) {
			return false
		}
		*out = append(*out, it)
		return true
	}
	comma := func() bool { return s.lexeme(func() bool { return s.char(',') }) }
	start := s.pos
	if s.sepBy1(tree, comma) {
		return true
	}
	return s.pos == start
}

// fieldTree reads a spread, an embed or a plain select item, in that order.
func (s *pstate) fieldTree(out *SelectItem) bool {
	return s.alt(
		func() bool { return s.embedTree(out, true) },
		func() bool { return s.embedTree(out, false) },
		func() bool { return s.fieldSelect(out) })
}

// embedTree reads rel(...) or ...rel(...). Once the header up to "(" is
// read, a bad inner select is an error, not a reason to backtrack.
func (s *pstate) embedTree(out *SelectItem, spread bool) bool {
	e := &Embed{Spread: spread}
	header := func() bool {
		if spread {
			return s.spreadHeader(e)
		}
		return s.relationHeader(e)
	}
	if !s.try(header) {
		return false
	}
	if !s.char('(') || !s.fieldForest(&e.Select) || !s.char(')') {
		return false
	}
	*out = SelectItem{Embed: e}
	return true
}

// alias reads an optional "name:" prefix (but not "name::").
func (s *pstate) alias(out *string) {
	var a string
	if s.try(func() bool { return s.fieldName(&a) && s.aliasSep() }) {
		*out = a
	}
}

func (s *pstate) aliasSep() bool {
	return s.char(':') && s.notFollowedBy(isColon, `":"`)
}

func (s *pstate) relationHeader(e *Embed) bool {
	return s.lexeme(func() bool {
		s.alias(&e.Alias)
		if !s.fieldName(&e.Name) {
			return false
		}
		// "count" is the count() aggregate, never a relation.
		if e.Name == "count" {
			return false
		}
		return s.embedParams(e) && s.lookAheadStr("(")
	})
}

func (s *pstate) spreadHeader(e *Embed) bool {
	return s.lexeme(func() bool {
		return s.str("...") && s.fieldName(&e.Name) && s.embedParams(e) && s.lookAheadStr("(")
	})
}

// embedParams reads up to two of !hint, !inner, !left; the first hint and
// the first join type win.
func (s *pstate) embedParams(e *Embed) bool {
	hintSet, joinSet := false, false
	for range 2 {
		var val string
		var isJoin bool
		matched, ok := s.optional(func() bool { return s.embedParam(&val, &isJoin) })
		switch {
		case !ok:
			return false
		case !matched:
		case isJoin && !joinSet:
			joinSet, e.Inner = true, val == "inner"
		case !isJoin && !hintSet:
			hintSet, e.Hint = true, val
		}
	}
	return true
}

func (s *pstate) embedParam(val *string, isJoin *bool) bool {
	if !s.char('!') {
		return false
	}
	join := func(word string) func() bool {
		return func() bool {
			*val, *isJoin = word, true
			return s.try(func() bool { return s.str(word) })
		}
	}
	return s.alt(join("left"), join("inner"), func() bool {
		*isJoin = false
		return s.try(func() bool { return s.fieldName(val) })
	})
}

// fieldSelect reads *, count(), or [alias:]field[::cast][.agg()][::cast].
func (s *pstate) fieldSelect(out *SelectItem) bool {
	return s.lexeme(func() bool {
		return s.alt(
			func() bool { return s.try(func() bool { return s.starSelect(out) }) },
			func() bool { return s.try(s.countSelect) },
			func() bool { return s.columnSelect(out) })
	})
}

func (s *pstate) starSelect(out *SelectItem) bool {
	if !s.str("*") || !s.selectEnd() {
		return false
	}
	*out = SelectItem{Star: true}
	return true
}

// countSelect reads [alias:]count()[::cast]; aggregates are refused later.
func (s *pstate) countSelect() bool {
	var a string
	s.alias(&a)
	if !s.str("count()") || !s.optCast(new(string)) || !s.selectEnd() {
		return false
	}
	s.aggregate = true
	return true
}

func (s *pstate) columnSelect(out *SelectItem) bool {
	var it SelectItem
	s.alias(&it.Alias)
	if !s.field(&it.Field) || !s.optCast(&it.Cast) {
		return false
	}
	agg, ok := s.optional(func() bool {
		return s.try(func() bool { return s.char('.') && s.aggregateFunc() && s.str("()") })
	})
	if !ok || !s.optCast(new(string)) || !s.selectEnd() {
		return false
	}
	if agg {
		s.aggregate = true
	}
	if it.Field.Name == "*" && len(it.Field.Path) == 0 {
		it.Star, it.Field = true, Field{}
	}
	*out = it
	return true
}

// optCast reads an optional ::type.
func (s *pstate) optCast(out *string) bool {
	_, ok := s.optional(func() bool { return s.str("::") && s.identifier(out) })
	return ok
}

func (s *pstate) aggregateFunc() bool {
	word := func(w string) func() bool { return func() bool { return s.str(w) } }
	return s.alt(word("sum"), word("avg"), word("count"),
		func() bool { return s.try(word("max")) },
		func() bool { return s.try(word("min")) })
}

// selectEnd checks that an item ends here: ")", "," or end of input.
func (s *pstate) selectEnd() bool {
	return s.alt(
		func() bool { return s.lookAheadStr(")") },
		func() bool { return s.lookAheadStr(",") },
		func() bool { return s.try(s.eof) })
}
