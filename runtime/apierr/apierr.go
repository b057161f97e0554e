// Package apierr holds PostgREST's error object and the mapping from
// PostgreSQL errors to HTTP statuses. Every error a client sees goes through it,
// so no Go error string ever reaches a response body.
package apierr

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Error is PostgREST's error object: {"code","message","details","hint"} plus
// the HTTP status and any extra response headers it carries.
type Error struct {
	Status  int
	Code    string
	Message string
	// Details and Hint are nil when absent; PostgREST sends them as JSON null.
	Details *string
	Hint    *string
	// DetailsJSON, when set, is sent as details instead of Details: a JSON
	// value other than a string (PGRST201 lists relationships).
	DetailsJSON json.RawMessage
	// Headers are extra response headers (WWW-Authenticate, or those of a
	// RAISE SQLSTATE 'PGRST' error).
	Headers http.Header
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// MarshalJSON writes the error object with keys in PostgREST's order.
func (e *Error) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// PostgREST writes <, > and & as they are.
	enc.SetEscapeHTML(false)
	var details any = e.Details
	if e.DetailsJSON != nil {
		details = e.DetailsJSON
	}
	err := enc.Encode(struct {
		Code    string  `json:"code"`
		Details any     `json:"details"`
		Hint    *string `json:"hint"`
		Message string  `json:"message"`
	}{e.Code, details, e.Hint, e.Message})
	return bytes.TrimRight(buf.Bytes(), "\n"), err
}

// New makes a PostgREST error with optional details and hint ("" means null).
func New(status int, code, message, details, hint string) *Error {
	return &Error{Status: status, Code: code, Message: message, Details: opt(details), Hint: opt(hint)}
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Cancelled is PGRST503 (a pgrestgen code): the server cancelled the request
// before it finished, because it is shutting down and the grace period is
// over. Whatever error the cancellation caused (57014, a dropped connection)
// is replaced by this one.
func Cancelled() *Error {
	return New(http.StatusServiceUnavailable, "PGRST503", "The request was cancelled before it finished",
		"The server is shutting down", "Retry the request")
}

// ParseError is PGRST100: the query string could not be parsed.
func ParseError(message, details string) *Error {
	return New(http.StatusBadRequest, "PGRST100", message, details, "")
}

// From turns any error into a PostgREST error. A *Error passes through; a
// PostgreSQL error is mapped by its SQLSTATE; anything else is PGRSTX00 with
// a generic message (the Go error text is for the log, not the client).
// authenticated says whether the request carried a JWT (42501 → 403, else 401).
func From(err error, authenticated bool) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fromPg(pe, authenticated)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return DatabaseUnavailable()
	}
	return New(http.StatusInternalServerError, "PGRSTX00", "Internal server error", "", "")
}

// DatabaseUnavailable is PGRST000 (503): the database cannot be reached; the
// server is retrying the connection.
func DatabaseUnavailable() *Error {
	return New(http.StatusServiceUnavailable, "PGRST000", "Database connection error. Retrying the connection.", "", "")
}

// ConnectionLost is the answer to a request whose connection broke: a
// PostgreSQL error that ended the session (57P01 …) keeps its SQLSTATE
// and message with status 503; a broken socket is PGRST001 (503). The
// cause stays in the chain for the log.
func ConnectionLost(cause error) error {
	var pe *pgconn.PgError
	if errors.As(cause, &pe) {
		e := fromPg(pe, false)
		e.Status = http.StatusServiceUnavailable
		return &lostError{api: e, cause: cause}
	}
	return &lostError{api: New(http.StatusServiceUnavailable, "PGRST001", "Database client error. Retrying the connection.", "", ""), cause: cause}
}

// lostError answers as its *Error and unwraps to both it and the cause.
type lostError struct {
	api   *Error
	cause error
}

func (e *lostError) Error() string   { return e.api.Error() + ": " + e.cause.Error() }
func (e *lostError) Unwrap() []error { return []error{e.api, e.cause} }

func fromPg(pe *pgconn.PgError, authenticated bool) *Error {
	if pe.Code == "PGRST" {
		return fromRaisePGRST(pe)
	}
	e := &Error{
		Status:  StatusOf(pe, authenticated),
		Code:    pe.Code,
		Message: pe.Message,
		Details: opt(pe.Detail),
		Hint:    opt(pe.Hint),
	}
	if e.Status == http.StatusUnauthorized {
		e.Headers = http.Header{"Www-Authenticate": {"Bearer"}}
	}
	return e
}

// fromRaisePGRST reads RAISE SQLSTATE 'PGRST' USING message='{json}',
// detail='{json}': the message holds the error object, the detail the status,
// reason and headers. Unparsable JSON is PGRST121.
func fromRaisePGRST(pe *pgconn.PgError) *Error {
	var body struct {
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Details *string `json:"details"`
		Hint    *string `json:"hint"`
	}
	var detail struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
	}
	if json.Unmarshal([]byte(pe.Message), &body) != nil || json.Unmarshal([]byte(pe.Detail), &detail) != nil || detail.Status == 0 {
		return New(http.StatusInternalServerError, "PGRST121",
			"Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error",
			"Invalid JSON value for MESSAGE: '"+pe.Message+"'\nInvalid JSON value for DETAIL: '"+pe.Detail+"'",
			"MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.\nDETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.")
	}
	e := &Error{Status: detail.Status, Code: body.Code, Message: body.Message, Details: body.Details, Hint: body.Hint}
	if len(detail.Headers) > 0 {
		e.Headers = http.Header{}
		for k, v := range detail.Headers {
			e.Headers.Set(k, v)
		}
	}
	return e
}

// StatusOf maps a PostgreSQL error to PostgREST's HTTP status.
func StatusOf(pe *pgconn.PgError, authenticated bool) int {
	code := pe.Code
	switch code {
	case "23503", "23505":
		return http.StatusConflict
	case "25006":
		return http.StatusMethodNotAllowed
	case "53400":
		return http.StatusInternalServerError
	case "P0001":
		return http.StatusBadRequest
	case "42883":
		if strings.Contains(pe.Message, "xmlagg(") {
			return http.StatusNotAcceptable
		}
		return http.StatusNotFound
	case "42P01":
		return http.StatusNotFound
	case "42P17":
		return http.StatusInternalServerError
	case "42501":
		if authenticated {
			return http.StatusForbidden
		}
		return http.StatusUnauthorized
	case "21000":
		if strings.HasSuffix(pe.Message, "requires a WHERE clause") {
			return http.StatusBadRequest
		}
		return http.StatusInternalServerError
	case "22023":
		if strings.HasPrefix(pe.Message, "role ") && strings.HasSuffix(pe.Message, "does not exist") {
			return http.StatusUnauthorized
		}
		return http.StatusBadRequest
	case "57P01", "57P02", "57P03":
		// The server is shutting down, crashed or starting: the client may
		// retry, as with every connection-level failure.
		return http.StatusServiceUnavailable
	}
	if len(code) == 5 && strings.HasPrefix(code, "PT") {
		if s, err := strconv.Atoi(code[2:]); err == nil && s >= 100 && s <= 599 && code[2] != '+' && code[2] != '-' {
			return s
		}
	}
	switch code[:min(2, len(code))] {
	case "08", "53":
		return http.StatusServiceUnavailable
	case "0L", "0P", "28":
		return http.StatusForbidden
	case "09", "25", "2D", "38", "39", "3B", "40", "54", "55", "57", "58", "F0", "HV", "P0", "XX":
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}
