package runtime

import "strings"

// resultRelation describes a function's result rows as a relation, so
// select, filters, order and embeds on them are checked and rendered as on
// a table: the rows of rel for a function returning them (named and related
// as rel, as PostgREST names the call's rows after the returned table), the
// generated columns of other composite results, the single pgrst_scalar
// column of scalar ones (which select and filters cannot name, as in
// PostgREST).
func resultRelation(fn *Function, rel *Relation) *Relation {
	res := &Relation{Schema: fn.Schema, Name: fn.Name, Kind: "function", SQLName: "pgrst_result"}
	switch {
	case fn.Scalar:
		res.SelectStar = "pgrst_scalar"
	case rel != nil:
		res.Name, res.Columns, res.SelectStar, res.Computed = rel.Name, rel.Columns, rel.SelectStar, rel.Computed
		res.OutputStar = rel.OutputStar
		res.Relationships = rel.Relationships
		// The relation's handler aggregates serve its rows from calls too.
		res.MediaHandlers = rel.MediaHandlers
		// Computed fields take the row as their relation's type.
		res.RowRef = "pgrst_result::" + rel.SQLName
	default:
		res.Columns = fn.Columns
		var star []string
		for _, c := range fn.Columns {
			star = append(star, c.SQLName)
		}
		res.SelectStar = strings.Join(star, ", ")
		if res.SelectStar == "" {
			res.SelectStar = "*"
		}
	}
	return res
}
