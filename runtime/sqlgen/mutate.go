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
// were inserted rather than updated. The statement is written into one
// builder: a write is on every request's path, and a string per fragment
// was most of its allocations.
func Mutate(m *plan.Mutate) (sql string, args []any) {
	return (*Renderer)(nil).Mutate(&Args{}, m)
}

// mutate writes Mutate's statement into b and its bind values into a.
func mutate(b *buffer, a *Args, m *plan.Mutate) (args []any) {
	// The fixed text, each body column about four times (column list,
	// SELECT, record definition with its type), the RETURNING list.
	b.Grow(512 + 96*len(m.Columns) + len(m.Rel.Returning))
	b.WriteString("WITH pgrst_source AS (")
	mutation(b, a, m)
	body, inner := "''::text", "SELECT * FROM pgrst_source"
	switch m.Return {
	case "representation":
		// select= and order= shape the representation (F-SELECT-08,
		// F-ORDER-06), embeds included (F-EMBED-21).
		src := "pgrst_source"
		if m.Representation.Alias != "" {
			src += " AS " + m.Representation.Alias
		}
		cols, joins, group := SelectGroup(a, m.Representation)
		inner = "SELECT " + cols + " FROM " + src + joins
		if group != "" {
			inner += " GROUP BY " + group
		}
		if order := OrderBy(a, m.Representation); order != "" {
			inner += " ORDER BY " + order
		}
		body = MediaBody(m.Media, m.Handler, m.GeoJSON)
	case "headers-only":
		body = objectBody
	}
	b.WriteString(") SELECT NULL::bigint, pg_catalog.count(_postgrest_t), ")
	b.WriteString(body)
	b.WriteString(", nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '')")
	if m.Counts() {
		b.WriteString(", (SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted)")
	}
	b.WriteString(" FROM (")
	b.WriteString(inner)
	b.WriteString(") _postgrest_t")
	return a.Values()
}

// mutation writes the INSERT, UPDATE or DELETE with its RETURNING list.
func mutation(b *buffer, a *Args, m *plan.Mutate) {
	rel := m.Rel
	if m.Noop() {
		b.WriteString("SELECT " + rel.SelectStar + " FROM " + rel.SQLName + " WHERE false")
		return
	}
	switch m.Method {
	case http.MethodDelete:
		b.WriteString("DELETE FROM ")
		b.WriteString(rel.SQLName)
		if where := Where(a, m.Where); where != "" {
			b.WriteString(" WHERE ")
			b.WriteString(where)
		}
	case http.MethodPatch:
		// The WHERE's values are numbered before the body's, as they
		// always were: the request→SQL goldens pin the placeholders.
		where := Where(a, m.Where)
		b.WriteString("UPDATE ")
		b.WriteString(rel.SQLName)
		b.WriteString(" SET ")
		setList(b, "pgrst_body.", m.Columns)
		b.WriteByte(' ')
		// An array body sets from its first element, as PostgREST does.
		bodySource(b, a, m.Payload, m.Columns, m.Defaults, !m.Payload.Object)
		if where != "" {
			b.WriteString(" WHERE ")
			b.WriteString(where)
		}
	default:
		b.WriteString("INSERT INTO ")
		b.WriteString(rel.SQLName)
		if len(m.Columns) > 0 {
			b.WriteByte('(')
			columnList(b, "", m.Columns)
			b.WriteByte(')')
		}
		// With no keys the SELECT has no columns: each row (one for {},
		// one per element of [{}, …]) takes every default.
		b.WriteString(" SELECT ")
		columnList(b, "pgrst_body.", m.Columns)
		b.WriteByte(' ')
		bodySource(b, a, m.Payload, m.Columns, m.Defaults, false)
		if len(m.Key) > 0 {
			// PUT's key filters hold for the body's row, or nothing is
			// written and PGRST115 follows.
			b.WriteString(" WHERE ")
			for i, v := range m.Key {
				if i > 0 {
					b.WriteString(" AND ")
				}
				val := a.Add(v)
				if c := rel.Column(rel.PrimaryKey[i]); c != nil && c.FilterCast != "" {
					// The key filter's value, parsed as every filter's.
					val = c.FilterCast + "(" + val + "::text)"
				}
				b.WriteString("pgrst_body." + QuoteIdent(rel.PrimaryKey[i]) + " = " + val)
			}
		}
		if m.Resolution != "" {
			b.WriteString(" ON CONFLICT(" + strings.Join(quoted(m.Conflict), ", ") + ") ")
			if m.Resolution == "ignore-duplicates" || len(m.Columns) == 0 {
				b.WriteString("DO NOTHING")
			} else {
				b.WriteString("DO UPDATE SET ")
				setList(b, "EXCLUDED.", m.Columns)
			}
		}
	}
	switch {
	case m.Return == "representation":
		b.WriteString(" RETURNING ")
		b.WriteString(or(rel.Returning, Returning)(rel))
	case m.Return == "headers-only" && len(rel.PrimaryKey) > 0:
		b.WriteString(" RETURNING ")
		b.WriteString(or(rel.KeyReturning, KeyReturning)(rel))
	default:
		b.WriteString(" RETURNING 1")
	}
	if m.Counts() {
		// xmax is 0 for a row this statement inserted, not updated.
		b.WriteString(", (xmax = 0) AS pgrst_inserted")
	}
}

// setList writes "col = from.col" for each of cols, comma-separated.
func setList(b *buffer, from string, cols []*contract.Column) {
	for i, col := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(col.SQLName)
		b.WriteString(" = ")
		b.WriteString(from)
		b.WriteString(col.SQLName)
	}
}

// columnList writes cols' names, each after prefix, comma-separated.
func columnList(b *buffer, prefix string, cols []*contract.Column) {
	for i, col := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(prefix)
		b.WriteString(col.SQLName)
	}
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

// bodySource writes the FROM clause of a mutation's body rows: the JSON
// body as one parameter, the columns' defaults merged in for
// missing=default, typed rows as pgrst_body. firstOnly reads one row (a
// PATCH sets from the first element of an array body).
func bodySource(b *buffer, a *Args, p *request.Payload, cols []*contract.Column, defaults, firstOnly bool) {
	data := "pgrst_payload.json_data"
	toRecord, elements := "json_to_recordset", "json_array_elements"
	if p.Object {
		toRecord = "json_to_record"
	}
	b.WriteString("FROM (SELECT ")
	b.WriteString(a.Add(Text(p.JSON)))
	b.WriteString("::json AS json_data) pgrst_payload, ")
	if defaults {
		var defs []string
		for _, c := range cols {
			if c.Default != "" {
				defs = append(defs, a.Add(c.Name)+"::text, "+c.Default)
			}
		}
		obj := "jsonb_build_object(" + strings.Join(defs, ", ") + ")"
		if p.Object {
			b.WriteString("LATERAL (SELECT " + obj + " || pgrst_payload.json_data::jsonb AS val) pgrst_json_defs, ")
		} else {
			b.WriteString("LATERAL (SELECT jsonb_agg(" + obj + " || elem) AS val FROM jsonb_array_elements(pgrst_payload.json_data::jsonb) elem) pgrst_json_defs, ")
		}
		data = "pgrst_json_defs.val"
		toRecord, elements = "jsonb_to_recordset", "jsonb_array_elements"
		if p.Object {
			toRecord = "jsonb_to_record"
		}
	}
	if len(cols) == 0 {
		if p.Object {
			b.WriteString("LATERAL (SELECT 1 FROM (VALUES (1)) _) pgrst_body")
			return
		}
		b.WriteString("LATERAL (SELECT 1 FROM " + elements + "(" + data + ") _) pgrst_body")
		return
	}
	b.WriteString("LATERAL (SELECT ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		if c.BodyCast != "" {
			// A domain's representation parses the value read as json.
			b.WriteString(c.BodyCast + "(" + c.SQLName + ") AS ")
		}
		b.WriteString(c.SQLName)
	}
	b.WriteString(" FROM ")
	b.WriteString(toRecord)
	b.WriteByte('(')
	b.WriteString(data)
	b.WriteString(") AS _(")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.SQLName)
		b.WriteByte(' ')
		if c.BodyCast != "" {
			b.WriteString("json")
		} else {
			b.WriteString(c.Type)
		}
	}
	b.WriteByte(')')
	if firstOnly {
		b.WriteString(" LIMIT 1")
	}
	b.WriteString(") pgrst_body")
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
