package sqlgen_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// mutateFixture is a trimmed copy of the example's books and authors: a
// serial key, a default, a nullable column and a to-one relationship.
func mutateFixture() (books, authors *contract.Relation) {
	books = &contract.Relation{
		Schema: "public", Name: "books", Kind: "table",
		SQLName:    `"public"."books"`,
		SelectStar: `"id", "title", "author_id", "published", "format"`,
		Columns: []contract.Column{
			{Name: "id", SQLName: `"id"`, Type: "integer", Default: `nextval(pg_get_serial_sequence('"public"."books"', 'id'))`, HasDefault: true},
			{Name: "title", SQLName: `"title"`, Type: "text"},
			{Name: "author_id", SQLName: `"author_id"`, Type: "integer"},
			{Name: "published", SQLName: `"published"`, Type: "integer", Nullable: true},
			{Name: "format", SQLName: `"format"`, Type: "public.book_format", Default: `'paperback'::public.book_format`, HasDefault: true},
		},
		PrimaryKey: []string{"id"},
		Insertable: true, Updatable: true, Deletable: true,
		Relationships: []contract.Relationship{
			{Target: "authors", Cardinality: contract.ManyToOne, Constraint: "books_author_id_fkey", Columns: []contract.ColumnPair{{From: "author_id", To: "id"}}, ToOne: true},
		},
	}
	authors = &contract.Relation{
		Schema: "public", Name: "authors", Kind: "table",
		SQLName:    `"public"."authors"`,
		SelectStar: `"id", "name"`,
		Columns: []contract.Column{
			{Name: "id", SQLName: `"id"`, Type: "integer", Default: `nextval(pg_get_serial_sequence('"public"."authors"', 'id'))`, HasDefault: true},
			{Name: "name", SQLName: `"name"`, Type: "text"},
		},
		PrimaryKey: []string{"id"},
		Insertable: true, Updatable: true, Deletable: true,
		Relationships: []contract.Relationship{
			{Target: "books", Cardinality: contract.OneToMany, Constraint: "books_author_id_fkey", Columns: []contract.ColumnPair{{From: "id", To: "author_id"}}},
		},
	}
	return books, authors
}

// mutateCases are requests whose statements were captured from the write
// handler before it was split into plan.Mutate and sqlgen.Mutate (the SQL
// and the bind values as JSON): the split changes no byte of either.
var mutateCases = []struct{ name, method, target, prefer, body, sql, args string }{
	{"insert", "POST", "/books", "", `{"title":"Dune","author_id":1}`,
		"WITH pgrst_source AS (INSERT INTO \"public\".\"books\"(\"author_id\", \"title\") SELECT pgrst_body.\"author_id\", pgrst_body.\"title\" FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT \"author_id\", \"title\" FROM json_to_record(pgrst_payload.json_data) AS _(\"author_id\" integer, \"title\" text)) pgrst_body RETURNING 1) SELECT NULL::bigint, pg_catalog.count(_postgrest_t), ''::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '') FROM (SELECT * FROM pgrst_source) _postgrest_t",
		`["{\"title\":\"Dune\",\"author_id\":1}"]`},
	{"insert bulk, missing=default, count", "POST", "/books", "missing=default, count=exact", `[{"title":"A","format":"ebook"},{"title":"B","format":null}]`,
		"WITH pgrst_source AS (INSERT INTO \"public\".\"books\"(\"format\", \"title\") SELECT pgrst_body.\"format\", pgrst_body.\"title\" FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT jsonb_agg(jsonb_build_object($2::text, 'paperback'::public.book_format) || elem) AS val FROM jsonb_array_elements(pgrst_payload.json_data::jsonb) elem) pgrst_json_defs, LATERAL (SELECT \"format\", \"title\" FROM jsonb_to_recordset(pgrst_json_defs.val) AS _(\"format\" public.book_format, \"title\" text)) pgrst_body RETURNING 1) SELECT NULL::bigint, pg_catalog.count(_postgrest_t), ''::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '') FROM (SELECT * FROM pgrst_source) _postgrest_t",
		`["[{\"title\":\"A\",\"format\":\"ebook\"},{\"title\":\"B\",\"format\":null}]","format"]`},
	{"insert empty object", "POST", "/books", "", `{}`,
		"WITH pgrst_source AS (INSERT INTO \"public\".\"books\" SELECT  FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT 1 FROM (VALUES (1)) _) pgrst_body RETURNING 1) SELECT NULL::bigint, pg_catalog.count(_postgrest_t), ''::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '') FROM (SELECT * FROM pgrst_source) _postgrest_t",
		`["{}"]`},
	{"insert object, missing=default", "POST", "/books", "missing=default", `{"title":"A","author_id":1}`,
		"WITH pgrst_source AS (INSERT INTO \"public\".\"books\"(\"author_id\", \"title\") SELECT pgrst_body.\"author_id\", pgrst_body.\"title\" FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT jsonb_build_object() || pgrst_payload.json_data::jsonb AS val) pgrst_json_defs, LATERAL (SELECT \"author_id\", \"title\" FROM jsonb_to_record(pgrst_json_defs.val) AS _(\"author_id\" integer, \"title\" text)) pgrst_body RETURNING 1) SELECT NULL::bigint, pg_catalog.count(_postgrest_t), ''::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '') FROM (SELECT * FROM pgrst_source) _postgrest_t",
		`["{\"title\":\"A\",\"author_id\":1}"]`},
	{"upsert on_conflict", "POST", "/books?on_conflict=title", "resolution=merge-duplicates", `[{"title":"Dune","published":1965}]`,
		"WITH pgrst_source AS (INSERT INTO \"public\".\"books\"(\"published\", \"title\") SELECT pgrst_body.\"published\", pgrst_body.\"title\" FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT \"published\", \"title\" FROM json_to_recordset(pgrst_payload.json_data) AS _(\"published\" integer, \"title\" text)) pgrst_body ON CONFLICT(\"title\") DO UPDATE SET \"published\" = EXCLUDED.\"published\", \"title\" = EXCLUDED.\"title\" RETURNING 1, (xmax = 0) AS pgrst_inserted) SELECT NULL::bigint, pg_catalog.count(_postgrest_t), ''::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), ''), (SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted) FROM (SELECT * FROM pgrst_source) _postgrest_t",
		`["[{\"title\":\"Dune\",\"published\":1965}]"]`},
	{"upsert ignore, headers-only", "POST", "/books", "resolution=ignore-duplicates, return=headers-only", `{"id":1,"title":"Dune"}`,
		"WITH pgrst_source AS (INSERT INTO \"public\".\"books\"(\"id\", \"title\") SELECT pgrst_body.\"id\", pgrst_body.\"title\" FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT \"id\", \"title\" FROM json_to_record(pgrst_payload.json_data) AS _(\"id\" integer, \"title\" text)) pgrst_body ON CONFLICT(\"id\") DO NOTHING RETURNING \"public\".\"books\".\"id\", (xmax = 0) AS pgrst_inserted) SELECT NULL::bigint, pg_catalog.count(_postgrest_t), coalesce(json_agg(_postgrest_t)->0, 'null')::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), ''), (SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted) FROM (SELECT * FROM pgrst_source) _postgrest_t",
		`["{\"id\":1,\"title\":\"Dune\"}"]`},
	{"put", "PUT", "/books?id=eq.7", "return=representation", `{"id":7,"title":"Emma","author_id":2}`,
		"WITH pgrst_source AS (INSERT INTO \"public\".\"books\"(\"author_id\", \"id\", \"title\") SELECT pgrst_body.\"author_id\", pgrst_body.\"id\", pgrst_body.\"title\" FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT \"author_id\", \"id\", \"title\" FROM json_to_record(pgrst_payload.json_data) AS _(\"author_id\" integer, \"id\" integer, \"title\" text)) pgrst_body WHERE pgrst_body.\"id\" = $2 ON CONFLICT(\"id\") DO UPDATE SET \"author_id\" = EXCLUDED.\"author_id\", \"id\" = EXCLUDED.\"id\", \"title\" = EXCLUDED.\"title\" RETURNING \"public\".\"books\".\"id\", \"public\".\"books\".\"title\", \"public\".\"books\".\"author_id\", \"public\".\"books\".\"published\", \"public\".\"books\".\"format\", (xmax = 0) AS pgrst_inserted) SELECT NULL::bigint, pg_catalog.count(_postgrest_t), coalesce(json_agg(_postgrest_t), '[]')::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), ''), (SELECT pg_catalog.count(*) FROM pgrst_source WHERE pgrst_inserted) FROM (SELECT \"id\", \"title\", \"author_id\", \"published\", \"format\" FROM pgrst_source) _postgrest_t",
		`["{\"id\":7,\"title\":\"Emma\",\"author_id\":2}","7"]`},
	{"patch array body", "PATCH", "/books?id=gt.3&published=is.null", "", `[{"published":2000},{"published":2001}]`,
		"WITH pgrst_source AS (UPDATE \"public\".\"books\" SET \"published\" = pgrst_body.\"published\" FROM (SELECT $2::json AS json_data) pgrst_payload, LATERAL (SELECT \"published\" FROM json_to_recordset(pgrst_payload.json_data) AS _(\"published\" integer) LIMIT 1) pgrst_body WHERE \"public\".\"books\".\"id\" > $1 AND \"public\".\"books\".\"published\" IS NULL RETURNING 1) SELECT NULL::bigint, pg_catalog.count(_postgrest_t), ''::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '') FROM (SELECT * FROM pgrst_source) _postgrest_t",
		`["3","[{\"published\":2000},{\"published\":2001}]"]`},
	{"patch nothing to set", "PATCH", "/books?id=eq.1", "return=representation", `{}`,
		"WITH pgrst_source AS (SELECT \"id\", \"title\", \"author_id\", \"published\", \"format\" FROM \"public\".\"books\" WHERE false) SELECT NULL::bigint, pg_catalog.count(_postgrest_t), coalesce(json_agg(_postgrest_t), '[]')::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '') FROM (SELECT \"id\", \"title\", \"author_id\", \"published\", \"format\" FROM pgrst_source) _postgrest_t",
		`null`},
	{"delete with filters", "DELETE", "/books?or=(id.lt.2,title.like.*x*)&published=not.is.null", "return=representation", ``,
		"WITH pgrst_source AS (DELETE FROM \"public\".\"books\" WHERE (\"id\" < $1 OR \"title\" LIKE $2) AND NOT \"published\" IS NULL RETURNING \"public\".\"books\".\"id\", \"public\".\"books\".\"title\", \"public\".\"books\".\"author_id\", \"public\".\"books\".\"published\", \"public\".\"books\".\"format\") SELECT NULL::bigint, pg_catalog.count(_postgrest_t), coalesce(json_agg(_postgrest_t), '[]')::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '') FROM (SELECT \"id\", \"title\", \"author_id\", \"published\", \"format\" FROM pgrst_source) _postgrest_t",
		`["2","%x%"]`},
	{"representation with embeds", "PATCH", "/books?select=title,authors(name)&order=title.desc&id=eq.1", "return=representation", `{"title":"X"}`,
		"WITH pgrst_source AS (UPDATE \"public\".\"books\" SET \"title\" = pgrst_body.\"title\" FROM (SELECT $2::json AS json_data) pgrst_payload, LATERAL (SELECT \"title\" FROM json_to_record(pgrst_payload.json_data) AS _(\"title\" text)) pgrst_body WHERE \"public\".\"books\".\"id\" = $1 RETURNING \"public\".\"books\".\"id\", \"public\".\"books\".\"title\", \"public\".\"books\".\"author_id\", \"public\".\"books\".\"published\", \"public\".\"books\".\"format\") SELECT NULL::bigint, pg_catalog.count(_postgrest_t), coalesce(json_agg(_postgrest_t), '[]')::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '') FROM (SELECT \"books\".\"title\" AS \"title\", row_to_json(\"pgrst_1\".*)::jsonb AS \"authors\" FROM pgrst_source AS \"books\" LEFT JOIN LATERAL (SELECT \"pgrst_1\".\"name\" AS \"name\" FROM \"public\".\"authors\" AS \"pgrst_1\" WHERE \"pgrst_1\".\"id\" = \"books\".\"author_id\") AS \"pgrst_1\" ON TRUE ORDER BY \"books\".\"title\" DESC) _postgrest_t",
		`["1","{\"title\":\"X\"}"]`},
	{"representation with one-to-many embed", "POST", "/authors?select=name,books(title)&books.order=id", "return=representation", `{"name":"Ann"}`,
		"WITH pgrst_source AS (INSERT INTO \"public\".\"authors\"(\"name\") SELECT pgrst_body.\"name\" FROM (SELECT $1::json AS json_data) pgrst_payload, LATERAL (SELECT \"name\" FROM json_to_record(pgrst_payload.json_data) AS _(\"name\" text)) pgrst_body RETURNING \"public\".\"authors\".\"id\", \"public\".\"authors\".\"name\") SELECT NULL::bigint, pg_catalog.count(_postgrest_t), coalesce(json_agg(_postgrest_t), '[]')::text, nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '') FROM (SELECT \"authors\".\"name\" AS \"name\", COALESCE(\"pgrst_1\".\"pgrst_1\", '[]') AS \"books\" FROM pgrst_source AS \"authors\" LEFT JOIN LATERAL (SELECT json_agg(\"pgrst_1\")::jsonb AS \"pgrst_1\" FROM (SELECT \"pgrst_1\".\"title\" AS \"title\" FROM \"public\".\"books\" AS \"pgrst_1\" WHERE \"pgrst_1\".\"author_id\" = \"authors\".\"id\" ORDER BY \"pgrst_1\".\"id\" ASC) AS \"pgrst_1\") AS \"pgrst_1\" ON TRUE) _postgrest_t",
		`["{\"name\":\"Ann\"}"]`},
}

func TestMutateStatements(t *testing.T) {
	books, authors := mutateFixture()
	rels := &plan.Relations{Schema: "public", ByName: map[string]map[string]*contract.Relation{
		"books": {"public": books}, "authors": {"public": authors}}}
	for _, c := range mutateCases {
		t.Run(c.name, func(t *testing.T) {
			rel := rels.ByName[strings.Trim(strings.SplitN(c.target, "?", 2)[0], "/")]["public"]
			m := planMutate(t, rel, rels, c.method, c.target, c.prefer, c.body)
			sql, args := sqlgen.Mutate(m)
			if sql != c.sql {
				t.Errorf("sql\n got %s\nwant %s", sql, c.sql)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(args); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSuffix(buf.String(), "\n"); got != c.args {
				t.Errorf("args\n got %s\nwant %s", got, c.args)
			}
		})
	}
}

// planMutate plans a write as the handler does: the target, the body,
// the rest of the plan.
func planMutate(t *testing.T, rel *contract.Relation, rels *plan.Relations, method, target, prefer, body string) *plan.Mutate {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if prefer != "" {
		req.Header.Set("Prefer", prefer)
	}
	q, err := query.ParseRaw(req.URL.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	prefs := request.ParsePrefer(req.Header, false)
	mt, aerr := plan.PlanMutateTarget(rel, q, method, prefs.Resolution, request.NamedParam(req.URL.RawQuery, "on_conflict"))
	if aerr != nil {
		t.Fatal(aerr)
	}
	var p *request.Payload
	if method != "DELETE" {
		if p, aerr = request.ReadPayload(req, request.ColumnsParam(req.URL.RawQuery), 1<<20, rel); aerr != nil {
			t.Fatal(aerr)
		}
	}
	m, aerr := plan.PlanMutate(mt, q, rels, plan.MutateOptions{Payload: p, Prefs: prefs, Media: request.MediaJSON})
	if aerr != nil {
		t.Fatal(aerr)
	}
	return m
}
