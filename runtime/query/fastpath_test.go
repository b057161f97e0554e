package query

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fastSeeds are values and keys for FuzzFastPath: the load-test workloads'
// parts and near misses of the forms the fast path accepts.
var fastSeeds = []string{
	"id,sku,name,category_id,price,stock", "eq.3", "lt.500", "price.desc", "25", "eq.42",
	"id,status,created_at,total,customer:customers(id,name,email),items:order_items(product_id,quantity,unit_price)",
	"created_at.desc", "category_id", "customer_id",
	"a-b", "a b", " a", "a ", "a,", ",a", "a,,b", `"a"`, "a::int", "a::int::text", "a::", "a:::b", "a:b:c",
	"a:", ":a", "a:*", "*", "*,a", "a,*", "**", "*::int", "a(*)", "a()", "a(b", "a(b))", "a(b)c", "a(b),c",
	"a(b(c,d),e)", "count", "count()", "a:count(b)", "count:a(b)", "a:count", "count::int", "a.sum()", "sum()",
	"a!hint(b)", "...a(b)", "a->b", "a->>b", "a->0", "a.desc.nullsfirst", "a.DESC", "a.asc.desc",
	"a.nullslast", "a.nullsfirst.desc", "a.descx", "a.desc,", "a(b).desc", "a.asc,b.desc.nullslast",
	"eq.", "eq", "not.eq.1", "not.not.eq.1", "not.", "noteq.1", "eq(any).{1}", "eq(all).{1,2}", "gte.1",
	"gtx.1", "neq.a b", "lte.", "lt.-1", "in.(1,2)", "is.NULL", "is.Null", "is.not_null", "is.nullx",
	"is.null ", "is.unknown", "is.unKnown", "is.unK\u212anown", "is.x", "isdistinct.1", "like.*x*",
	"ilike.a*b", "like(any).{*a}", "fts.x", "cs.{a,b}", "match.a", "not.is.true", "",
	"näme", "näme.desc", "$x", "1a", "_", "a\u00a0", "a\u3000b", "a\xffb", "data", "select", "order",
	"limit", "offset", "not", "and", "or", "a.b", "a.b.c",
}

// fastCases are one-param requests that put in at every place the fast
// path reads: select, order, a filter's value (top-level, embedded) and a
// filter's, order's or range's key.
func fastCases(in string) [][]param {
	one := func(k, v string) []param { return []param{{key: k, value: v, hasValue: true}} }
	return [][]param{
		one("select", in), one("order", in), one("a", in), one("r.a", in),
		one(in, "eq.1"), one(in, "x"), one(in, in), one("limit", in),
		{{key: "select", value: "id," + in + ",x", hasValue: true}},
		{{key: "select", value: "r(" + in + ")", hasValue: true}},
		{{key: "order", value: "id," + in, hasValue: true}},
	}
}

// checkFast compares the fast path with the full grammar directly, where
// it accepts, and whole parses with and without it on the fastCases.
func checkFast(t *testing.T, in string) {
	t.Helper()
	if items, ok := fastSelect(in, nil); ok {
		want := []SelectItem{}
		s := &pstate{src: in}
		if !s.fieldForest(&want) || s.aggregate || s.bigIndex != "" {
			t.Fatalf("fastSelect(%q) accepts what the grammar refuses or flags", in)
		}
		if d := cmp.Diff(want, items); d != "" {
			t.Fatalf("fastSelect(%q) (-grammar +fast):\n%s", in, d)
		}
	}
	if terms, ok := fastOrder(in, nil); ok {
		var want []OrderTerm
		s := &pstate{src: in}
		if !s.order(&want) || s.bigIndex != "" {
			t.Fatalf("fastOrder(%q) accepts what the grammar refuses", in)
		}
		if d := cmp.Diff(want, terms); d != "" {
			t.Fatalf("fastOrder(%q) (-grammar +fast):\n%s", in, d)
		}
	}
	if f := (Filter{}); fastFilter(in, &f) {
		var want Filter
		s := &pstate{src: in}
		if !s.opExpr(false, &want) {
			t.Fatalf("fastFilter(%q) accepts what the grammar refuses", in)
		}
		if d := cmp.Diff(want, f); d != "" {
			t.Fatalf("fastFilter(%q) (-grammar +fast):\n%s", in, d)
		}
	}
	if isPlainName(in) {
		var path []string
		var f Field
		var last int
		s := &pstate{src: in}
		if !s.treePath(&path, &f, &last) || path != nil || f.Name != in || f.Path != nil || last != 0 || s.bigIndex != "" {
			t.Fatalf("isPlainName(%q) but treePath reads %v %+v %d", in, path, f, last)
		}
	}
	for _, ps := range fastCases(in) {
		checkParamsFast(t, ps)
	}
}

// checkParamsFast parses ps with and without the fast path, as a read and
// as a call, with and without aggregates, and wants the same outcome.
func checkParamsFast(t *testing.T, ps []param) {
	t.Helper()
	for _, call := range []bool{false, true} {
		for _, o := range []Options{{}, {Aggregates: true}} {
			fast, fastErr := parseParams(clone(ps), call, o, true)
			full, fullErr := parseParams(clone(ps), call, o, false)
			if d := cmp.Diff(full, fast); d != "" {
				t.Fatalf("params %+v call %v %+v: request (-full +fast):\n%s", ps, call, o, d)
			}
			if (fastErr == nil) != (fullErr == nil) {
				t.Fatalf("params %+v call %v %+v: fast error %v, full error %v", ps, call, o, fastErr, fullErr)
			}
			if fastErr != nil {
				if d := cmp.Diff(visible(fullErr), visible(fastErr)); d != "" {
					t.Fatalf("params %+v call %v %+v: error (-full +fast):\n%s", ps, call, o, d)
				}
			}
		}
	}
}

func clone(ps []param) []param { return append([]param(nil), ps...) }

func TestFastPath(t *testing.T) {
	for _, in := range fastSeeds {
		checkFast(t, in)
	}
}

// FuzzFastPath checks that whatever the fast path accepts, anywhere, the
// full grammar reads the same, and that whole parses agree.
func FuzzFastPath(f *testing.F) {
	for _, in := range fastSeeds {
		f.Add(in)
	}
	for _, in := range modeSeeds() {
		f.Add(in)
	}
	f.Fuzz(checkFast)
}

// TestFastPathParseRaw parses the table tests, the benchmarks' query
// strings and the fuzz corpora with and without the fast path.
func TestFastPathParseRaw(t *testing.T) {
	raws := []string{
		"id=eq.42",
		"select=id,sku,name,category_id,price,stock&category_id=eq.3&price=lt.500&order=price.desc&limit=25",
		"select=id,status,created_at,total,customer:customers(id,name,email),items:order_items(product_id,quantity,unit_price)&customer_id=eq.77&order=created_at.desc&limit=10",
		"select=id,n:name,price::numeric,data->>kind,x:data->a->0::int,actors!inner(id,first_name),...dir(name)",
		"or=(a.eq.1,and(b.gt.2,c.is.null),not.or(d.in.(1,2,3),e.like.*x*),f.cs.{a,b})",
		"order=title.desc.nullslast,id,data->>k.asc,rel(name).desc",
		"select=id,title,data->>kind&title=ilike.*star*&id=gt.10&tags=cs.{a,b}&order=title.desc.nullslast,id&limit=20&offset=40",
		"select=id,clients(name[])",
		"b=eq.1&or=(a.eq.1)&a=eq.2", "?a=eq.x+y;b=eq.%2B%zz&c=like.100%25", "a&select&&order",
		"select&select=a", "order=a&order=b.desc", "a=x&order=.",
		"a=1&b=2", "a=1&id=gt.2", "a=equal&b=ink&c=isdistinct&d=isdistinct.x", "bare&select=id&limit=1&order=id",
		"a=not.x", "a=in.x", "a=is.x", "select=a.sum(),count()", "select=count", "select=sum()",
	}
	raws = append(raws, corpus(t)...)
	var qs [][]param
	for _, group := range [][]parseCase{selectCases, filterCases, logicCases, orderCases, rangeCases, embedCases} {
		for _, tc := range group {
			if tc.q != nil {
				qs = append(qs, sortedParams(tc.q))
				continue
			}
			raws = append(raws, tc.in)
			qs = append(qs, sortedParams(values(tc.in)))
		}
	}
	for _, raw := range raws {
		qs = append(qs, split(raw))
	}
	for _, ps := range qs {
		checkParamsFast(t, ps)
	}
}

// corpus is every string input of the fuzz corpora in testdata.
func corpus(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			lit, ok := strings.CutPrefix(line, "string(")
			if !ok {
				continue
			}
			s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out = append(out, s)
		}
	}
	return out
}

// TestFastPathAccepts: the load-test workloads' parts take the fast path,
// so a change that makes it decline them shows here, not only in benchmarks.
func TestFastPathAccepts(t *testing.T) {
	for _, v := range []string{
		"id,sku,name,category_id,price,stock", "*", "n:name,price::numeric",
		"id,status,created_at,total,customer:customers(id,name,email),items:order_items(product_id,quantity,unit_price)",
	} {
		if _, ok := fastSelect(v, nil); !ok {
			t.Errorf("fastSelect(%q) declines", v)
		}
	}
	for _, v := range []string{"price.desc", "created_at.desc", "a,b.asc.nullslast"} {
		if _, ok := fastOrder(v, nil); !ok {
			t.Errorf("fastOrder(%q) declines", v)
		}
	}
	for _, v := range []string{"eq.42", "eq.3", "lt.500", "not.ilike.*x*", "is.NULL"} {
		if !fastFilter(v, &Filter{}) {
			t.Errorf("fastFilter(%q) declines", v)
		}
	}
	for _, k := range []string{"id", "category_id", "näme", "limit"} {
		if !isPlainName(k) {
			t.Errorf("isPlainName(%q) is false", k)
		}
	}
}
