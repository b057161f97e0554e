package runtime

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/respond"
)

// applied is Preference-Applied for a write, in PostgREST's order.
func (w preferences) applied(method string) string {
	var out []string
	if w.resolution != "" && method == http.MethodPost {
		out = append(out, "resolution="+w.resolution)
	}
	if w.missing != "" && method != http.MethodDelete {
		out = append(out, "missing="+w.missing)
	}
	if w.ret != "" {
		out = append(out, "return="+w.ret)
	}
	if rest := w.appliedForRead(); rest != "" {
		out = append(out, rest)
	}
	if w.handling == "strict" && w.maxAffected != nil && method != http.MethodPost {
		out = append(out, "max-affected="+strconv.FormatInt(*w.maxAffected, 10))
	}
	return strings.Join(out, ", ")
}

// payload is a parsed request body: the JSON to send as one parameter and
// the keys (columns) it sets.
type payload struct {
	json    []byte
	columns []string
	object  bool
}

// readPayload reads a POST or PATCH body as PostgREST does: JSON object or
// array of objects with the same keys (PGRST102 otherwise), any other JSON
// value as no rows; with ?columns= the body is passed through unchecked.
//
// A body over maxBody (server-max-body-size) is refused with 413 before
// anything is parsed or written.
func readPayload(req *http.Request, columnsParam []string, maxBody int64) (*payload, *apierr.Error) {
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
	return jsonPayload(body, columnsParam)
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
	return strings.ToLower(strings.TrimSpace(strings.SplitN(req.Header.Get("Content-Type"), ";", 2)[0]))
}

// jsonPayload checks a JSON body as PostgREST does and finds its keys.
func jsonPayload(body []byte, columnsParam []string) (*payload, *apierr.Error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	p := &payload{json: body, object: len(trimmed) > 0 && trimmed[0] == '{'}
	if columnsParam != nil {
		p.columns = columnsParam
		return p, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, apierr.New(http.StatusBadRequest, "PGRST102", "Empty or invalid json", "", "")
	}
	switch t := v.(type) {
	case map[string]any:
		p.columns = sortedKeys(t)
	case []any:
		if len(t) == 0 {
			p.json = []byte("[]")
			return p, nil
		}
		firstObj, ok := t[0].(map[string]any)
		if !ok {
			return nil, apierr.New(http.StatusBadRequest, "PGRST102", "All object keys must match", "", "")
		}
		p.columns = sortedKeys(firstObj)
		for _, e := range t[1:] {
			o, ok := e.(map[string]any)
			if !ok || !slices.Equal(sortedKeys(o), p.columns) {
				return nil, apierr.New(http.StatusBadRequest, "PGRST102", "All object keys must match", "", "")
			}
		}
	default:
		// PostgREST truncates any other JSON value to no rows.
		p.json, p.object = []byte("[]"), false
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

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// bodySource renders PostgREST's body source: the payload as one json
// parameter, turned into typed rows by json_to_record(set) with the
// columns' types from the descriptor; missing=default merges the columns'
// defaults under the payload's keys first.
func (b *builder) bodySource(p *payload, cols []*Column, defaults bool) string {
	var typed []string
	for _, c := range cols {
		typed = append(typed, c.SQLName+" "+c.Type)
	}
	data := "pgrst_payload.json_data"
	toRecord, elements := "json_to_recordset", "json_array_elements"
	if p.object {
		toRecord = "json_to_record"
	}
	src := "FROM (SELECT " + b.param(string(p.json)) + "::json AS json_data) pgrst_payload, "
	if defaults {
		var defs []string
		for _, c := range cols {
			if c.Default != "" {
				defs = append(defs, b.param(c.Name)+"::text, "+c.Default)
			}
		}
		obj := "jsonb_build_object(" + strings.Join(defs, ", ") + ")"
		if p.object {
			src += "LATERAL (SELECT " + obj + " || pgrst_payload.json_data::jsonb AS val) pgrst_json_defs, "
		} else {
			src += "LATERAL (SELECT jsonb_agg(" + obj + " || elem) AS val FROM jsonb_array_elements(pgrst_payload.json_data::jsonb) elem) pgrst_json_defs, "
		}
		data = "pgrst_json_defs.val"
		toRecord, elements = "jsonb_to_recordset", "jsonb_array_elements"
		if p.object {
			toRecord = "jsonb_to_record"
		}
	}
	if len(cols) == 0 {
		if p.object {
			return src + "LATERAL (SELECT 1 FROM (VALUES (1)) _) pgrst_body"
		}
		return src + "LATERAL (SELECT 1 FROM " + elements + "(" + data + ") _) pgrst_body"
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.SQLName)
	}
	return src + "LATERAL (SELECT " + strings.Join(names, ", ") + " FROM " + toRecord + "(" + data + ") AS _(" + strings.Join(typed, ", ") + ")) pgrst_body"
}

// columnsParam is the ?columns= list (F-INSERT-07), nil when absent.
func columnsParam(raw string) []string { return namedParam(raw, "columns") }

// putConditions checks PUT's filters (F-UPSERT-06): exactly one eq filter
// on each primary key column and nothing else (PGRST105); a limit or
// offset is readRange's PGRST114. It returns the key values in key order.
func putConditions(rel *Relation, q *query.Request) ([]string, *apierr.Error) {
	invalid := apierr.New(http.StatusMethodNotAllowed, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators", "", "")
	if len(rel.PrimaryKey) == 0 || len(q.Where) != len(rel.PrimaryKey) {
		return nil, invalid
	}
	vals := make([]string, len(rel.PrimaryKey))
	seen := make([]bool, len(rel.PrimaryKey))
	for _, c := range q.Where {
		f := c.Filter
		if f == nil || f.Negated || f.Operator != "eq" || f.Quantifier != "" || len(f.Field.Path) > 0 {
			return nil, invalid
		}
		i := slices.Index(rel.PrimaryKey, f.Field.Name)
		if i < 0 || seen[i] {
			return nil, invalid
		}
		seen[i], vals[i] = true, f.Value
	}
	return vals, nil
}

// namedParam is a comma-separated list parameter (columns=, on_conflict=),
// nil when absent.
func namedParam(raw, name string) []string {
	for _, p := range query.Split(raw) {
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

// payloadColumns resolves the payload's keys to columns: PGRST204 for one
// the relation does not have.
func payloadColumns(rel *Relation, keys []string) ([]*Column, *apierr.Error) {
	cols := make([]*Column, 0, len(keys))
	for _, k := range keys {
		c := rel.Column(k)
		if c == nil {
			return nil, apierr.New(http.StatusBadRequest, "PGRST204",
				fmt.Sprintf("Could not find the '%s' column of '%s' in the schema cache", k, rel.Name), "", "")
		}
		cols = append(cols, c)
	}
	return cols, nil
}

// write serves POST, PATCH and DELETE on a relation.
func (s *Server) write(c echo.Context, r relationRequest) {
	req := c.Request()
	rel, ident, q := r.rel, r.ident, r.q
	fail := func(e *apierr.Error) { s.writeError(c, e) }
	m, aerr := negotiate(req.Header.Get("Accept"))
	if aerr != nil {
		fail(aerr)
		return
	}
	if m == mediaCSV {
		// CSV representations of writes are not served yet; refused before
		// anything is written.
		fail(apierr.New(http.StatusNotAcceptable, "PGRST107", "None of these media types are available: text/csv", "", ""))
		return
	}
	prefs := parsePrefer(req.Header, s.cfg.DBTxEnd.AllowOverride())
	if e := prefs.strictError(); e != nil {
		fail(e)
		return
	}
	stopPlan := httpmw.Timing(req.Context()).Start(httpmw.PhasePlan)
	b := &builder{rel: rel}
	var mutation string
	// An upsert needs a conflict target: on_conflict=, else the primary
	// key (PUT always upserts on the key); without one, resolution is ignored.
	var conflict []string
	resolution := prefs.resolution
	if req.Method == http.MethodPut {
		resolution = "merge-duplicates"
	}
	if resolution != "" {
		conflict = rel.PrimaryKey
		if oc := namedParam(req.URL.RawQuery, "on_conflict"); oc != nil {
			conflict = oc
		}
		for _, name := range conflict {
			if rel.Column(name) == nil {
				fail(undefinedColumn(rel, name))
				return
			}
		}
		if len(conflict) == 0 {
			resolution = ""
		}
	}
	prefs.resolution = resolution
	var putConds []string
	if req.Method == http.MethodPut {
		conds, aerr := putConditions(rel, q)
		if aerr != nil {
			fail(aerr)
			return
		}
		putConds = conds
	}
	switch req.Method {
	case http.MethodPost, http.MethodPatch, http.MethodPut:
		p, aerr := readPayload(req, columnsParam(req.URL.RawQuery), s.cfg.ServerMaxBodySize)
		if aerr != nil {
			fail(aerr)
			return
		}
		cols, aerr := payloadColumns(rel, p.columns)
		if aerr != nil {
			fail(aerr)
			return
		}
		var names []string
		for _, col := range cols {
			names = append(names, col.SQLName)
		}
		if req.Method != http.MethodPatch {
			mutation = "INSERT INTO " + rel.SQLName
			if len(cols) > 0 {
				mutation += "(" + strings.Join(names, ", ") + ")"
			}
			// With no keys the SELECT has no columns: each row (one for {},
			// one per element of [{}, …]) takes every default.
			mutation += " SELECT " + strings.Join(prefixed("pgrst_body.", names), ", ") + " " +
				b.bodySource(p, cols, prefs.missing == "default")
			if len(putConds) > 0 {
				// PUT's key filters hold for the body's row, or nothing is
				// written and PGRST115 follows.
				var where []string
				for i, c := range putConds {
					where = append(where, "pgrst_body."+quoteIdent(rel.PrimaryKey[i])+" = "+b.param(c))
				}
				mutation += " WHERE " + strings.Join(where, " AND ")
			}
			if resolution != "" {
				mutation += " ON CONFLICT(" + strings.Join(quotedNames(conflict), ", ") + ") "
				if resolution == "ignore-duplicates" || len(cols) == 0 {
					mutation += "DO NOTHING"
				} else {
					var sets []string
					for _, n := range names {
						sets = append(sets, n+" = EXCLUDED."+n)
					}
					mutation += "DO UPDATE SET " + strings.Join(sets, ", ")
				}
			}
		} else {
			if len(cols) == 0 {
				// Nothing to set: an empty result, as PostgREST answers.
				mutation = "SELECT " + rel.SelectStar + " FROM " + rel.SQLName + " WHERE false"
			} else {
				var sets []string
				for _, n := range names {
					sets = append(sets, n+" = pgrst_body."+n)
				}
				b.qualify = true // pgrst_body has the same column names
				where, aerr := b.where(q.Where)
				b.qualify = false
				if aerr != nil {
					fail(aerr)
					return
				}
				src := b.bodySource(p, cols, prefs.missing == "default")
				if !p.object {
					src = strings.Replace(src, ")) pgrst_body", ") LIMIT 1) pgrst_body", 1)
				}
				mutation = "UPDATE " + rel.SQLName + " SET " + strings.Join(sets, ", ") + " " + src
				if where != "" {
					mutation += " WHERE " + where
				}
			}
		}
	case http.MethodDelete:
		where, aerr := b.where(q.Where)
		if aerr != nil {
			fail(aerr)
			return
		}
		mutation = "DELETE FROM " + rel.SQLName
		if where != "" {
			mutation += " WHERE " + where
		}
	}
	if !strings.HasSuffix(mutation, "WHERE false") {
		switch {
		case prefs.ret == "representation":
			var all []string
			for _, col := range rel.Columns {
				all = append(all, col.Name)
			}
			mutation += " RETURNING " + strings.Join(qualifiedAll(rel, all), ", ")
		case prefs.ret == "headers-only" && len(rel.PrimaryKey) > 0:
			mutation += " RETURNING " + strings.Join(qualifiedAll(rel, rel.PrimaryKey), ", ")
		default:
			mutation += " RETURNING 1"
		}
		if resolution != "" {
			// xmax is 0 for a row this statement inserted, not updated.
			mutation += ", (xmax = 0) AS pgrst_inserted"
		}
	}
	body := "''::text"
	inner := "SELECT * FROM pgrst_source"
	switch prefs.ret {
	case "representation":
		// select= and order= shape the representation (F-SELECT-08,
		// F-ORDER-06), embeds included (F-EMBED-21).
		src, aerr := b.prepareReturning(q, s.relatedIn(r.schema))
		if aerr != nil {
			fail(aerr)
			return
		}
		cols, aerr := b.selectList(q.Select)
		if aerr != nil {
			fail(aerr)
			return
		}
		order, aerr := b.orderBy(q.Order)
		if aerr != nil {
			fail(aerr)
			return
		}
		inner = "SELECT " + cols + " FROM " + src + b.joins()
		if order != "" {
			inner += " ORDER BY " + order
		}
		body = "coalesce(json_agg(_postgrest_t), '[]')::text"
		switch m {
		case mediaObject:
			body = "coalesce(json_agg(_postgrest_t)->0, 'null')::text"
		case mediaObjectStripped:
			body = "coalesce(json_strip_nulls(json_agg(_postgrest_t)->0), 'null')::text"
		case mediaArrayStripped:
			body = "coalesce(json_strip_nulls(json_agg(_postgrest_t)), '[]')::text"
		}
	case "headers-only":
		body = "coalesce(json_agg(_postgrest_t)->0, 'null')::text"
	}
	main := "WITH pgrst_source AS (" + mutation + ") SELECT NULL::bigint, pg_catalog.count(_postgrest_t), " + body +
		", nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '')"
	if resolution != "" {
		main += ", (SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted)"
	}
	main += " FROM (" + inner + ") _postgrest_t"
	stopPlan()
	rollback, _ := exec.End(s.cfg.DBTxEnd, prefs.tx)
	tx := &exec.Tx{
		Rollback:  rollback,
		Isolation: s.role(ident.Role).Isolation,
		GUCs:      s.requestGUCs(req, r.schema, ident.Role, ident.Claims, prefs.timezone),
		Main:      main,
		Args:      b.args,
		Inserted:  resolution != "",
	}
	strictMax := prefs.handling == "strict" && prefs.maxAffected != nil && req.Method != http.MethodPost
	if m.singular() || strictMax || req.Method == http.MethodPut {
		// PostgREST looks at the result before the transaction ends and
		// rolls back what it refuses.
		tx.Check = func(res *exec.Result) *apierr.Error {
			if req.Method == http.MethodPut && res.PageTotal != 1 {
				return apierr.New(http.StatusBadRequest, "PGRST115", "Payload values do not match URL in primary key column(s)", "", "")
			}
			if m.singular() && res.PageTotal != 1 {
				return singularError(res.PageTotal)
			}
			if strictMax && res.PageTotal > *prefs.maxAffected {
				return maxAffectedError(res.PageTotal)
			}
			return nil
		}
	}
	timer := httpmw.Timing(req.Context())
	stop := timer.Start(httpmw.PhaseTransaction)
	res, err := s.exec.Run(req.Context(), tx)
	stop()
	if err != nil {
		s.fail(c, err, ident.Authenticated)
		return
	}
	if w := b.emb.legacyWarning(); w != "" {
		c.Response().Header().Set("Warning", w)
	}
	s.respondWrite(c, r, prefs, m, res)
}

// respondWrite writes a mutation's response with PostgREST's statuses and
// headers.
func (s *Server) respondWrite(c echo.Context, r relationRequest, prefs preferences, m media, res *exec.Result) {
	start := time.Now()
	req := c.Request()
	h := c.Response().Header()
	var total *int64
	if prefs.count == "exact" || prefs.count == "estimated" {
		total = ptr(res.PageTotal)
	}
	status := http.StatusNoContent
	switch req.Method {
	case http.MethodPost:
		status = http.StatusCreated
		if prefs.resolution == "merge-duplicates" && res.Inserted != nil && *res.Inserted == 0 {
			status = http.StatusOK // an upsert that only updated
		}
		h.Set("Content-Range", respond.ContentRange(1, 0, total))
		if prefs.ret == "headers-only" && res.PageTotal == 1 {
			if loc := location(r.rel, res.Body); loc != "" {
				h.Set("Location", loc)
			}
		}
	case http.MethodPatch:
		h.Set("Content-Range", respond.ContentRange(0, res.PageTotal-1, total))
	case http.MethodDelete:
		h.Set("Content-Range", respond.ContentRange(1, 0, total))
	}
	if a := prefs.applied(req.Method); a != "" {
		h.Set("Preference-Applied", a)
	}
	var body []byte
	if prefs.ret == "representation" {
		body = res.Body
		h.Set(echo.HeaderContentType, m.contentType())
		switch {
		case req.Method == http.MethodPut && res.Inserted != nil && *res.Inserted > 0:
			status = http.StatusCreated
		case req.Method != http.MethodPost:
			status = http.StatusOK
		}
	}
	if req.Method == http.MethodPut {
		h.Del("Content-Range")
	}
	if r.byProfile {
		h.Set("Content-Profile", r.schema)
	}
	if err := respond.GUCs(res.RespHeader, res.RespStatus, h, &status); err != nil {
		s.writeError(c, apierr.From(err, r.ident.Authenticated))
		return
	}
	if h.Get("Vary") == "" {
		h.Set("Vary", "Accept, Prefer, Range")
	}
	httpmw.Timing(req.Context()).Add(httpmw.PhaseResponse, time.Since(start))
	if req.Method == http.MethodPost || body != nil || (req.Method == http.MethodPut && prefs.ret == "representation") {
		h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	}
	c.Response().WriteHeader(status)
	_, _ = c.Response().Write(body)
}

// location is PostgREST's Location for return=headers-only: the inserted
// row's primary key as eq filters ("/films?id=eq.34").
func location(rel *Relation, row []byte) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(row, &obj) != nil || len(rel.PrimaryKey) == 0 {
		return ""
	}
	var parts []string
	for _, k := range rel.PrimaryKey {
		v, ok := obj[k]
		if !ok {
			return ""
		}
		val := "is.null"
		var str string
		switch {
		case string(v) == "null":
		case json.Unmarshal(v, &str) == nil:
			val = "eq." + str
		default:
			val = "eq." + string(v)
		}
		parts = append(parts, urlEncode(k)+"="+urlEncode(val))
	}
	return "/" + rel.Name + "?" + strings.Join(parts, "&")
}

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

func quotedNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quoteIdent(n)
	}
	return out
}

// qualifiedAll writes columns as "schema"."table"."col": RETURNING of an
// UPDATE … FROM must say which side a name is from.
func qualifiedAll(rel *Relation, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = rel.SQLName + "." + quoteIdent(n)
	}
	return out
}
