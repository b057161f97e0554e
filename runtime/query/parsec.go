package query

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// This file is a small model of Haskell's Parsec, which PostgREST's grammar
// is written in. PostgREST's PGRST100 details ("unexpected ... expecting
// ...") are Parsec's error merging made visible, so matching them needs the
// same rules:
//   - a parser that fails without consuming input adds its expectations to
//     those of the other empty parsers tried at that point;
//   - consuming input forgets them;
//   - a parser that fails after consuming input fails its whole alternative
//     unless wrapped in try;
//   - of two errors the one further into the input wins.
// Parsers are methods returning ok; "consumed" is whether pos moved. Parsec's
// p <|> q is written out where used: q runs only if p failed with pos
// unchanged; so is try p, as a call to restore after p fails.

type msgKind uint8

const (
	sysUnexpect msgKind = iota // Parsec's SysUnExpect: shown only if no unexpect
	unexpect                   // UnExpect, from notFollowedBy and eof
	expect                     // Expect, from labels
)

type message struct {
	kind msgKind
	text string
}

// perr is a Parsec ParseError: a byte offset and its messages.
type perr struct {
	pos  int
	msgs []message
}

// merge is Parsec's mergeError: meaningful errors win, then the furthest.
func merge(a, b perr) perr {
	switch {
	case len(b.msgs) == 0 && len(a.msgs) > 0:
		return a
	case len(a.msgs) == 0 && len(b.msgs) > 0:
		return b
	case a.pos > b.pos:
		return a
	case a.pos < b.pos:
		return b
	}
	msgs := make([]message, 0, len(a.msgs)+len(b.msgs))
	return perr{pos: a.pos, msgs: append(append(msgs, a.msgs...), b.msgs...)}
}

// relabel is Parsec's <?> on an error: its expectations become name.
func (e perr) relabel(name string) perr {
	msgs := []message{{expect, name}}
	for _, m := range e.msgs {
		if m.kind != expect {
			msgs = append(msgs, m)
		}
	}
	return perr{pos: e.pos, msgs: msgs}
}

// pstate is the input and position of one parse, plus the error collected
// since input was last consumed.
//
// Collecting errors is costly (every rune tried builds messages) and only
// matters when the parse fails, so a parse first runs with track false: the
// combinators then only move pos and report success, skipping every message.
// No parser's success or position depends on the collected error, so a
// failed fast run is re-run with track set to build PostgREST's message
// (see syntax).
type pstate struct {
	src string
	pos int
	err perr
	// track is whether errors are collected.
	track bool
	// bigIndex is a JSON array index too large for int64, reported after
	// the parse as PostgreSQL would report it.
	bigIndex string
	// aggregate is set when select uses an aggregate function.
	aggregate bool
	// lastName is the outcome of the last fieldName, without tracking.
	lastName nameMemo
}

// nameMemo is the outcome of fieldName at start: success, the position
// reached and the name read.
type nameMemo struct {
	set, ok    bool
	start, end int
	name       string
}

// peek returns the next rune and its size, 0 at the end of input.
func (s *pstate) peek() (rune, int) {
	if s.pos >= len(s.src) {
		return 0, 0
	}
	if c := s.src[s.pos]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s.src[s.pos:])
}

// fail merges e into the collected error; callers build e only if s.track.
func (s *pstate) fail(e perr) { s.err = merge(s.err, e) }

// consume moves past n bytes; consuming forgets earlier expectations.
func (s *pstate) consume(n int) {
	s.pos += n
	if s.track {
		s.err = perr{pos: s.pos}
	}
}

// tokenText is how Parsec shows the offending token: a Haskell string
// literal, empty at the end of input.
func tokenText(r rune, n int) string {
	if n == 0 {
		return ""
	}
	return hsShowString(string(r))
}

// satisfy is Parsec's satisfy, with the labels of char, letter, digit.
func (s *pstate) satisfy(ok func(rune) bool, labels ...string) bool {
	r, n := s.peek()
	if n > 0 && ok(r) {
		s.consume(n)
		return true
	}
	if s.track {
		s.satisfyFail(r, n, labels)
	}
	return false
}

func (s *pstate) satisfyFail(r rune, n int, labels []string) {
	e := perr{pos: s.pos, msgs: []message{{sysUnexpect, tokenText(r, n)}}}
	for _, l := range labels {
		e.msgs = append(e.msgs, message{expect, l})
	}
	s.fail(e)
}

// skipMany is many (satisfy ok labels): it reads runes while ok holds.
func (s *pstate) skipMany(ok func(rune) bool, labels ...string) {
	p := s.pos
	for p < len(s.src) {
		r, n := rune(s.src[p]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s.src[p:])
		}
		if !ok(r) {
			break
		}
		p += n
	}
	if p != s.pos {
		s.consume(p - s.pos)
	}
	if s.track {
		r, n := s.peek()
		s.satisfyFail(r, n, labels)
	}
}

// char is Parsec's char c.
func (s *pstate) char(c rune) bool {
	r, n := s.peek()
	if n > 0 && r == c {
		s.consume(n)
		return true
	}
	if s.track {
		s.satisfyFail(r, n, []string{hsShowString(string(c))})
	}
	return false
}

// str is Parsec's string: it reports a mismatch at its start, and counts as
// consumed once its first rune matched. want is ASCII (the grammar's words).
func (s *pstate) str(want string) bool {
	if !s.track {
		// Without tracking only the position matters: past the input that
		// matches (a rune of want matches only if all its bytes do).
		rest := s.src[s.pos:]
		i := 0
		for i < len(want) && i < len(rest) && rest[i] == want[i] {
			i++
		}
		if i == len(want) {
			s.pos += i
			return true
		}
		for i > 0 && !utf8.RuneStart(want[i]) {
			i--
		}
		s.pos += i
		return false
	}
	p := s.pos
	for i, w := range want {
		var r rune
		var n int
		if p < len(s.src) {
			r, n = utf8.DecodeRuneInString(s.src[p:])
		}
		if n == 0 || r != w {
			e := perr{pos: s.pos, msgs: []message{{expect, hsShowString(want)}, {sysUnexpect, tokenText(r, n)}}}
			if i == 0 {
				s.fail(e)
			} else {
				s.pos, s.err = p, e
			}
			return false
		}
		p += n
	}
	s.consume(p - s.pos)
	return true
}

// tryStr is try (str want).
func (s *pstate) tryStr(want string) bool {
	start, prior := s.pos, s.err
	if s.str(want) {
		return true
	}
	s.restore(start, prior)
	return false
}

// eof is Parsec's eof (notFollowedBy anyToken <?> "end of input").
func (s *pstate) eof() bool {
	r, n := s.peek()
	if !s.track {
		return n == 0
	}
	if n == 0 {
		s.fail(perr{pos: s.pos, msgs: []message{{expect, "end of input"}, {sysUnexpect, ""}}})
		return true
	}
	s.fail(perr{pos: s.pos, msgs: []message{{expect, "end of input"}, {unexpect, hsShowChar(r)}}})
	return false
}

// notFollowedBy is Parsec's notFollowedBy of a one-rune parser.
func (s *pstate) notFollowedBy(ok func(rune) bool, labels ...string) bool {
	r, n := s.peek()
	if n > 0 && ok(r) {
		if s.track {
			s.fail(perr{pos: s.pos + n, msgs: []message{{unexpect, hsShowChar(r)}}})
		}
		return false
	}
	if s.track {
		s.satisfyFail(r, n, labels)
	}
	return true
}

// restore undoes a failed parser for try: back to start, where the error
// it reached merges with the one collected before it.
func (s *pstate) restore(start int, prior perr) {
	if s.pos != start {
		s.pos = start
		if s.track {
			s.err = merge(prior, s.err)
		}
	}
}

// try is Parsec's try: a failure no longer counts as consuming input.
func (s *pstate) try(p func() bool) bool {
	start, prior := s.pos, s.err
	if p() {
		return true
	}
	s.restore(start, prior)
	return false
}

// label is Parsec's <?>: when p consumes nothing, its expectations become name.
func (s *pstate) label(name string, p func() bool) bool {
	if !s.track {
		return p()
	}
	start, prior := s.pos, s.err
	s.err = perr{pos: s.pos}
	ok := p()
	if s.pos != start {
		return ok
	}
	if !ok || len(s.err.msgs) > 0 {
		s.err = s.err.relabel(name)
	}
	s.err = merge(prior, s.err)
	return ok
}

// many is Parsec's many; it fails only if p fails after consuming input.
func (s *pstate) many(p func() bool) bool {
	for {
		start := s.pos
		if !p() {
			return s.pos == start
		}
		if s.pos == start {
			return true
		}
	}
}

// optional runs p; an empty failure is a success (Parsec's optionMaybe).
// It reports whether p ran and whether parsing may go on.
func (s *pstate) optional(p func() bool) (matched, ok bool) {
	start := s.pos
	if p() {
		return true, true
	}
	return false, s.pos == start
}

// sepBy1 is Parsec's sepBy1.
func (s *pstate) sepBy1(p, sep func() bool) bool {
	if !p() {
		return false
	}
	for {
		start := s.pos
		if !sep() || !p() {
			return s.pos == start
		}
		if s.pos == start {
			return true
		}
	}
}

// toError renders the collected error as PostgREST's PGRST100: the message
// is Parsec's SourcePos shown with the source name, the details its
// messages on one line.
func (s *pstate) toError(source string) *apierr.Error {
	line, col := lineCol(s.src, s.err.pos)
	msg := "\"" + source + "\" (line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col) + ")"
	return apierr.ParseError(msg, showMessages(s.err.msgs))
}

// lineCol is Parsec's position: tabs go to the next multiple of 8 plus 1.
func lineCol(src string, off int) (line, col int) {
	line, col = 1, 1
	for _, r := range src[:off] {
		switch r {
		case '\n':
			line, col = line+1, 1
		case '\t':
			col += 8 - (col-1)%8
		default:
			col++
		}
	}
	return line, col
}

// showMessages is Parsec's showErrorMessages as PostgREST flattens it.
func showMessages(msgs []message) string {
	if len(msgs) == 0 {
		return "unknown parse error"
	}
	msgs = slices.Clone(msgs)
	slices.SortStableFunc(msgs, func(a, b message) int { return int(a.kind) - int(b.kind) })
	var sys, unexp, exp []string
	for _, m := range msgs {
		switch m.kind {
		case sysUnexpect:
			sys = append(sys, m.text)
		case unexpect:
			unexp = append(unexp, m.text)
		default:
			exp = append(exp, m.text)
		}
	}
	var parts []string
	if len(unexp) == 0 && len(sys) > 0 {
		if sys[0] == "" {
			parts = append(parts, "unexpected end of input")
		} else {
			parts = append(parts, "unexpected "+sys[0])
		}
	}
	parts = appendMany(parts, "unexpected", unexp)
	parts = appendMany(parts, "expecting", exp)
	out := strings.ReplaceAll(strings.Join(parts, " "), "\n", " ")
	return strings.TrimFunc(out, hsIsSpace)
}

// appendMany adds "pre a, b or c" with Parsec's dedup; nothing if empty.
func appendMany(parts []string, pre string, ms []string) []string {
	var clean []string
	for _, m := range ms {
		if m != "" && !slices.Contains(clean, m) {
			clean = append(clean, m)
		}
	}
	switch len(clean) {
	case 0:
		return parts
	case 1:
		return append(parts, pre+" "+clean[0])
	}
	last := len(clean) - 1
	return append(parts, pre+" "+strings.Join(clean[:last], ", ")+" or "+clean[last])
}

// hsIsSpace is Haskell's isSpace, used by Data.Text.strip.
func hsIsSpace(r rune) bool {
	switch {
	case r == ' ', r >= '\t' && r <= '\r', r == 0xa0:
		return true
	case r < 0x100:
		return false
	}
	return unicode.Is(unicode.Zs, r)
}

// asciiNames are Haskell's escapes for control characters, by code.
const asciiNames = "NUL SOH STX ETX EOT ENQ ACK a b t n v f r SO SI DLE DC1 DC2 DC3 DC4 " +
	"NAK SYN ETB CAN EM SUB ESC FS GS RS US"

// hsLitChar is Haskell's showLitChar; next is the following rune (-1 if
// none), which decides the \& separators.
func hsLitChar(b *strings.Builder, r, next rune) {
	switch {
	case r > 0x7f:
		b.WriteString("\\" + strconv.Itoa(int(r)))
		if next >= '0' && next <= '9' {
			b.WriteString("\\&")
		}
	case r == 0x7f:
		b.WriteString("\\DEL")
	case r == '\\':
		b.WriteString("\\\\")
	case r >= ' ':
		b.WriteRune(r)
	default:
		b.WriteString("\\" + strings.Fields(asciiNames)[r])
		if r == 0x0e && next == 'H' {
			b.WriteString("\\&")
		}
	}
}

// hsShowString is Haskell's show on a String.
func hsShowString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	rs := []rune(s)
	for i, r := range rs {
		next := rune(-1)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		if r == '"' {
			b.WriteString("\\\"")
			continue
		}
		hsLitChar(&b, r, next)
	}
	b.WriteByte('"')
	return b.String()
}

// hsShowChar is Haskell's show on a Char.
func hsShowChar(r rune) string {
	if r == '\'' {
		return "'\\''"
	}
	var b strings.Builder
	b.WriteByte('\'')
	hsLitChar(&b, r, -1)
	b.WriteByte('\'')
	return b.String()
}
