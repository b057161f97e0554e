package request

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// The scanner below reads the top-level keys of each object of a JSON
// array that validJSON has accepted (an object body's keys come from the
// check itself). A write needs only the keys (PostgreSQL reads the values),
// and decoding objects into maps was most of a write's allocations;
// skipping values in place costs none.

// objectKeys returns the sorted, distinct keys of the object starting at
// data[i] (after whitespace) and the index just past it. data must be
// valid JSON and data[i:] start with an object, else ok is false.
func objectKeys(data []byte, i int, scratch [][]byte) (keys [][]byte, end int, ok bool) {
	i = skipSpace(data, i)
	if i >= len(data) || data[i] != '{' {
		return nil, i, false
	}
	keys = scratch[:0]
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return keys, i + 1, true
	}
	for i < len(data) {
		start := i
		i = skipString(data, i)
		keys = append(keys, data[start:i])
		i = skipSpace(data, i)
		i = skipSpace(data, i+1) // the ':'
		i = skipValue(data, i)
		i = skipSpace(data, i)
		if i >= len(data) {
			return nil, i, false
		}
		if data[i] == '}' {
			i++
			break
		}
		i = skipSpace(data, i+1) // the ','
	}
	return sortedKeys(keys), i, true
}

// sortedKeys sorts raw (quoted) keys by their text and drops repeats.
func sortedKeys(keys [][]byte) [][]byte {
	// Ordered by their text (the quotes would sort '"' before ' ' wrongly),
	// by insertion: objects have a handful of keys, and a generic sort cost
	// more than the scan.
	for j := 1; j < len(keys); j++ {
		for k := j; k > 0 && keyLess(keys[k], keys[k-1]); k-- {
			keys[k], keys[k-1] = keys[k-1], keys[k]
		}
	}
	return slices.CompactFunc(keys, bytes.Equal)
}

// keyLess orders quoted keys by their text; most differ in their first
// byte, which is compared without a call.
func keyLess(a, b []byte) bool {
	if len(a) > 2 && len(b) > 2 && a[1] != b[1] {
		return a[1] < b[1]
	}
	return bytes.Compare(a[1:len(a)-1], b[1:len(b)-1]) < 0
}

// keyStrings turns raw (quoted) keys into Go strings as encoding/json
// decodes them: the plain ones by slicing, escaped or invalid UTF-8 ones
// through the decoder. Decoding can make two raw keys equal ("a" and
// "\u0061"), so the result is sorted and compacted again.
func keyStrings(raw [][]byte, known Names) []string {
	out := make([]string, len(raw))
	decoded := false
	for i, k := range raw {
		inner := k[1 : len(k)-1]
		if plainKey(inner) {
			if s, ok := knownName(known, inner); ok {
				out[i] = s
			} else {
				out[i] = string(inner)
			}
			continue
		}
		if json.Unmarshal(k, &out[i]) != nil {
			out[i] = string(inner)
		}
		decoded = true
	}
	if decoded {
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out
}

func knownName(known Names, b []byte) (string, bool) {
	if known == nil {
		return "", false
	}
	return known.ColumnName(b)
}

// sameKeys tells whether raw keys are, decoded, the strings want.
func sameKeys(raw [][]byte, want []string) bool {
	if !plainKeys(raw) {
		return slices.Equal(keyStrings(raw, nil), want)
	}
	if len(raw) != len(want) {
		return false
	}
	for i, k := range raw {
		if string(k[1:len(k)-1]) != want[i] {
			return false
		}
	}
	return true
}

// plainKeys: no key needs decoding.
func plainKeys(raw [][]byte) bool {
	for _, k := range raw {
		if !plainKey(k[1 : len(k)-1]) {
			return false
		}
	}
	return true
}

// plainKey: a key's text needs no decoding, no escape and valid UTF-8
// (ASCII, nearly always, seen without utf8.Valid's call).
func plainKey(inner []byte) bool {
	for _, c := range inner {
		if c == '\\' {
			return false
		}
		if c >= utf8.RuneSelf {
			return bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner)
		}
	}
	return true
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at data[i].
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index just past the value starting at data[i].
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				i = skipString(data, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	// A number or a literal runs to the next delimiter.
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}
