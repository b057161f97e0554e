package plan

import (
	"regexp"
	"slices"
	"strings"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

// planDocs describes each exposed schema to the OpenAPI documents, with
// what PostgREST's schema cache knows of it: relations in name order, one
// function per name (the served ones), columns in position order.
func planDocs(cat *catalog.Catalog, fns []Function) []contract.Doc {
	enums := map[[2]string][]string{}
	for _, e := range cat.Enums {
		enums[[2]string{e.Schema, e.Name}] = e.Labels
	}
	views := map[[2]string]bool{}
	for _, r := range cat.Relations {
		views[[2]string{r.Schema, r.Name}] = r.Kind.IsView()
	}
	var docs []contract.Doc
	for _, schema := range cat.Schemas {
		d := contract.Doc{Schema: schema, Description: cat.SchemaComments[schema]}
		for _, r := range cat.Relations {
			if r.Schema == schema {
				d.Relations = append(d.Relations, docRelation(r, enums, views))
			}
		}
		slices.SortStableFunc(d.Relations, func(a, b contract.DocRelation) int { return strings.Compare(a.Name, b.Name) })
		seen := map[string]bool{}
		for _, f := range fns {
			src := f.Source
			if src.Schema != schema || seen[src.Name] {
				continue
			}
			seen[src.Name] = true
			df := contract.DocFunction{Name: src.Name, Description: src.Comment, Volatile: src.Volatility == catalog.Volatile}
			for _, p := range f.Descriptor.Params {
				if p.Name == "" {
					continue // a raw body, which names no argument
				}
				df.Params = append(df.Params, contract.DocParam{Name: p.Name, Type: strings.TrimPrefix(p.Type, "public."), Required: p.Required, Variadic: p.Variadic})
			}
			d.Functions = append(d.Functions, df)
		}
		slices.SortStableFunc(d.Functions, func(a, b contract.DocFunction) int { return strings.Compare(a.Name, b.Name) })
		docs = append(docs, d)
	}
	return docs
}

func docRelation(r catalog.Relation, enums map[[2]string][]string, views map[[2]string]bool) contract.DocRelation {
	d := contract.DocRelation{Name: r.Name, Description: r.Comment, Writable: r.Insertable || r.Updatable || r.Deletable}
	// A column's foreign key is the first single-column one to a relation
	// of the same schema, tables before views, as PostgREST picks it.
	fks := slices.Clone(r.ForeignKeys)
	slices.SortStableFunc(fks, func(a, b catalog.ForeignKey) int {
		av, bv := views[[2]string{a.RefSchema, a.RefRelation}], views[[2]string{b.RefSchema, b.RefRelation}]
		switch {
		case av == bv:
			return 0
		case bv:
			return -1
		}
		return 1
	})
	for _, c := range r.Columns {
		dc := contract.DocColumn{
			Name: c.Name, Description: c.Comment, Type: docType(c.Type), Nullable: c.Nullable,
			Default: docDefault(c), MaxLength: c.MaxLength, PrimaryKey: slices.Contains(r.PrimaryKey, c.Name),
		}
		t := c.Type
		if t.Category == catalog.CategoryDomain && t.Base != nil {
			t = *t.Base
		}
		if t.Category == catalog.CategoryEnum {
			dc.Enum = slices.Clone(enums[[2]string{t.Schema, t.Name}])
		}
		for _, fk := range fks {
			_, known := views[[2]string{fk.RefSchema, fk.RefRelation}]
			if known && fk.RefSchema == r.Schema && len(fk.Columns) == 1 && fk.Columns[0] == c.Name {
				dc.ForeignTable, dc.ForeignColumn = fk.RefRelation, fk.RefColumns[0]
				break
			}
		}
		d.Columns = append(d.Columns, dc)
	}
	return d
}

// typmod matches a type modifier: (20), (10,2).
var typmod = regexp.MustCompile(`\(\d+(,\d+)?\)`)

// docType is a column's type as PostgREST's schema cache names it: built-in
// types (and domains over them) without modifiers, others as format_type
// prints them under PostgreSQL's default search_path, where "public" needs
// no qualification.
func docType(t catalog.Type) string {
	if t.Category == catalog.CategoryDomain && t.Base != nil && t.Base.Schema == "pg_catalog" {
		t = *t.Base
	}
	if t.Schema == "pg_catalog" {
		return typmod.ReplaceAllString(t.SQL, "")
	}
	return strings.TrimPrefix(t.SQL, "public.")
}

// docDefault is a column's default as pg_get_expr prints it under the
// default search_path, where the cast to a type of "public" is unqualified.
func docDefault(c catalog.Column) string {
	if s, ok := strings.CutSuffix(c.Default, "::"+c.Type.SQL); ok && strings.HasPrefix(c.Type.SQL, "public.") {
		return s + "::" + strings.TrimPrefix(c.Type.SQL, "public.")
	}
	return c.Default
}
