package sqlgen

import (
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// Statement is a rendered read: the main statement and, for planned and
// estimated counts, the EXPLAIN whose row estimate is the total.
type Statement struct {
	SQL         string
	Args        []any
	Explain     string
	ExplainArgs []any
}

// Read renders a planned read in PostgREST's shape: a CTE with the page,
// then one row holding the total, the page size, the body and the response
// GUCs (or, streamed, a meta row and a row per element of the body).
func Read(r *plan.Read) Statement {
	return (*Renderer)(nil).Read(&Args{}, r)
}

// read writes Read's statement into sql and its bind values into a, and
// returns it but for its text.
func read(sql *buffer, a *Args, r *plan.Read) Statement {
	cols, joins, where, group, order := Scope(a, r.Scope)
	if cols == "" {
		cols = "NULL"
	}
	rel := r.Scope.Rel
	// FROM, joins and WHERE, written where needed rather than concatenated
	// first.
	from := func(sql *buffer) {
		sql.WriteString(" FROM ")
		sql.WriteString(rel.SQLName)
		sql.WriteString(joins)
		if where != "" {
			sql.WriteString(" WHERE ")
			sql.WriteString(where)
		}
	}
	// Sized once for the fixed text around the parts: growing the builder
	// was most of this function's time.
	sql.Grow(340 + len(cols) + len(rel.SQLName) + len(joins) + len(where) + len(group) + len(order))
	sql.WriteString("WITH ")
	if r.Call != nil {
		// The call's rows, computed once: the page and the count read them.
		sql.WriteString("pgrst_result AS (" + CallRows(a, r.Call) + "), ")
	}
	sql.WriteString("pgrst_source AS (SELECT ")
	sql.WriteString(cols)
	from(sql)
	if group != "" {
		sql.WriteString(" GROUP BY ")
		sql.WriteString(group)
	}
	if order != "" {
		sql.WriteString(" ORDER BY ")
		sql.WriteString(order)
	}
	if !r.Range.All() {
		// Untyped decimal text, as PostgREST sends them: PostgreSQL reads
		// them as bigint and refuses one beyond it (22003).
		if l := r.Range.SQLLimit(); l != "" {
			sql.WriteString(" LIMIT ")
			sql.WriteString(a.Add(l))
		} else {
			sql.WriteString(" LIMIT ALL")
		}
		sql.WriteString(" OFFSET ")
		sql.WriteString(a.Add(r.Range.SQLOffset()))
	}
	sql.WriteString(")")
	total := "NULL::bigint"
	if r.Count == "exact" || r.Count == "estimated" {
		// Without db-max-rows or a range the page is the whole result: its
		// size is the total, no second count needed (unless grouped).
		total = "pg_catalog.count(_postgrest_t)"
		// Aggregated, the page holds groups: PostgREST counts the rows.
		if r.MaxRows != nil || !r.Range.All() || group != "" {
			sql.WriteString(", pgrst_source_count AS (SELECT 1")
			from(sql)
			if r.Count == "estimated" && r.MaxRows != nil {
				sql.WriteString(" LIMIT " + a.Add(*r.MaxRows+1))
			}
			sql.WriteString(")")
			total = "(SELECT pg_catalog.count(*) FROM pgrst_source_count)"
		}
	}
	pageCount := "pg_catalog.count(_postgrest_t)"
	if r.Call != nil && !r.Call.Fn.ReturnsSet {
		pageCount = "1::bigint"
	}
	if r.Stream {
		streamTail(sql, total, pageCount, r.Media)
		return Statement{Args: a.Values()}
	}
	sql.WriteString(" SELECT ")
	sql.WriteString(total)
	sql.WriteString(", ")
	sql.WriteString(pageCount)
	sql.WriteString(", ")
	switch {
	case r.Head:
		sql.WriteString("NULL::text")
	case r.Media == request.MediaGeoJSON:
		sql.WriteString(GeoJSONBody(r.GeoJSON))
	case r.Media == request.MediaCustom && r.Handler != nil:
		rows := "_postgrest_t"
		if r.Call != nil && r.Call.Fn.Scalar {
			rows = "_postgrest_t.pgrst_scalar"
		}
		sql.WriteString(HandlerBody(r.Handler, rows))
	case r.Call != nil:
		sql.WriteString(CallBody(r.Call, r.Media))
	default:
		sql.WriteString(Body(r.Media))
	}
	sql.WriteString(", nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '')")
	sql.WriteString(" FROM (SELECT * FROM pgrst_source) _postgrest_t")
	st := Statement{Args: a.Values()}
	if r.Count == "planned" || r.Count == "estimated" {
		st.Explain, st.ExplainArgs = explain(r)
	}
	return st
}

// explain is the EXPLAIN whose row estimate is a planned or estimated
// count: the read's FROM item (a call's rows included), filters and embed
// joins, with parameters of its own. With embeds the select list is kept,
// as it holds some of their parameters.
func explain(r *plan.Read) (string, []any) {
	a := &Args{}
	sql := "EXPLAIN (FORMAT JSON) "
	if r.Call != nil {
		sql += "WITH pgrst_result AS (" + CallRows(a, r.Call) + ") "
	}
	cols, joins, group := "1", "", ""
	if len(r.Scope.Embeds) > 0 {
		// Grouped, the select list needs its GROUP BY (the estimate is then
		// of groups).
		cols, joins, group = SelectGroup(a, r.Scope)
		if cols == "" {
			cols = "NULL"
		}
	}
	sql += "SELECT " + cols + " FROM " + r.Scope.Rel.SQLName + joins
	if where := Where(a, r.Scope); where != "" {
		sql += " WHERE " + where
	}
	if group != "" {
		sql += " GROUP BY " + group
	}
	return sql, a.Values()
}

// streamTail ends a read statement (after its CTEs) in the streamed
// shape:
//
//	SELECT total, page count, prefix, response.headers, response.status FROM pgrst_source _postgrest_t
//	UNION ALL
//	SELECT NULL, NULL, <row as JSON or CSV>, NULL, NULL FROM pgrst_source _postgrest_t
//
// The first branch aggregates, so it reads every row of pgrst_source
// before its one row comes out: the CTE's functions have all run when the
// response GUCs are read, and the headers they set come before the body,
// as in PostgREST. pgrst_source is read twice, so PostgreSQL materializes
// it in its own tuplestore (spilling to disk past work_mem) and the second
// branch reads it back without running anything again. A non-parallel
// Append runs its branches in order, so the meta row comes first; a CTE
// scan is parallel-restricted, so no Parallel Append can interleave them
// (exec.Runner.StartStream checks it anyway). The prefix is CSV's header
// line, NULL for JSON. Each row is rendered exactly as json_agg renders its
// elements (composite_to_json), and json_strip_nulls of an array strips
// each element alone; the runtime joins them (respond.Framing) with json_agg's separators. The
// CTE is scanned directly, not through json_agg's (SELECT * FROM …)
// subquery: the row has the same columns, and the planner has less to do.
func streamTail(sql *buffer, total, pageCount string, m request.Media) {
	prefix, row := "NULL::text", "row_to_json(_postgrest_t)::text"
	switch m {
	case request.MediaArrayStripped:
		row = "json_strip_nulls(row_to_json(_postgrest_t))::text"
	case request.MediaCSV:
		prefix, row = CSVHeader, CSVRow
	}
	sql.WriteString(" SELECT " + total + ", " + pageCount + ", " + prefix +
		", nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '')" +
		" FROM pgrst_source _postgrest_t" +
		" UNION ALL SELECT NULL, NULL, " + row + ", NULL, NULL FROM pgrst_source _postgrest_t")
}
