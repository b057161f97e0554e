package config

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The config file format is PostgREST's (the configurator-pg library):
//
//	# comment
//	key = "string"            escapes \n \t \r \" \\ \uXXXX; may span lines
//	key = 10                  numbers: digits, optional .digits and exponent, no sign
//	key = true                also false, on, off
//	key = [1, "a"]            lists (no PostgREST key takes one)
//	group { key = 1 }         binds group.key; dotted keys a.b = 1 work too
//	import "other.conf"       relative to the importing file
//	#; key = 1                comments out one whole directive
//
// In strings, $(NAME) is replaced by an earlier binding NAME (looked up from
// the innermost group outwards) or else the environment variable NAME, and
// $$ stands for a single $. Bindings are one per line; a later one wins.

// valueKind is the type of a config-file value.
type valueKind int

const (
	kindString valueKind = iota
	kindNumber
	kindBool
	kindList
)

// fileValue is one bound value. Numbers keep their source text.
type fileValue struct {
	kind valueKind
	text string // string value, or number text
	b    bool
}

// maxImportDepth stops import cycles, which the format does not detect.
const maxImportDepth = 16

// fileLoader evaluates a config file and its imports into flat keys.
type fileLoader struct {
	env    map[string]string // for $(NAME) interpolation
	values map[string]fileValue
	depth  int
}

// parseConfigFile reads path and returns its bindings by full key.
func parseConfigFile(path string, env map[string]string) (map[string]fileValue, error) {
	l := &fileLoader{env: env, values: map[string]fileValue{}}
	if err := l.load(path, ""); err != nil {
		return nil, err
	}
	return l.values, nil
}

func (l *fileLoader) load(path, prefix string) error {
	if l.depth >= maxImportDepth {
		return fmt.Errorf("%s: imports nested deeper than %d (a cycle?)", path, maxImportDepth)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config file: %w", err)
	}
	if !utf8.Valid(src) {
		return fmt.Errorf("%s: not valid UTF-8", path)
	}
	p := &fileParser{src: string(src), path: path}
	dirs, err := p.topLevel()
	if err != nil {
		return err
	}
	l.depth++
	defer func() { l.depth-- }()
	return l.apply(path, prefix, dirs)
}

// directive is one parsed statement of the file: a binding (value set), a
// group (group set, possibly empty) or an import.
type directive struct {
	key      string      // binding or group key
	value    *fileValue  // binding
	group    []directive // group
	isImport bool
	importOf string // import path
	pos      string // "file:line:col", for errors
}

func (l *fileLoader) apply(path, prefix string, dirs []directive) error {
	for _, d := range dirs {
		switch {
		case d.isImport:
			child := d.importOf
			if !filepath.IsAbs(child) {
				child = filepath.Join(filepath.Dir(path), child)
			}
			if err := l.load(child, prefix); err != nil {
				return err
			}
		case d.value == nil:
			if err := l.apply(path, prefix+d.key+".", d.group); err != nil {
				return err
			}
		default:
			v := *d.value
			if v.kind == kindString && strings.Contains(v.text, "$") {
				s, err := l.interpolate(prefix, v.text)
				if err != nil {
					return fmt.Errorf("%s: %s: %w", d.pos, prefix+d.key, err)
				}
				v.text = s
			}
			l.values[prefix+d.key] = v
		}
	}
	return nil
}

// interpolate expands $$ and $(NAME) in a string value.
func (l *fileLoader) interpolate(prefix, s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		s = s[i+1:]
		switch {
		case strings.HasPrefix(s, "$"):
			b.WriteByte('$')
			s = s[1:]
		case strings.HasPrefix(s, "("):
			end := strings.IndexByte(s, ')')
			if end < 0 {
				return "", errors.New(`unterminated "$(": write $$ for a literal $`)
			}
			name := s[1:end]
			if name == "" {
				return "", errors.New(`empty "$()": write $$ for a literal $`)
			}
			v, err := l.lookupVar(prefix, name)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			s = s[end+1:]
		default:
			return "", errors.New(`"$" must be followed by "(" or "$": write $$ for a literal $`)
		}
	}
}

// lookupVar finds NAME among earlier bindings, innermost group first, then
// in the environment.
func (l *fileLoader) lookupVar(prefix, name string) (string, error) {
	parts := strings.Split(strings.TrimSuffix(prefix, "."), ".")
	if prefix == "" {
		parts = nil
	}
	for n := len(parts); n >= 0; n-- {
		key := name
		if n > 0 {
			key = strings.Join(parts[:n], ".") + "." + name
		}
		v, ok := l.values[key]
		if !ok {
			continue
		}
		switch v.kind {
		case kindString:
			return v.text, nil
		case kindNumber:
			return numberText(v.text), nil
		default:
			return "", fmt.Errorf("variable %q is not a string or number", name)
		}
	}
	if v, ok := l.env[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("no such variable: %q", name)
}

// numberRat converts a number token exactly; absurd exponents (which would
// take big.Rat long to expand) are refused.
func numberRat(text string) (*big.Rat, bool) {
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		if exp, err := strconv.Atoi(text[i+1:]); err != nil || exp > 1000 || exp < -1000 {
			return nil, false
		}
	}
	return new(big.Rat).SetString(text)
}

// numberText renders a number as interpolation does: integers in decimal,
// others as a float.
func numberText(text string) string {
	r, ok := numberRat(text)
	if !ok {
		return text
	}
	if r.IsInt() && r.Num().IsInt64() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// fileParser is a recursive-descent parser of one file.
type fileParser struct {
	src  string
	pos  int
	path string
}

// syntaxError reports a position as file:line:column.
func (p *fileParser) syntaxError(format string, args ...any) error {
	return fmt.Errorf("%s: %s", p.where(), fmt.Sprintf(format, args...))
}

func (p *fileParser) where() string {
	line := 1 + strings.Count(p.src[:p.pos], "\n")
	col := 1 + utf8.RuneCountInString(p.src[strings.LastIndexByte(p.src[:p.pos], '\n')+1:p.pos])
	return fmt.Sprintf("%s:%d:%d", p.path, line, col)
}

func (p *fileParser) eof() bool { return p.pos >= len(p.src) }

func (p *fileParser) peekRune() rune {
	if p.eof() {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return r
}

// describe names the next input for error messages.
func (p *fileParser) describe() string {
	if p.eof() {
		return "end of input"
	}
	return strconv.QuoteRune(p.peekRune())
}

func (p *fileParser) topLevel() ([]directive, error) {
	p.skipLWS()
	dirs, err := p.directives()
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, p.syntaxError("unexpected %s: expected a new line, a comment or a key", p.describe())
	}
	return dirs, nil
}

// directives parses directives separated by line breaks, stopping before
// anything that cannot start one ('}' or the end).
func (p *fileParser) directives() ([]directive, error) {
	dirs := []directive{}
	for p.startsDirective() {
		d, keep, err := p.directive()
		if err != nil {
			return nil, err
		}
		if keep {
			dirs = append(dirs, d)
		}
		p.skipHWS()
		if !p.eol() {
			break
		}
		p.skipLWS()
	}
	p.skipLWS()
	return dirs, nil
}

func (p *fileParser) startsDirective() bool {
	return unicode.IsLetter(p.peekRune()) || strings.HasPrefix(p.src[p.pos:], "#;")
}

// directive parses one directive; keep is false for a #; comment.
func (p *fileParser) directive() (directive, bool, error) {
	if strings.HasPrefix(p.src[p.pos:], "#;") {
		p.pos += 2
		p.skipHWS()
		if !p.startsDirective() {
			return directive{}, false, p.syntaxError("expected a directive after #;")
		}
		_, _, err := p.directive()
		return directive{}, false, err
	}
	pos := p.where()
	if p.keyword("import") {
		p.skipLWS()
		s, err := p.stringLit()
		if err != nil {
			return directive{}, false, err
		}
		return directive{isImport: true, importOf: s, pos: pos}, true, nil
	}
	key, err := p.identifier()
	if err != nil {
		return directive{}, false, err
	}
	p.skipLWS()
	switch {
	case strings.HasPrefix(p.src[p.pos:], "="):
		p.pos++
		p.skipLWS()
		v, err := p.value()
		if err != nil {
			return directive{}, false, err
		}
		return directive{key: key, value: &v, pos: pos}, true, nil
	case strings.HasPrefix(p.src[p.pos:], "{"):
		p.pos++
		p.skipLWS()
		group, err := p.directives()
		if err != nil {
			return directive{}, false, err
		}
		if !strings.HasPrefix(p.src[p.pos:], "}") {
			return directive{}, false, p.syntaxError("unexpected %s: expected '}'", p.describe())
		}
		p.pos++
		return directive{key: key, group: group, pos: pos}, true, nil
	}
	return directive{}, false, p.syntaxError("unexpected %s after key %q: expected '=' or '{'", p.describe(), key)
}

// keyword consumes kw when it is not the start of a longer key.
func (p *fileParser) keyword(kw string) bool {
	if !strings.HasPrefix(p.src[p.pos:], kw) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos+len(kw):])
	if len(p.src) > p.pos+len(kw) && (r == '.' || isIdentRune(r)) {
		return false
	}
	p.pos += len(kw)
	return true
}

func isIdentRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' || r == '-'
}

// identifier parses words separated by dots; a word starts with a letter.
func (p *fileParser) identifier() (string, error) {
	start := p.pos
	for {
		if !unicode.IsLetter(p.peekRune()) {
			return "", p.syntaxError("unexpected %s: expected a letter starting a key", p.describe())
		}
		for !p.eof() && isIdentRune(p.peekRune()) {
			p.pos += utf8.RuneLen(p.peekRune())
		}
		if p.eof() || p.src[p.pos] != '.' {
			return p.src[start:p.pos], nil
		}
		p.pos++
	}
}

func (p *fileParser) value() (fileValue, error) {
	rest := p.src[p.pos:]
	for _, lit := range []struct {
		text string
		b    bool
	}{{"on", true}, {"off", false}, {"true", true}, {"false", false}} {
		if strings.HasPrefix(rest, lit.text) {
			p.pos += len(lit.text)
			return fileValue{kind: kindBool, b: lit.b}, nil
		}
	}
	switch c := p.peekRune(); {
	case c == '"':
		s, err := p.stringLit()
		return fileValue{kind: kindString, text: s}, err
	case c >= '0' && c <= '9':
		return fileValue{kind: kindNumber, text: p.number()}, nil
	case c == '[':
		p.pos++
		p.skipLWS()
		for !strings.HasPrefix(p.src[p.pos:], "]") {
			if _, err := p.value(); err != nil {
				return fileValue{}, err
			}
			p.skipLWS()
			if !strings.HasPrefix(p.src[p.pos:], ",") {
				break
			}
			p.pos++
			p.skipLWS()
		}
		if !strings.HasPrefix(p.src[p.pos:], "]") {
			return fileValue{}, p.syntaxError("unexpected %s: expected ',' or ']'", p.describe())
		}
		p.pos++
		return fileValue{kind: kindList}, nil
	case c == '\'':
		return fileValue{}, p.syntaxError(`unexpected "'": strings take double quotes`)
	}
	return fileValue{}, p.syntaxError(`unexpected %s: expected a value ("string", number, true, false, on, off or [list])`, p.describe())
}

// number parses digits, an optional fraction and an optional exponent.
func (p *fileParser) number() string {
	start := p.pos
	digits := func(at int) int {
		for at < len(p.src) && p.src[at] >= '0' && p.src[at] <= '9' {
			at++
		}
		return at
	}
	p.pos = digits(p.pos)
	if p.pos+1 < len(p.src) && p.src[p.pos] == '.' {
		if end := digits(p.pos + 1); end > p.pos+1 {
			p.pos = end
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		at := p.pos + 1
		if at < len(p.src) && (p.src[at] == '+' || p.src[at] == '-') {
			at++
		}
		if end := digits(at); end > at {
			p.pos = end
		}
	}
	return p.src[start:p.pos]
}

// stringLit parses a double-quoted string with its escapes.
func (p *fileParser) stringLit() (string, error) {
	if !strings.HasPrefix(p.src[p.pos:], `"`) {
		return "", p.syntaxError("unexpected %s: expected '\"'", p.describe())
	}
	p.pos++
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.syntaxError("unterminated string")
		}
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		switch r {
		case '"':
			p.pos++
			return b.String(), nil
		case '\\':
			p.pos++
			e, err := p.escape()
			if err != nil {
				return "", err
			}
			b.WriteRune(e)
		default:
			b.WriteRune(r)
			p.pos += size
		}
	}
}

func (p *fileParser) escape() (rune, error) {
	if p.eof() {
		return 0, p.syntaxError("unterminated string")
	}
	c := p.src[p.pos]
	p.pos++
	switch c {
	case 'n':
		return '\n', nil
	case 't':
		return '\t', nil
	case 'r':
		return '\r', nil
	case '"':
		return '"', nil
	case '\\':
		return '\\', nil
	case 'u':
		r, err := p.hex4()
		if err != nil || !utf16.IsSurrogate(r) {
			return r, err
		}
		if !strings.HasPrefix(p.src[p.pos:], `\u`) {
			return 0, p.syntaxError("invalid UTF-16 surrogates")
		}
		p.pos += 2
		lo, err := p.hex4()
		if err != nil {
			return 0, err
		}
		if r > 0xDBFF || lo < 0xDC00 || lo > 0xDFFF {
			return 0, p.syntaxError("invalid UTF-16 surrogates")
		}
		return utf16.DecodeRune(r, lo), nil
	}
	p.pos--
	return 0, p.syntaxError(`invalid escape "\%c" (use \n \t \r \" \\ or \uXXXX)`, c)
}

func (p *fileParser) hex4() (rune, error) {
	if len(p.src)-p.pos < 4 {
		return 0, p.syntaxError("expected 4 hexadecimal digits")
	}
	n, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 32)
	if err != nil {
		return 0, p.syntaxError("expected 4 hexadecimal digits")
	}
	p.pos += 4
	return rune(n), nil
}

// skipLWS skips white space, line breaks and # comments (but not "#;").
func (p *fileParser) skipLWS() {
	for !p.eof() {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		switch {
		case unicode.IsSpace(r):
			p.pos += size
		case r == '#' && !strings.HasPrefix(p.src[p.pos:], "#;"):
			for !p.eof() && p.src[p.pos] != '\n' && p.src[p.pos] != '\r' {
				p.pos++
			}
		default:
			return
		}
	}
}

// skipHWS skips spaces, tabs and a # comment up to the line break.
func (p *fileParser) skipHWS() {
	for !p.eof() {
		switch p.src[p.pos] {
		case ' ', '\t':
			p.pos++
		case '#':
			for !p.eof() && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

// eol consumes "\n" or "\r\n".
func (p *fileParser) eol() bool {
	switch {
	case strings.HasPrefix(p.src[p.pos:], "\n"):
		p.pos++
	case strings.HasPrefix(p.src[p.pos:], "\r\n"):
		p.pos += 2
	default:
		return false
	}
	return true
}
