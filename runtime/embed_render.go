package runtime

import (
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// The SQL of embeds: their lateral joins, what a parent selects of them,
// null filters and related orders on them. embed.go plans the tree.

// embedSelect renders an embed of the current scope: it adds its lateral
// join to the scope and returns what the scope selects of it ("" for an
// empty embed).
func (b *builder) embedSelect(e *query.Embed) (string, *apierr.Error) {
	if b.emb == nil {
		return "", noRelationship(b.related, b.rel, e.Name, e.Hint)
	}
	n := b.emb.nodes[e]
	if n == nil || n.rel == nil {
		return "", apierr.New(http.StatusInternalServerError, "PGRSTX00", "embed "+e.Name+" was not planned", "", "")
	}
	parentRow, parentQual := b.rowRef(), b.qualifier()
	restore := b.enter(n)
	sub, aerr := b.subquery(n, parentRow, parentQual)
	restore()
	if aerr != nil {
		return "", aerr
	}
	toMany := !n.ship.ToOne
	join := " LEFT JOIN LATERAL ("
	on := "TRUE"
	if e.Inner {
		join = " INNER JOIN LATERAL ("
		if toMany {
			on = n.alias + " IS NOT NULL"
		}
	}
	switch {
	case toMany && e.Spread:
		aggs := []string{"json_agg(" + n.alias + ")::jsonb AS " + n.alias}
		for _, k := range n.spreadKeys() {
			aggs = append(aggs, "COALESCE(json_agg("+n.alias+"."+quoteIdent(k)+"), '[]')::jsonb AS "+quoteIdent(k))
		}
		join += "SELECT " + strings.Join(aggs, ", ") + " FROM (" + sub + ") AS " + n.alias
	case toMany:
		join += "SELECT json_agg(" + n.alias + ")::jsonb AS " + n.alias + " FROM (" + sub + ") AS " + n.alias
	default:
		join += sub
	}
	b.joinSQL = append(b.joinSQL, join+") AS "+n.alias+" ON "+on)
	switch {
	case e.Spread:
		var cols []string
		for _, k := range n.spreadKeys() {
			if k == "*" {
				cols = append(cols, n.alias+".*")
			} else {
				cols = append(cols, n.alias+"."+quoteIdent(k))
			}
		}
		return strings.Join(cols, ", "), nil
	case n.empty():
		return "", nil
	case toMany:
		return "COALESCE(" + n.alias + "." + n.alias + ", '[]') AS " + quoteIdent(n.label()), nil
	}
	return "row_to_json(" + n.alias + ".*)::jsonb AS " + quoteIdent(n.label()), nil
}

// spreadKeys are the columns a spread embed lifts into its parent: its
// fields' keys ("*" for all columns; a to-many spread lists them), its
// embeds' labels and, for spread embeds, their keys.
func (n *embedNode) spreadKeys() []string {
	var keys []string
	for _, it := range n.embed.Select {
		switch {
		case it.Embed != nil:
			c := findNode(n.children, it.Embed)
			switch {
			case c == nil:
			case it.Embed.Spread:
				keys = append(keys, c.spreadKeys()...)
			case !c.empty():
				keys = append(keys, c.label())
			}
		case it.Star && it.Alias == "" && it.Cast == "":
			if n.ship.ToOne {
				keys = append(keys, "*")
				continue
			}
			for _, col := range n.rel.Columns {
				keys = append(keys, col.Name)
			}
		default:
			keys = append(keys, outputKey(it))
		}
	}
	return keys
}

func findNode(nodes []*embedNode, e *query.Embed) *embedNode {
	for _, n := range nodes {
		if n.embed == e {
			return n
		}
	}
	return nil
}

// subquery renders an embed's rows, correlated with its parent (whose row
// and column qualifier are given); the builder is in the embed's scope.
func (b *builder) subquery(n *embedNode, parentRow, parentQual string) (string, *apierr.Error) {
	items := n.embed.Select
	var cols string
	if !hasFields(items) && len(n.children) == 0 {
		cols = n.alias + ".*"
	} else {
		var aerr *apierr.Error
		if cols, aerr = b.selectList(items); aerr != nil {
			return "", aerr
		}
	}
	if cols == "" {
		cols = "NULL"
	}
	conds, from := joinCondition(n, parentRow, parentQual)
	where, aerr := b.where(n.where)
	if aerr != nil {
		return "", aerr
	}
	if where != "" {
		conds = append(conds, where)
	}
	sql := "SELECT " + cols + " FROM " + from + b.joins()
	if len(conds) > 0 {
		sql += " WHERE " + strings.Join(conds, " AND ")
	}
	order, aerr := b.orderBy(n.order)
	if aerr != nil {
		return "", aerr
	}
	if order != "" {
		sql += " ORDER BY " + order
	}
	limit := n.limit
	if m := b.related.maxRowsCap(); m != nil && !n.ship.ToOne && (limit == nil || limit.Cmp(big.NewInt(*m)) > 0) {
		limit = big.NewInt(*m)
	}
	// Decimal text, which PostgreSQL reads as bigint (22003 past it).
	if limit != nil {
		sql += " LIMIT " + b.param(limit.String())
	}
	if n.offset != nil {
		sql += " OFFSET " + b.param(n.offset.String())
	}
	return sql, nil
}

// joinCondition is the FROM item of an embed and the conditions tying it
// to its parent: the embedded side's columns on the left, so that the
// condition is an index lookup on them (target.fk = parent.pk).
func joinCondition(n *embedNode, parentRow, parentQual string) (conds []string, from string) {
	r := n.ship
	switch {
	case r.Cardinality == ComputedRelationship:
		return nil, r.Function + "(" + parentRow + ") AS " + n.alias
	case r.Junction != nil:
		j := quoteIdent(strings.Trim(n.alias, `"`) + "_j")
		for _, p := range r.Junction.Target {
			conds = append(conds, n.alias+"."+quoteIdent(p.To)+" = "+j+"."+quoteIdent(p.From))
		}
		for _, p := range r.Junction.Source {
			conds = append(conds, j+"."+quoteIdent(p.From)+" = "+parentQual+"."+quoteIdent(p.To))
		}
		return conds, n.rel.SQLName + " AS " + n.alias + ", " + r.Junction.SQLName + " AS " + j
	}
	for _, p := range r.Columns {
		conds = append(conds, n.alias+"."+quoteIdent(p.To)+" = "+parentQual+"."+quoteIdent(p.From))
	}
	return conds, n.rel.SQLName + " AS " + n.alias
}

// embedFilter renders a filter naming an embed of the current scope
// (actors=not.is.null): whether the embed has a row (F-FILTER-39). ok is
// false when the name is no embed.
func (b *builder) embedFilter(f *query.Filter) (sql string, ok bool, aerr *apierr.Error) {
	if b.node == nil || len(f.Field.Path) > 0 {
		return "", false, nil
	}
	var n *embedNode
	for _, c := range b.node.children {
		if c.label() == f.Field.Name {
			n = c
			break
		}
	}
	if n == nil {
		return "", false, nil
	}
	if f.Operator != "is" || f.Value != "null" {
		return "", true, apierr.New(http.StatusBadRequest, "PGRST120",
			fmt.Sprintf("Bad operator on the '%s' embedded resource", f.Field.Name),
			"Only is null or not is null filters are allowed on embedded resources", "")
	}
	if f.Negated {
		return n.alias + " IS DISTINCT FROM NULL", true, nil
	}
	return n.alias + " IS NOT DISTINCT FROM NULL", true, nil
}

// relatedOrder renders order=rel(col): a column of a to-one embed of the
// current scope (F-EMBED-17).
func (b *builder) relatedOrder(t query.OrderTerm) (string, *apierr.Error) {
	var n *embedNode
	if b.node != nil {
		for _, c := range b.node.children {
			if c.label() == t.Relation {
				n = c
				break
			}
		}
	}
	if n == nil {
		return "", notEmbedded(t.Relation, nil)
	}
	if !n.ship.ToOne {
		return "", apierr.New(http.StatusBadRequest, "PGRST118",
			fmt.Sprintf("A related order on '%s' is not possible", n.label()),
			fmt.Sprintf("'%s' and '%s' do not form a many-to-one or one-to-one relationship", b.rel.Name, n.label()), "")
	}
	// The order names an output column of the embed's subquery: one of
	// its selected keys, or any column when it selects *.
	keys := n.spreadKeys()
	if !slices.Contains(keys, t.Field.Name) && !(slices.Contains(keys, "*") && n.rel.Column(t.Field.Name) != nil) {
		// PostgreSQL's error for the subquery's missing output column.
		return "", apierr.New(http.StatusBadRequest, "42703",
			fmt.Sprintf("column %s.%s does not exist", n.label(), t.Field.Name), "", "")
	}
	expr := n.alias + "." + quoteIdent(t.Field.Name)
	for _, step := range t.Field.Path {
		op := "->"
		if step.Arrow == "->>" {
			op = "->>"
		}
		if step.Index != nil {
			expr += op + b.param(*step.Index) + "::integer"
		} else {
			expr += op + b.param(step.Key) + "::text"
		}
	}
	return expr, nil
}
