package runtime

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// serveRelation answers one request on a table or view path.
func (s *Server) serveRelation(c echo.Context, name string) {
	req := c.Request()
	schema, aerr := s.profile(req)
	if aerr != nil {
		s.writeError(c, aerr, false)
		return
	}
	rel := s.byName[name][schema]
	if rel == nil {
		s.writeError(c, s.tableNotFound(schema, name), false)
		return
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		s.read(c, rel, schema)
	case http.MethodOptions:
		c.Response().Header().Set("Allow", allow(rel))
		c.Response().WriteHeader(http.StatusOK)
	default:
		s.writeError(c, apierr.New(http.StatusMethodNotAllowed, "PGRST117",
			"Unsupported HTTP method: "+req.Method, "", ""), false)
	}
}

// allow is the Allow header of OPTIONS: what the relation can do, whatever
// the role's grants.
func allow(rel *Relation) string {
	m := []string{"OPTIONS", "GET", "HEAD"}
	if rel.Insertable {
		m = append(m, "POST")
	}
	if rel.Insertable && rel.Updatable && len(rel.PrimaryKey) > 0 {
		m = append(m, "PUT")
	}
	if rel.Updatable {
		m = append(m, "PATCH")
	}
	if rel.Deletable {
		m = append(m, "DELETE")
	}
	return strings.Join(m, ",")
}

// media is what a response is rendered as.
type media int

const (
	mediaJSON media = iota
	mediaObject
)

// negotiate picks the response media type from Accept.
func negotiate(accept string) (media, *apierr.Error) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, nil
	}
	for _, part := range strings.Split(accept, ",") {
		mt := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch mt {
		case "application/json", "*/*", "application/*", "application/vnd.pgrst.array+json":
			return mediaJSON, nil
		case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object":
			return mediaObject, nil
		}
	}
	return 0, apierr.New(http.StatusNotAcceptable, "PGRST107",
		"None of these media types are available: "+accept, "", "")
}

// preferences are the Prefer header values reads honour.
type preferences struct {
	count   string
	tx      string
	applied []string
}

func parsePrefer(h http.Header) preferences {
	var p preferences
	for _, line := range h.Values("Prefer") {
		for _, item := range strings.Split(line, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(item), "=")
			switch strings.ToLower(k) {
			case "count":
				if v == "exact" {
					p.count = v
				}
			case "tx":
				if v == "commit" || v == "rollback" {
					p.tx = v
				}
			}
		}
	}
	return p
}

// readRange combines limit/offset with the Range header (Range-Unit items).
func readRange(req *http.Request, q *query.Request, maxRows *int64) (offset int64, limit *int64, aerr *apierr.Error) {
	offset = q.Offset
	limit = q.Limit
	if rh := req.Header.Get("Range"); rh != "" && req.Method == http.MethodGet {
		spec := strings.TrimPrefix(strings.TrimSpace(rh), "items=")
		lo, hi, ok := strings.Cut(spec, "-")
		from, err := strconv.ParseInt(lo, 10, 64)
		if ok && err == nil && from >= 0 {
			offset += from
			if hi != "" {
				to, err := strconv.ParseInt(hi, 10, 64)
				if err != nil || to < from {
					return 0, nil, apierr.New(http.StatusRequestedRangeNotSatisfiable, "PGRST103",
						"Requested range not satisfiable", "", "")
				}
				n := to - from + 1
				if limit == nil || n < *limit {
					limit = &n
				}
			}
		}
	}
	if maxRows != nil && (limit == nil || *limit > *maxRows) {
		limit = maxRows
	}
	return offset, limit, nil
}

// read serves GET and HEAD on a relation.
func (s *Server) read(c echo.Context, rel *Relation, schema string) {
	req := c.Request()
	ident, aerr := s.auth.Authenticate(req.Header.Get("Authorization"))
	if aerr != nil {
		s.writeError(c, aerr, false)
		return
	}
	m, aerr := negotiate(req.Header.Get("Accept"))
	if aerr != nil {
		s.writeError(c, aerr, ident.Authenticated)
		return
	}
	q, err := query.ParseRaw(req.URL.RawQuery)
	if err != nil {
		s.writeError(c, apierr.From(err, ident.Authenticated), ident.Authenticated)
		return
	}
	prefs := parsePrefer(req.Header)
	offset, limit, aerr := readRange(req, q, s.cfg.DBMaxRows)
	if aerr != nil {
		s.writeError(c, aerr, ident.Authenticated)
		return
	}
	sql, args, aerr := renderRead(rel, q, readShape{
		offset: offset, limit: limit, count: prefs.count == "exact",
		head: req.Method == http.MethodHead, object: m == mediaObject,
	})
	if aerr != nil {
		s.writeError(c, aerr, ident.Authenticated)
		return
	}
	rollback, txApplied := txEnd(s.cfg.DBTxEnd, prefs.tx)
	res, err := s.run(req.Context(), &txRequest{
		readOnly: true,
		rollback: rollback,
		gucs:     s.requestGUCs(req, schema, ident.Role, ident.Claims),
		main:     sql,
		args:     args,
	})
	if err != nil {
		s.fail(c, err, ident.Authenticated)
		return
	}

	h := c.Response().Header()
	status := http.StatusOK
	if prefs.count != "" {
		prefs.applied = append(prefs.applied, "count="+prefs.count)
	}
	if txApplied {
		prefs.applied = append(prefs.applied, "tx="+prefs.tx)
	}
	if m == mediaObject && res.pageTotal != 1 {
		s.writeError(c, apierr.New(http.StatusNotAcceptable, "PGRST116",
			"Cannot coerce the result to a single JSON object",
			fmt.Sprintf("The result contains %d rows", res.pageTotal), ""), ident.Authenticated)
		return
	}
	lower := offset
	upper := offset + res.pageTotal - 1
	if res.total != nil && lower > *res.total && !(lower == 0 && *res.total == 0) {
		s.writeError(c, apierr.New(http.StatusRequestedRangeNotSatisfiable, "PGRST103",
			"Requested range not satisfiable",
			fmt.Sprintf("An offset of %d was requested, but there are only %d rows.", lower, *res.total), ""), ident.Authenticated)
		return
	}
	if res.total != nil && res.pageTotal < *res.total {
		status = http.StatusPartialContent
	}
	h.Set("Content-Range", contentRange(lower, upper, res.total))
	if len(prefs.applied) > 0 {
		h.Set("Preference-Applied", strings.Join(prefs.applied, ", "))
	}
	if m == mediaObject {
		h.Set(echo.HeaderContentType, "application/vnd.pgrst.object+json; charset=utf-8")
	} else {
		h.Set(echo.HeaderContentType, "application/json; charset=utf-8")
	}
	h.Set("Vary", "Accept, Prefer, Range")
	if err := responseGUCs(res, h, &status); err != nil {
		s.writeError(c, apierr.From(err, ident.Authenticated), ident.Authenticated)
		return
	}
	if req.Method == http.MethodHead {
		c.Response().WriteHeader(status)
		return
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(res.body)))
	c.Response().WriteHeader(status)
	_, _ = c.Response().Write(res.body)
}

// contentRange is PostgREST's Content-Range: "first-last/total", with "*" for
// an empty page or an unknown total.
func contentRange(lower, upper int64, total *int64) string {
	rng := "*"
	if lower <= upper && (total == nil || *total != 0) {
		rng = fmt.Sprintf("%d-%d", lower, upper)
	}
	tot := "*"
	if total != nil {
		tot = strconv.FormatInt(*total, 10)
	}
	return rng + "/" + tot
}

// readShape is what, beyond the query string, shapes a read statement.
type readShape struct {
	offset int64
	limit  *int64
	count  bool
	head   bool
	object bool
}

// renderRead renders the read statement in PostgREST's shape: a CTE with the
// page, then one row holding the total, the page size, the JSON body and the
// response GUCs.
func renderRead(rel *Relation, q *query.Request, shape readShape) (string, []any, *apierr.Error) {
	b := &builder{rel: rel}
	cols, aerr := b.selectList(q.Select)
	if aerr != nil {
		return "", nil, aerr
	}
	where, aerr := b.where(q.Where)
	if aerr != nil {
		return "", nil, aerr
	}
	order, aerr := b.orderBy(q.Order)
	if aerr != nil {
		return "", nil, aerr
	}
	if len(q.EmbedParams) > 0 {
		p := q.EmbedParams[0]
		return "", nil, apierr.New(http.StatusBadRequest, "PGRST108",
			fmt.Sprintf("'%s' is not an embedded resource in this request", strings.Join(p.Path, ".")), "",
			fmt.Sprintf("Verify that '%s' is included in the 'select' query parameter.", strings.Join(p.Path, ".")))
	}
	if cols == "" {
		cols = "NULL"
	}
	sql := &b.sql
	sql.WriteString("WITH pgrst_source AS (SELECT ")
	sql.WriteString(cols)
	sql.WriteString(" FROM ")
	sql.WriteString(rel.SQLName)
	if where != "" {
		sql.WriteString(" WHERE " + where)
	}
	if order != "" {
		sql.WriteString(" ORDER BY " + order)
	}
	if shape.limit != nil {
		sql.WriteString(" LIMIT " + b.param(*shape.limit))
	}
	if shape.offset > 0 {
		sql.WriteString(" OFFSET " + b.param(shape.offset))
	}
	sql.WriteString(") SELECT ")
	if shape.count {
		sql.WriteString("(SELECT pg_catalog.count(*) FROM " + rel.SQLName)
		if where != "" {
			sql.WriteString(" WHERE " + where)
		}
		sql.WriteString(")")
	} else {
		sql.WriteString("NULL::bigint")
	}
	sql.WriteString(", pg_catalog.count(_postgrest_t), ")
	switch {
	case shape.head:
		sql.WriteString("NULL::text")
	case shape.object:
		sql.WriteString("coalesce((json_agg(_postgrest_t)->0)::text, 'null')")
	default:
		sql.WriteString("coalesce(json_agg(_postgrest_t), '[]')::text")
	}
	sql.WriteString(", nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '')")
	sql.WriteString(" FROM (SELECT * FROM pgrst_source) _postgrest_t")
	return sql.String(), b.args, nil
}
