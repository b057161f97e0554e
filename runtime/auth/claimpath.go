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
// It holds the singular subset of RFC 9535 JSONPath that PostgREST's
// documented examples use ($, .name, ['name'], ["name"], [n], [-n]) and the
// deprecated pre-v16 form (.role, ."quoted", [n]) that PostgREST still reads.
// Filters, wildcards, slices, unions and descendant segments are rejected at
// parse time, so a configuration never silently evaluates differently from
// PostgREST's.
type ClaimPath struct {
	src        string
	steps      []pathStep
	deprecated bool
}

// pathStep is one child selector: a member name or an array index.
type pathStep struct {
	name    string
	index   int
	isIndex bool
}

// errUnsupported marks JSONPath syntax that is valid but not implemented yet.
var errUnsupported = errors.New("not supported yet")

// maxIndex bounds indexes to I-JSON's exact integer range, as RFC 9535 does.
const maxIndex = 1<<53 - 1

// ParseClaimPath parses a jwt-role-claim-key value (after the config file's
// $$ → $ unescaping). A value starting with "$" is RFC 9535 JSONPath; one
// starting with "." or "[" is the deprecated pre-v16 syntax.
func ParseClaimPath(s string) (ClaimPath, error) {
	var (
		steps []pathStep
		err   error
	)
	deprecated := false
	switch {
	case strings.HasPrefix(s, "$"):
		steps, err = parseJSONPath(s)
	case strings.HasPrefix(s, ".") || strings.HasPrefix(s, "["):
		deprecated = true
		steps, err = parseDeprecatedPath(s)
	default:
		err = errors.New(`a JSONPath must start with "$"`)
	}
	if err != nil {
		return ClaimPath{}, fmt.Errorf("invalid role claim key %q: %w", s, err)
	}
	return ClaimPath{src: s, steps: steps, deprecated: deprecated}, nil
}

// String returns the path as it was written.
func (p ClaimPath) String() string { return p.src }

// Deprecated reports whether the path uses the pre-v16 syntax, which
// PostgREST accepts with a warning.
func (p ClaimPath) Deprecated() bool { return p.deprecated }

// Lookup evaluates the path on decoded JSON (as from encoding/json:
// map[string]any, []any, string, json.Number or float64, bool, nil).
func (p ClaimPath) Lookup(doc any) (any, bool) {
	cur := doc
	for _, st := range p.steps {
		if st.isIndex {
			arr, ok := cur.([]any)
			if !ok {
				return nil, false
			}
			i := st.index
			if i < 0 {
				i += len(arr)
			}
			if i < 0 || i >= len(arr) {
				return nil, false
			}
			cur = arr[i]
			continue
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[st.name]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// pathParser is a cursor over the path text.
type pathParser struct {
	s   string
	pos int
}

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

func (p *pathParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: "+format, append([]any{p.pos}, args...)...)
}

// parseJSONPath parses "$" followed by child segments.
func parseJSONPath(s string) ([]pathStep, error) {
	p := &pathParser{s: s, pos: 1}
	var steps []pathStep
	for {
		start := p.pos
		p.skipBlank()
		if p.eof() {
			if p.pos != start {
				p.pos = start
				return nil, p.errorf("trailing blank space")
			}
			return steps, nil
		}
		switch p.peek() {
		case '.':
			p.pos++
			if p.peek() == '.' {
				return nil, fmt.Errorf("descendant segment (..) %w", errUnsupported)
			}
			if p.peek() == '*' {
				return nil, fmt.Errorf("wildcard (*) %w", errUnsupported)
			}
			name, err := p.memberName()
			if err != nil {
				return nil, err
			}
			steps = append(steps, pathStep{name: name})
		case '[':
			p.pos++
			st, err := p.bracketSelector()
			if err != nil {
				return nil, err
			}
			steps = append(steps, st)
		default:
			return nil, p.errorf("unexpected %q", p.peek())
		}
	}
}

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

// bracketSelector parses one selector after "[" through "]".
func (p *pathParser) bracketSelector() (pathStep, error) {
	p.skipBlank()
	var st pathStep
	switch c := p.peek(); {
	case c == '\'' || c == '"':
		name, err := p.stringLiteral(c)
		if err != nil {
			return st, err
		}
		st = pathStep{name: name}
	case c == '-' || (c >= '0' && c <= '9'):
		n, err := p.index()
		if err != nil {
			return st, err
		}
		st = pathStep{index: n, isIndex: true}
	case c == '?':
		return st, fmt.Errorf("filter selector ([?...]) %w", errUnsupported)
	case c == '*':
		return st, fmt.Errorf("wildcard selector ([*]) %w", errUnsupported)
	case c == ':':
		return st, fmt.Errorf("slice selector ([start:end]) %w", errUnsupported)
	default:
		return st, p.errorf("expected a quoted name or an index after '['")
	}
	p.skipBlank()
	switch p.peek() {
	case ']':
		p.pos++
		return st, nil
	case ',':
		return st, fmt.Errorf("union of selectors ([a,b]) %w", errUnsupported)
	case ':':
		return st, fmt.Errorf("slice selector ([start:end]) %w", errUnsupported)
	}
	return st, p.errorf("expected ']'")
}

// index parses an RFC 9535 int: "0" or an optional "-" and no leading zero.
func (p *pathParser) index() (int, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	digits := p.pos
	for !p.eof() && p.peek() >= '0' && p.peek() <= '9' {
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
	return int(n), nil
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

// parseDeprecatedPath parses PostgREST's pre-v16 JSPath: one or more of
// .key (letters, digits, _ $ @), ."quoted key" (no escapes) and [n].
func parseDeprecatedPath(s string) ([]pathStep, error) {
	p := &pathParser{s: s}
	var steps []pathStep
	for !p.eof() {
		switch p.peek() {
		case '.':
			p.pos++
			if p.peek() == '"' {
				end := strings.IndexByte(s[p.pos+1:], '"')
				if end < 0 {
					return nil, p.errorf("unterminated quoted key")
				}
				steps = append(steps, pathStep{name: s[p.pos+1 : p.pos+1+end]})
				p.pos += end + 2
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
			steps = append(steps, pathStep{name: s[start:p.pos]})
		case '[':
			p.pos++
			if p.peek() == '?' {
				return nil, fmt.Errorf("filter expression ([?(@ ...)]) %w", errUnsupported)
			}
			start := p.pos
			for !p.eof() && p.peek() >= '0' && p.peek() <= '9' {
				p.pos++
			}
			n, err := strconv.ParseInt(s[start:p.pos], 10, 64)
			if err != nil || n > maxIndex {
				return nil, p.errorf("expected an array index")
			}
			if p.peek() != ']' {
				return nil, p.errorf("expected ']'")
			}
			p.pos++
			steps = append(steps, pathStep{index: int(n), isIndex: true})
		default:
			return nil, p.errorf("unexpected %q", p.peek())
		}
	}
	return steps, nil
}
