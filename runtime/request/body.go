package request

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/header"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// Payload is a parsed write body: the JSON to send as one parameter and
// the keys (columns) it sets.
type Payload struct {
	JSON    []byte
	Columns []string
	// Object is a body that is one JSON object, not an array of them.
	Object bool
}

// ReadPayload reads a POST, PATCH or PUT body as PostgREST does: JSON
// object or array of objects with the same keys (PGRST102 otherwise), any
// other JSON value as no rows, CSV and form-urlencoded bodies turned into
// JSON; with ?columns= (columns non-nil) the body is passed through
// unchecked.
//
// A body over maxBody (server-max-body-size) is refused with 413 before
// anything is parsed or written.
//
// known, when not nil, gives the strings of the names a body's keys are
// expected to be (the target's columns): a key equal to one is that
// string, not a new one.
func ReadPayload(req *http.Request, columns []string, maxBody int64, known Names) (*Payload, *apierr.Error) {
	body, aerr := readBody(req, maxBody)
	if aerr != nil {
		return nil, aerr
	}
	switch ct := contentType(req); ct {
	case "", "application/json":
	case "text/csv":
		if body, aerr = csvToJSON(body); aerr != nil {
			return nil, aerr
		}
	case "application/x-www-form-urlencoded":
		if body, aerr = formToJSON(body); aerr != nil {
			return nil, aerr
		}
	default:
		return nil, apierr.New(http.StatusBadRequest, "PGRST102", "Content-Type not acceptable: "+ct, "", "")
	}
	return jsonPayload(body, columns, known)
}

// Names finds the string of a column name given as bytes, if it knows it
// (contract.Relation does).
type Names interface {
	ColumnName(b []byte) (string, bool)
}

// readBody reads the request body, refusing one over maxBody
// (server-max-body-size) with 413 before anything is parsed or written.
// A declared Content-Length over the limit is refused before any byte is
// read; a declared length is read into one buffer of exactly that size; a
// chunked body is read up to the limit and cut off there.
func readBody(req *http.Request, maxBody int64) ([]byte, *apierr.Error) {
	if req.ContentLength > maxBody {
		return nil, bodyTooLarge(maxBody)
	}
	if req.ContentLength >= 0 {
		body := make([]byte, req.ContentLength)
		if _, err := io.ReadFull(req.Body, body); err != nil {
			return nil, apierr.New(http.StatusBadRequest, "PGRST102", "Empty or invalid json", "", "")
		}
		return body, nil
	}
	body, err := readCapped(req.Body, maxBody)
	if errors.Is(err, errBodyTooLarge) {
		return nil, bodyTooLarge(maxBody)
	}
	if err != nil {
		return nil, apierr.New(http.StatusBadRequest, "PGRST102", "Empty or invalid json", "", "")
	}
	return body, nil
}

// bodyTooLarge is PGRST413, a body over server-max-body-size.
func bodyTooLarge(maxBody int64) *apierr.Error {
	return apierr.New(http.StatusRequestEntityTooLarge, "PGRST413", "Payload too large",
		fmt.Sprintf("The request body exceeds the server-max-body-size of %d bytes", maxBody), "")
}

var errBodyTooLarge = errors.New("request body too large")

// readCapped reads r to its end, failing with errBodyTooLarge once more than
// limit bytes arrive. The buffer doubles as io.ReadAll's does but never grows
// past limit+1 bytes, so an endless body costs at most that.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	limit = max(min(limit, math.MaxInt-1), 0)
	buf := make([]byte, 0, min(limit+1, 512))
	for {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), len(buf)+min(cap(buf), int(limit)+1-len(buf)))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errBodyTooLarge
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
	}
}

// contentType is the request's media type, lower-cased, without parameters.
func contentType(req *http.Request) string {
	mt, _, _ := strings.Cut(header.Get(req.Header, header.ContentType), ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// jsonPayload checks a JSON body as PostgREST does and finds its keys.
func jsonPayload(body []byte, columnsParam []string, known Names) (*Payload, *apierr.Error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	p := &Payload{JSON: body, Object: len(trimmed) > 0 && trimmed[0] == '{'}
	if columnsParam != nil {
		p.Columns = columnsParam
		return p, nil
	}
	// Only the keys matter here (PostgreSQL reads the values): the body's
	// syntax is checked, then its keys are read in place (jsonkeys.go).
	var scratch [16][]byte
	keys, ok := validJSONKeys(body, scratch[:0])
	if !ok {
		return nil, apierr.New(http.StatusBadRequest, "PGRST102", "Empty or invalid json", "", "")
	}
	mismatch := func() *apierr.Error {
		return apierr.New(http.StatusBadRequest, "PGRST102", "All object keys must match", "", "")
	}
	switch {
	case p.Object:
		p.Columns = keyStrings(sortedKeys(keys), known)
	case trimmed[0] == '[':
		i := skipSpace(body, skipSpace(body, 0)+1)
		if body[i] == ']' {
			p.JSON = []byte("[]")
			return p, nil
		}
		for n := 0; ; n++ {
			keys, end, ok := objectKeys(body, i, scratch[:0])
			if !ok {
				return nil, mismatch()
			}
			if n == 0 {
				p.Columns = keyStrings(keys, known)
			} else if !sameKeys(keys, p.Columns) {
				return nil, mismatch()
			}
			i = skipSpace(body, end)
			if body[i] == ']' {
				break
			}
			i = skipSpace(body, i+1) // the ','
		}
	default:
		// PostgREST truncates any other JSON value to no rows.
		p.JSON, p.Object = []byte("[]"), false
	}
	return p, nil
}

// csvToJSON turns a CSV body into a JSON array of objects as PostgREST
// does (F-INSERT-06): the first line names the columns, every field is a
// string, the field NULL is null. A body that is not UTF-8 is refused (22021)
// before json.Marshal could replace its bad bytes.
func csvToJSON(body []byte) ([]byte, *apierr.Error) {
	if aerr := checkUTF8(body); aerr != nil {
		return nil, aerr
	}
	r := csv.NewReader(bytes.NewReader(body))
	records, err := r.ReadAll()
	if err != nil {
		return nil, apierr.New(http.StatusBadRequest, "PGRST102", "All lines must have same number of fields", "", "")
	}
	if len(records) == 0 {
		return []byte("[]"), nil
	}
	header := records[0]
	rows := make([]map[string]any, 0, len(records)-1)
	for _, rec := range records[1:] {
		row := make(map[string]any, len(header))
		for i, name := range header {
			if rec[i] == "NULL" {
				row[name] = nil
			} else {
				row[name] = rec[i]
			}
		}
		rows = append(rows, row)
	}
	b, _ := json.Marshal(rows) // strings and nulls: cannot fail
	return b, nil
}

// formToJSON turns an application/x-www-form-urlencoded body into one JSON
// object of strings (F-INSERT-03); of repeated keys the last wins. A key or
// value that is not UTF-8 once percent-decoded (%FF) is refused (22021).
func formToJSON(body []byte) ([]byte, *apierr.Error) {
	obj := map[string]string{}
	for _, piece := range strings.Split(string(body), "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		k, v = query.Unescape(k), query.Unescape(v)
		// Key and value apart: their bytes must not join into valid UTF-8.
		for _, t := range [2]string{k, v} {
			if aerr := checkUTF8String(t); aerr != nil {
				return nil, aerr
			}
		}
		obj[k] = v
	}
	b, _ := json.Marshal(obj)
	return b, nil
}

// ColumnsParam is the ?columns= list (F-INSERT-07) of a raw query string,
// nil when absent.
func ColumnsParam(rawQuery string) []string { return NamedParam(rawQuery, "columns") }

// NamedParam is a comma-separated list parameter of a raw query string
// (columns=, on_conflict=), its names unquoted, nil when absent.
func NamedParam(rawQuery, name string) []string {
	// Most queries have neither columns= nor on_conflict=: skip splitting
	// them unless the name is there (or could be, percent-encoded).
	if !strings.Contains(rawQuery, name) && !strings.Contains(rawQuery, "%") {
		return nil
	}
	for _, p := range query.Split(rawQuery) {
		if !p.HasValue || p.Key != name {
			continue
		}
		var cols []string
		for _, c := range strings.Split(p.Value, ",") {
			if c = strings.Trim(strings.TrimSpace(c), `"`); c != "" {
				cols = append(cols, c)
			}
		}
		return cols
	}
	return nil
}
