package sqlgen_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// TestPrecomputedCall: the call the generator stores (FullCall) is the text
// Call renders for a request giving every parameter, with the same binds,
// and a request giving fewer or other parameters still renders its own.
func TestPrecomputedCall(t *testing.T) {
	fn := func() *contract.Function {
		return &contract.Function{Schema: "api", Name: "f", SQLName: `"api"."f"`, Params: []contract.Param{
			{Name: "a", SQLName: `"a"`, Type: "integer", Cast: "integer"},
			{Name: "b", SQLName: `"b"`, Type: "text", Cast: "text"},
		}, ReturnType: "integer", Scalar: true}
	}
	for _, raw := range []string{"a=1&b=x", "b=x&a=1", "a=1", "b=x&a=1&a=2", "a=1&b=x&select=f&f=gt.0"} {
		render := func(fn *contract.Function) (string, []any) {
			q, err := query.ParseCall(raw)
			if err != nil {
				t.Fatal(err)
			}
			var a sqlgen.Args
			sql := sqlgen.CallRows(&a, plan.PlanCall(fn, q, nil))
			return sql, a.Values()
		}
		plain := fn()
		pre := fn()
		pre.Call = sqlgen.FullCall(pre)
		if pre.Call != `"api"."f"("a" := $1::integer, "b" := $2::text)` {
			t.Fatalf("FullCall = %s", pre.Call)
		}
		wantSQL, wantArgs := render(plain)
		gotSQL, gotArgs := render(pre)
		if gotSQL != wantSQL || len(gotArgs) != len(wantArgs) {
			t.Errorf("%s: precomputed\n %s %v\nrendered\n %s %v", raw, gotSQL, gotArgs, wantSQL, wantArgs)
			continue
		}
		for i := range gotArgs {
			if gotArgs[i] != wantArgs[i] {
				t.Errorf("%s: bind $%d = %v, want %v", raw, i+1, gotArgs[i], wantArgs[i])
			}
		}
	}
	// Only a request giving every parameter in order is served by it.
	for raw, used := range map[string]bool{"a=1&b=x": true, "b=x&a=1": true, "a=1": false, "b=x": false} {
		marked := fn()
		marked.Call = sqlgen.FullCall(marked) + " /* generated */"
		q, err := query.ParseCall(raw)
		if err != nil {
			t.Fatal(err)
		}
		var a sqlgen.Args
		sql := sqlgen.CallRows(&a, plan.PlanCall(marked, q, nil))
		if got := strings.Contains(sql, "/* generated */"); got != used {
			t.Errorf("%s: generated call used = %v, want %v (%s)", raw, got, used, sql)
		}
	}
	v := fn()
	v.Params[1].Variadic = true
	if got := sqlgen.FullCall(v); got != "" {
		t.Errorf("FullCall with a variadic parameter = %q, want none", got)
	}
}

// TestPrecomputedReturning: a write renders the same statement with the
// generator's RETURNING lists as without them.
func TestPrecomputedReturning(t *testing.T) {
	for _, prefer := range []string{"return=representation", "return=headers-only", "return=minimal"} {
		render := func(pre bool) string {
			books, authors := mutateFixture()
			books.PrimaryKey = []string{"id"}
			if pre {
				books.Returning, books.KeyReturning = sqlgen.Returning(books), sqlgen.KeyReturning(books)
			}
			m := planMutate(t, books, &plan.Relations{Schema: "public", ByName: map[string]map[string]*contract.Relation{
				"books": {"public": books}, "authors": {"public": authors}}}, "POST", "/books", prefer, `{"title":"t","author_id":1}`)
			sql, _ := sqlgen.Mutate(m)
			return sql
		}
		if got, want := render(true), render(false); got != want {
			t.Errorf("%s: precomputed\n %s\nrendered\n %s", prefer, got, want)
		}
	}
}

// TestBodyConstants: the bodies Body returns as constants are the ones
// Aggregate writes for each JSON media type.
func TestBodyConstants(t *testing.T) {
	for _, c := range []struct {
		media            request.Media
		single, stripped bool
	}{
		{request.MediaJSON, false, false},
		{request.MediaObject, true, false},
		{request.MediaArrayStripped, false, true},
		{request.MediaObjectStripped, true, true},
	} {
		if got, want := sqlgen.Body(c.media), sqlgen.Aggregate("_postgrest_t", c.single, c.stripped); got != want {
			t.Errorf("Body(%v) = %s, want %s", c.media, got, want)
		}
	}
}

// QuoteIdent's shortcut for names without a quote or NUL must quote as pgx does.
func TestQuoteIdentAsPgx(t *testing.T) {
	for _, s := range []string{"", "id", "Name", "a b", `a"b`, `""`, "a\x00b", "ü", "a.b"} {
		if got, want := sqlgen.QuoteIdent(s), (pgx.Identifier{s}).Sanitize(); got != want {
			t.Errorf("QuoteIdent(%q) = %s, pgx %s", s, got, want)
		}
	}
}
