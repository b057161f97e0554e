package sqlgen_test

import (
	"strings"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// aggregateFixture is books and authors with both directions of their
// relationship: a to-one embed (books → authors) and a to-many one.
func aggregateFixture() *plan.Relations {
	col := func(name, typ string) contract.Column {
		return contract.Column{Name: name, SQLName: `"` + name + `"`, Type: typ}
	}
	books := &contract.Relation{Schema: "public", Name: "books", Kind: "table", SQLName: `"public"."books"`,
		SelectStar: `"id", "author_id", "price"`,
		Columns:    []contract.Column{col("id", "integer"), col("author_id", "integer"), col("price", "numeric")},
		PrimaryKey: []string{"id"},
		Relationships: []contract.Relationship{{Target: "authors", Cardinality: contract.ManyToOne,
			Constraint: "books_author_id_fkey", Columns: []contract.ColumnPair{{From: "author_id", To: "id"}}, ToOne: true}},
	}
	authors := &contract.Relation{Schema: "public", Name: "authors", Kind: "table", SQLName: `"public"."authors"`,
		SelectStar: `"id", "country"`, Columns: []contract.Column{col("id", "integer"), col("country", "text")},
		PrimaryKey: []string{"id"},
		Relationships: []contract.Relationship{{Target: "books", Cardinality: contract.OneToMany,
			Constraint: "books_author_id_fkey", Columns: []contract.ColumnPair{{From: "id", To: "author_id"}}}},
	}
	return &plan.Relations{Schema: "public", ByName: map[string]map[string]*contract.Relation{
		"books": {"public": books}, "authors": {"public": authors}}}
}

// TestAggregateStatements checks where aggregates, their casts and the
// GROUP BY terms go: in the scope that computes them, the spread's hoisted
// to its parent.
func TestAggregateStatements(t *testing.T) {
	for _, tc := range []struct {
		rel, query, want string
	}{
		{"books", "select=author_id,t:price::int.sum()::text,count()",
			`WITH pgrst_source AS (SELECT "author_id", (pg_catalog.sum(("price")::integer))::text AS "t", pg_catalog.count(*) AS "count"` +
				` FROM "public"."books" GROUP BY "author_id")`},
		{"books", "select=*,price.max()",
			`WITH pgrst_source AS (SELECT "id", "author_id", "price", pg_catalog.max("price") AS "max" FROM "public"."books"` +
				` GROUP BY "id", "author_id", "price")`},
		{"books", "select=...authors(country),price.avg()",
			`WITH pgrst_source AS (SELECT "pgrst_1"."country", pg_catalog.avg("public"."books"."price") AS "avg" FROM "public"."books"` +
				` LEFT JOIN LATERAL (SELECT "pgrst_1"."country" AS "country" FROM "public"."authors" AS "pgrst_1" WHERE "pgrst_1"."id" = "public"."books"."author_id") AS "pgrst_1" ON TRUE` +
				` GROUP BY "pgrst_1"."country")`},
		{"books", "select=price,...authors(n:id.count()::text)",
			`WITH pgrst_source AS (SELECT "public"."books"."price" AS "price", (pg_catalog.count("pgrst_1"."n"))::text AS "n" FROM "public"."books"` +
				` LEFT JOIN LATERAL (SELECT "pgrst_1"."id" AS "n" FROM "public"."authors" AS "pgrst_1" WHERE "pgrst_1"."id" = "public"."books"."author_id") AS "pgrst_1" ON TRUE` +
				` GROUP BY "public"."books"."price")`},
		{"authors", "select=country,books(price.min())",
			`WITH pgrst_source AS (SELECT "public"."authors"."country" AS "country", COALESCE("pgrst_1"."pgrst_1", '[]') AS "books" FROM "public"."authors"` +
				` LEFT JOIN LATERAL (SELECT json_agg("pgrst_1")::jsonb AS "pgrst_1" FROM (SELECT pg_catalog.min("pgrst_1"."price") AS "min" FROM "public"."books" AS "pgrst_1"` +
				` WHERE "pgrst_1"."author_id" = "public"."authors"."id") AS "pgrst_1") AS "pgrst_1" ON TRUE)`},
		{"books", "select=count",
			`WITH pgrst_source AS (SELECT pg_catalog.count(*) AS "count" FROM "public"."books")`},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rels := aggregateFixture()
			q, err := query.ParseRawWith(tc.query, query.Options{Aggregates: true})
			if err != nil {
				t.Fatal(err)
			}
			r, aerr := plan.PlanRead(rels.ByName[tc.rel]["public"], q, rels,
				plan.ReadOptions{Media: request.MediaJSON, Method: "GET"})
			if aerr != nil {
				t.Fatal(aerr)
			}
			got := sqlgen.Read(r).SQL
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("statement\n%s\nwant it to start with\n%s", got, tc.want)
			}
		})
	}
}

// TestAggregateErrors checks the plan's refusals: a to-many spread's
// aggregates, a cast to an unknown type, a missing column.
func TestAggregateErrors(t *testing.T) {
	for _, tc := range []struct {
		rel, query, code string
	}{
		{"authors", "select=...books(price.sum())", "PGRST127"},
		{"authors", "select=nope,...books(...authors(id.count()))", "PGRST127"},
		{"books", "select=price.sum()::nosuchtype", "42704"},
		{"books", "select=nope.avg()", "42703"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rels := aggregateFixture()
			q, err := query.ParseRawWith(tc.query, query.Options{Aggregates: true})
			if err != nil {
				t.Fatal(err)
			}
			_, aerr := plan.PlanRead(rels.ByName[tc.rel]["public"], q, rels, plan.ReadOptions{Media: request.MediaJSON, Method: "GET"})
			if aerr == nil || aerr.Code != tc.code {
				t.Fatalf("got %v, want %s", aerr, tc.code)
			}
		})
	}
}
