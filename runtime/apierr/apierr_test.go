package apierr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestStatusOf is PostgREST's SQLSTATE → HTTP table (postgrest-features §2.1).
func TestStatusOf(t *testing.T) {
	cases := []struct {
		code, message string
		authed        bool
		want          int
	}{
		{"08006", "", false, 503}, {"09000", "", false, 500}, {"0L000", "", false, 403}, {"0P000", "", false, 403},
		{"23503", "", false, 409}, {"23505", "", false, 409}, {"25006", "", false, 405}, {"25001", "", false, 500},
		{"28000", "", false, 403}, {"2D000", "", false, 500}, {"38000", "", false, 500}, {"39000", "", false, 500},
		{"3B000", "", false, 500}, {"40001", "", false, 500}, {"53400", "", false, 500}, {"53100", "", false, 503},
		{"54000", "", false, 500}, {"55000", "", false, 500}, {"57014", "", false, 500}, {"57P01", "", false, 503},
		{"58000", "", false, 500}, {"F0000", "", false, 500}, {"HV000", "", false, 500}, {"P0001", "", false, 400},
		{"P0002", "", false, 500}, {"XX000", "", false, 500}, {"42883", "function f() does not exist", false, 404},
		{"42883", "function xmlagg(x) does not exist", false, 406}, {"42P01", "", false, 404}, {"42P17", "", false, 500},
		{"42501", "", false, 401}, {"42501", "", true, 403}, {"PT402", "", false, 402}, {"PT4xx", "", false, 400},
		{"21000", "DELETE requires a WHERE clause", false, 400}, {"21000", "more than one row", false, 500},
		{"22023", `role "x" does not exist`, false, 401}, {"22023", "invalid value", false, 400},
		{"22P02", "", false, 400}, {"42703", "", false, 400},
	}
	for _, c := range cases {
		if got := StatusOf(&pgconn.PgError{Code: c.code, Message: c.message}, c.authed); got != c.want {
			t.Errorf("StatusOf(%s %q, authed=%v) = %d, want %d", c.code, c.message, c.authed, got, c.want)
		}
	}
}

func TestFrom(t *testing.T) {
	// A 401 carries WWW-Authenticate.
	e := From(fmt.Errorf("run: %w", &pgconn.PgError{Code: "42501", Message: "permission denied for table t"}), false)
	if e.Status != http.StatusUnauthorized || e.Headers.Get("WWW-Authenticate") != "Bearer" || e.Message != "permission denied for table t" {
		t.Errorf("42501 anon = %+v", e)
	}
	// RAISE SQLSTATE 'PGRST' with JSON message and detail (F-ERR-04).
	e = From(&pgconn.PgError{Code: "PGRST",
		Message: `{"code":"123","message":"Payment <required>","details":"d","hint":"h"}`,
		Detail:  `{"status":402,"headers":{"X-Powered-By":"Nerd Rage"}}`}, false)
	b, _ := e.MarshalJSON()
	if e.Status != 402 || e.Headers.Get("X-Powered-By") != "Nerd Rage" ||
		string(b) != `{"code":"123","details":"d","hint":"h","message":"Payment <required>"}` {
		t.Errorf("PGRST raise = %+v %s", e, b)
	}
	// Unparsable JSON is PGRST121.
	if e := From(&pgconn.PgError{Code: "PGRST", Message: "nope"}, false); e.Code != "PGRST121" || e.Status != 500 {
		t.Errorf("bad PGRST raise = %+v", e)
	}
	// Anything else never shows the Go error text.
	if e := From(errors.New("secret internal detail"), false); e.Code != "PGRSTX00" || e.Message == "secret internal detail" {
		t.Errorf("plain error = %+v", e)
	}
}
