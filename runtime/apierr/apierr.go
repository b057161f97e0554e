// Package apierr holds PostgREST's error object and the mapping from
// PostgreSQL errors to HTTP statuses. Every error a client sees goes through it,
// so no Go error string ever reaches a response body.
package apierr

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
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
// detail='{json}' as PostgREST's parseRaisePGRST (Error.hs) does: the
// message is an object with strings "code" and "message" and optional
// (string or null) "details" and "hint"; the detail an object with an
// integer "status", an object of strings "headers" and an optional string
// "status_text". Checked in that order, the first failure is PGRST121 (500)
// saying which part failed. PostgreSQL sends no DETAIL and an empty one
// alike to pgx, so an empty DETAIL counts as missing. status_text, the
// reason phrase, is not sent: net/http writes its own.
func fromRaisePGRST(pe *pgconn.PgError) *Error {
	msg, ok := decodeObject(pe.Message)
	code, okCode := jsonString(msg, "code")
	message, okMsg := jsonString(msg, "message")
	details, okDetails := optionalString(msg, "details")
	hint, okHint := optionalString(msg, "hint")
	if !ok || !okCode || !okMsg || !okDetails || !okHint {
		return raiseParseError("Invalid JSON value for MESSAGE: '"+pe.Message+"'",
			"MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.")
	}
	const detailHint = "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."
	if pe.Detail == "" {
		return raiseParseError("DETAIL is missing in the RAISE statement", detailHint)
	}
	det, ok := decodeObject(pe.Detail)
	status, okStatus := jsonInt(det, "status")
	var headers map[string]string
	okHeaders := det["headers"] != nil && json.Unmarshal(det["headers"], &headers) == nil && headers != nil
	_, okText := optionalString(det, "status_text")
	if !ok || !okStatus || !okHeaders || !okText {
		return raiseParseError("Invalid JSON value for DETAIL: '"+pe.Detail+"'", detailHint)
	}
	// PostgREST sends any status; net/http writes only three digits.
	if status < 100 || status > 999 {
		status = http.StatusInternalServerError
	}
	e := &Error{Status: status, Code: code, Message: message, Details: details, Hint: hint}
	if len(headers) > 0 {
		e.Headers = http.Header{}
		for k, v := range headers {
			e.Headers[http.CanonicalHeaderKey(k)] = append(e.Headers[http.CanonicalHeaderKey(k)], v)
		}
	}
	return e
}

// raiseParseError is PostgREST's PGRST121.
func raiseParseError(details, hint string) *Error {
	return New(http.StatusInternalServerError, "PGRST121",
		"Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error", details, hint)
}

// decodeObject decodes a JSON object; ok is false for anything else.
func decodeObject(s string) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(s), &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// jsonString reads a key that must be a string.
func jsonString(m map[string]json.RawMessage, key string) (string, bool) {
	var s *string
	if m[key] == nil || json.Unmarshal(m[key], &s) != nil || s == nil {
		return "", false
	}
	return *s, true
}

// optionalString reads a key that may be absent or null (nil), else must
// be a string.
func optionalString(m map[string]json.RawMessage, key string) (*string, bool) {
	var s *string
	if m[key] == nil {
		return nil, true
	}
	return s, json.Unmarshal(m[key], &s) == nil
}

// jsonInt reads a key that must be a number with an integral value (as
// aeson reads an Int: 404 and 4.04e2 alike).
func jsonInt(m map[string]json.RawMessage, key string) (int, bool) {
	var f float64
	if m[key] == nil || json.Unmarshal(m[key], &f) != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int(f), true
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
	// PTxyz is HTTP status xyz; PostgREST answers 500 when xyz is not a
	// number (readMaybe fails), and so does this when net/http cannot
	// write it (below 100).
	if len(code) == 5 && strings.HasPrefix(code, "PT") {
		if s, err := strconv.Atoi(code[2:]); err == nil && s >= 100 && strings.Trim(code[2:], "0123456789") == "" {
			return s
		}
		return http.StatusInternalServerError
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
