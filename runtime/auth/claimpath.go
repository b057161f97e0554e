package auth

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// ClaimPath locates the role inside the JWT claims (jwt-role-claim-key).
// It is either an RFC 9535 JSONPath query, which PostgREST v16 reads through
// aeson-jsonpath (all segments and selectors, filters with comparisons,
// &&, ||, ! and search() as the only function), or the pre-v16 JSPath
// (.key, ."quoted key", [n] and one trailing [?(@ op "text")] filter) that
// PostgREST still reads but deprecates. When the query selects several
// values, the first one wins, as in PostgREST; object members are visited
// in key order, as aeson's ordered maps do.
type ClaimPath struct {
	src        string
	query      []segment    // RFC 9535 segments after "$"
	legacy     []legacyStep // the deprecated syntax
	deprecated bool
}

// ParseClaimPath parses a jwt-role-claim-key value (after the config file's
// $$ → $ unescaping). A value starting with "$" is RFC 9535 JSONPath; one
// starting with "." or "[" is the deprecated pre-v16 syntax.
func ParseClaimPath(s string) (ClaimPath, error) {
	var (
		p   = ClaimPath{src: s}
		err error
	)
	switch {
	case strings.HasPrefix(s, "$"):
		p.query, err = parseJSONPath(s)
	case strings.HasPrefix(s, ".") || strings.HasPrefix(s, "["):
		p.deprecated = true
		p.legacy, err = parseDeprecatedPath(s)
	default:
		err = errors.New(`a JSONPath must start with "$"`)
	}
	if err != nil {
		return ClaimPath{}, fmt.Errorf("invalid role claim key %q: %w", s, err)
	}
	return p, nil
}

// String returns the path as it was written.
func (p ClaimPath) String() string { return p.src }

// Deprecated reports whether the path uses the pre-v16 syntax, which
// PostgREST accepts with a warning on startup and reload; config logs it.
func (p ClaimPath) Deprecated() bool { return p.deprecated }

// Lookup evaluates the path on decoded JSON (as from encoding/json:
// map[string]any, []any, string, json.Number or float64, bool, nil) and
// returns the first value it selects. The zero ClaimPath selects doc.
func (p ClaimPath) Lookup(doc any) (any, bool) {
	if p.deprecated {
		return lookupLegacy(doc, p.legacy)
	}
	var first any
	found := false
	selectNodes(doc, doc, p.query, func(n any) bool {
		first, found = n, true
		return false
	})
	return first, found
}

// pathParser is a cursor over the path text.
type pathParser struct {
	s     string
	pos   int
	depth int // nesting of filters and parentheses
}

// maxNesting bounds filter and parenthesis nesting, so that no path can
// exhaust the stack of the recursive parser or evaluator.
const maxNesting = 64

func (p *pathParser) eof() bool { return p.pos >= len(p.s) }

func (p *pathParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.pos]
}

// skipBlank skips RFC 9535 blank space (space, tab, LF, CR).
func (p *pathParser) skipBlank() {
	for !p.eof() {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// consume advances past tok if the text continues with it.
func (p *pathParser) consume(tok string) bool {
	if strings.HasPrefix(p.s[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func (p *pathParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: "+format, append([]any{p.pos}, args...)...)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// index parses an RFC 9535 int: "0" or an optional "-" and no leading
// zero, within I-JSON's exact integer range.
func (p *pathParser) index() (int64, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	digits := p.pos
	for isDigit(p.peek()) {
		p.pos++
	}
	text := p.s[start:p.pos]
	switch {
	case p.pos == digits:
		return 0, p.errorf("expected digits")
	case p.s[digits] == '0' && (p.pos-digits > 1 || digits != start):
		return 0, p.errorf("invalid index %q (leading zero or -0)", text)
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n > maxIndex || n < -maxIndex {
		return 0, p.errorf("index %s out of range", text)
	}
	return n, nil
}

// maxIndex bounds indexes to I-JSON's exact integer range, as RFC 9535 does.
const maxIndex = 1<<53 - 1

// memberName parses RFC 9535 member-name-shorthand.
func (p *pathParser) memberName() (string, error) {
	start := p.pos
	for !p.eof() {
		r, size := utf8.DecodeRuneInString(p.s[p.pos:])
		first := p.pos == start
		if !isNameChar(r, first) || (r == utf8.RuneError && size == 1) {
			break
		}
		p.pos += size
	}
	if p.pos == start {
		return "", p.errorf("expected a member name after '.'")
	}
	return p.s[start:p.pos], nil
}
func isNameChar(r rune, first bool) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		return true
	case r >= '0' && r <= '9':
		return !first
	case r >= 0x80 && r <= 0xD7FF, r >= 0xE000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// stringLiteral parses an RFC 9535 quoted name with its escapes.
func (p *pathParser) stringLiteral(quote byte) (string, error) {
	p.pos++ // opening quote
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errorf("unterminated string")
		}
		c := p.s[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\\':
			p.pos++
			r, err := p.escape(quote)
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
		case c < 0x20:
			return "", p.errorf("control character in string")
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf("invalid UTF-8")
			}
			b.WriteRune(r)
			p.pos += size
		}
	}
}

func (p *pathParser) escape(quote byte) (rune, error) {
	if p.eof() {
		return 0, p.errorf("unterminated escape")
	}
	c := p.s[p.pos]
	p.pos++
	switch c {
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case '/':
		return '/', nil
	case '\\':
		return '\\', nil
	case quote:
		return rune(quote), nil
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return 0, err
		}
		if !utf16.IsSurrogate(r) {
			return r, nil
		}
		if r >= 0xDC00 || !strings.HasPrefix(p.s[p.pos:], `\u`) {
			return 0, p.errorf("unpaired surrogate")
		}
		p.pos += 2
		lo, err := p.hex4()
		if err != nil {
			return 0, err
		}
		if r = utf16.DecodeRune(r, lo); r == unicode.ReplacementChar {
			return 0, p.errorf("invalid surrogate pair")
		}
		return r, nil
	}
	p.pos--
	return 0, p.errorf("invalid escape \\%c", c)
}

func (p *pathParser) hex4() (rune, error) {
	if len(p.s)-p.pos < 4 {
		return 0, p.errorf("expected 4 hex digits")
	}
	n, err := strconv.ParseUint(p.s[p.pos:p.pos+4], 16, 32)
	if err != nil {
		return 0, p.errorf("expected 4 hex digits")
	}
	p.pos += 4
	return rune(n), nil
}

// legacyStep is one step of the deprecated syntax: a key, an index, or the
// final filter keeping the first string element that matches.
type legacyStep struct {
	kind  byte // 'k' key, 'i' index, 'f' filter
	name  string
	index int64
	op    string // filter: "==", "!=", "^==", "==^" or "*=="
}

// parseDeprecatedPath parses PostgREST's pre-v16 JSPath: one or more of
// .key (letters, digits, _ $ @), ."quoted key" (no escapes) and [n], and
// optionally a last [?(@ op "text")] with op ==, !=, ^== (prefix), ==^
// (suffix) or *== (contains).
func parseDeprecatedPath(s string) ([]legacyStep, error) {
	p := &pathParser{s: s}
	var steps []legacyStep
	for !p.eof() {
		switch {
		case p.peek() == '.':
			p.pos++
			if p.peek() == '"' {
				name, err := p.legacyQuoted()
				if err != nil {
					return nil, err
				}
				steps = append(steps, legacyStep{kind: 'k', name: name})
				continue
			}
			start := p.pos
			for !p.eof() {
				r, size := utf8.DecodeRuneInString(s[p.pos:])
				if !(unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' || r == '$' || r == '@') {
					break
				}
				p.pos += size
			}
			if p.pos == start {
				return nil, p.errorf("expected a key after '.'")
			}
			steps = append(steps, legacyStep{kind: 'k', name: s[start:p.pos]})
		case p.consume("[?("):
			st, err := p.legacyFilter()
			if err != nil {
				return nil, err
			}
			if !p.eof() {
				return nil, p.errorf("a filter must be the last step")
			}
			steps = append(steps, st)
		case p.peek() == '[':
			p.pos++
			start := p.pos
			for isDigit(p.peek()) {
				p.pos++
			}
			n, err := strconv.ParseInt(s[start:p.pos], 10, 64)
			if err != nil || n > maxIndex {
				return nil, p.errorf("expected an array index")
			}
			if !p.consume("]") {
				return nil, p.errorf("expected ']'")
			}
			steps = append(steps, legacyStep{kind: 'i', index: n})
		default:
			return nil, p.errorf("unexpected %q", p.peek())
		}
	}
	return steps, nil
}

// legacyQuoted parses "text" without escapes.
func (p *pathParser) legacyQuoted() (string, error) {
	end := strings.IndexByte(p.s[p.pos+1:], '"')
	if end < 0 {
		return "", p.errorf("unterminated quoted key")
	}
	text := p.s[p.pos+1 : p.pos+1+end]
	p.pos += end + 2
	return text, nil
}

// legacyFilter parses the rest of [?(@ op "text")] after "[?(".
func (p *pathParser) legacyFilter() (legacyStep, error) {
	if !p.consume("@") {
		return legacyStep{}, p.errorf("expected '@' in filter")
	}
	p.skipSpaces()
	st := legacyStep{kind: 'f'}
	// Longest operators first: "==^" before "==".
	for _, op := range []string{"==^", "==", "!=", "^==", "*=="} {
		if p.consume(op) {
			st.op = op
			break
		}
	}
	if st.op == "" {
		return legacyStep{}, p.errorf(`expected ==, !=, ^==, ==^ or *== in filter`)
	}
	p.skipSpaces()
	if p.peek() != '"' {
		return legacyStep{}, p.errorf(`expected a "quoted" value in filter`)
	}
	text, err := p.legacyQuoted()
	if err != nil {
		return legacyStep{}, err
	}
	st.name = text
	if !p.consume(")]") {
		return legacyStep{}, p.errorf("expected ')]'")
	}
	return st, nil
}

// skipSpaces skips Unicode white space, as Parsec's spaces does.
func (p *pathParser) skipSpaces() {
	for !p.eof() {
		r, size := utf8.DecodeRuneInString(p.s[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += size
	}
}

// lookupLegacy evaluates the deprecated syntax as PostgREST does: keys on
// objects, indexes on arrays, and the filter on an array of which it
// returns the first string element that matches.
func lookupLegacy(cur any, steps []legacyStep) (any, bool) {
	for _, st := range steps {
		switch st.kind {
		case 'k':
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = obj[st.name]; !ok {
				return nil, false
			}
		case 'i':
			arr, ok := cur.([]any)
			if !ok || st.index >= int64(len(arr)) {
				return nil, false
			}
			cur = arr[st.index]
		case 'f':
			arr, _ := cur.([]any)
			for _, el := range arr {
				if s, ok := el.(string); ok && legacyMatch(st.op, st.name, s) {
					return s, true
				}
			}
			return nil, false
		}
	}
	return cur, true
}

func legacyMatch(op, want, s string) bool {
	switch op {
	case "==":
		return s == want
	case "!=":
		return s != want
	case "^==":
		return strings.HasPrefix(s, want)
	case "==^":
		return strings.HasSuffix(s, want)
	case "*==":
		return strings.Contains(s, want)
	}
	return false
}
