package runtime

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/query"
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
		string_agg json_object_keys k row_to_json r hh s a substring length json_strip_nulls ARRAY unnest v`) {
		sqlWords[w] = true
	}
	for _, t := range castTypes {
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
		stmt, aerr := renderRead(rel, q, readShape{rng: rowRange{lower: 3, upper: ptr(12)}, count: "estimated", maxRows: ptr(50), media: mediaCSV})
		if aerr != nil {
			if aerr.Status < 400 || aerr.Code == "" {
				t.Fatalf("render error without a status or code: %+v", aerr)
			}
			return
		}
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
	})
}
