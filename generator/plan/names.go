package plan

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// commonInitialisms are words written in upper case in Go names, as golint
// and the Go style guide spell them.
var commonInitialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true,
	"EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true,
	"IP": true, "JSON": true, "LHS": true, "QPS": true, "RAM": true, "RHS": true,
	"RPC": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true, "TCP": true,
	"TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true, "UUID": true,
	"URI": true, "URL": true, "UTF8": true, "VM": true, "XML": true, "XMPP": true,
	"XSRF": true, "XSS": true,
}

// exportedName turns any SQL name into an exported Go identifier. Words are
// split at non-alphanumeric characters and at lower-to-upper case changes, so
// "user_id", "userId" and "User ID" all become "UserID"; the namer then
// tells such clashes apart. Letters without case (CJK and the like) are kept;
// a name that would not start with an upper-case letter gets an "X" prefix.
// A name with no letters or digits at all becomes "X" plus its bytes in hex.
func exportedName(sql string) string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	runes := []rune(sql)
	for i, r := range runes {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			switch {
			// "userId": a new word at a lower-to-upper change.
			case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
				flush()
			// "HTTPServer": an upper-case run ends before its last letter
			// when a lower-case letter follows.
			case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(runes) && unicode.IsLower(runes[i+1]):
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	if len(words) == 0 {
		return fmt.Sprintf("X%X", sql)
	}
	var b strings.Builder
	for _, w := range words {
		up := strings.ToUpper(w)
		if commonInitialisms[up] {
			b.WriteString(up)
			continue
		}
		first, size := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(first))
		b.WriteString(strings.ToLower(w[size:]))
	}
	name := b.String()
	if first, _ := utf8.DecodeRuneInString(name); !unicode.IsUpper(first) {
		name = "X" + name
	}
	return name
}

// namer hands out distinct identifiers within one Go scope (a package, or the
// fields of one struct). Requests must come in a deterministic order; the
// first request for a base name gets it, later ones get a numeric suffix.
// Names are also kept distinct ignoring case, because file names derive from
// them and some file systems fold case.
type namer struct {
	taken map[string]bool
}

func newNamer(reserved ...string) *namer {
	n := &namer{taken: map[string]bool{}}
	for _, r := range reserved {
		n.taken[strings.ToLower(r)] = true
	}
	return n
}

// name returns base, or base with the smallest suffix ≥ 2 not taken yet.
func (n *namer) name(base string) string {
	candidate := base
	for i := 2; n.taken[strings.ToLower(candidate)]; i++ {
		sep := ""
		if last, _ := utf8.DecodeLastRuneInString(base); unicode.IsDigit(last) {
			sep = "_"
		}
		candidate = base + sep + strconv.Itoa(i)
	}
	n.taken[strings.ToLower(candidate)] = true
	return candidate
}

// fileStem turns a unique Go identifier into a file name stem that go/build
// reads as a plain name: lower case ASCII letters, digits and underscores,
// never starting with "_" or ".". Callers append a kind token ("_table.go"),
// so no stem can end in a GOOS/GOARCH or _test suffix.
func fileStem(goName string) string {
	var b strings.Builder
	var prev rune
	for _, r := range goName {
		switch {
		case r >= 'A' && r <= 'Z':
			if prev != 0 && (prev >= 'a' && prev <= 'z' || prev >= '0' && prev <= '9') {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "u%x", r)
		}
		prev = r
	}
	return strings.TrimLeft(b.String(), "_.")
}

// free tells whether name is not taken yet.
func (n *namer) free(name string) bool { return !n.taken[strings.ToLower(name)] }

// singular puts the last word of an SQL name in the singular, for the Go
// name of one row, as sqlc names its models: books → book, book_ratings →
// book_rating, categories → category, people → person. The rules are few
// and plain, so a reader can predict them: a short list of irregular and
// uncountable words, then -ies → -y, -sses/-xes/-ches/-shes → drop -es, and
// a final -s dropped unless the word ends in -ss, -us or -is. The last word
// is the trailing run of ASCII letters, or its last capitalised part
// ("BookRatings" → "Ratings"); a name ending in anything else is kept.
func singular(name string) string {
	start := len(name)
	for start > 0 && isASCIILetter(name[start-1]) {
		start--
	}
	if start == len(name) {
		return name
	}
	// In a mixed-case run the last word starts at its last capital that
	// a lower-case letter follows.
	for i := len(name) - 2; i > start; i-- {
		if isUpper(name[i]) && !isUpper(name[i+1]) {
			start = i
			break
		}
	}
	word := name[start:]
	one := singularWord(strings.ToLower(word))
	switch {
	case strings.ToUpper(word) == word:
		one = strings.ToUpper(one)
	case isUpper(word[0]):
		one = strings.ToUpper(one[:1]) + one[1:]
	}
	return name[:start] + one
}

// irregular are plurals the suffix rules get wrong, and words that are
// their own singular.
var irregular = map[string]string{
	"people": "person", "men": "man", "women": "woman", "children": "child",
	"mice": "mouse", "geese": "goose", "feet": "foot", "teeth": "tooth",
	"movies": "movie", "cookies": "cookie", "indices": "index", "matrices": "matrix",
	"vertices": "vertex", "criteria": "criterion", "analyses": "analysis",
	"statuses": "status", "aliases": "alias", "buses": "bus", "quizzes": "quiz",
	"caches": "cache", "gas": "gas",
	"news": "news", "series": "series", "species": "species", "data": "data",
	"metadata": "metadata", "sheep": "sheep", "fish": "fish", "deer": "deer",
	"information": "information", "equipment": "equipment", "media": "media",
}

func singularWord(w string) string {
	if s, ok := irregular[w]; ok {
		return s
	}
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "xes"),
		strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"):
		return w[:len(w)-2]
	case len(w) > 2 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") &&
		!strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || isUpper(b) }
func isUpper(b byte) bool       { return b >= 'A' && b <= 'Z' }
