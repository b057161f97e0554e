package runtime

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/respond"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// bodySource is the FROM clause of a mutation's body rows: the JSON body as
// one parameter, the columns' defaults merged in for missing=default, typed
// rows as pgrst_body. firstOnly reads one row (a PATCH sets from the first
// element of an array body).
func bodySource(a *sqlgen.Args, p *request.Payload, cols []*Column, defaults, firstOnly bool) string {
	var typed []string
	for _, c := range cols {
		typed = append(typed, c.SQLName+" "+c.Type)
	}
	data := "pgrst_payload.json_data"
	toRecord, elements := "json_to_recordset", "json_array_elements"
	if p.Object {
		toRecord = "json_to_record"
	}
	src := "FROM (SELECT " + a.Add(string(p.JSON)) + "::json AS json_data) pgrst_payload, "
	if defaults {
		var defs []string
		for _, c := range cols {
			if c.Default != "" {
				defs = append(defs, a.Add(c.Name)+"::text, "+c.Default)
			}
		}
		obj := "jsonb_build_object(" + strings.Join(defs, ", ") + ")"
		if p.Object {
			src += "LATERAL (SELECT " + obj + " || pgrst_payload.json_data::jsonb AS val) pgrst_json_defs, "
		} else {
			src += "LATERAL (SELECT jsonb_agg(" + obj + " || elem) AS val FROM jsonb_array_elements(pgrst_payload.json_data::jsonb) elem) pgrst_json_defs, "
		}
		data = "pgrst_json_defs.val"
		toRecord, elements = "jsonb_to_recordset", "jsonb_array_elements"
		if p.Object {
			toRecord = "jsonb_to_record"
		}
	}
	if len(cols) == 0 {
		if p.Object {
			return src + "LATERAL (SELECT 1 FROM (VALUES (1)) _) pgrst_body"
		}
		return src + "LATERAL (SELECT 1 FROM " + elements + "(" + data + ") _) pgrst_body"
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.SQLName)
	}
	limit := ""
	if firstOnly {
		limit = " LIMIT 1"
	}
	return src + "LATERAL (SELECT " + strings.Join(names, ", ") + " FROM " + toRecord + "(" + data + ") AS _(" + strings.Join(typed, ", ") + ")" + limit + ") pgrst_body"
}

// putConditions checks PUT's filters (F-UPSERT-06): exactly one eq filter
// on each primary key column and nothing else (PGRST105); a limit or
// offset is request.ReadRange's PGRST114. It returns the key values in key
// order.
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
	m, aerr := request.Negotiate(req.Header.Get("Accept"))
	if aerr != nil {
		fail(aerr)
		return
	}
	if m == request.MediaCSV {
		// CSV representations of writes are not served yet; refused before
		// anything is written.
		fail(apierr.New(http.StatusNotAcceptable, "PGRST107", "None of these media types are available: text/csv", "", ""))
		return
	}
	prefs := request.ParsePrefer(req.Header, s.cfg.DBTxEnd.AllowOverride())
	if e := prefs.StrictError(); e != nil {
		fail(e)
		return
	}
	stopPlan := httpmw.Timing(req.Context()).Start(httpmw.PhasePlan)
	a := &sqlgen.Args{}
	var mutation string
	// returning is false for a PATCH with nothing to set, answered with an
	// empty result without a mutation.
	returning := true
	// An upsert needs a conflict target: on_conflict=, else the primary
	// key (PUT always upserts on the key); without one, resolution is ignored.
	var conflict []string
	resolution := prefs.Resolution
	if req.Method == http.MethodPut {
		resolution = "merge-duplicates"
	}
	if resolution != "" {
		conflict = rel.PrimaryKey
		if oc := request.NamedParam(req.URL.RawQuery, "on_conflict"); oc != nil {
			conflict = oc
		}
		for _, name := range conflict {
			if rel.Column(name) == nil {
				fail(plan.UndefinedColumn(rel, name))
				return
			}
		}
		if len(conflict) == 0 {
			resolution = ""
		}
	}
	prefs.Resolution = resolution
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
		p, aerr := request.ReadPayload(req, request.ColumnsParam(req.URL.RawQuery), s.cfg.ServerMaxBodySize)
		if aerr != nil {
			fail(aerr)
			return
		}
		cols, aerr := payloadColumns(rel, p.Columns)
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
				bodySource(a, p, cols, prefs.Missing == "default", false)
			if len(putConds) > 0 {
				// PUT's key filters hold for the body's row, or nothing is
				// written and PGRST115 follows.
				var where []string
				for i, c := range putConds {
					where = append(where, "pgrst_body."+sqlgen.QuoteIdent(rel.PrimaryKey[i])+" = "+a.Add(c))
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
				returning = false
			} else {
				var sets []string
				for _, n := range names {
					sets = append(sets, n+" = pgrst_body."+n)
				}
				// Qualified: pgrst_body has the same column names.
				ws, aerr := plan.Where(rel, q.Where, true)
				if aerr != nil {
					fail(aerr)
					return
				}
				where := sqlgen.Where(a, ws)
				src := bodySource(a, p, cols, prefs.Missing == "default", !p.Object)
				mutation = "UPDATE " + rel.SQLName + " SET " + strings.Join(sets, ", ") + " " + src
				if where != "" {
					mutation += " WHERE " + where
				}
			}
		}
	case http.MethodDelete:
		ws, aerr := plan.Where(rel, q.Where, false)
		if aerr != nil {
			fail(aerr)
			return
		}
		where := sqlgen.Where(a, ws)
		mutation = "DELETE FROM " + rel.SQLName
		if where != "" {
			mutation += " WHERE " + where
		}
	}
	if returning {
		switch {
		case prefs.Return == "representation":
			var all []string
			for _, col := range rel.Columns {
				all = append(all, col.Name)
			}
			mutation += " RETURNING " + strings.Join(qualifiedAll(rel, all), ", ")
		case prefs.Return == "headers-only" && len(rel.PrimaryKey) > 0:
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
	warning := ""
	switch prefs.Return {
	case "representation":
		// select= and order= shape the representation (F-SELECT-08,
		// F-ORDER-06), embeds included (F-EMBED-21).
		ret, w, aerr := plan.Returning(rel, q, s.relatedIn(r.schema))
		if aerr != nil {
			fail(aerr)
			return
		}
		warning = w
		src := "pgrst_source"
		if ret.Alias != "" {
			src += " AS " + ret.Alias
		}
		cols, joins := sqlgen.SelectList(a, ret)
		order := sqlgen.OrderBy(a, ret)
		inner = "SELECT " + cols + " FROM " + src + joins
		if order != "" {
			inner += " ORDER BY " + order
		}
		body = sqlgen.Body(m)
	case "headers-only":
		body = sqlgen.Aggregate("_postgrest_t", true, false)
	}
	main := "WITH pgrst_source AS (" + mutation + ") SELECT NULL::bigint, pg_catalog.count(_postgrest_t), " + body +
		", nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '')"
	if resolution != "" {
		main += ", (SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted)"
	}
	main += " FROM (" + inner + ") _postgrest_t"
	stopPlan()
	rollback, _ := exec.End(s.cfg.DBTxEnd, prefs.Tx)
	tx := &exec.Tx{
		Rollback:  rollback,
		Isolation: s.role(ident.Role).Isolation,
		GUCs:      s.requestGUCs(req, r.schema, ident.Role, ident.Claims, prefs.Timezone),
		Main:      main,
		Args:      a.Values(),
		Inserted:  resolution != "",
	}
	strictMax := prefs.Handling == "strict" && prefs.MaxAffected != nil && req.Method != http.MethodPost
	if m.Singular() || strictMax || req.Method == http.MethodPut {
		// PostgREST looks at the result before the transaction ends and
		// rolls back what it refuses.
		tx.Check = func(res *exec.Result) *apierr.Error {
			if req.Method == http.MethodPut && res.PageTotal != 1 {
				return apierr.New(http.StatusBadRequest, "PGRST115", "Payload values do not match URL in primary key column(s)", "", "")
			}
			if m.Singular() && res.PageTotal != 1 {
				return singularError(res.PageTotal)
			}
			if strictMax && res.PageTotal > *prefs.MaxAffected {
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
	if warning != "" {
		c.Response().Header().Set("Warning", warning)
	}
	s.respondWrite(c, r, prefs, m, res)
}

// respondWrite writes a mutation's response with PostgREST's statuses and
// headers.
func (s *Server) respondWrite(c echo.Context, r relationRequest, prefs request.Preferences, m request.Media, res *exec.Result) {
	start := time.Now()
	req := c.Request()
	h := c.Response().Header()
	var total *int64
	if prefs.Count == "exact" || prefs.Count == "estimated" {
		total = ptr(res.PageTotal)
	}
	status := http.StatusNoContent
	switch req.Method {
	case http.MethodPost:
		status = http.StatusCreated
		if prefs.Resolution == "merge-duplicates" && res.Inserted != nil && *res.Inserted == 0 {
			status = http.StatusOK // an upsert that only updated
		}
		h.Set("Content-Range", respond.ContentRange(1, 0, total))
		if prefs.Return == "headers-only" && res.PageTotal == 1 {
			if loc := location(r.rel, res.Body); loc != "" {
				h.Set("Location", loc)
			}
		}
	case http.MethodPatch:
		h.Set("Content-Range", respond.ContentRange(0, res.PageTotal-1, total))
	case http.MethodDelete:
		h.Set("Content-Range", respond.ContentRange(1, 0, total))
	}
	if a := prefs.AppliedForWrite(req.Method); a != "" {
		h.Set("Preference-Applied", a)
	}
	var body []byte
	if prefs.Return == "representation" {
		body = res.Body
		h.Set(echo.HeaderContentType, m.ContentType())
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
	if req.Method == http.MethodPost || body != nil || (req.Method == http.MethodPut && prefs.Return == "representation") {
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
		out[i] = sqlgen.QuoteIdent(n)
	}
	return out
}

// qualifiedAll writes columns as "schema"."table"."col": RETURNING of an
// UPDATE … FROM must say which side a name is from.
func qualifiedAll(rel *Relation, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = rel.SQLName + "." + sqlgen.QuoteIdent(n)
	}
	return out
}
