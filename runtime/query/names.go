package query

import (
	"strconv"
	"strings"
	"unicode"
)

// The texts below are PostgREST's Parsec labels; they appear in details.
const (
	fieldNameLabel = "field name (* or [a..z0..9_$])"
	jsonKeyLabel   = "any non reserved character different from: .,>()"
	delimLabel     = "delimiter (.)"
)

func isDigit(r rune) bool   { return r >= '0' && r <= '9' }
func isBlank(r rune) bool   { return r == ' ' || r == '\t' }
func anyRune(rune) bool     { return true }
func isAngle(r rune) bool   { return r == '>' }
func isColon(r rune) bool   { return r == ':' }
func isListEnd(r rune) bool { return r == ',' || r == ')' }

// isIdentChar is PostgREST's identifier character: letter, digit, _, space, $.
func isIdentChar(r rune) bool {
	return unicode.IsLetter(r) || isDigit(r) || r == '_' || r == ' ' || r == '$'
}

// noneOf is Parsec's noneOf as a predicate.
func noneOf(set string) func(rune) bool {
	return func(r rune) bool { return !strings.ContainsRune(set, r) }
}

// ws skips blanks; PostgREST allows them around most tokens.
func (s *pstate) ws() {
	s.many(func() bool { return s.satisfy(isBlank) })
}

// lexeme runs p between optional blanks.
func (s *pstate) lexeme(p func() bool) bool {
	s.ws()
	if !p() {
		return false
	}
	s.ws()
	return true
}

func (s *pstate) delimiter() bool {
	return s.satisfy(func(r rune) bool { return r == '.' }, delimLabel)
}

// lookAheadStr succeeds if the input goes on with want, consuming nothing.
func (s *pstate) lookAheadStr(want string) bool {
	return s.try(func() bool { return s.lookAhead(func() bool { return s.str(want) }) })
}

// quotedValue reads "..." where a backslash escapes any character.
func (s *pstate) quotedValue(out *string) bool {
	if !s.char('"') {
		return false
	}
	var b strings.Builder
	ok := s.many(func() bool {
		start := s.pos
		if s.satisfy(noneOf(`\"`)) {
			b.WriteString(s.src[start:s.pos])
			return true
		}
		if !s.char('\\') {
			return false
		}
		start = s.pos
		if !s.satisfy(anyRune) {
			return false
		}
		b.WriteString(s.src[start:s.pos])
		return true
	})
	if !ok || !s.char('"') {
		return false
	}
	*out = b.String()
	return true
}

// identChar matches one identifier character, expecting "letter or digit".
func (s *pstate) identChar() bool { return s.satisfy(isIdentChar, "letter", "digit") }

// identifier reads identifier characters, trimmed of blanks.
func (s *pstate) identifier(out *string) bool {
	start := s.pos
	if !s.identChar() {
		return false
	}
	s.many(s.identChar)
	*out = strings.TrimFunc(s.src[start:s.pos], hsIsSpace)
	return true
}

// dash is a '-' that does not start an arrow.
func (s *pstate) dash() bool {
	return s.try(func() bool { return s.char('-') && s.notFollowedBy(isAngle, `">"`) })
}

// sepByDash joins items separated by dashes, so names like my-col work.
func (s *pstate) sepByDash(item func(*string) bool, out *string) bool {
	var first string
	if !item(&first) {
		return false
	}
	parts := []string{first}
	ok := s.many(func() bool {
		var next string
		if !s.dash() || !item(&next) {
			return false
		}
		parts = append(parts, next)
		return true
	})
	if ok {
		*out = strings.Join(parts, "-")
	}
	return ok
}

// fieldName reads a column, relation, alias or hint name.
func (s *pstate) fieldName(out *string) bool {
	return s.label(fieldNameLabel, func() bool {
		return s.alt(
			func() bool { return s.quotedValue(out) },
			func() bool { return s.sepByDash(s.identifier, out) })
	})
}

// jsonKeyIdent reads an unquoted JSON key: anything but (-:.,>).
func (s *pstate) jsonKeyIdent(out *string) bool {
	start := s.pos
	keyChar := func() bool { return s.satisfy(noneOf("(-:.,>)")) }
	if !keyChar() {
		return false
	}
	s.many(keyChar)
	*out = strings.TrimFunc(s.src[start:s.pos], hsIsSpace)
	return true
}

func (s *pstate) jsonKeyName(out *string) bool {
	return s.label(jsonKeyLabel, func() bool {
		return s.alt(
			func() bool { return s.quotedValue(out) },
			func() bool { return s.sepByDash(s.jsonKeyIdent, out) })
	})
}

// jsonPath reads ->key, ->>key, ->0 steps.
func (s *pstate) jsonPath(out *[]PathStep) bool {
	return s.many(func() bool { return s.jsonStep(out) })
}

func (s *pstate) jsonStep(out *[]PathStep) bool {
	var arrow string
	ok := s.alt(
		func() bool { arrow = "->>"; return s.try(func() bool { return s.str("->>") }) },
		func() bool { arrow = "->"; return s.try(func() bool { return s.str("->") }) })
	if !ok {
		return false
	}
	var step PathStep
	ok = s.alt(
		func() bool { step = PathStep{}; return s.try(func() bool { return s.jsonIndex(&step) }) },
		func() bool { step = PathStep{}; return s.try(func() bool { return s.jsonKeyName(&step.Key) }) })
	if !ok {
		return false
	}
	step.Arrow = arrow
	*out = append(*out, step)
	return true
}

// jsonIndex reads an integer operand, which must end the step.
func (s *pstate) jsonIndex(out *PathStep) bool {
	sign := "+"
	if s.char('-') {
		sign = "-"
	}
	start := s.pos
	digit := func() bool { return s.satisfy(isDigit, "digit") }
	if !digit() {
		return false
	}
	s.many(digit)
	digits := s.src[start:s.pos]
	if !s.jsonIndexEnd() {
		return false
	}
	out.Key = strings.TrimPrefix(sign+digits, "+")
	n, err := strconv.ParseInt(out.Key, 10, 32)
	if err != nil {
		// PostgREST casts the index to int; PostgreSQL then refuses it.
		s.bigIndex = sign + digits
		return true
	}
	out.Index = &n
	return true
}

func (s *pstate) jsonIndexEnd() bool {
	return s.alt(
		func() bool { return s.lookAheadStr("->") },
		func() bool { return s.lookAheadStr("::") },
		func() bool { return s.lookAheadStr(".") },
		func() bool { return s.lookAheadStr(",") },
		func() bool { return s.try(s.eof) })
}

// field reads a column and its JSON path, between optional blanks.
func (s *pstate) field(out *Field) bool {
	return s.lexeme(func() bool { return s.fieldName(&out.Name) && s.jsonPath(&out.Path) })
}
