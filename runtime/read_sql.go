package runtime

import (
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// renderRead plans a read of rel and renders it in PostgREST's shape: a CTE
// with the page, then one row holding the total, the page size, the body
// and the response GUCs (or, streamed, a meta row and a row per element).
func renderRead(rel *Relation, q *query.Request, shape readShape) (*readStatement, *apierr.Error) {
	scope, warning, aerr := plan.Read(rel, q, shape.related)
	if aerr != nil {
		return nil, aerr
	}
	a := &sqlgen.Args{}
	cols, joins, where, order := sqlgen.Scope(a, scope)
	if cols == "" {
		cols = "NULL"
	}
	from := " FROM " + rel.SQLName + joins
	if where != "" {
		from += " WHERE " + where
	}
	var sql strings.Builder
	sql.WriteString("WITH ")
	if shape.call != nil {
		// The call's rows, computed once: the page and the count read them.
		sql.WriteString("pgrst_result AS (" + shape.call.cte(a) + "), ")
	}
	sql.WriteString("pgrst_source AS (SELECT " + cols + from)
	if order != "" {
		sql.WriteString(" ORDER BY " + order)
	}
	if !shape.rng.All() {
		// Untyped decimal text, as PostgREST sends them: PostgreSQL reads
		// them as bigint and refuses one beyond it (22003).
		if l := shape.rng.SQLLimit(); l != "" {
			sql.WriteString(" LIMIT " + a.Add(l))
		} else {
			sql.WriteString(" LIMIT ALL")
		}
		sql.WriteString(" OFFSET " + a.Add(shape.rng.SQLOffset()))
	}
	sql.WriteString(")")
	total := "NULL::bigint"
	if shape.count == "exact" || shape.count == "estimated" {
		// Without db-max-rows or a range the page is the whole result: its
		// size is the total, no second count needed.
		total = "pg_catalog.count(_postgrest_t)"
		if shape.maxRows != nil || !shape.rng.All() {
			sql.WriteString(", pgrst_source_count AS (SELECT 1" + from)
			if shape.count == "estimated" && shape.maxRows != nil {
				sql.WriteString(" LIMIT " + a.Add(*shape.maxRows+1))
			}
			sql.WriteString(")")
			total = "(SELECT pg_catalog.count(*) FROM pgrst_source_count)"
		}
	}
	pageCount := "pg_catalog.count(_postgrest_t)"
	if shape.call != nil && !shape.call.fn.ReturnsSet {
		pageCount = "1::bigint"
	}
	if shape.stream {
		renderStreamTail(&sql, total, pageCount, shape.media)
		return &readStatement{sql: sql.String(), args: a.Values(), warning: warning}, nil
	}
	sql.WriteString(" SELECT " + total + ", " + pageCount + ", ")
	switch {
	case shape.head:
		sql.WriteString("NULL::text")
	case shape.call != nil:
		sql.WriteString(shape.call.aggregate(shape.media))
	default:
		sql.WriteString(sqlgen.Body(shape.media))
	}
	sql.WriteString(", nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '')")
	sql.WriteString(" FROM (SELECT * FROM pgrst_source) _postgrest_t")
	st := &readStatement{sql: sql.String(), args: a.Values(), warning: warning}
	if shape.count == "planned" || shape.count == "estimated" {
		st.explain, st.explainArgs = renderExplain(rel, scope, shape)
	}
	return st, nil
}

// renderExplain is the EXPLAIN whose row estimate is a planned or
// estimated count: the read's FROM item (a call's rows included), filters
// and embed joins, with parameters of its own. With embeds the select list
// is kept, as it holds some of their parameters.
func renderExplain(rel *Relation, scope *plan.Scope, shape readShape) (string, []any) {
	a := &sqlgen.Args{}
	sql := "EXPLAIN (FORMAT JSON) "
	if shape.call != nil {
		sql += "WITH pgrst_result AS (" + shape.call.cte(a) + ") "
	}
	cols, joins := "1", ""
	if len(scope.Embeds) > 0 {
		cols, joins = sqlgen.SelectList(a, scope)
		if cols == "" {
			cols = "NULL"
		}
	}
	sql += "SELECT " + cols + " FROM " + rel.SQLName + joins
	if where := sqlgen.Where(a, scope); where != "" {
		sql += " WHERE " + where
	}
	return sql, a.Values()
}
