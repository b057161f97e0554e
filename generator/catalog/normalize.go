package catalog

import (
	"cmp"
	"slices"
	"strings"
)

// Normalize sorts every list in the catalog by a total key so that the same
// schema always gives the same model, whatever order the catalog queries
// returned rows in. Columns keep their attnum order; function arguments keep
// their declaration order; enum labels keep their sort order.
func (c *Catalog) Normalize() {
	slices.SortFunc(c.Relations, func(a, b Relation) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	for i := range c.Relations {
		r := &c.Relations[i]
		slices.SortFunc(r.Columns, func(a, b Column) int { return cmp.Compare(a.Position, b.Position) })
		slices.SortFunc(r.UniqueKeys, func(a, b UniqueKey) int {
			return cmp.Or(cmp.Compare(a.Name, b.Name), slices.Compare(a.Columns, b.Columns))
		})
		slices.SortFunc(r.ForeignKeys, func(a, b ForeignKey) int {
			return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.RefSchema, b.RefSchema),
				cmp.Compare(a.RefRelation, b.RefRelation), slices.Compare(a.Columns, b.Columns),
				slices.Compare(a.RefColumns, b.RefColumns))
		})
	}
	slices.SortFunc(c.Functions, func(a, b Function) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Signature(), b.Signature()))
	})
	slices.SortFunc(c.Enums, func(a, b Enum) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	slices.SortFunc(c.Composites, func(a, b Composite) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	slices.SortFunc(c.Domains, func(a, b Domain) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	slices.SortFunc(c.Representations, func(a, b Representation) int {
		return cmp.Or(cmp.Compare(a.DomainSchema, b.DomainSchema), cmp.Compare(a.Domain, b.Domain),
			cmp.Compare(a.Kind, b.Kind))
	})
	slices.SortFunc(c.MediaHandlers, func(a, b MediaHandler) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.TargetSchema, b.TargetSchema), cmp.Compare(a.TargetName, b.TargetName))
	})
	// The order runtime/drift sorts in, so generated lists compare as they are.
	slices.SortFunc(c.Objects, func(a, b Object) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Kind, b.Kind))
	})
}

// Signature is the function's identity as PostgreSQL sees it: its input
// argument types ("integer, text"). Overloads differ in it.
func (f Function) Signature() string {
	var types []string
	for _, a := range f.Args {
		if a.Mode == ModeOut || a.Mode == ModeTable {
			continue
		}
		types = append(types, a.Type.SQL)
	}
	return strings.Join(types, ", ")
}

// Relation returns the relation schema.name, or nil.
func (c *Catalog) Relation(schema, name string) *Relation {
	for i := range c.Relations {
		if c.Relations[i].Schema == schema && c.Relations[i].Name == name {
			return &c.Relations[i]
		}
	}
	return nil
}
