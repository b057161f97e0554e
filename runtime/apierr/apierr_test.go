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
		{"42501", "", false, 401}, {"42501", "", true, 403}, {"PT402", "", false, 402},
		// PostgREST reads PTxyz's xyz as any number (Error.hs
		// pgErrorStatus), else answers 500 (RpcSpec.hs: "defaults to
		// status 500 if RAISE code is PT not followed by a number").
		{"PT4xx", "", false, 500}, {"PT40A", "", false, 500}, {"PT799", "", false, 799}, {"PT099", "", false, 500},
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
	// Any status PostgREST takes, several headers of one name.
	e = From(&pgconn.PgError{Code: "PGRST", Message: `{"code":"c","message":"m","details":null}`,
		Detail: `{"status":4.04e2,"status_text":"Gone","headers":{"X-A":"1","x-a":"2"}}`}, false)
	if e.Status != 404 || e.Details != nil || e.Hint != nil || len(e.Headers.Values("X-A")) != 2 {
		t.Errorf("PGRST raise with null details = %+v", e)
	}
	// Anything else never shows the Go error text.
	if e := From(errors.New("secret internal detail"), false); e.Code != "PGRSTX00" || e.Message == "secret internal detail" {
		t.Errorf("plain error = %+v", e)
	}
}

// TestRaisePGRSTErrors: what parseRaisePGRST (PostgREST's Error.hs) rejects,
// checked in its order: the MESSAGE, then a missing DETAIL, then the DETAIL.
// Texts as RpcSpec.hs expects them.
func TestRaisePGRSTErrors(t *testing.T) {
	const (
		msgHint = "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."
		detHint = "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."
		okMsg   = `{"code":"123","message":"ABC"}`
		okDet   = `{"status":404,"headers":{}}`
	)
	for _, c := range []struct{ message, detail, details, hint string }{
		{"INVALID", okDet, "Invalid JSON value for MESSAGE: 'INVALID'", msgHint},
		{"INVALID", "", "Invalid JSON value for MESSAGE: 'INVALID'", msgHint},
		{`["code","message"]`, okDet, `Invalid JSON value for MESSAGE: '["code","message"]'`, msgHint},
		{`{"message":"ABC"}`, okDet, `Invalid JSON value for MESSAGE: '{"message":"ABC"}'`, msgHint},
		{`{"code":123,"message":"ABC"}`, okDet, `Invalid JSON value for MESSAGE: '{"code":123,"message":"ABC"}'`, msgHint},
		{`{"code":"1","message":"ABC","hint":1}`, okDet, `Invalid JSON value for MESSAGE: '{"code":"1","message":"ABC","hint":1}'`, msgHint},
		{okMsg, "", "DETAIL is missing in the RAISE statement", detHint},
		{okMsg, "INVALID", "Invalid JSON value for DETAIL: 'INVALID'", detHint},
		{okMsg, `{"status":404}`, `Invalid JSON value for DETAIL: '{"status":404}'`, detHint},
		{okMsg, `{"status":404,"headers":null}`, `Invalid JSON value for DETAIL: '{"status":404,"headers":null}'`, detHint},
		{okMsg, `{"status":404,"headers":{"X":1}}`, `Invalid JSON value for DETAIL: '{"status":404,"headers":{"X":1}}'`, detHint},
		{okMsg, `{"status":"404","headers":{}}`, `Invalid JSON value for DETAIL: '{"status":"404","headers":{}}'`, detHint},
		{okMsg, `{"status":404.5,"headers":{}}`, `Invalid JSON value for DETAIL: '{"status":404.5,"headers":{}}'`, detHint},
		{okMsg, `{"headers":{}}`, `Invalid JSON value for DETAIL: '{"headers":{}}'`, detHint},
	} {
		e := From(&pgconn.PgError{Code: "PGRST", Message: c.message, Detail: c.detail}, false)
		if e.Status != 500 || e.Code != "PGRST121" || e.Message != `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error` ||
			e.Details == nil || *e.Details != c.details || e.Hint == nil || *e.Hint != c.hint || e.Headers != nil {
			t.Errorf("%s / %s: %+v", c.message, c.detail, e)
		}
	}
}
