package query

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The fast path reads the common, simple forms of select, filters, order
// and param keys without the Parsec model. It is tried first and declines
// (ok false) on anything else, so the full grammar still decides every
// other input and builds every error. What it accepts, it reads exactly as
// the full grammar does (FuzzFastPath and TestFastPathParseRaw check it).

// plainNameLen is the length of the name at the start of s that fieldName
// reads as itself: identifier characters but the blank (so hsStrip changes
// nothing), no quote, no dash. Callers check what follows it.
func plainNameLen(s string) int {
	i := 0
	for {
		for i < len(s) && plainASCII[s[i]] {
			i++
		}
		if i == len(s) || s[i] < utf8.RuneSelf {
			return i
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			return i
		}
		i += n
	}
}

// plainASCII is isIdentChar on ASCII without the blank, as a table: one
// load per byte of a name.
var plainASCII = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$'
	}
	return t
}()

// isPlainName reports whether the whole of s is one plain name: a key
// without embed path or JSON path, which treePath reads as that column.
func isPlainName(s string) bool {
	return s != "" && plainNameLen(s) == len(s)
}

// fastFilter reads [not.]op.value for the operators whose value is the
// rest of the input as is (eq, neq, gt, gte, lt, lte), with * as % (like,
// ilike), or one of the IS words in full. f.Field is left as it is.
func fastFilter(value string, f *Filter) bool {
	v, negated := strings.CutPrefix(value, "not.")
	op, rest, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	switch op {
	case "eq", "neq", "gt", "gte", "lt", "lte":
	case "like", "ilike":
		rest = strings.ReplaceAll(rest, "*", "%")
	case "is":
		// The full grammar stops after the word; trailing text is left to it.
		if rest = isWord(rest); rest == "" {
			return false
		}
	default:
		return false
	}
	f.Negated, f.Operator, f.Value = negated, op, rest
	return true
}

// isWord is the IS value v spells in ASCII letters of either case, as
// ciString matches it; "" if v is not exactly one of them.
func isWord(v string) string {
	for _, w := range isValues {
		if len(v) == len(w) && asciiCaseEqual(v, w) {
			return w
		}
	}
	return ""
}

// asciiCaseEqual compares v with the lower-case word w, each byte of v
// being w's or its ASCII upper case (not Unicode folding: ciString takes
// only toUpper of each letter).
func asciiCaseEqual(v, w string) bool {
	for i := 0; i < len(w); i++ {
		if c := v[i]; c != w[i] && c != upperASCII(w[i]) {
			return false
		}
	}
	return true
}

func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// fastOrder reads order= terms of plain columns with optional .asc/.desc
// and .nullsfirst/.nullslast, appending them to terms.
func fastOrder(value string, terms []OrderTerm) ([]OrderTerm, bool) {
	for {
		term, next, more := strings.Cut(value, ",")
		t, ok := fastOrderTerm(term)
		if !ok {
			return terms, false
		}
		terms = append(terms, t)
		if !more {
			return terms, true
		}
		value = next
	}
}

func fastOrderTerm(term string) (OrderTerm, bool) {
	n := plainNameLen(term)
	if n == 0 {
		return OrderTerm{}, false
	}
	t := OrderTerm{Field: Field{Name: term[:n]}}
	rest, desc := strings.CutPrefix(term[n:], ".desc")
	if !desc {
		rest, _ = strings.CutPrefix(rest, ".asc")
	}
	t.Desc = desc
	switch rest {
	case "":
	case ".nullsfirst":
		t.Nulls = "first"
	case ".nullslast":
		t.Nulls = "last"
	default:
		return OrderTerm{}, false
	}
	return t, true
}

// fastSelect reads select= items, appending them to items: *, plain
// columns with an optional alias: and ::cast, and embeds name(...) or
// alias:name(...) of such items, without hints, spreads or blanks.
func fastSelect(value string, items []SelectItem) ([]SelectItem, bool) {
	items, i, ok := fastItems(value, 0, false, items)
	return items, ok && i == len(value)
}

// fastItems reads comma-separated items from src[i:], up to the end or, if
// nested, up to a ")" it does not consume.
func fastItems(src string, i int, nested bool, out []SelectItem) ([]SelectItem, int, bool) {
	for {
		var it SelectItem
		var ok bool
		if it, i, ok = fastItem(src, i); !ok {
			return out, i, false
		}
		out = append(out, it)
		switch {
		case i < len(src) && src[i] == ',':
			i++
		case nested:
			return out, i, i < len(src) && src[i] == ')'
		default:
			return out, i, i == len(src)
		}
	}
}

// fastItem reads one item; fastItems checks what follows it.
func fastItem(src string, i int) (SelectItem, int, bool) {
	if i < len(src) && src[i] == '*' {
		return SelectItem{Star: true}, i + 1, true
	}
	name, i, ok := fastName(src, i)
	if !ok {
		return SelectItem{}, i, false
	}
	var alias string
	if i+1 < len(src) && src[i] == ':' && src[i+1] != ':' {
		alias = name
		if name, i, ok = fastName(src, i+1); !ok {
			return SelectItem{}, i, false
		}
	}
	if i < len(src) && src[i] == '(' {
		// count( is the count() aggregate, never a relation.
		if name == "count" {
			return SelectItem{}, i, false
		}
		sel, j, ok := fastItems(src, i+1, true, make([]SelectItem, 0, innerItems(src[i+1:])))
		if !ok {
			return SelectItem{}, j, false
		}
		return SelectItem{Embed: &Embed{Name: name, Alias: alias, Select: sel}}, j + 1, true
	}
	it := SelectItem{Alias: alias, Field: Field{Name: name}}
	if strings.HasPrefix(src[i:], "::") {
		// One cast only: a second one is the aggregate's.
		if it.Cast, i, ok = fastName(src, i+2); !ok {
			return SelectItem{}, i, false
		}
	}
	return it, i, true
}

// innerItems is a capacity for the items of an embed whose text starts
// s: the commas before the first ")", plus one (exact without nesting).
func innerItems(s string) int {
	if end := strings.IndexByte(s, ')'); end >= 0 {
		s = s[:end]
	}
	return strings.Count(s, ",") + 1
}

// fastName reads a plain name at src[i:].
func fastName(src string, i int) (string, int, bool) {
	n := plainNameLen(src[i:])
	return src[i : i+n], i + n, n > 0
}
