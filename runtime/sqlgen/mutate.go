package sqlgen

import (
	"net/http"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// Mutate renders a planned write in PostgREST's shape: the mutation as the
// pgrst_source CTE, returning what the response needs, then one row with
// the row count, the body (the representation, the first row's key for
// Location, or nothing), the response GUCs and, for upserts, how many rows
// were inserted rather than updated.
func Mutate(m *plan.Mutate) (sql string, args []any) {
	a := &Args{}
	mutation := mutation(a, m)
	body, inner := "''::text", "SELECT * FROM pgrst_source"
	switch m.Return {
	case "representation":
		// select= and order= shape the representation (F-SELECT-08,
		// F-ORDER-06), embeds included (F-EMBED-21).
		src := "pgrst_source"
		if m.Representation.Alias != "" {
			src += " AS " + m.Representation.Alias
		}
		cols, joins := SelectList(a, m.Representation)
		inner = "SELECT " + cols + " FROM " + src + joins
		if order := OrderBy(a, m.Representation); order != "" {
			inner += " ORDER BY " + order
		}
		body = MediaBody(m.Media, m.Handler, m.GeoJSON)
	case "headers-only":
		body = Aggregate("_postgrest_t", true, false)
	}
	main := "WITH pgrst_source AS (" + mutation + ") SELECT NULL::bigint, pg_catalog.count(_postgrest_t), " + body +
		", nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '')"
	if m.Counts() {
		main += ", (SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted)"
	}
	return main + " FROM (" + inner + ") _postgrest_t", a.Values()
}

// mutation is the INSERT, UPDATE or DELETE with its RETURNING list.
func mutation(a *Args, m *plan.Mutate) string {
	rel := m.Rel
	if m.Noop() {
		return "SELECT " + rel.SelectStar + " FROM " + rel.SQLName + " WHERE false"
	}
	names := make([]string, len(m.Columns))
	for i, col := range m.Columns {
		names[i] = col.SQLName
	}
	var sql string
	switch m.Method {
	case http.MethodDelete:
		sql = "DELETE FROM " + rel.SQLName
		if where := Where(a, m.Where); where != "" {
			sql += " WHERE " + where
		}
	case http.MethodPatch:
		sets := make([]string, len(names))
		for i, n := range names {
			sets[i] = n + " = pgrst_body." + n
		}
		where := Where(a, m.Where)
		// An array body sets from its first element, as PostgREST does.
		sql = "UPDATE " + rel.SQLName + " SET " + strings.Join(sets, ", ") + " " +
			bodySource(a, m.Payload, m.Columns, m.Defaults, !m.Payload.Object)
		if where != "" {
			sql += " WHERE " + where
		}
	default:
		sql = "INSERT INTO " + rel.SQLName
		if len(names) > 0 {
			sql += "(" + strings.Join(names, ", ") + ")"
		}
		// With no keys the SELECT has no columns: each row (one for {},
		// one per element of [{}, …]) takes every default.
		sql += " SELECT " + strings.Join(prefixed("pgrst_body.", names), ", ") + " " +
			bodySource(a, m.Payload, m.Columns, m.Defaults, false)
		if len(m.Key) > 0 {
			// PUT's key filters hold for the body's row, or nothing is
			// written and PGRST115 follows.
			where := make([]string, len(m.Key))
			for i, v := range m.Key {
				where[i] = "pgrst_body." + QuoteIdent(rel.PrimaryKey[i]) + " = " + a.Add(v)
			}
			sql += " WHERE " + strings.Join(where, " AND ")
		}
		if m.Resolution != "" {
			sql += " ON CONFLICT(" + strings.Join(quoted(m.Conflict), ", ") + ") "
			if m.Resolution == "ignore-duplicates" || len(names) == 0 {
				sql += "DO NOTHING"
			} else {
				sets := make([]string, len(names))
				for i, n := range names {
					sets[i] = n + " = EXCLUDED." + n
				}
				sql += "DO UPDATE SET " + strings.Join(sets, ", ")
			}
		}
	}
	switch {
	case m.Return == "representation":
		sql += " RETURNING " + or(rel.Returning, Returning)(rel)
	case m.Return == "headers-only" && len(rel.PrimaryKey) > 0:
		sql += " RETURNING " + or(rel.KeyReturning, KeyReturning)(rel)
	default:
		sql += " RETURNING 1"
	}
	if m.Counts() {
		// xmax is 0 for a row this statement inserted, not updated.
		sql += ", (xmax = 0) AS pgrst_inserted"
	}
	return sql
}

// Returning is the RETURNING list of a write answered with its rows: every
// column of rel, qualified. The generator stores it in the descriptor.
func Returning(rel *contract.Relation) string {
	all := make([]string, len(rel.Columns))
	for i, col := range rel.Columns {
		all[i] = col.Name
	}
	return strings.Join(qualified(rel, all), ", ")
}

// KeyReturning is the RETURNING list of return=headers-only: rel's primary
// key, qualified. The generator stores it in the descriptor.
func KeyReturning(rel *contract.Relation) string {
	return strings.Join(qualified(rel, rel.PrimaryKey), ", ")
}

// or is the precomputed text when there is one, else its renderer.
func or(pre string, render func(*contract.Relation) string) func(*contract.Relation) string {
	if pre != "" {
		return func(*contract.Relation) string { return pre }
	}
	return render
}

// bodySource is the FROM clause of a mutation's body rows: the JSON body as
// one parameter, the columns' defaults merged in for missing=default, typed
// rows as pgrst_body. firstOnly reads one row (a PATCH sets from the first
// element of an array body).
func bodySource(a *Args, p *request.Payload, cols []*contract.Column, defaults, firstOnly bool) string {
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

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = QuoteIdent(n)
	}
	return out
}

func qualified(rel *contract.Relation, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = rel.SQLName + "." + QuoteIdent(n)
	}
	return out
}
