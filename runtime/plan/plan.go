// Package plan is the runtime's planning stage. It checks what a request
// asks of a relation — selected fields, casts, filters, orders, embeds and
// their params — against the generated descriptors, resolves every name to
// its descriptor and every embed to its relationship, and hands the result,
// a Scope tree, to package sqlgen to print. Every error of the request's
// meaning is found here, in the order PostgREST finds it (PostgreSQL's
// 42703 for an unknown column, PGRST100/108/118/120/200/201 …). Nothing here
// writes SQL or touches a database.
package plan

import (
	"math/big"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// Scope is one FROM item and what the request selects, filters and orders
// of it: the top-level relation, or the rows of one embed.
type Scope struct {
	Rel *contract.Relation
	// Alias is the quoted name the FROM item goes by and its columns are
	// qualified with: an embed's pgrst_N, or the relation's name when a
	// write's returned rows are embedded into. "" at the top of a read.
	Alias string
	// Qualified is set at the top of a read whose embeds join other FROM
	// items: its columns are qualified with the relation's SQL name.
	Qualified bool
	// Select is nil for every column (no select=, or an empty one).
	Select []Item
	Where  []Cond
	Order  []Order
	// Embeds are the scope's embeds in select order, empty ones included.
	Embeds []*Embed
	// Hoist is set on a to-one spread's rows: their aggregates are
	// computed by the parent over the spread columns (as PostgREST hoists
	// them), so this scope selects the aggregated values plainly.
	Hoist bool
}

// Grouped says whether the scope computes aggregates, its own or those of
// its to-one spreads: it is then grouped by everything else it selects.
func (s *Scope) Grouped() bool {
	return !s.Hoist && s.aggregates()
}

// aggregates says whether the scope or one of its to-one spreads (at any
// depth) selects an aggregate.
func (s *Scope) aggregates() bool {
	for _, it := range s.Select {
		if it.Aggregate != "" && !it.Legacy || it.Embed != nil && it.Embed.Hoist && it.Embed.aggregates() {
			return true
		}
	}
	return false
}

// Item is one element of a select list: a star, an embed or a field.
type Item struct {
	Star  bool
	Embed *Embed
	Field Field
	// Cast is the SQL type the value is cast to, "" for none.
	Cast string
	// Key is the output key: the alias, the aggregate's name, a JSON
	// path's last key, or the name.
	Key string
	// Aggregate is sum, avg, count, max or min, applied to the field (a
	// star: all rows) after Cast; "" for none.
	Aggregate string
	// AggregateCast is the SQL type the aggregate is cast to, "" for none.
	AggregateCast string
	// Legacy is select=count where the relation has no such column: in
	// PostgREST's SQL "rel"."count" is PostgreSQL's count(rel), counted in
	// place (not grouped by, not hoisted), whatever db-aggregates-enabled.
	Legacy bool
}

// Field is a column or computed field of a scope's relation, with an
// optional JSON path into it.
type Field struct {
	Column   *contract.Column
	Computed *contract.Computed
	Path     []query.PathStep
}

// Type is the field's SQL type, before any path.
func (f Field) Type() string {
	if f.Column != nil {
		return f.Column.Type
	}
	return f.Computed.Type
}

// Cond is a condition: a logic tree or one filter.
type Cond struct {
	Logic  *Logic
	Filter *Filter
}

// Logic is and(…)/or(…), optionally negated.
type Logic struct {
	Or       bool
	Negated  bool
	Children []Cond
}

// Filter is one checked filter.
type Filter struct {
	Field   Field
	Negated bool
	// Operator is PostgREST's operator: is, in, fts/plfts/phfts/wfts, or one
	// of the comparison operators (Operators).
	Operator string
	// Is is the SQL after IS (NULL, NOT NULL, TRUE, FALSE, UNKNOWN).
	Is string
	// Value is the operand; List the items of in.
	Value string
	List  []string
	// Quantifier is any or all (eq(any).{…}), "" for none.
	Quantifier string
	// Language is the fts config, "" for the default.
	Language string
	// Embed, when set, makes this embed=[not.]is.null: whether the embed
	// has a row (F-FILTER-39); Field is then unused.
	Embed *Embed
}

// Order is one order term: a field of the scope, or a column of a to-one
// embed (order=director(last_name)).
type Order struct {
	Field Field
	// Embed and Column name a related order's embed and output column.
	Embed  *Embed
	Column string
	// Path is a related order's JSON path.
	Path  []query.PathStep
	Desc  bool
	Nulls string // first, last or ""
}

// Embed is one embedded resource: its rows (the embedded Scope), the
// relationship it is joined by, and how it appears in its parent.
type Embed struct {
	Scope
	Ship *contract.Relationship
	// Label is the embed's key in its parent: alias, else name.
	Label  string
	Inner  bool
	Spread bool
	// Limit and Offset bound a to-many embed's rows; Limit includes
	// db-max-rows' cap. nil for none.
	Limit, Offset *big.Int

	query *query.Embed
	// pending are the embed's filters and order from embed params, planned
	// with its select list.
	pending struct {
		where []query.Condition
		order []query.OrderTerm
	}
	// legacy is set when a param named it by relation name despite its alias.
	legacy bool
}

// ToMany says whether the embed is an array in its parent.
func (e *Embed) ToMany() bool { return !e.Ship.ToOne }

// Empty is an embed that selects nothing (actors()), nor do its embeds: it
// only filters (F-EMBED-12) and is left out of the output (F-EMBED-23).
func (e *Embed) Empty() bool {
	for _, it := range e.query.Select {
		if it.Embed == nil {
			return false
		}
	}
	for _, c := range e.Embeds {
		if !c.Empty() {
			return false
		}
	}
	return true
}

// SpreadKeys are the columns a spread embed lifts into its parent: its
// fields' keys ("*" for all columns; a to-many spread lists them), its
// embeds' labels and, for spread embeds, their keys.
func (e *Embed) SpreadKeys() []string {
	cols := e.SpreadCols(false)
	keys := make([]string, len(cols))
	for i, c := range cols {
		keys[i] = c.Key
	}
	return keys
}

// SpreadCol is a column a spread embed lifts into its parent.
type SpreadCol struct {
	// Key is the column's name in the spread's rows; "*" for all the
	// columns of a to-one spread's relation.
	Key string
	// Aggregate and AggregateCast are the aggregate the parent applies to
	// the column (hoisted from a to-one spread), "" for none.
	Aggregate, AggregateCast string
}

// SpreadCols are SpreadKeys with the aggregates the parent computes over
// them; expand lists a to-one spread's "*" as its relation's columns.
func (e *Embed) SpreadCols(expand bool) []SpreadCol {
	var cols []SpreadCol
	for _, it := range e.query.Select {
		switch {
		case it.Embed != nil:
			c := e.child(it.Embed)
			switch {
			case c == nil:
			case it.Embed.Spread:
				cols = append(cols, c.SpreadCols(expand)...)
			case !c.Empty():
				cols = append(cols, SpreadCol{Key: c.Label})
			}
		case it.Star && it.Alias == "" && it.Cast == "" && it.Aggregate == "":
			if e.Ship.ToOne && !expand {
				cols = append(cols, SpreadCol{Key: "*"})
				continue
			}
			for _, col := range e.Rel.Columns {
				cols = append(cols, SpreadCol{Key: col.Name})
			}
		case it.Aggregate != "" && e.Hoist:
			t, _ := castType(it.AggregateCast) // checked by the plan
			cols = append(cols, SpreadCol{Key: OutputKey(it), Aggregate: it.Aggregate, AggregateCast: t})
		default:
			cols = append(cols, SpreadCol{Key: OutputKey(it)})
		}
	}
	return cols
}

// selectsAggregates says whether the embed's select, or that of a to-one
// spread in it (at any depth), has an aggregate.
func (e *Embed) selectsAggregates() bool {
	for _, it := range e.query.Select {
		if it.Aggregate != "" {
			return true
		}
		if it.Embed == nil {
			continue
		}
		if c := e.child(it.Embed); c != nil && c.Hoist && c.selectsAggregates() {
			return true
		}
	}
	return false
}

func (e *Embed) child(q *query.Embed) *Embed {
	for _, c := range e.Embeds {
		if c.query == q {
			return c
		}
	}
	return nil
}

// OutputKey is the JSON key of a selected field: its alias, else its
// aggregate's name (PostgreSQL's column label), else the last key (not
// index) of its JSON path, else the column name.
func OutputKey(item query.SelectItem) string {
	if item.Alias != "" {
		return item.Alias
	}
	if item.Aggregate != "" {
		return item.Aggregate
	}
	for i := len(item.Field.Path) - 1; i >= 0; i-- {
		if item.Field.Path[i].Index == nil {
			return item.Field.Path[i].Key
		}
	}
	return item.Field.Name
}

// Relations is what embeds of a request can name: the relations of its
// schema, by name.
type Relations struct {
	Schema string
	ByName map[string]map[string]*contract.Relation
	// LegacyNames is url-use-legacy-target-names: params may name an
	// aliased embed by its relation name (with a Warning header).
	LegacyNames bool
	// MaxRows is db-max-rows, which caps every embedded array of a read
	// too; nil for writes, whose embeds PostgREST does not cap.
	MaxRows *int64
}

func (r *Relations) relation(name string) *contract.Relation {
	if r == nil {
		return nil
	}
	return r.ByName[name][r.Schema]
}
