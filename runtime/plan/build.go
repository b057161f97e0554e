package plan

import (
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// ReadScope plans what a read of rel asks: the embeds and their params first
// (PGRST108, then the relationships: PGRST200/201), then the select list,
// depth first through the embeds, then the filters and the order, which is
// the order PostgREST reports errors in. warning is the Warning header for
// embeds that params named by relation name ("" for none).
func ReadScope(rel *contract.Relation, q *query.Request, rels *Relations) (_ *Scope, warning string, _ *apierr.Error) {
	return (&planner{rels: rels}).readScope(rel, q)
}

func (p *planner) readScope(rel *contract.Relation, q *query.Request) (_ *Scope, warning string, _ *apierr.Error) {
	root := &p.scope
	*root = Scope{Rel: rel}
	if aerr := p.embeds(root, q); aerr != nil {
		return nil, "", aerr
	}
	root.Qualified = len(root.Embeds) > 0
	// PostgREST refuses these in its plan, before PostgreSQL sees a column.
	if aerr := spreadAggregates(root); aerr != nil {
		return nil, "", aerr
	}
	if aerr := p.fill(root, q.Select, q.Where, q.Order); aerr != nil {
		return nil, "", aerr
	}
	return root, p.warning(), nil
}

// Returning plans a write's representation: select= and order= over the
// rows the mutation returned, embeds included (F-EMBED-21). With embeds the
// rows are named after the relation, for the joins to refer to.
func Returning(rel *contract.Relation, q *query.Request, rels *Relations) (_ *Scope, warning string, _ *apierr.Error) {
	return (&planner{rels: rels}).returning(rel, q)
}

func (p *planner) returning(rel *contract.Relation, q *query.Request) (_ *Scope, warning string, _ *apierr.Error) {
	root := &p.scope
	*root = Scope{Rel: rel}
	if hasEmbeds(q.Select) || len(q.EmbedParams) > 0 {
		root.Alias = quoteIdent(rel.Name)
		if aerr := p.embeds(root, q); aerr != nil {
			return nil, "", aerr
		}
		if aerr := spreadAggregates(root); aerr != nil {
			return nil, "", aerr
		}
	}
	if aerr := p.fill(root, q.Select, nil, q.Order); aerr != nil {
		return nil, "", aerr
	}
	return root, p.warning(), nil
}

// Where plans the filters of a mutation (PATCH, DELETE): columns of rel
// only, no embeds. qualified qualifies them with the relation's SQL name,
// where another FROM item has the same column names (UPDATE … FROM).
func Where(rel *contract.Relation, conds []query.Condition, qualified bool) (*Scope, *apierr.Error) {
	p := &planner{}
	s := &Scope{Rel: rel, Qualified: qualified}
	where, aerr := p.conds(s, conds)
	if aerr != nil {
		return nil, aerr
	}
	s.Where = where
	return s, nil
}

// planner plans the scopes of one statement; their embeds share its alias
// counter and legacy-name warnings.
type planner struct {
	rels     *Relations
	next     int
	warnings [][2]string
	// The plan is made in the planner: its Read or Mutate, its top scope,
	// and arrays its lists and filters are carved from, which a recycled
	// planner (Plans) brings from the plans before.
	read   Read
	mutate Mutate
	scope  Scope
	bufs   buffers
}

// buffers are the arrays a planner carves its plans' lists from.
type buffers struct {
	items   []Item
	filters []Filter
	conds   []Cond
	orders  []Order
	columns []*contract.Column
}

// embeds builds the embed tree of root's select, hands the embed params to
// their embeds and resolves every relationship, top down.
func (p *planner) embeds(root *Scope, q *query.Request) *apierr.Error {
	root.Embeds = tree(q.Select)
	legacy := p.rels != nil && p.rels.LegacyNames
	for _, prm := range q.EmbedParams {
		if aerr := p.assign(root, prm, legacy); aerr != nil {
			return aerr
		}
	}
	return p.resolve(root)
}

// tree makes the embeds among items (relationships come later).
func tree(items []query.SelectItem) []*Embed {
	var out []*Embed
	for _, it := range items {
		if it.Embed == nil {
			continue
		}
		e := &Embed{query: it.Embed, Label: it.Embed.Name, Inner: it.Embed.Inner, Spread: it.Embed.Spread}
		if it.Embed.Alias != "" {
			e.Label = it.Embed.Alias
		}
		e.Embeds = tree(it.Embed.Select)
		out = append(out, e)
	}
	return out
}

// assign hands an embed param to the embed its path names.
func (p *planner) assign(root *Scope, prm query.EmbedParam, legacy bool) *apierr.Error {
	s := root
	var n *Embed
	for _, name := range prm.Path {
		next := findChild(s.Embeds, name, legacy)
		if next == nil {
			var alias *[2]string
			if !legacy {
				if c := findChild(s.Embeds, name, true); c != nil {
					alias = &[2]string{c.query.Name, c.query.Alias}
				}
			}
			return notEmbedded(name, alias)
		}
		if next.query.Alias != "" && next.query.Name == name && next.query.Alias != name && !next.legacy {
			next.legacy = true
			p.warnings = append(p.warnings, [2]string{next.query.Name, next.query.Alias})
		}
		n, s = next, &next.Scope
	}
	switch prm.Kind {
	case "filter", "logic":
		c, err := prm.Condition()
		if err != nil {
			return apierr.ParseError("\"failed to parse filter ("+prm.Value+")\"", "")
		}
		n.pending.where = append(n.pending.where, c)
	case "order":
		terms, err := prm.OrderTerms()
		if err != nil {
			return apierr.ParseError("\"failed to parse order ("+prm.Value+")\"", "")
		}
		n.pending.order = terms
	case "limit":
		if v, ok := new(big.Int).SetString(prm.Integer(), 10); ok {
			n.Limit = v
		}
	case "offset":
		// A negative offset is none; one past bigint reaches PostgreSQL,
		// whose 22003 is the answer, as for a top-level offset.
		if v, ok := new(big.Int).SetString(prm.Integer(), 10); ok && v.Sign() > 0 {
			n.Offset = v
		}
	}
	return nil
}

// findChild finds the embed a path element names: its alias or, without
// one, its name; with legacy target names its relation name always works.
func findChild(embeds []*Embed, name string, legacy bool) *Embed {
	for _, c := range embeds {
		if legacy && (c.query.Name == name || c.query.Alias == name) || !legacy && c.Label == name {
			return c
		}
	}
	return nil
}

// resolve gives every embed under s its relationship, relation and alias,
// and caps to-many embeds at db-max-rows.
func (p *planner) resolve(s *Scope) *apierr.Error {
	for _, c := range s.Embeds {
		ship, aerr := findRelationship(p.rels, s.Rel, c.query.Name, c.query.Hint)
		if aerr != nil {
			return aerr
		}
		c.Ship = ship
		c.Hoist = c.Spread && ship.ToOne
		c.Rel = p.rels.relation(ship.Target)
		if c.Rel == nil {
			return noRelationship(p.rels, s.Rel, c.query.Name, c.query.Hint)
		}
		p.next++
		c.Alias = embedAlias(p.next)
		if m := p.maxRows(); m != nil && !ship.ToOne && (c.Limit == nil || c.Limit.Cmp(big.NewInt(*m)) > 0) {
			c.Limit = big.NewInt(*m)
		}
		if aerr := p.resolve(&c.Scope); aerr != nil {
			return aerr
		}
	}
	return nil
}

func (p *planner) maxRows() *int64 {
	if p.rels == nil {
		return nil
	}
	return p.rels.MaxRows
}

func (p *planner) warning() string {
	if len(p.warnings) == 0 {
		return ""
	}
	var parts []string
	for _, w := range p.warnings {
		parts = append(parts, "`"+w[0]+"` to `"+w[1]+"`")
	}
	return `299 PostgRESTv16 "Embedded resource was referenced by relation name even though it has an alias.` +
		` This is deprecated and will stop working in a future release. Update ` + strings.Join(parts, ", ") +
		` in query string filters, orders or limits."`
}

// fill plans a scope's select list (embeds depth first), filters and order.
func (p *planner) fill(s *Scope, items []query.SelectItem, where []query.Condition, order []query.OrderTerm) *apierr.Error {
	sel, aerr := p.items(s, items)
	if aerr != nil {
		return aerr
	}
	s.Select = sel
	if s.Where, aerr = p.conds(s, where); aerr != nil {
		return aerr
	}
	s.Order, aerr = p.order(s, order)
	return aerr
}

// items plans a select list; nil (every column) for none.
func (p *planner) items(s *Scope, items []query.SelectItem) ([]Item, *apierr.Error) {
	var out []Item // nil, not empty, without items: the relation's columns
	if len(items) > 0 {
		out = carve(&p.bufs.items, len(items))
	}
	for _, it := range items {
		switch {
		case it.Embed != nil:
			e := findEmbed(s.Embeds, it.Embed)
			if e == nil || e.Rel == nil {
				return nil, noRelationship(p.rels, s.Rel, it.Embed.Name, it.Embed.Hint)
			}
			var sub []query.SelectItem
			if hasFields(e.query.Select) || len(e.Embeds) > 0 {
				sub = e.query.Select
			}
			if aerr := p.fill(&e.Scope, sub, e.pending.where, e.pending.order); aerr != nil {
				return nil, aerr
			}
			out = append(out, Item{Embed: e})
		case it.Star && it.Aggregate == "":
			out = append(out, Item{Star: true})
		case it.Star:
			// count() (or an aggregate of *.agg()): of whole rows.
			t, aerr := selectCast(it.AggregateCast)
			if aerr != nil {
				return nil, aerr
			}
			out = append(out, Item{Star: true, Key: OutputKey(it), Aggregate: it.Aggregate, AggregateCast: t})
		case legacyCount(s.Rel, it):
			t, aerr := selectCast(it.Cast)
			if aerr != nil {
				return nil, aerr
			}
			out = append(out, Item{Star: true, Key: OutputKey(it), Aggregate: "count", AggregateCast: t, Legacy: true})
		default:
			f, aerr := field(s.Rel, it.Field)
			if aerr != nil {
				return nil, aerr
			}
			item := Item{Field: f, Key: OutputKey(it), Aggregate: it.Aggregate}
			if item.Cast, aerr = selectCast(it.Cast); aerr != nil {
				return nil, aerr
			}
			if item.AggregateCast, aerr = selectCast(it.AggregateCast); aerr != nil {
				return nil, aerr
			}
			out = append(out, item)
		}
	}
	return out, nil
}

// legacyCount says whether a select item is the old count (no parens):
// the name count, without a path or aggregate, that names no field of rel.
func legacyCount(rel *contract.Relation, it query.SelectItem) bool {
	if it.Field.Name != "count" || len(it.Field.Path) > 0 || it.Aggregate != "" {
		return false
	}
	_, aerr := field(rel, it.Field)
	return aerr != nil
}

// selectCast is the SQL type a select casts to ("" for none), or
// PostgreSQL's error for a type it does not know.
func selectCast(name string) (string, *apierr.Error) {
	if name == "" {
		return "", nil
	}
	t, ok := castType(name)
	if !ok {
		return "", apierr.New(http.StatusBadRequest, "42704", fmt.Sprintf("type %q does not exist", name), "", "")
	}
	return t, nil
}

// spreadAggregates refuses aggregates in to-many spreads, at any depth
// (PostgREST's PGRST127): their rows become arrays, not groups. It reads
// the embeds' select items, before they are planned.
func spreadAggregates(s *Scope) *apierr.Error {
	for _, e := range s.Embeds {
		if e.Spread && e.ToMany() && e.selectsAggregates() {
			return apierr.New(http.StatusBadRequest, "PGRST127", "Feature not implemented",
				"Aggregates are not implemented for one-to-many or many-to-many spreads.", "")
		}
		if aerr := spreadAggregates(&e.Scope); aerr != nil {
			return aerr
		}
	}
	return nil
}

func findEmbed(embeds []*Embed, q *query.Embed) *Embed {
	for _, e := range embeds {
		if e.query == q {
			return e
		}
	}
	return nil
}

// field resolves a name of rel: a column, or a computed field called with
// the row.
func field(rel *contract.Relation, f query.Field) (Field, *apierr.Error) {
	if col := rel.Column(f.Name); col != nil {
		return Field{Column: col, Path: f.Path}, nil
	}
	for i := range rel.Computed {
		if rel.Computed[i].Name == f.Name {
			return Field{Computed: &rel.Computed[i], Path: f.Path}, nil
		}
	}
	return Field{}, UndefinedColumn(rel, f.Name)
}

// conds plans AND-ed conditions.
func (p *planner) conds(s *Scope, conds []query.Condition) ([]Cond, *apierr.Error) {
	var out []Cond // nil without conditions
	if len(conds) > 0 {
		out = carve(&p.bufs.conds, len(conds))
	}
	for _, c := range conds {
		pc, aerr := p.cond(s, c)
		if aerr != nil {
			return nil, aerr
		}
		out = append(out, pc)
	}
	return out, nil
}

func (p *planner) cond(s *Scope, c query.Condition) (Cond, *apierr.Error) {
	if c.Logic == nil {
		f, aerr := p.filter(s, c.Filter)
		return Cond{Filter: f}, aerr
	}
	l := &Logic{Or: c.Logic.Op == "or", Negated: c.Logic.Negated}
	for _, ch := range c.Logic.Children {
		pc, aerr := p.cond(s, ch)
		if aerr != nil {
			return Cond{}, aerr
		}
		l.Children = append(l.Children, pc)
	}
	return Cond{Logic: l}, nil
}

// Operators are PostgREST's comparison operators and their SQL.
var Operators = map[string]string{
	"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=",
	"like": "LIKE", "ilike": "ILIKE", "match": "~", "imatch": "~*",
	"isdistinct": "IS DISTINCT FROM",
	"cs":         "@>", "cd": "<@", "ov": "&&", "sl": "<<", "sr": ">>", "nxr": "&<", "nxl": "&>", "adj": "-|-",
}

var isValues = map[string]string{"null": "NULL", "not_null": "NOT NULL", "true": "TRUE", "false": "FALSE", "unknown": "UNKNOWN"}

func (p *planner) filter(s *Scope, f *query.Filter) (*Filter, *apierr.Error) {
	if e := embedNamed(s, f); e != nil {
		// embed=[not.]is.null: whether the embed has a row (F-FILTER-39).
		if f.Operator != "is" || f.Value != "null" {
			return nil, apierr.New(http.StatusBadRequest, "PGRST120",
				fmt.Sprintf("Bad operator on the '%s' embedded resource", f.Field.Name),
				"Only is null or not is null filters are allowed on embedded resources", "")
		}
		return p.newFilter(Filter{Embed: e, Negated: f.Negated, Operator: "is", Is: "NULL"}), nil
	}
	fld, aerr := field(s.Rel, f.Field)
	if aerr != nil {
		return nil, aerr
	}
	out := p.newFilter(Filter{Field: fld, Negated: f.Negated, Operator: f.Operator})
	switch f.Operator {
	case "is":
		v, ok := isValues[strings.ToLower(f.Value)]
		if !ok {
			return nil, apierr.ParseError("\"failed to parse filter (is."+f.Value+")\"", "")
		}
		out.Is = v
	case "in":
		// in.() parses as one empty item; PostgREST sends it as an empty array.
		out.List = f.List
		if len(out.List) == 1 && out.List[0] == "" {
			out.List = nil
		}
	case "fts", "plfts", "phfts", "wfts":
		out.Value, out.Language = f.Value, f.Language
	default:
		if _, ok := Operators[f.Operator]; !ok {
			return nil, apierr.ParseError("\"failed to parse filter ("+f.Operator+")\"", "unknown operator "+f.Operator)
		}
		out.Value, out.Quantifier = f.Value, f.Quantifier
	}
	return out, nil
}

// embedNamed is the embed of s a filter names, if any: only a plain name.
func embedNamed(s *Scope, f *query.Filter) *Embed {
	if len(f.Field.Path) > 0 {
		return nil
	}
	for _, c := range s.Embeds {
		if c.Label == f.Field.Name {
			return c
		}
	}
	return nil
}

func (p *planner) order(s *Scope, terms []query.OrderTerm) ([]Order, *apierr.Error) {
	var out []Order // nil without terms
	if len(terms) > 0 {
		out = carve(&p.bufs.orders, len(terms))
	}
	for _, t := range terms {
		o := Order{Desc: t.Desc, Nulls: t.Nulls}
		if t.Relation != "" {
			e, aerr := relatedOrder(s, t)
			if aerr != nil {
				return nil, aerr
			}
			o.Embed, o.Column, o.Path = e, t.Field.Name, t.Field.Path
		} else {
			f, aerr := field(s.Rel, t.Field)
			if aerr != nil {
				return nil, aerr
			}
			o.Field = f
		}
		out = append(out, o)
	}
	return out, nil
}

// relatedOrder checks order=rel(col): a column of a to-one embed of s
// (F-EMBED-17).
func relatedOrder(s *Scope, t query.OrderTerm) (*Embed, *apierr.Error) {
	var n *Embed
	for _, c := range s.Embeds {
		if c.Label == t.Relation {
			n = c
			break
		}
	}
	if n == nil {
		return nil, notEmbedded(t.Relation, nil)
	}
	if !n.Ship.ToOne {
		return nil, apierr.New(http.StatusBadRequest, "PGRST118",
			fmt.Sprintf("A related order on '%s' is not possible", n.Label),
			fmt.Sprintf("'%s' and '%s' do not form a many-to-one or one-to-one relationship", s.Rel.Name, n.Label), "")
	}
	// The order names an output column of the embed's subquery: one of
	// its selected keys, or any column when it selects *.
	keys := n.SpreadKeys()
	star := false
	for _, k := range keys {
		if k == t.Field.Name {
			return n, nil
		}
		star = star || k == "*"
	}
	if star && n.Rel.Column(t.Field.Name) != nil {
		return n, nil
	}
	// PostgreSQL's error for the subquery's missing output column.
	return nil, apierr.New(http.StatusBadRequest, "42703",
		fmt.Sprintf("column %s.%s does not exist", n.Label, t.Field.Name), "", "")
}

func hasFields(items []query.SelectItem) bool {
	for _, it := range items {
		if it.Embed == nil {
			return true
		}
	}
	return false
}

func hasEmbeds(items []query.SelectItem) bool {
	for _, it := range items {
		if it.Embed != nil {
			return true
		}
	}
	return false
}

// castTypes are the types a select may cast to. Casts name types, which are
// SQL text: only these spellings are accepted, mapped to their canonical SQL.
var castTypes = map[string]string{
	"text": "text", "varchar": "varchar", "char": "char", "name": "name", "citext": "citext",
	"int": "integer", "integer": "integer", "int4": "integer", "smallint": "smallint", "int2": "smallint",
	"bigint": "bigint", "int8": "bigint", "numeric": "numeric", "decimal": "numeric",
	"real": "real", "float4": "real", "float8": "double precision", "double precision": "double precision",
	"bool": "boolean", "boolean": "boolean", "json": "json", "jsonb": "jsonb",
	"date": "date", "time": "time", "timetz": "timetz", "timestamp": "timestamp", "timestamptz": "timestamptz",
	"interval": "interval", "uuid": "uuid", "money": "money", "bytea": "bytea",
	"inet": "inet", "cidr": "cidr", "tsvector": "tsvector",
}

func castType(name string) (string, bool) {
	lower := strings.ToLower(strings.TrimSpace(name))
	arr := strings.HasSuffix(lower, "[]")
	t, ok := castTypes[strings.TrimSuffix(lower, "[]")]
	if arr {
		t += "[]"
	}
	return t, ok
}

// CastTypeNames are the SQL types a select may cast to, for tests that
// check what a statement may contain.
func CastTypeNames() []string {
	out := make([]string, 0, len(castTypes))
	for _, t := range castTypes {
		out = append(out, t)
	}
	return out
}

// embedAlias is the n-th embed's alias, "pgrst_<n>" quoted: made once for
// the first ones, as each embed of each request needs one.
func embedAlias(n int) string {
	if n < len(embedAliases) {
		return embedAliases[n]
	}
	return quoteIdent("pgrst_" + strconv.Itoa(n))
}

// embedAliases are embedAlias's texts for up to 31 embeds. Read-only
// after initialisation.
var embedAliases = func() (a [32]string) {
	for n := range a {
		a[n] = quoteIdent("pgrst_" + strconv.Itoa(n))
	}
	return a
}()
