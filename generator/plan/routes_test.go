package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

// TestRowTypeAndRouteNames: row structs are named for one row, falling back
// to the relation's own name when the singular is taken; descriptors, column
// constants and files keep the relation's name; routes get one method per
// verb, HEAD on GET's, and a path name taken by another route gets the
// namer's suffix rather than sharing its methods.
func TestRowTypeAndRouteNames(t *testing.T) {
	integer := catalog.Type{Schema: "pg_catalog", Name: "int4", SQL: "integer", Category: catalog.CategoryBase}
	col := []catalog.Column{{Name: "id", Type: integer}}
	rel := func(name string, kind catalog.RelationKind) catalog.Relation {
		return catalog.Relation{Schema: "public", Name: name, Kind: kind, Columns: col}
	}
	cat := &catalog.Catalog{
		Schemas: []string{"public"},
		Relations: []catalog.Relation{
			rel("book", catalog.KindTable), rel("books", catalog.KindTable),
			rel("categories", catalog.KindTable), rel("book_ratings", catalog.KindView),
			rel("rpc_search", catalog.KindTable),
		},
		Functions: []catalog.Function{{Schema: "public", Name: "search", Return: integer, Volatility: "stable",
			Args: []catalog.Argument{{Name: "q", Type: integer, Mode: catalog.ModeIn}}}},
	}
	pkg, err := Build(cat, Options{Package: "db"})
	if err != nil {
		t.Fatal(err)
	}
	type names struct{ row, desc, col, file string }
	want := map[string]names{
		"book":         {"Book", "BookRelation", "BookColID", "book_table.go"},
		"books":        {"Books", "BooksRelation", "BooksColID", "books_table.go"},
		"categories":   {"Category", "CategoriesRelation", "CategoriesColID", "categories_table.go"},
		"book_ratings": {"BookRating", "BookRatingsRelation", "BookRatingsColID", "book_ratings_view.go"},
		"rpc_search":   {"RPCSearch", "RPCSearchRelation", "RPCSearchColID", "rpcsearch_table.go"},
	}
	for _, r := range pkg.Relations {
		got := names{r.GoName, r.DescriptorFunc, r.Fields[0].Const, r.File}
		if got != want[r.Source.Name] {
			t.Errorf("%s: got %+v, want %+v", r.Source.Name, got, want[r.Source.Name])
		}
	}
	methods := map[string][]string{}
	var all []string
	for _, rt := range pkg.Routes {
		for _, m := range rt.Methods {
			methods[rt.Path] = append(methods[rt.Path], m.GoName+"="+strings.Join(m.HTTP, "+"))
			all = append(all, m.GoName)
		}
	}
	wantMethods := map[string][]string{
		"/books": {"GetBooks=GET+HEAD", "PostBooks=POST", "PatchBooks=PATCH", "PutBooks=PUT", "DeleteBooks=DELETE", "OptionsBooks=OPTIONS"},
		// The table rpc_search is served on /rpc_search and took RPCSearch.
		"/rpc/search": {"GetRPCSearch2=GET+HEAD", "PostRPCSearch2=POST", "OptionsRPCSearch2=OPTIONS"},
	}
	for path, w := range wantMethods {
		if !slices.Equal(methods[path], w) {
			t.Errorf("%s: methods %v, want %v", path, methods[path], w)
		}
	}
	slices.Sort(all)
	if len(slices.Compact(all)) != len(all) {
		t.Errorf("handler methods are not distinct: %v", all)
	}
}
