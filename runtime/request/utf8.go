package request

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// checkUTF8 refuses text that is not valid UTF-8 with the error PostgreSQL
// gives for it (22021, a 400), so a body that is turned into JSON in Go (CSV,
// form-urlencoded) is refused as a JSON body with the same bytes is, rather
// than stored with U+FFFD in place of the bad bytes.
func checkUTF8(b []byte) *apierr.Error {
	if utf8.Valid(b) {
		return nil
	}
	for i := 0; i < len(b); {
		if r, size := utf8.DecodeRune(b[i:]); r != utf8.RuneError || size > 1 {
			i += size
			continue
		}
		return invalidUTF8(b[i:])
	}
	return nil
}

// checkUTF8String is checkUTF8 of a decoded form key or value.
func checkUTF8String(s string) *apierr.Error {
	if utf8.ValidString(s) {
		return nil
	}
	return checkUTF8([]byte(s))
}

// invalidUTF8 words the error as PostgreSQL's report_invalid_encoding does:
// the bytes of the sequence the first byte announces (at most 8, at most
// what is left), in hex.
func invalidUTF8(rest []byte) *apierr.Error {
	n := min(utf8SeqLen(rest[0]), len(rest), 8)
	hex := make([]string, n)
	for i := range n {
		hex[i] = fmt.Sprintf("0x%02x", rest[i])
	}
	return apierr.New(http.StatusBadRequest, "22021",
		`invalid byte sequence for encoding "UTF8": `+strings.Join(hex, " "), "", "")
}

// utf8SeqLen is PostgreSQL's pg_utf_mblen: the length a lead byte announces.
func utf8SeqLen(c byte) int {
	switch {
	case c&0x80 == 0:
		return 1
	case c&0xe0 == 0xc0:
		return 2
	case c&0xf0 == 0xe0:
		return 3
	case c&0xf8 == 0xf0:
		return 4
	}
	return 1
}
