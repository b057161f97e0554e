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
	comma := func() bool { return s.lexChar(',') }
	start := s.pos
	if s.sepBy1(tree, comma) {
		return true
	}
	return s.pos == start
}

// fieldTree reads a spread, an embed or a plain select item, in that order.
func (s *pstate) fieldTree(out *SelectItem) bool {
	start := s.pos
	if s.embedTree(out, true) {
		return true
	}
	if s.pos != start {
		return false
	}
	if s.embedTree(out, false) {
		return true
	}
	if s.pos != start {
		return false
	}
	return s.fieldSelect(out)
}

// embedTree reads rel(...) or ...rel(...). Once the header up to "(" is
// read, a bad inner select is an error, not a reason to backtrack.
func (s *pstate) embedTree(out *SelectItem, spread bool) bool {
	var h Embed // the header; moved to the heap only for an embed
	h.Spread = spread
	start, prior := s.pos, s.err // try header
	ok := false
	if spread {
		ok = s.spreadHeader(&h)
	} else {
		ok = s.relationHeader(&h)
	}
	if !ok {
		s.restore(start, prior)
		return false
	}
	e := new(Embed)
	*e = h
	if !s.char('(') || !s.fieldForest(&e.Select) || !s.char(')') {
		return false
	}
	*out = SelectItem{Embed: e}
	return true
}

// alias reads an optional "name:" prefix (but not "name::").
func (s *pstate) alias(out *string) {
	var a string
	start, prior := s.pos, s.err // try (fieldName <* aliasSep)
	if s.fieldName(&a) && s.aliasSep() {
		*out = a
		return
	}
	s.restore(start, prior)
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
	// try (string "left") <|> try (string "inner") <|> try fieldName
	for _, word := range [...]string{"left", "inner"} {
		*val, *isJoin = word, true
		if s.tryStr(word) {
			return true
		}
	}
	*isJoin = false
	start, prior := s.pos, s.err
	if s.fieldName(val) {
		return true
	}
	s.restore(start, prior)
	return false
}

// fieldSelect reads *, count(), or [alias:]field[::cast][.agg()][::cast].
func (s *pstate) fieldSelect(out *SelectItem) bool {
	return s.lexeme(func() bool {
		// try starSelect <|> try countSelect <|> columnSelect
		start, prior := s.pos, s.err
		if s.starSelect(out) {
			return true
		}
		s.restore(start, prior)
		start, prior = s.pos, s.err
		if s.countSelect(out) {
			return true
		}
		s.restore(start, prior)
		return s.columnSelect(out)
	})
}

func (s *pstate) starSelect(out *SelectItem) bool {
	if !s.str("*") || !s.selectEnd() {
		return false
	}
	*out = SelectItem{Star: true}
	return true
}

// countSelect reads [alias:]count()[::cast], a count of rows.
func (s *pstate) countSelect(out *SelectItem) bool {
	it := SelectItem{Star: true, Aggregate: "count"}
	s.alias(&it.Alias)
	if !s.str("count()") || !s.optCast(&it.AggregateCast) || !s.selectEnd() {
		return false
	}
	s.aggregate = true
	*out = it
	return true
}

func (s *pstate) columnSelect(out *SelectItem) bool {
	var it SelectItem
	s.alias(&it.Alias)
	if !s.field(&it.Field) || !s.optCast(&it.Cast) {
		return false
	}
	agg, ok := s.optional(func() bool {
		return s.try(func() bool { return s.char('.') && s.aggregateFunc(&it.Aggregate) && s.str("()") })
	})
	if !ok || !s.optCast(&it.AggregateCast) || !s.selectEnd() {
		return false
	}
	if agg {
		s.aggregate = true
	} else {
		it.Aggregate = "" // set by a failed try
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

// aggregateFunc is string "sum" <|> string "avg" <|> string "count" <|>
// try (string "max") <|> try (string "min").
func (s *pstate) aggregateFunc(name *string) bool {
	for _, w := range [...]string{"sum", "avg", "count"} {
		start := s.pos
		if s.str(w) {
			*name = w
			return true
		}
		if s.pos != start {
			return false
		}
	}
	for _, w := range [...]string{"max", "min"} {
		if s.tryStr(w) {
			*name = w
			return true
		}
	}
	return false
}

// selectEnd checks that an item ends here: ")", "," or end of input. None
// of the alternatives consumes input when it fails.
func (s *pstate) selectEnd() bool {
	return s.lookAheadStr(")") || s.lookAheadStr(",") || s.eof()
}
