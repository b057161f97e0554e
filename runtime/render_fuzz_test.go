package runtime

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// fuzzRelation has a column of each kind the renderer treats differently.
func fuzzRelation() *Relation {
	return &Relation{
		Schema: "public", Name: "films", Kind: "table",
		SQLName:    `"public"."films"`,
		SelectStar: `"id", "title", "data", "tags", "doc", "we""ird", "shade"`,
		Columns: []Column{
			{Name: "id", SQLName: `"id"`, Type: "integer"},
			{Name: "title", SQLName: `"title"`, Type: "text", Nullable: true},
			{Name: "data", SQLName: `"data"`, Type: "jsonb", Nullable: true},
			{Name: "tags", SQLName: `"tags"`, Type: "text[]", Nullable: true},
			{Name: "doc", SQLName: `"doc"`, Type: "tsvector", Nullable: true},
			{Name: `we"ird`, SQLName: `"we""ird"`, Type: "text", Nullable: true},
			{Name: "shade", SQLName: `"shade"`, Type: "public.color", Nullable: true, FilterCast: `"public"."color_from_text"`},
		},
	}
}

var (
	quotedIdent = regexp.MustCompile(`"(?:[^"]|"")*"`)
	// fixedLiterals are the only string literals the renderer itself writes.
	fixedLiterals = strings.NewReplacer(`'[]'`, "", `'null'`, "", `'response.headers'`, "", `'response.status'`, "", `''`, "", `','`, "", "'\n'", "")
	word          = regexp.MustCompile(`[A-Za-z_][A-Za-z_0-9]*`)
)

// sqlWords are every bare word a rendered read may contain: keywords,
// functions, and the cast types of castTypes.
var sqlWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`WITH pgrst_source AS SELECT FROM WHERE AND OR NOT ORDER BY ASC DESC NULLS FIRST LAST
		LIMIT OFFSET NULL bigint pg_catalog count _postgrest_t coalesce json_agg text nullif current_setting true
		IS TRUE FALSE UNKNOWN ANY ALL LIKE ILIKE DISTINCT to_jsonb to_tsvector to_tsquery plainto_tsquery
		phraseto_tsquery websearch_to_tsquery regconfig integer pgrst_source_count EXPLAIN FORMAT JSON
		string_agg json_object_keys k row_to_json r hh s a substring length json_strip_nulls ARRAY unnest v
		COALESCE INNER LEFT JOIN LATERAL ON jsonb`) {
		sqlWords[w] = true
	}
	for _, t := range plan.CastTypeNames() {
		for _, w := range strings.Fields(t) {
			sqlWords[w] = true
		}
	}
}

// FuzzRenderRead feeds arbitrary query strings through the parser and the
// renderer. Whatever the input, it must not panic, and a rendered statement
// may hold no text of the client's outside quoted identifiers and bind
// parameters: no string literal, no comment, no statement separator, and only
// words from sqlWords.
func FuzzRenderRead(f *testing.F) {
	for _, seed := range []string{
		"select=id,title&id=eq.1&order=title.desc.nullslast&limit=2&offset=1",
		"select=t:title::text,data->a->>b,data->0&data->>x=eq.y",
		"or=(id.eq.1,and(title.like.*a*,not.id.in.(1,2)))&tags=cs.{a,b}",
		"title=eq.x';DROP TABLE films;--&select=%22a;--%22:id",
		"doc=fts(english).cat&title=phfts.fat%20cats&title=like(any).{a*,b*}",
		"select=id::nosuchtype&id=is.unknown",
		"select=*,we%22ird&we%22ird=isdistinct.x",
		"shade=eq.red&shade=in.(green,1)&shade=not.gt.2",
	} {
		f.Add(seed)
	}
	rel := fuzzRelation()
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := query.ParseRaw(raw)
		if err != nil {
			return
		}
		stmt, aerr := renderRead(rel, q, readShape{rng: rows(3, 12), count: "estimated", maxRows: ptr(50), media: request.MediaCSV})
		if aerr != nil {
			if aerr.Status < 400 || aerr.Code == "" {
				t.Fatalf("render error without a status or code: %+v", aerr)
			}
			return
		}
		checkRendered(t, raw, stmt)
	})
}

// checkRendered fails when a statement holds client text outside quoted
// identifiers and bind parameters.
func checkRendered(t *testing.T, raw string, stmt *readStatement) {
	t.Helper()
	sql, args := stmt.sql+" "+stmt.explain, append(stmt.args, stmt.explainArgs...)
	rest := fixedLiterals.Replace(quotedIdent.ReplaceAllString(sql, ""))
	for _, bad := range []string{"'", ";", "--", "/*", `"`} {
		if strings.Contains(rest, bad) {
			t.Fatalf("statement has %q outside identifiers: %s\nfrom %q", bad, sql, raw)
		}
	}
	for _, w := range word.FindAllString(rest, -1) {
		if !sqlWords[w] {
			t.Fatalf("statement has the word %q that no fragment holds: %s\nfrom %q", w, sql, raw)
		}
	}
	if n := strings.Count(sql, "$"); n < len(args) {
		t.Fatalf("%d args but only %d placeholders: %s", len(args), n, sql)
	}
}

// fuzzEmbedRelations are three related relations: films many-to-one
// directors, and many-to-many actors through roles.
func fuzzEmbedRelations() (*Relation, *plan.Relations) {
	col := func(name, typ string) Column {
		return Column{Name: name, SQLName: sqlgen.QuoteIdent(name), Type: typ, Nullable: true}
	}
	films := &Relation{Schema: "public", Name: "films", Kind: "table", SQLName: `"public"."films"`,
		SelectStar: `"id", "title", "director_id"`,
		Columns:    []Column{col("id", "integer"), col("title", "text"), col("director_id", "integer")},
		Relationships: []Relationship{
			{Target: "directors", Cardinality: ManyToOne, Constraint: "films_director_id_fkey", Columns: []ColumnPair{{From: "director_id", To: "id"}}, ToOne: true},
			{Target: "actors", Cardinality: ManyToMany, Junction: &Junction{Name: "roles", SQLName: `"public"."roles"`,
				Constraint1: "roles_film_id_fkey", Constraint2: "roles_actor_id_fkey",
				Source: []ColumnPair{{From: "film_id", To: "id"}}, Target: []ColumnPair{{From: "actor_id", To: "id"}}}},
		}}
	directors := &Relation{Schema: "public", Name: "directors", Kind: "table", SQLName: `"public"."directors"`,
		SelectStar: `"id", "name"`, Columns: []Column{col("id", "integer"), col("name", "text")},
		Relationships: []Relationship{{Target: "films", Cardinality: OneToMany, Constraint: "films_director_id_fkey", Columns: []ColumnPair{{From: "id", To: "director_id"}}}}}
	actors := &Relation{Schema: "public", Name: "actors", Kind: "table", SQLName: `"public"."actors"`,
		SelectStar: `"id", "name"`, Columns: []Column{col("id", "integer"), col("name", "text")}}
	byName := map[string]map[string]*Relation{}
	for _, r := range []*Relation{films, directors, actors} {
		byName[r.Name] = map[string]*Relation{"public": r}
	}
	return films, &plan.Relations{Schema: "public", ByName: byName, LegacyNames: true, MaxRows: ptr(int64(100))}
}

// FuzzRenderEmbed is FuzzRenderRead for requests with embeds: nested,
// aliased, hinted, spread, filtered, ordered and limited ones.
func FuzzRenderEmbed(f *testing.F) {
	for _, seed := range []string{
		"select=title,directors(name),actors(*)",
		"select=t:title,d:directors!inner(n:name,films(title))&d.name=eq.x&order=d(n).desc",
		"select=title,...directors(name),actors!roles(name)&actors.order=name&actors.limit=2&actors.offset=1",
		"select=title,actors()&actors=not.is.null&or=(actors.not.is.null,title.eq.a)",
		"select=title,...actors(names:name)&actors.or=(name.eq.a,name.like.*%22*)",
		"select=id,directors!films_director_id_fkey(*)&directors.name=in.(a,b)",
	} {
		f.Add(seed)
	}
	films, rr := fuzzEmbedRelations()
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := query.ParseRaw(raw)
		if err != nil {
			return
		}
		stmt, aerr := renderRead(films, q, readShape{rng: rows(0, 9), count: "estimated", maxRows: ptr(50), related: rr})
		if aerr != nil {
			if aerr.Status < 300 || aerr.Code == "" {
				t.Fatalf("render error without a status or code: %+v", aerr)
			}
			return
		}
		checkRendered(t, raw, stmt)
	})
}
