package fuzzy

import (
	"slices"
	"testing"
)

// The answers below are PostgREST's, read from its source at v14.17:
// the doctests of noRelBetweenHint and noRpcHint in src/PostgREST/Error.hs,
// and the hints expected by test/spec/Feature/Query/ErrorSpec.hs,
// QuerySpec.hs, DeleteSpec.hs, UpdateSpec.hs, InsertSpec.hs,
// ConcurrentSpec.hs and RpcSpec.hs (the spec tests search the whole test
// schema; a pair here is the spec's query and its answer, or for a null
// hint, the name the hint gave before the score was raised to 0.75).
func TestGetOne(t *testing.T) {
	tests := []struct {
		name       string
		s          string
		candidates []string
		min        float64
		want       string // "" is no hint
	}{
		// Error.hs noRelBetweenHint doctests (getOne, 0.33).
		{"parent film", "film", []string{"films"}, DefaultScore, "films"},
		{"child role", "role", []string{"directors", "roles", "actors"}, DefaultScore, "roles"},
		{"no close parent", "noclosealternative", []string{"films"}, DefaultScore, ""},
		{"no close child", "noclosealternative", []string{"directors", "roles", "actors"}, DefaultScore, ""},
		// Error.hs noRpcHint doctests: names at 0.75, parameter lists at 0.33.
		{"function testt", "testt", []string{"test", "another"}, NameScore, "test"},
		{"function noclosealternative", "noclosealternative", []string{"test", "another"}, NameScore, ""},
		{"params vall pqaram nam", "(nam, pqaram, vall)", []string{"(name, param, val)", "(attr, id)"}, DefaultScore, "(name, param, val)"},
		{"params val param", "(param, val)", []string{"(name, param, val)", "(attr, id)"}, DefaultScore, "(name, param, val)"},
		{"params id attrs", "(attrs, id)", []string{"(name, param, val)", "(attr, id)"}, DefaultScore, "(attr, id)"},
		{"params id", "(id)", []string{"(name, param, val)", "(attr, id)"}, DefaultScore, "(attr, id)"},
		{"params noclosealternative", "(noclosealternative)", []string{"(name, param, val)", "(attr, id)"}, DefaultScore, ""},
		// ErrorSpec.hs: "at least 75% similar to projects".
		{"table projectx", "projectx", []string{"projects"}, NameScore, "projects"},
		{"table projecxx", "projecxx", []string{"projects"}, NameScore, "projects"},
		{"table projxxxx", "projxxxx", []string{"projects"}, NameScore, ""},
		// Hints that were given at 0.33 and are null at 0.75.
		{"table non_existent_table 0.33", "non_existent_table", []string{"collision_test_table"}, DefaultScore, "collision_test_table"},
		{"table non_existent_table", "non_existent_table", []string{"collision_test_table"}, NameScore, ""},
		{"table fakefake", "fakefake", []string{"factories"}, NameScore, ""},
		{"table foozle", "foozle", []string{"foo"}, NameScore, ""},
		{"table garlic", "garlic", []string{"articles"}, NameScore, ""},
		{"table faketable", "faketable", []string{"private_table"}, NameScore, ""},
		{"table fake 0.33", "fake", []string{"factories"}, DefaultScore, "factories"},
		{"table car_model_sales_202101", "car_model_sales_202101", []string{"car_model_sales"}, NameScore, ""},
		// QuerySpec.hs: relationship hints (0.33).
		{"child partition", "car_model_sales_202101", []string{"car_model_sales", "car_dealers"}, DefaultScore, "car_model_sales"},
		{"child partition parent", "car_models_default", []string{"car_models"}, DefaultScore, "car_models"},
		// RpcSpec.hs.
		{"function sayhell", "sayhell", []string{"sayhello", "add_them"}, NameScore, "sayhello"},
		{"params nam", "(nam)", []string{"(name)"}, DefaultScore, "(name)"},
		{"params a b smthelse", "(a, b, smthelse)", []string{"(a, b)"}, DefaultScore, "(a, b)"},
		{"overloaded wrong_arg", "(wrong_arg)", []string{"()", "()", "(a, b)", "(a, b, c)"}, DefaultScore, ""},
		{"overloaded a b wrong_arg", "(a, b, wrong_arg)", []string{"()", "()", "(a, b)", "(a, b, c)"}, DefaultScore, "(a, b, c)"},
		{"params A B C", "(A, B, C)", []string{"(data)"}, DefaultScore, ""},
		{"function unnamed_int_param", "unnamed_int_param", []string{"unnamed_text_param", "unnamed_json_param"}, NameScore, "unnamed_text_param"},
		// fuzzyset: a name equal but for case scores 1.
		{"case only", "PROJECTS", []string{"projects", "projectx"}, NameScore, "projects"},
		{"empty set", "projects", nil, DefaultScore, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := GetOne(tt.s, tt.candidates, tt.min)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("GetOne(%q, %q, %v) = %q, %v; want %q", tt.s, tt.candidates, tt.min, got, ok, tt.want)
			}
			// The order of the candidates does not change the answer.
			rev := slices.Clone(tt.candidates)
			slices.Reverse(rev)
			if got2, _ := GetOne(tt.s, rev, tt.min); got2 != got {
				t.Errorf("reversed candidates: %q, want %q", got2, got)
			}
		})
	}
}

func TestGet(t *testing.T) {
	// Scores are text-metrics' levenshteinNorm of the case-folded names.
	got := Get("projectx", []string{"projects", "project", "prospects", "zzz"}, DefaultScore)
	want := []Match{{7.0 / 8, "project"}, {7.0 / 8, "projects"}, {6.0 / 9, "prospects"}}
	if !slices.Equal(got, want) {
		t.Errorf("Get = %v, want %v", got, want)
	}
	// An exact match (case folded) is the only answer, scored 1, whatever
	// the minimum.
	if got := Get("Films", []string{"films", "film"}, 2); !slices.Equal(got, []Match{{1, "films"}}) {
		t.Errorf("Get exact = %v", got)
	}
	// Only names sharing an n-gram are scored: "-ab-" and "-ba-" share
	// no trigram and no bigram.
	if got := Get("ab", []string{"ba"}, 0); got != nil {
		t.Errorf("Get without a shared n-gram = %v, want none", got)
	}
}

func TestLevenshtein(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"kitten", "sitting", 3}, {"projectx", "projects", 1}, {"ünï", "uni", 2}} {
		if got := Levenshtein(tt.a, tt.b); got != tt.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
