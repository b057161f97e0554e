package query

import "strings"

// arrayItems splits a one-dimensional PostgreSQL array literal such as
// {a,"b,c",d\,e} by array_in's rules. It refuses (ok false) nested arrays,
// NULL items, dimension decorations and malformed text: PostgREST hands the
// literal to PostgreSQL unparsed, so those cases must use the raw value.
func arrayItems(lit string) (items []string, ok bool) {
	lit = strings.TrimFunc(lit, isArraySpace)
	if len(lit) < 2 || lit[0] != '{' || lit[len(lit)-1] != '}' {
		return nil, false
	}
	body := lit[1 : len(lit)-1]
	items = []string{}
	if strings.TrimFunc(body, isArraySpace) == "" {
		return items, true
	}
	for i := 0; ; {
		item, next, ok := arrayItem(body, i)
		if !ok {
			return nil, false
		}
		items = append(items, item)
		if next == len(body) {
			return items, true
		}
		i = next + 1 // past the comma
	}
}

// arrayItem reads the item starting at body[i:]; next is the offset of the
// comma after it, or len(body).
func arrayItem(body string, i int) (item string, next int, ok bool) {
	for i < len(body) && isArraySpace(rune(body[i])) {
		i++
	}
	if i < len(body) && body[i] == '"' {
		return quotedArrayItem(body, i+1)
	}
	var b []byte
	keep := 0 // length of b without trailing unescaped blanks
	escaped := false
	for ; i < len(body) && body[i] != ','; i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			i++
			b, escaped = append(b, body[i]), true
			keep = len(b)
			continue
		case c == '\\', c == '"', c == '{', c == '}':
			return "", 0, false
		}
		b = append(b, c)
		if !isArraySpace(rune(c)) {
			keep = len(b)
		}
	}
	item = string(b[:keep])
	if item == "" || (!escaped && strings.EqualFold(item, "NULL")) {
		return "", 0, false
	}
	return item, i, true
}

// quotedArrayItem reads from just after an opening quote.
func quotedArrayItem(body string, i int) (item string, next int, ok bool) {
	var b []byte
	for ; i < len(body) && body[i] != '"'; i++ {
		if body[i] == '\\' {
			i++
			if i == len(body) {
				return "", 0, false
			}
		}
		b = append(b, body[i])
	}
	if i == len(body) {
		return "", 0, false
	}
	for i++; i < len(body) && isArraySpace(rune(body[i])); i++ {
	}
	if i < len(body) && body[i] != ',' {
		return "", 0, false
	}
	return string(b), i, true
}

// isArraySpace is PostgreSQL's array_isspace.
func isArraySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}
