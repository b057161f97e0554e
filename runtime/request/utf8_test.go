package request

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestCheckUTF8MatchesPostgreSQL: the 22021 error for bodies converted in Go
// is worded byte for byte as PostgreSQL words it for the same text.
func TestCheckUTF8MatchesPostgreSQL(t *testing.T) {
	conn, err := pgx.Connect(t.Context(), env.NewDatabase(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	for _, in := range []string{
		"plain ascii", "caf\u00e9 \u2603 \U0001F600", "\uFFFD is a real replacement character",
		"\xff", "a\xffb", "\xfe", "\x80", "ok\xc3", "\xc3\x28", "\xc0\x80", "\xc1\xbf",
		"\xe2\x28\xa1", "\xe2\x82", "x\xe2\x82", "\xed\xa0\x80 surrogate", "\xf0\x28\x8c\xbc",
		"\xf4\x90\x80\x80 beyond U+10FFFF", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "good \u00e9 then \xe9",
	} {
		got := checkUTF8([]byte(in))
		if s := checkUTF8String(in); (s == nil) != (got == nil) || s != nil && s.Message != got.Message {
			t.Errorf("%q: checkUTF8String %v, checkUTF8 %v", in, s, got)
		}
		// convert_from validates as a text parameter would.
		var out string
		pgErr := conn.QueryRow(t.Context(), "SELECT convert_from($1::bytea, 'UTF8')", []byte(in)).Scan(&out)
		var pe *pgconn.PgError
		switch {
		case pgErr == nil && got != nil:
			t.Errorf("%q: PostgreSQL accepts it, checkUTF8 says %s", in, got.Message)
		case pgErr != nil && !errors.As(pgErr, &pe):
			t.Fatalf("%q: %v", in, pgErr)
		case pgErr != nil && got == nil:
			t.Errorf("%q: PostgreSQL refuses it (%s), checkUTF8 accepts it", in, pe.Message)
		case pgErr != nil && (got.Code != pe.Code || got.Message != pe.Message || got.Status != 400 || got.Details != nil || got.Hint != nil):
			t.Errorf("%q: checkUTF8 %d %s %q, PostgreSQL %s %q", in, got.Status, got.Code, got.Message, pe.Code, pe.Message)
		}
	}
}

// FuzzCheckUTF8: never panics; refuses exactly what is not UTF-8.
func FuzzCheckUTF8(f *testing.F) {
	for _, s := range []string{"", "a", "\xff", "\xe2\x82", "\xf4\x90\x80\x80"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		aerr := checkUTF8(b)
		if (aerr == nil) != utf8.Valid(b) {
			t.Fatalf("%q: checkUTF8 %v", b, aerr)
		}
	})
}
