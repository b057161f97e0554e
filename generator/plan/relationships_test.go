package plan

import (
	"strings"
	"testing"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

func relationshipsCatalog() *catalog.Catalog {
	intT := catalog.Type{Schema: "pg_catalog", Name: "int4", SQL: "integer", Category: catalog.CategoryBase}
	cols := func(names ...string) []catalog.Column {
		var out []catalog.Column
		for i, n := range names {
			out = append(out, catalog.Column{Name: n, Position: i + 1, Type: intT})
		}
		return out
	}
	fk := func(name, ref string, from, to []string) catalog.ForeignKey {
		return catalog.ForeignKey{Name: name, Columns: from, RefSchema: "s", RefRelation: ref, RefColumns: to}
	}
	row := func(rel string) catalog.Type {
		return catalog.Type{Schema: "s", Name: rel, SQL: "s." + rel, Category: catalog.CategoryComposite}
	}
	return &catalog.Catalog{
		Schemas: []string{"s"},
		Relations: []catalog.Relation{
			{Schema: "s", Name: "actors", Kind: catalog.KindTable, Columns: cols("id"), PrimaryKey: []string{"id"}},
			{Schema: "s", Name: "details", Kind: catalog.KindTable, Columns: cols("film_id"), PrimaryKey: []string{"film_id"},
				ForeignKeys: []catalog.ForeignKey{fk("details_film", "films", []string{"film_id"}, []string{"id"})}},
			{Schema: "s", Name: "directors", Kind: catalog.KindTable, Columns: cols("id"), PrimaryKey: []string{"id"}},
			{Schema: "s", Name: "films", Kind: catalog.KindTable, Columns: cols("id", "director_id", "sequel_of"), PrimaryKey: []string{"id"},
				ForeignKeys: []catalog.ForeignKey{
					fk("films_director", "directors", []string{"director_id"}, []string{"id"}),
					fk("films_sequel", "films", []string{"sequel_of"}, []string{"id"}),
					fk("films_elsewhere", "gone", []string{"director_id"}, []string{"id"}),
				}},
			{Schema: "s", Name: "roles", Kind: catalog.KindTable, Columns: cols("actor_id", "film_id"), PrimaryKey: []string{"actor_id", "film_id"},
				ForeignKeys: []catalog.ForeignKey{
					fk("roles_actor", "actors", []string{"actor_id"}, []string{"id"}),
					fk("roles_film", "films", []string{"film_id"}, []string{"id"}),
				}},
			{Schema: "s", Name: "tags", Kind: catalog.KindTable, Columns: cols("id", "actor_id", "film_id"), PrimaryKey: []string{"id"},
				ForeignKeys: []catalog.ForeignKey{
					fk("tags_actor", "actors", []string{"actor_id"}, []string{"id"}),
					fk("tags_film", "films", []string{"film_id"}, []string{"id"}),
				}},
		},
		Functions: []catalog.Function{
			{Schema: "s", Name: "directors", Args: []catalog.Argument{{Mode: catalog.ModeIn, Type: row("films")}},
				Return: row("directors"), ReturnsSet: true, Rows: 1},
			{Schema: "s", Name: "fans", Args: []catalog.Argument{{Mode: catalog.ModeIn, Type: row("directors")}},
				Return: row("actors"), ReturnsSet: true, Rows: 1000},
		},
	}
}

// TestRelationships checks the relationships found from foreign keys:
// their cardinality, PostgREST's order, junctions (only where both FKs
// are in the PK), self-references and computed overrides.
func TestRelationships(t *testing.T) {
	cat := relationshipsCatalog()
	pkg, err := Build(cat, Options{Package: "db"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range pkg.Relations {
		if len(r.Joins) != len(r.Descriptor.Relationships) {
			t.Fatalf("%s: %d joins for %d relationships", r.Source.Name, len(r.Joins), len(r.Descriptor.Relationships))
		}
		for i, rel := range r.Descriptor.Relationships {
			got[r.Source.Name] = append(got[r.Source.Name], rel.Target+" "+string(rel.Cardinality)+" "+r.Joins[i])
		}
	}
	want := map[string][]string{
		"actors": {
			"films many-to-many actors.id = roles.actor_id AND roles.film_id = films.id",
			"roles one-to-many actors.id = roles.actor_id",
			"tags one-to-many actors.id = tags.actor_id",
		},
		"details": {"films one-to-one details.film_id = films.id"},
		"directors": {
			"films one-to-many directors.id = films.director_id",
			`actors computed "s"."fans"(directors)`,
		},
		"films": {
			"actors many-to-many films.id = roles.film_id AND roles.actor_id = actors.id",
			"details one-to-one films.id = details.film_id",
			"films one-to-many films.id = films.sequel_of",
			"films many-to-one films.sequel_of = films.id",
			"roles one-to-many films.id = roles.film_id",
			"tags one-to-many films.id = tags.film_id",
			// The function directors(films) replaces films → directors.
			`directors computed "s"."directors"(films)`,
		},
		"roles": {
			"actors many-to-one roles.actor_id = actors.id",
			"films many-to-one roles.film_id = films.id",
		},
		"tags": {
			"actors many-to-one tags.actor_id = actors.id",
			"films many-to-one tags.film_id = films.id",
		},
	}
	for name, w := range want {
		if g := got[name]; strings.Join(g, "\n") != strings.Join(w, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", name, g, w)
		}
	}
	for _, r := range pkg.Relations {
		for _, rel := range r.Descriptor.Relationships {
			if rel.Target == "films" && rel.Cardinality == cardM2O && r.Source.Name == "films" && !rel.Self {
				t.Errorf("films → films is not marked as a self-reference")
			}
			if rel.Cardinality == cardComputed && rel.Target == "directors" && !rel.ToOne {
				t.Errorf("a ROWS 1 computed relationship must be to-one")
			}
			if rel.Cardinality == cardComputed && rel.Target == "actors" && rel.ToOne {
				t.Errorf("a computed relationship with default rows must be to-many")
			}
		}
	}
}
