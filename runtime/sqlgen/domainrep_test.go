package sqlgen_test

import (
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// swatches has a column of a domain with all three representations and
// one of a plain type.
func swatches() *contract.Relation {
	rel := &contract.Relation{
		Schema: "public", Name: "swatches", Kind: "table",
		SQLName:    `"public"."swatches"`,
		SelectStar: `"id", "hue"`,
		Columns: []contract.Column{
			{Name: "id", SQLName: `"id"`, Type: "integer"},
			{Name: "hue", SQLName: `"hue"`, Type: "public.rgb", Nullable: true,
				FilterCast: `"public"."rgb_parse"`, OutputCast: `"public"."rgb_json"`, BodyCast: `"public"."rgb_parse"`},
		},
	}
	rel.OutputStar = sqlgen.OutputStar(rel)
	return rel
}

func TestOutputStar(t *testing.T) {
	if got, want := swatches().OutputStar, `"id", "public"."rgb_json"("hue") AS "hue"`; got != want {
		t.Errorf("OutputStar = %s, want %s", got, want)
	}
	_, authors := mutateFixture()
	if got := sqlgen.OutputStar(authors); got != "" {
		t.Errorf("OutputStar without representations = %q, want empty", got)
	}
}

func TestSelectListFormatsRepresentations(t *testing.T) {
	rel := swatches()
	hue := plan.Field{Column: &rel.Columns[1]}
	for _, c := range []struct {
		name  string
		scope plan.Scope
		want  string
	}{
		{"every column", plan.Scope{Rel: rel}, `"id", "public"."rgb_json"("hue") AS "hue"`},
		{"star", plan.Scope{Rel: rel, Select: []plan.Item{{Star: true}}}, `"id", "public"."rgb_json"("hue") AS "hue"`},
		{"qualified star", plan.Scope{Rel: rel, Alias: "pgrst_1", Select: []plan.Item{{Star: true}}},
			`pgrst_1."id", "public"."rgb_json"(pgrst_1."hue") AS "hue"`},
		{"column", plan.Scope{Rel: rel, Select: []plan.Item{{Field: hue, Key: "hue"}}}, `"public"."rgb_json"("hue") AS "hue"`},
		{"alias and cast", plan.Scope{Rel: rel, Select: []plan.Item{{Field: hue, Key: "c", Cast: "text"}}},
			`("public"."rgb_json"("hue"))::text AS "c"`},
	} {
		if got, _ := sqlgen.SelectList(&sqlgen.Args{}, &c.scope); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func TestFilterValuesThroughTextCast(t *testing.T) {
	rel := swatches()
	hue := plan.Field{Column: &rel.Columns[1]}
	for _, c := range []struct {
		filter plan.Filter
		want   string
	}{
		{plan.Filter{Field: hue, Operator: "eq", Value: "FF0000"}, `"hue" = "public"."rgb_parse"($1::text)`},
		{plan.Filter{Field: hue, Operator: "neq", Value: "FF0000", Negated: true}, `NOT "hue" <> "public"."rgb_parse"($1::text)`},
		{plan.Filter{Field: hue, Operator: "in", List: []string{"FF0000", "00FF00"}},
			`"hue" = ANY(ARRAY(SELECT "public"."rgb_parse"(v) FROM unnest($1::text[]) AS v))`},
		// PostgREST passes these values as they are.
		{plan.Filter{Field: hue, Operator: "like", Value: "*FF*"}, `"hue" LIKE $1`},
		{plan.Filter{Field: hue, Operator: "ilike", Value: "*FF*"}, `"hue" ILIKE $1`},
		{plan.Filter{Field: hue, Operator: "isdistinct", Value: "1"}, `"hue" IS DISTINCT FROM $1`},
	} {
		s := &plan.Scope{Rel: rel, Where: []plan.Cond{{Filter: &c.filter}}}
		if got := sqlgen.Where(&sqlgen.Args{}, s); got != c.want {
			t.Errorf("%s: got %s, want %s", c.filter.Operator, got, c.want)
		}
	}
}
