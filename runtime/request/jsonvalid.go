package request

import "bytes"

// maxJSONDepth is encoding/json's nesting limit: json.Valid refuses a
// value nested deeper.
const maxJSONDepth = 10000

// validJSON is json.Valid, written out: encoding/json's scanner calls a
// state function per byte, which made checking a write's body cost more
// than the rest of its request path. FuzzValidJSON holds the two to the
// same answers. Like json.Valid it does not check strings' UTF-8.
func validJSON(data []byte) bool {
	_, ok := validJSONKeys(data, nil)
	return ok
}

// validJSONKeys is validJSON that also returns, when data is an object, its
// members' names as they are written (quoted, in order, repeats kept),
// appended to keys: a write's body is then read once, not checked and
// scanned again for its keys.
func validJSONKeys(data []byte, keys [][]byte) (_ [][]byte, ok bool) {
	var buf [32]byte
	open := buf[:0] // the containers the value at i is in: '{' or '['
	i := 0
	for {
		// A value starts at i, after whitespace.
		i = skipSpace(data, i)
		if i >= len(data) {
			return nil, false
		}
		switch data[i] {
		case '{', '[':
			if len(open) == maxJSONDepth {
				return nil, false
			}
			c := data[i]
			j := skipSpace(data, i+1)
			if j < len(data) && data[j] == c+2 { // '}' and ']' are 2 past '{' and '['
				i = j + 1
				break
			}
			open = append(open, c)
			i = j
			if c == '{' {
				start, end := i, 0
				if i, end = memberName(data, i); i < 0 {
					return nil, false
				}
				if len(open) == 1 {
					keys = append(keys, data[start:end])
				}
			}
			continue
		case '"':
			i = scanString(data, i)
		case 't':
			i = literal(data, i, "true")
		case 'f':
			i = literal(data, i, "false")
		case 'n':
			i = literal(data, i, "null")
		default:
			i = scanNumber(data, i)
		}
		if i < 0 {
			return nil, false
		}
		// The value ended: close the containers it ends, then go on to the
		// next member or element.
		for {
			i = skipSpace(data, i)
			if len(open) == 0 {
				if i != len(data) {
					return nil, false
				}
				return keys, true
			}
			if i >= len(data) {
				return nil, false
			}
			top := open[len(open)-1]
			if data[i] == ',' {
				i++
				if top == '{' {
					start, end := skipSpace(data, i), 0
					if i, end = memberName(data, start); i < 0 {
						return nil, false
					}
					if len(open) == 1 {
						keys = append(keys, data[start:end])
					}
				}
				break
			}
			if data[i] != top+2 {
				return nil, false
			}
			open = open[:len(open)-1]
			i++
		}
	}
}

// memberName reads an object member's name and its colon from data[i];
// it returns the index after the colon (-1 if there is none) and the one
// just past the name.
func memberName(data []byte, i int) (next, end int) {
	if i >= len(data) || data[i] != '"' {
		return -1, 0
	}
	if end = scanString(data, i); end < 0 {
		return -1, 0
	}
	if i = skipSpace(data, end); i >= len(data) || data[i] != ':' {
		return -1, 0
	}
	return i + 1, end
}

// scanString returns the index just past the string starting at data[i],
// -1 if it is not a valid JSON string.
func scanString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		// Most bytes are plain: one table load passes them.
		for i < len(data) && plainStringByte[data[i]] {
			i++
		}
		if i == len(data) {
			break
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(data) {
				return -1
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(data) || !isHex(data[i+1]) || !isHex(data[i+2]) || !isHex(data[i+3]) || !isHex(data[i+4]) {
					return -1
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

// plainStringByte marks the bytes a JSON string holds as they are: not the
// quote, the backslash or a control character.
var plainStringByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

// scanNumber returns the index just past the number starting at data[i],
// -1 if none starts there: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(data []byte, i int) int {
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data) || !isDigit(data[i]):
		return -1
	case data[i] == '0':
		i++
	default:
		i = digits(data, i)
	}
	if i < len(data) && data[i] == '.' {
		if i+1 >= len(data) || !isDigit(data[i+1]) {
			return -1
		}
		i = digits(data, i+1)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return -1
		}
		i = digits(data, i)
	}
	return i
}

func digits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// literal returns the index just past lit at data[i], -1 if it is not there.
func literal(data []byte, i int, lit string) int {
	if !bytes.HasPrefix(data[i:], []byte(lit)) {
		return -1
	}
	return i + len(lit)
}
