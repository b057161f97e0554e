package plan

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

// relationship is one way to embed a relation of the same schema, found
// from the catalog as PostgREST finds it: foreign keys (of tables, and of
// views through their source columns) give many-to-one or one-to-one and
// their inverse one-to-many or one-to-one; a junction whose foreign keys to
// both sides are part of its primary key gives many-to-many; a function
// taking the row and returning rows of a relation gives a computed
// relationship, which overrides the detected ones to a relation of its name.
type relationship struct {
	contract.Relationship
	// isParent is the inverse side of a one-to-one (PostgREST's isParent),
	// ownerIsView the owner's kind; both only order relationships.
	isParent    bool
	ownerIsView bool
}

// Cardinalities, shorter.
const (
	cardM2O      = contract.ManyToOne
	cardO2M      = contract.OneToMany
	cardO2O      = contract.OneToOne
	cardM2M      = contract.ManyToMany
	cardComputed = contract.ComputedRelationship
)

// planRelationships fills in every relation's relationships.
func planRelationships(cat *catalog.Catalog, rels []Relation) {
	byName := map[[2]string]*catalog.Relation{}
	for i := range cat.Relations {
		r := &cat.Relations[i]
		byName[[2]string{r.Schema, r.Name}] = r
	}
	// edge is a relationship with its owner, before it is filed.
	type edge struct {
		owner *catalog.Relation
		rel   relationship
	}
	var forward []edge // many-to-one and one-to-one, from the foreign key's owner
	for i := range cat.Relations {
		r := &cat.Relations[i]
		for _, fk := range r.ForeignKeys {
			t := byName[[2]string{fk.RefSchema, fk.RefRelation}]
			if t == nil || t.Schema != r.Schema || len(fk.Columns) != len(fk.RefColumns) {
				continue // not exposed, or in another schema: not embeddable (as in PostgREST)
			}
			card := cardM2O
			if isKey(r, fk.Columns) {
				card = cardO2O
			}
			rel := relationship{Relationship: contract.Relationship{
				Target: t.Name, Cardinality: card, Constraint: fk.Name,
				Columns: pairs(fk.Columns, fk.RefColumns), ToOne: true,
				Self: r == t, TargetIsView: t.Kind.IsView(),
			}, ownerIsView: r.Kind.IsView()}
			forward = append(forward, edge{owner: r, rel: rel})
		}
	}
	byOwner := map[*catalog.Relation][]relationship{}
	for _, e := range forward {
		byOwner[e.owner] = append(byOwner[e.owner], e.rel)
		t := byName[[2]string{e.owner.Schema, e.rel.Target}]
		inv := e.rel
		inv.Target = e.owner.Name
		inv.Columns = swap(e.rel.Columns)
		inv.TargetIsView, inv.ownerIsView = e.rel.ownerIsView, e.rel.TargetIsView
		if e.rel.Cardinality == cardM2O {
			inv.Cardinality, inv.ToOne = cardO2M, false
		} else {
			inv.isParent = true
		}
		byOwner[t] = append(byOwner[t], inv)
	}
	// Many-to-many: a junction's many-to-one pairs whose columns all belong
	// to the junction's primary key.
	for _, j := range forward {
		if j.rel.Cardinality != cardM2O {
			continue
		}
		for _, k := range forward {
			if k.owner != j.owner || k.rel.Cardinality != cardM2O || k.rel.Constraint == j.rel.Constraint {
				continue
			}
			jt := j.owner
			if !allIn(jt.PrimaryKey, j.rel.Columns, k.rel.Columns) {
				continue
			}
			src := byName[[2]string{jt.Schema, j.rel.Target}]
			rel := relationship{Relationship: contract.Relationship{
				Target: k.rel.Target, Cardinality: cardM2M,
				Junction: &contract.Junction{
					Name: jt.Name, SQLName: quoteQualified(jt.Schema, jt.Name),
					Constraint1: j.rel.Constraint, Constraint2: k.rel.Constraint,
					Source: j.rel.Columns, Target: k.rel.Columns,
				},
				Self: j.rel.Target == k.rel.Target, TargetIsView: k.rel.TargetIsView,
			}, ownerIsView: src.Kind.IsView()}
			byOwner[src] = append(byOwner[src], rel)
		}
	}
	for i := range rels {
		owner := byName[[2]string{rels[i].Source.Schema, rels[i].Source.Name}]
		computed := computedRelationships(cat, owner, byName)
		overridden := map[string]bool{}
		for _, c := range computed {
			overridden[c.FunctionName] = true
		}
		out := slices.DeleteFunc(byOwner[owner], func(r relationship) bool { return overridden[r.Target] })
		slices.SortStableFunc(out, compareRelationships)
		out = append(out, computed...)
		d := &rels[i].Descriptor
		for _, r := range out {
			d.Relationships = append(d.Relationships, r.Relationship)
			rels[i].Joins = append(rels[i].Joins, joinText(owner.Name, r.Relationship))
		}
	}
}

// computedRelationships are the functions f(owner) returning a relation of
// the owner's schema, by name (PostgREST keys them by function).
func computedRelationships(cat *catalog.Catalog, owner *catalog.Relation, byName map[[2]string]*catalog.Relation) []relationship {
	var out []relationship
	for _, f := range cat.Functions {
		in := inputs(f)
		if f.Schema != owner.Schema || len(in) != 1 || in[0].Type.Schema != owner.Schema || in[0].Type.Name != owner.Name {
			continue
		}
		t := byName[[2]string{f.Return.Schema, f.Return.Name}]
		if t == nil || t.Schema != owner.Schema {
			continue
		}
		out = append(out, relationship{Relationship: contract.Relationship{
			Target: t.Name, Cardinality: cardComputed,
			Function: quoteQualified(f.Schema, f.Name), FunctionName: f.Name,
			ToOne: !f.ReturnsSet || f.Rows == 1, Self: t == owner, TargetIsView: t.Kind.IsView(),
		}})
	}
	// One function per name: an overloaded name is ambiguous to call.
	count := map[string]int{}
	for _, r := range out {
		count[r.FunctionName]++
	}
	out = slices.DeleteFunc(out, func(r relationship) bool { return count[r.FunctionName] > 1 })
	slices.SortFunc(out, func(a, b relationship) int { return strings.Compare(a.FunctionName, b.FunctionName) })
	return out
}

// isKey reports whether cols are exactly the primary key or a unique key of r.
func isKey(r *catalog.Relation, cols []string) bool {
	if sameSet(cols, r.PrimaryKey) {
		return true
	}
	for _, u := range r.UniqueKeys {
		if sameSet(cols, u.Columns) {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	x, y := slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// allIn reports whether the From columns of every pair are in key.
func allIn(key []string, pss ...[]contract.ColumnPair) bool {
	for _, ps := range pss {
		for _, p := range ps {
			if !slices.Contains(key, p.From) {
				return false
			}
		}
	}
	return true
}

func pairs(from, to []string) []contract.ColumnPair {
	out := make([]contract.ColumnPair, len(from))
	for i := range from {
		out[i] = contract.ColumnPair{From: from[i], To: to[i]}
	}
	return out
}

func swap(ps []contract.ColumnPair) []contract.ColumnPair {
	out := make([]contract.ColumnPair, len(ps))
	for i, p := range ps {
		out[i] = contract.ColumnPair{From: p.To, To: p.From}
	}
	return out
}

// cardRank orders cardinalities as PostgREST's Cardinality type does.
func cardRank(c contract.Cardinality) int {
	return slices.Index([]contract.Cardinality{cardO2M, cardM2O, cardO2O, cardM2M, cardComputed}, c)
}

func comparePairs(a, b []contract.ColumnPair) int {
	return slices.CompareFunc(a, b, func(x, y contract.ColumnPair) int {
		return cmp.Or(strings.Compare(x.From, y.From), strings.Compare(x.To, y.To))
	})
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// compareRelationships is PostgREST's order of the relationships of one
// relation (its derived Ord): target, self, cardinality, then the key.
func compareRelationships(a, b relationship) int {
	c := cmp.Or(strings.Compare(a.Target, b.Target), compareBool(a.Self, b.Self), cmp.Compare(cardRank(a.Cardinality), cardRank(b.Cardinality)))
	if c != 0 {
		return c
	}
	if a.Junction != nil && b.Junction != nil {
		c = cmp.Or(strings.Compare(a.Junction.Name, b.Junction.Name),
			strings.Compare(a.Junction.Constraint1, b.Junction.Constraint1),
			strings.Compare(a.Junction.Constraint2, b.Junction.Constraint2),
			comparePairs(swap(a.Junction.Source), swap(b.Junction.Source)),
			comparePairs(swap(a.Junction.Target), swap(b.Junction.Target)))
	} else {
		c = cmp.Or(strings.Compare(a.Constraint, b.Constraint), comparePairs(a.Columns, b.Columns), compareBool(a.isParent, b.isParent))
	}
	return cmp.Or(c, compareBool(a.ownerIsView, b.ownerIsView), compareBool(a.TargetIsView, b.TargetIsView))
}

// joinText is the join as a reviewer reads it.
func joinText(owner string, r contract.Relationship) string {
	eq := func(l, lc, rt, rc string) string { return l + "." + lc + " = " + rt + "." + rc }
	var parts []string
	switch {
	case r.Cardinality == cardComputed:
		return r.Function + "(" + owner + ")"
	case r.Junction != nil:
		for _, p := range r.Junction.Source {
			parts = append(parts, eq(owner, p.To, r.Junction.Name, p.From))
		}
		for _, p := range r.Junction.Target {
			parts = append(parts, eq(r.Junction.Name, p.From, r.Target, p.To))
		}
	default:
		for _, p := range r.Columns {
			parts = append(parts, eq(owner, p.From, r.Target, p.To))
		}
	}
	return strings.Join(parts, " AND ")
}
