package query

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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

// The noneOf predicates of the grammar (Parsec's noneOf set).
func isQuotedChar(r rune) bool  { return r != '\\' && r != '"' } // noneOf "\\\""
func isJSONKeyChar(r rune) bool { return !isJSONReserved(r) }    // noneOf "(-:.,>)"
func isNotListEnd(r rune) bool  { return !isListEnd(r) }         // noneOf ",)"
func isDot(r rune) bool         { return r == '.' }
func isNotBrace(r rune) bool    { return r != '{' && r != '}' }

func isJSONReserved(r rune) bool {
	switch r {
	case '(', '-', ':', '.', ',', '>', ')':
		return true
	}
	return false
}

// ws skips blanks; PostgREST allows them around most tokens.
func (s *pstate) ws() { s.skipMany(isBlank) }

// lexeme runs p between optional blanks.
func (s *pstate) lexeme(p func() bool) bool {
	s.ws()
	if !p() {
		return false
	}
	s.ws()
	return true
}

func (s *pstate) delimiter() bool { return s.satisfy(isDot, delimLabel) }

// lookAheadStr succeeds if the input goes on with want, consuming nothing:
// try (lookAhead (string want)).
func (s *pstate) lookAheadStr(want string) bool {
	start, prior := s.pos, s.err
	if s.str(want) {
		s.pos, s.err = start, prior
		return true
	}
	s.restore(start, prior)
	return false
}

// quotedValue reads "..." where a backslash escapes any character.
func (s *pstate) quotedValue(out *string) bool {
	if !s.track {
		return s.quotedValueFast(out)
	}
	if !s.char('"') {
		return false
	}
	var b strings.Builder
	ok := s.many(func() bool {
		start := s.pos
		if s.satisfy(isQuotedChar) {
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

// quotedValueFast is quotedValue without error tracking. The value is a
// slice of the input unless it holds escapes.
func (s *pstate) quotedValueFast(out *string) bool {
	if s.pos >= len(s.src) || s.src[s.pos] != '"' {
		return false
	}
	s.pos++
	start := s.pos
	var b []byte // the value so far, once an escape was seen
	for i := start; ; i++ {
		if i >= len(s.src) {
			s.pos = i // unclosed: fails after consuming
			return false
		}
		switch s.src[i] {
		case '"':
			if b == nil {
				*out = s.src[start:i]
			} else {
				*out = string(b)
			}
			s.pos = i + 1
			return true
		case '\\':
			if b == nil {
				b = make([]byte, 0, len(s.src)-start)
				b = append(b, s.src[start:i]...)
			}
			i++
			if i >= len(s.src) {
				s.pos = i
				return false
			}
			// The escaped rune is copied whole (any bytes of it).
			_, n := utf8.DecodeRuneInString(s.src[i:])
			b = append(b, s.src[i:i+n]...)
			i += n - 1
		default:
			if b != nil {
				b = append(b, s.src[i])
			}
		}
	}
}

// identChar matches one identifier character, expecting "letter or digit".
func (s *pstate) identChar() bool { return s.satisfy(isIdentChar, "letter", "digit") }

// identifier reads identifier characters, trimmed of blanks.
func (s *pstate) identifier(out *string) bool {
	start := s.pos
	if !s.identChar() {
		return false
	}
	s.skipMany(isIdentChar, "letter", "digit")
	*out = hsStrip(s.src[start:s.pos])
	return true
}

// dash is a '-' that does not start an arrow:
// try (char '-' <* notFollowedBy (char '>')).
func (s *pstate) dash() bool {
	start, prior := s.pos, s.err
	if s.char('-') && s.notFollowedBy(isAngle, `">"`) {
		return true
	}
	s.restore(start, prior)
	return false
}

// sepByDash joins items separated by dashes, so names like my-col work.
// The items are identifiers, or JSON key identifiers if jsonKey.
func (s *pstate) sepByDash(jsonKey bool, out *string) bool {
	item := func(out *string) bool {
		if jsonKey {
			return s.jsonKeyIdent(out)
		}
		return s.identifier(out)
	}
	var joined string
	if !item(&joined) {
		return false
	}
	for { // many (dash *> item)
		start := s.pos
		var next string
		if !s.dash() || !item(&next) {
			if s.pos != start {
				return false
			}
			break
		}
		joined += "-" + next
		if s.pos == start {
			break
		}
	}
	*out = joined
	return true
}

// hsStrip is Data.Text.strip: s without Haskell blanks around it.
func hsStrip(s string) string {
	if s != "" && s[0] < utf8.RuneSelf && s[len(s)-1] < utf8.RuneSelf &&
		!hsIsSpace(rune(s[0])) && !hsIsSpace(rune(s[len(s)-1])) {
		return s // an ASCII byte is always a whole rune
	}
	return strings.TrimFunc(s, hsIsSpace)
}

// fieldName reads a column, relation, alias or hint name.
func (s *pstate) fieldName(out *string) bool {
	if s.track {
		return s.label(fieldNameLabel, func() bool { return s.quotedOrDashed(false, out) })
	}
	// The grammar tries a name at the same place several times (alias,
	// embed, column); without tracking only the outcome matters, so the
	// last one is remembered.
	m := &s.lastName
	if !m.set || m.start != s.pos {
		start := s.pos
		var v string
		ok := s.quotedOrDashed(false, &v)
		*m = nameMemo{set: true, ok: ok, start: start, end: s.pos, name: v}
	}
	s.pos = m.end
	if m.ok {
		*out = m.name
	}
	return m.ok
}

// quotedOrDashed is quotedValue <|> sepByDash.
func (s *pstate) quotedOrDashed(jsonKey bool, out *string) bool {
	start := s.pos
	if s.quotedValue(out) {
		return true
	}
	if s.pos != start {
		return false
	}
	return s.sepByDash(jsonKey, out)
}

// jsonKeyIdent reads an unquoted JSON key: anything but (-:.,>).
func (s *pstate) jsonKeyIdent(out *string) bool {
	start := s.pos
	if !s.satisfy(isJSONKeyChar) {
		return false
	}
	s.skipMany(isJSONKeyChar)
	*out = hsStrip(s.src[start:s.pos])
	return true
}

func (s *pstate) jsonKeyName(out *string) bool {
	return s.label(jsonKeyLabel, func() bool { return s.quotedOrDashed(true, out) })
}

// jsonPath reads ->key, ->>key, ->0 steps.
func (s *pstate) jsonPath(out *[]PathStep) bool {
	return s.many(func() bool { return s.jsonStep(out) })
}

func (s *pstate) jsonStep(out *[]PathStep) bool {
	// try (string "->>") <|> try (string "->")
	var arrow string
	switch {
	case s.tryStr("->>"):
		arrow = "->>"
	case s.tryStr("->"):
		arrow = "->"
	default:
		return false
	}
	// try jsonIndex <|> try jsonKeyName; a try never fails after consuming.
	var step PathStep
	start, prior := s.pos, s.err
	if !s.jsonIndex(&step) {
		s.restore(start, prior)
		step = PathStep{}
		start, prior = s.pos, s.err
		if !s.jsonKeyName(&step.Key) {
			s.restore(start, prior)
			return false
		}
	}
	step.Arrow = arrow
	*out = append(*out, step)
	return true
}

// jsonIndex reads an integer operand, which must end the step.
func (s *pstate) jsonIndex(out *PathStep) bool {
	keyStart := s.pos // the key keeps a '-', not a '+'
	sign := "+"
	if s.char('-') {
		sign = "-"
	}
	start := s.pos
	if !s.satisfy(isDigit, "digit") {
		return false
	}
	s.skipMany(isDigit, "digit")
	end := s.pos
	digits := s.src[start:end]
	if !s.jsonIndexEnd() {
		return false
	}
	out.Key = s.src[keyStart:end]
	n, err := strconv.ParseInt(out.Key, 10, 32)
	if err != nil {
		// PostgREST casts the index to int; PostgreSQL then refuses it.
		s.bigIndex = sign + digits
		return true
	}
	out.Index = &n
	return true
}

// jsonIndexEnd is lookAhead of "->", "::", ".", "," or the end; none of
// these alternatives consumes input when it fails.
func (s *pstate) jsonIndexEnd() bool {
	return s.lookAheadStr("->") || s.lookAheadStr("::") || s.lookAheadStr(".") ||
		s.lookAheadStr(",") || s.eof()
}

// field reads a column and its JSON path, between optional blanks.
func (s *pstate) field(out *Field) bool {
	return s.lexeme(func() bool { return s.fieldName(&out.Name) && s.jsonPath(&out.Path) })
}
