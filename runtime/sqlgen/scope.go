// Package sqlgen is the runtime's SQL stage: pure functions from a plan to
// statement text and bind values. Identifiers come only from the generated
// descriptors (already quoted) or, for output keys the client chose, through
// identifier quoting; every value is a bind parameter. Nothing here checks
// a request (package plan did) or touches a database, so every statement
// can be tested as text.
package sqlgen

import (
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// Args are a statement's bind values, numbered in the order they are added.
type Args struct {
	values []any
	// small holds the first values: most statements have a few, and
	// growing values one append at a time was several allocations.
	small [8]any
}

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	if a.values == nil {
		a.values = a.small[:0]
	}
	a.values = append(a.values, v)
	if n := len(a.values); n < len(placeholders) {
		return placeholders[n]
	}
	return "$" + strconv.Itoa(len(a.values))
}

// placeholders are the texts of $1…$63, made once: most statements have
// fewer bind values, and a string per value was a write's most frequent
// allocation. Read-only after initialisation.
var placeholders = func() (p [64]string) {
	for i := range p {
		p[i] = "$" + strconv.Itoa(i)
	}
	return p
}()

// Text is a bind value in text format given as bytes, a request's body:
// a string would copy it once more. It is an encoding.TextMarshaler, which
// package exec sends as the text it marshals to.
type Text []byte

// MarshalText returns t itself.
func (t Text) MarshalText() ([]byte, error) { return t, nil }

// Values are the bind values in placeholder order.
func (a *Args) Values() []any { return a.values }

// QuoteIdent quotes a name the client chose (an output key) or the runtime
// made (an alias).
func QuoteIdent(s string) string {
	// Names without a quote or NUL, nearly all, need no escaping: one
	// concatenation instead of pgx's two replacements and a join.
	if plainIdent(s) {
		return `"` + s + `"`
	}
	return pgx.Identifier{s}.Sanitize()
}

// Scope renders the parts of a scope: its select list ("" when it selects
// nothing), the lateral joins of its embeds (to follow its FROM item), its
// conditions ("" for none), its GROUP BY terms ("" unless it aggregates)
// and its order ("" for none), adding their values to a in that order.
func Scope(a *Args, s *plan.Scope) (cols, joins, where, group, order string) {
	cols, joins, group = SelectGroup(a, s)
	where = Where(a, s)
	order = OrderBy(a, s)
	return cols, joins, where, group, order
}

// qualifier is what a scope's columns are prefixed with.
func qualifier(s *plan.Scope) string {
	switch {
	case s.Alias != "":
		return s.Alias
	case s.Qualified:
		return s.Rel.SQLName
	}
	return ""
}

// rowRef is a scope's whole row, for computed fields and computed
// relationships.
func rowRef(s *plan.Scope) string {
	switch {
	case s.Alias != "":
		return s.Alias
	case s.Rel.RowRef != "":
		return s.Rel.RowRef
	}
	// Only relations with computed fields have a generated RowRef.
	return QuoteIdent(s.Rel.Name)
}

// column is a field's column or computed-field call, without its path.
func column(s *plan.Scope, f plan.Field) string {
	if f.Column == nil {
		return f.Computed.SQLName + "(" + rowRef(s) + ")"
	}
	if q := qualifier(s); q != "" {
		return q + "." + f.Column.SQLName
	}
	return f.Column.SQLName
}

// field renders a field with its JSON path.
func field(a *Args, s *plan.Scope, f plan.Field) string {
	expr := column(s, f)
	if len(f.Path) == 0 {
		return expr
	}
	if t := f.Type(); t != "json" && t != "jsonb" {
		// Composite and array columns are walked as jsonb, as PostgREST does.
		expr = "to_jsonb(" + expr + ")"
	}
	return expr + path(a, f.Path)
}

// path renders JSON path steps: keys as text, indexes as integers.
func path(a *Args, steps []query.PathStep) string {
	var sb strings.Builder
	for _, step := range steps {
		op := "->"
		if step.Arrow == "->>" {
			op = "->>"
		}
		if step.Index != nil {
			sb.WriteString(op + a.Add(*step.Index) + "::integer")
		} else {
			sb.WriteString(op + a.Add(step.Key) + "::text")
		}
	}
	return sb.String()
}

// SelectList renders what a scope selects and its embeds' lateral joins.
// A top-level scope without a select list selects every column.
func SelectList(a *Args, s *plan.Scope) (cols, joins string) {
	cols, joins, _ = SelectGroup(a, s)
	return cols, joins
}

// SelectGroup is SelectList with the scope's GROUP BY terms: when it
// computes aggregates, everything else it selects, each term the text of
// its select expression (bind values are not added twice), "" otherwise.
func SelectGroup(a *Args, s *plan.Scope) (cols, joins, group string) {
	if s.Select == nil {
		return star(s.Rel, ""), "", ""
	}
	var c, j, g strings.Builder
	c.Grow(24 * len(s.Select))
	// An embed's join is a few hundred bytes: sized once, not doubled
	// from nothing.
	j.Grow(320 * len(s.Embeds))
	selectInto(a, s, &c, &j, &g)
	return c.String(), j.String(), g.String()
}

// selectInto writes what s (which has a select list) selects to cols, its
// embeds' lateral joins to joins and its GROUP BY terms to group. Each
// list is written as it grows, an embed's subquery straight into its
// parent's joins: a slice of parts and a join per list, then a string per
// subquery copied into its parent, were most of a read's rendering.
func selectInto(a *Args, s *plan.Scope, cols, joins, group *strings.Builder) {
	grouped := s.Grouped()
	parts, groups := list{sb: cols}, list{sb: group}
	for _, it := range s.Select {
		switch {
		case it.Embed != nil:
			for _, t := range embed(a, s, it.Embed, grouped, &parts, joins) {
				groups.add(t)
			}
		case it.Star && it.Aggregate != "":
			parts.add(starAggregate(s, it))
		case it.Star:
			q := qualifier(s)
			parts.add(star(s.Rel, q))
			if grouped {
				for _, c := range s.Rel.Columns {
					groups.add(qualify(q, c.SQLName))
				}
			}
		case plainColumn(it, grouped):
			// A column under its own name, most of what reads select:
			// written as it is, with no expression made first.
			c := it.Field.Column
			if q := qualifier(s); q != "" {
				parts.add(q, ".", c.SQLName, " AS ", c.SQLName)
			} else {
				parts.add(c.SQLName)
			}
		default:
			expr := field(a, s, it.Field)
			if c := it.Field.Column; c != nil && c.OutputCast != "" && len(it.Field.Path) == 0 {
				// A domain representation formats the value; a cast
				// applies to what it made, as in PostgREST.
				expr = c.OutputCast + "(" + expr + ")"
			}
			if it.Cast != "" {
				expr = "(" + expr + ")::" + it.Cast
			}
			switch {
			case it.Aggregate != "" && !s.Hoist:
				parts.add(aggregate(it.Aggregate, it.AggregateCast, expr), " AS ", QuoteIdent(it.Key))
				continue
			case it.Aggregate != "":
				// Hoisted: the parent aggregates this column.
			case grouped:
				groups.add(expr)
			}
			switch col := s.Rel.Column(it.Key); {
			case col != nil && expr == col.SQLName:
				parts.add(expr)
			case col != nil:
				// Named as a column (an embed's, qualified): its quoted
				// name is at hand.
				parts.add(expr, " AS ", col.SQLName)
			default:
				parts.add(expr, " AS ", QuoteIdent(it.Key))
			}
		}
	}
}

// plainColumn says whether a select item is a column of its scope under
// its own name: no JSON path, cast, domain representation or aggregate,
// and not grouped by.
func plainColumn(it plan.Item, grouped bool) bool {
	c := it.Field.Column
	return c != nil && !grouped && it.Key == c.Name && len(it.Field.Path) == 0 && c.OutputCast == "" &&
		it.Cast == "" && it.Aggregate == ""
}

// list is a comma-separated list being written to sb, which may hold
// text before it.
type list struct {
	sb *strings.Builder
	n  int // elements written
}

// add writes one element, the concatenation of texts.
func (l *list) add(texts ...string) {
	if l.n > 0 {
		l.sb.WriteString(", ")
	}
	l.n++
	for _, t := range texts {
		l.sb.WriteString(t)
	}
}

// aggregate applies an aggregate and the cast of its result to expr. fn
// is one of the names the parser accepts (sum, avg, count, max, min), each
// the name of PostgreSQL's function.
func aggregate(fn, cast, expr string) string {
	out := "pg_catalog." + fn + "(" + expr + ")"
	if cast != "" {
		out = "(" + out + ")::" + cast
	}
	return out
}

// starAggregate is count() (or an aggregate over whole rows): in a to-one
// spread, a non-null value the parent counts (NULL where no row joined).
func starAggregate(s *plan.Scope, it plan.Item) string {
	key := " AS " + QuoteIdent(it.Key)
	switch {
	case it.Legacy:
		return aggregate("count", it.AggregateCast, "*") + key
	case s.Hoist && it.Aggregate == "count":
		return "TRUE" + key
	case s.Hoist:
		return rowRef(s) + key
	case it.Aggregate == "count":
		return aggregate("count", it.AggregateCast, "*") + key
	}
	return aggregate(it.Aggregate, it.AggregateCast, rowRef(s)) + key
}

// qualify prefixes a column with its scope's qualifier, if any.
func qualify(q, name string) string {
	if q == "" {
		return name
	}
	return q + "." + name
}

// star is what * selects of rel's columns, qualified with q unless it is
// "": every column, those with a domain representation formatted by it
// (the generated OutputStar unqualified).
func star(rel *contract.Relation, q string) string {
	switch {
	case rel.OutputStar == "" && q == "":
		return rel.SelectStar
	case rel.OutputStar == "":
		return q + ".*"
	case q == "":
		return rel.OutputStar
	}
	parts := make([]string, len(rel.Columns))
	for i, c := range rel.Columns {
		parts[i] = outputColumn(&c, q+"."+c.SQLName)
	}
	return strings.Join(parts, ", ")
}

// OutputStar is the generated Relation.OutputStar: rel's columns for a
// response, "" when none has a domain representation (SelectStar serves).
func OutputStar(rel *contract.Relation) string {
	parts := make([]string, len(rel.Columns))
	found := false
	for i, c := range rel.Columns {
		parts[i] = outputColumn(&c, c.SQLName)
		found = found || c.OutputCast != ""
	}
	if !found {
		return ""
	}
	return strings.Join(parts, ", ")
}

// outputColumn is column c, as expr, in a response: through its domain
// representation under its own name, if it has one.
func outputColumn(c *contract.Column, expr string) string {
	if c.OutputCast == "" {
		return expr
	}
	return c.OutputCast + "(" + expr + ") AS " + c.SQLName
}

// Where renders a scope's AND-ed conditions.
func Where(a *Args, s *plan.Scope) string {
	return conds(a, s, s.Where, " AND ")
}

func conds(a *Args, s *plan.Scope, cs []plan.Cond, joiner string) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, cond(a, s, c))
	}
	return strings.Join(parts, joiner)
}

func cond(a *Args, s *plan.Scope, c plan.Cond) string {
	if c.Logic == nil {
		return filter(a, s, c.Filter)
	}
	joiner := " AND "
	if c.Logic.Or {
		joiner = " OR "
	}
	out := "(" + conds(a, s, c.Logic.Children, joiner) + ")"
	if c.Logic.Negated {
		out = "NOT " + out
	}
	return out
}

var ftsFunctions = map[string]string{
	"fts": "to_tsquery", "plfts": "plainto_tsquery", "phfts": "phraseto_tsquery", "wfts": "websearch_to_tsquery",
}

func filter(a *Args, s *plan.Scope, f *plan.Filter) string {
	if f.Embed != nil {
		if f.Negated {
			return f.Embed.Alias + " IS DISTINCT FROM NULL"
		}
		return f.Embed.Alias + " IS NOT DISTINCT FROM NULL"
	}
	lhs := field(a, s, f.Field)
	cast := filterCast(f)
	var out string
	switch f.Operator {
	case "is":
		out = lhs + " IS " + f.Is
	case "in":
		if cast != "" {
			out = lhs + " = ANY(ARRAY(SELECT " + cast + "(v) FROM unnest(" + a.Add(ArrayLiteral(f.List)) + "::text[]) AS v))"
		} else {
			out = lhs + " = ANY(" + a.Add(ArrayLiteral(f.List)) + ")"
		}
	case "fts", "plfts", "phfts", "wfts":
		lang := ""
		if f.Language != "" {
			lang = a.Add(f.Language) + "::regconfig, "
		}
		// Non-tsvector columns are wrapped in to_tsvector, in the query's
		// language when it names one, as PostgREST does (F-FILTER-32).
		if f.Field.Type() != "tsvector" {
			lhs = "to_tsvector(" + lang + lhs + ")"
		}
		out = lhs + " @@ " + ftsFunctions[f.Operator] + "(" + lang + a.Add(f.Value) + ")"
	default:
		op := plan.Operators[f.Operator]
		switch {
		case f.Quantifier != "":
			// The value is the client's array literal, passed through as
			// PostgREST does; PostgreSQL parses it into the column's array type.
			out = lhs + " " + op + " " + strings.ToUpper(f.Quantifier) + "(" + a.Add(f.Value) + ")"
		case cast != "":
			out = lhs + " " + op + " " + cast + "(" + a.Add(f.Value) + "::text)"
		default:
			out = lhs + " " + op + " " + a.Add(f.Value)
		}
	}
	if f.Negated {
		out = "NOT " + out
	}
	return out
}

// filterCast is the domain cast a filter's value goes through: only for a
// plain column (no JSON path) whose domain has a text cast, and not for
// like, ilike and isdistinct, whose values PostgREST passes as they are.
func filterCast(f *plan.Filter) string {
	if len(f.Field.Path) > 0 || f.Field.Column == nil {
		return ""
	}
	switch f.Operator {
	case "like", "ilike", "isdistinct":
		return ""
	}
	return f.Field.Column.FilterCast
}

// ArrayLiteral writes items as a PostgreSQL array literal, sent as text so
// that PostgreSQL parses it into the column's array type.
func ArrayLiteral(items []string) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, it := range items {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		for _, r := range it {
			if r == '"' || r == '\\' {
				sb.WriteByte('\\')
			}
			sb.WriteRune(r)
		}
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return sb.String()
}

// OrderBy renders a scope's order terms.
func OrderBy(a *Args, s *plan.Scope) string {
	parts := make([]string, 0, len(s.Order))
	for _, o := range s.Order {
		var expr string
		if o.Embed != nil {
			expr = o.Embed.Alias + "." + QuoteIdent(o.Column) + path(a, o.Path)
		} else {
			expr = orderField(a, s, o.Field)
		}
		if o.Desc {
			expr += " DESC"
		} else {
			expr += " ASC"
		}
		switch o.Nulls {
		case "first":
			expr += " NULLS FIRST"
		case "last":
			expr += " NULLS LAST"
		}
		parts = append(parts, expr)
	}
	return strings.Join(parts, ", ")
}

// orderField renders an order term's field. ORDER BY takes a bare name for
// the output column of that name, so a column is qualified when that output
// column is not the column itself (a domain representation, an alias of
// something else, a cast): order is by the stored value, as in PostgREST.
func orderField(a *Args, s *plan.Scope, f plan.Field) string {
	if f.Column != nil && qualifier(s) == "" && shadowed(s, f.Column) {
		q := *s
		q.Qualified = true
		return field(a, &q, f)
	}
	return field(a, s, f)
}

// shadowed says whether scope s outputs a column named like col that is not
// col as stored.
func shadowed(s *plan.Scope, col *contract.Column) bool {
	if s.Select == nil {
		return col.OutputCast != ""
	}
	for _, it := range s.Select {
		switch {
		case it.Embed != nil:
			if it.Embed.Label == col.Name {
				return true
			}
		case it.Star:
			if col.OutputCast != "" {
				return true
			}
		case it.Key == col.Name:
			if it.Field.Column != col || it.Cast != "" || len(it.Field.Path) > 0 || col.OutputCast != "" {
				return true
			}
		}
	}
	return false
}

// embed renders an embed of parent: what parent selects of it, added to
// parts (nothing for an empty embed), and its lateral join, written to
// joins. Each embed is a LEFT (!inner: INNER) JOIN LATERAL subquery with
// its own alias, so a relation can embed itself: row_to_json of its row
// for to-one, json_agg of its rows for to-many, its columns lifted into
// the parent for spreads.
//
// grouped says the parent aggregates: terms are then what it groups by of
// the embed (its JSON, or its spread columns that are not aggregated), and
// it applies the spread columns' hoisted aggregates.
func embed(a *Args, parent *plan.Scope, e *plan.Embed, grouped bool, parts *list, joins *strings.Builder) (terms []string) {
	toMany := e.ToMany()
	on := "TRUE"
	if e.Inner {
		joins.WriteString(" INNER JOIN LATERAL (")
		if toMany {
			on = e.Alias + " IS NOT NULL"
		}
	} else {
		joins.WriteString(" LEFT JOIN LATERAL (")
	}
	if toMany {
		// Its rows aggregated into one JSON array (and, spread, one array
		// per spread key).
		joins.WriteString("SELECT json_agg(")
		joins.WriteString(e.Alias)
		joins.WriteString(")::jsonb AS ")
		joins.WriteString(e.Alias)
		if e.Spread {
			for _, k := range e.SpreadKeys() {
				joins.WriteString(", COALESCE(json_agg(" + e.Alias + "." + QuoteIdent(k) + "), '[]')::jsonb AS " + QuoteIdent(k))
			}
		}
		joins.WriteString(" FROM (")
		subquery(a, e, parent, joins)
		joins.WriteString(") AS ")
		joins.WriteString(e.Alias)
	} else {
		subquery(a, e, parent, joins)
	}
	joins.WriteString(") AS ")
	joins.WriteString(e.Alias)
	joins.WriteString(" ON ")
	joins.WriteString(on)
	switch {
	case e.Spread:
		for _, c := range e.SpreadCols(grouped) {
			col := e.Alias + "." + QuoteIdent(c.Key)
			switch {
			case c.Key == "*":
				parts.add(e.Alias, ".*")
			case c.Aggregate != "" && !parent.Hoist:
				parts.add(aggregate(c.Aggregate, c.AggregateCast, col), " AS ", QuoteIdent(c.Key))
			case c.Aggregate != "":
				parts.add(col)
			default:
				parts.add(col)
				if grouped {
					terms = append(terms, col)
				}
			}
		}
		return terms
	case e.Empty():
		return nil
	}
	// The embed's JSON, written in pieces: only a grouped parent needs it
	// as one string.
	expr := []string{"row_to_json(", e.Alias, ".*)::jsonb"}
	if toMany {
		expr = []string{"COALESCE(", e.Alias, ".", e.Alias, ", '[]')"}
	}
	parts.add(expr...)
	parts.sb.WriteString(" AS ")
	writeIdent(parts.sb, e.Label)
	if grouped {
		terms = []string{strings.Join(expr, "")}
	}
	return terms
}

// subquery writes an embed's rows to sql, correlated with its parent.
func subquery(a *Args, e *plan.Embed, parent *plan.Scope, sql *strings.Builder) {
	// Its select list is written in place; its own embeds' joins, which
	// follow its FROM item, and its GROUP BY terms wait in builders of
	// their own (empty, so never allocated, for most embeds).
	var joins, group strings.Builder
	sql.WriteString("SELECT ")
	switch start := sql.Len(); {
	case e.Select == nil:
		sql.WriteString(star(e.Rel, e.Alias))
	default:
		selectInto(a, &e.Scope, sql, &joins, &group)
		if sql.Len() == start {
			sql.WriteString("NULL")
		}
	}
	sql.WriteString(" FROM ")
	embedFrom(e, parent, sql)
	sql.WriteString(joins.String())
	conds := joinCondition(e, qualifier(parent), sql)
	if where := Where(a, &e.Scope); where != "" {
		if conds {
			sql.WriteString(" AND ")
		} else {
			sql.WriteString(" WHERE ")
		}
		sql.WriteString(where)
	}
	if group.Len() > 0 {
		sql.WriteString(" GROUP BY ")
		sql.WriteString(group.String())
	}
	if order := OrderBy(a, &e.Scope); order != "" {
		sql.WriteString(" ORDER BY ")
		sql.WriteString(order)
	}
	// Decimal text, which PostgreSQL reads as bigint (22003 past it).
	if e.Limit != nil {
		sql.WriteString(" LIMIT ")
		sql.WriteString(a.Add(e.Limit.String()))
	}
	if e.Offset != nil {
		sql.WriteString(" OFFSET ")
		sql.WriteString(a.Add(e.Offset.String()))
	}
}

// embedFrom writes an embed's FROM item: its relation (with the junction,
// for many-to-many) or its computed relationship's call on the parent's
// row.
func embedFrom(e *plan.Embed, parent *plan.Scope, sql *strings.Builder) {
	r := e.Ship
	if r.Cardinality == contract.ComputedRelationship {
		sql.WriteString(r.Function + "(" + rowRef(parent) + ") AS " + e.Alias)
		return
	}
	sql.WriteString(e.Rel.SQLName)
	sql.WriteString(" AS ")
	sql.WriteString(e.Alias)
	if r.Junction != nil {
		sql.WriteString(", " + r.Junction.SQLName + " AS " + junctionAlias(e))
	}
}

// junctionAlias is the alias of a many-to-many embed's junction.
func junctionAlias(e *plan.Embed) string {
	return QuoteIdent(strings.Trim(e.Alias, `"`) + "_j")
}

// joinCondition writes the WHERE of the conditions tying an embed to its
// parent, if it has any (a computed relationship has none), and says
// whether it did: the embedded side's columns on the left, so that the
// condition is an index lookup on them (target.fk = parent.pk).
func joinCondition(e *plan.Embed, parentQual string, sql *strings.Builder) bool {
	r := e.Ship
	n := 0
	cond := func(lq, l, rq, r string) {
		if n == 0 {
			sql.WriteString(" WHERE ")
		} else {
			sql.WriteString(" AND ")
		}
		n++
		sql.WriteString(lq)
		sql.WriteByte('.')
		writeIdent(sql, l)
		sql.WriteString(" = ")
		sql.WriteString(rq)
		sql.WriteByte('.')
		writeIdent(sql, r)
	}
	switch {
	case r.Cardinality == contract.ComputedRelationship:
	case r.Junction != nil:
		j := junctionAlias(e)
		for _, p := range r.Junction.Target {
			cond(e.Alias, p.To, j, p.From)
		}
		for _, p := range r.Junction.Source {
			cond(j, p.From, parentQual, p.To)
		}
	default:
		for _, p := range r.Columns {
			cond(e.Alias, p.To, parentQual, p.From)
		}
	}
	return n > 0
}

// writeIdent writes QuoteIdent(name) to sb.
func writeIdent(sb *strings.Builder, name string) {
	if !plainIdent(name) {
		sb.WriteString(QuoteIdent(name))
		return
	}
	sb.WriteByte('"')
	sb.WriteString(name)
	sb.WriteByte('"')
}

// plainIdent says whether name is quoted without escaping: it has no quote
// and no NUL, as nearly all names.
func plainIdent(name string) bool {
	return strings.IndexByte(name, '"') < 0 && strings.IndexByte(name, 0) < 0
}
