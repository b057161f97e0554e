package query

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// values turns "k=v&k2=v2" into url.Values without percent-decoding, so
// tests and fuzz inputs can hold any character but '&' literally.
func values(in string) url.Values {
	q := url.Values{}
	if in == "" {
		return q
	}
	for _, pair := range strings.Split(in, "&") {
		k, v, _ := strings.Cut(pair, "=")
		q.Add(k, v)
	}
	return q
}

func ptr[T any](v T) *T { return &v }

func col(name string, path ...PathStep) Field { return Field{Name: name, Path: path} }
func key(arrow, k string) PathStep            { return PathStep{Arrow: arrow, Key: k} }
func idx(arrow, k string, n int64) PathStep {
	return PathStep{Arrow: arrow, Key: k, Index: &n}
}
func item(name string) SelectItem { return SelectItem{Field: col(name)} }
func cond(f Filter) Condition     { return Condition{Filter: &f} }
func op(name, operator, value string) Condition {
	return cond(Filter{Field: col(name), Operator: operator, Value: value})
}
func logic(o string, negated bool, cs ...Condition) Condition {
	return Condition{Logic: &Logic{Op: o, Negated: negated, Children: cs}}
}
func where(cs ...Condition) *Request { return &Request{Where: cs} }
func sel(items ...SelectItem) *Request {
	if items == nil {
		items = []SelectItem{}
	}
	return &Request{Select: items}
}

// wantErr is the visible part of an *apierr.Error.
type wantErr struct {
	Status                 int
	Code, Message, Details string
}

func pgrst100(message, details string) *wantErr {
	return &wantErr{400, "PGRST100", message, details}
}

func visible(err error) *wantErr {
	var ae *apierr.Error
	if !errors.As(err, &ae) {
		return &wantErr{Code: "not an *apierr.Error: " + err.Error()}
	}
	w := &wantErr{Status: ae.Status, Code: ae.Code, Message: ae.Message}
	if ae.Details != nil {
		w.Details = *ae.Details
	}
	return w
}

type parseCase struct {
	name string
	in   string     // see values
	q    url.Values // instead of in, for values holding '&'
	want *Request
	err  *wantErr
}

var selectCases = []parseCase{
	{name: "no params", in: "", want: &Request{}},
	{name: "star", in: "select=*", want: sel(SelectItem{Star: true})},
	{name: "empty select", in: "select=", want: sel()},
	{name: "columns", in: "select=id,name", want: sel(item("id"), item("name"))},
	{name: "alias", in: "select=n:name", want: sel(SelectItem{Field: col("name"), Alias: "n"})},
	{name: "cast", in: "select=id::text", want: sel(SelectItem{Field: col("id"), Cast: "text"})},
	{name: "alias and cast", in: "select=n:id::double precision",
		want: sel(SelectItem{Field: col("id"), Alias: "n", Cast: "double precision"})},
	{name: "json path", in: "select=data->a->>b",
		want: sel(SelectItem{Field: col("data", key("->", "a"), key("->>", "b"))})},
	{name: "json index", in: "select=data->0,data->>-1",
		want: sel(SelectItem{Field: col("data", idx("->", "0", 0))}, SelectItem{Field: col("data", idx("->>", "-1", -1))})},
	{name: "json path alias cast", in: "select=x:data->a::int",
		want: sel(SelectItem{Field: col("data", key("->", "a")), Alias: "x", Cast: "int"})},
	{name: "json key with specials", q: url.Values{"select": {"data->!@#$%^&*_a"}},
		want: sel(SelectItem{Field: col("data", key("->", "!@#$%^&*_a"))})},
	{name: "quoted names", in: `select="my col","a,b":"x y",x:"a\"b\\c"`,
		want: sel(item("my col"), SelectItem{Field: col("x y"), Alias: "a,b"}, SelectItem{Field: col(`a"b\c`), Alias: "x"})},
	{name: "unicode, spaces and dashes", in: "select=naïve, 名前 ,first name,my-col",
		want: sel(item("naïve"), item("名前"), item("first name"), item("my-col"))},
	{name: "quoted star is a star", in: `select="*",x:"*"::text`,
		want: sel(SelectItem{Star: true}, SelectItem{Star: true, Alias: "x", Cast: "text"})},
	{name: "embeds", in: "select=*,actors(*),d:directors!fk_dir(id,name),films!inner(*),x!h!inner(*),y!inner!h(*),z!left(*)",
		want: sel(SelectItem{Star: true},
			SelectItem{Embed: &Embed{Name: "actors", Select: []SelectItem{{Star: true}}}},
			SelectItem{Embed: &Embed{Name: "directors", Alias: "d", Hint: "fk_dir", Select: []SelectItem{item("id"), item("name")}}},
			SelectItem{Embed: &Embed{Name: "films", Inner: true, Select: []SelectItem{{Star: true}}}},
			SelectItem{Embed: &Embed{Name: "x", Hint: "h", Inner: true, Select: []SelectItem{{Star: true}}}},
			SelectItem{Embed: &Embed{Name: "y", Hint: "h", Inner: true, Select: []SelectItem{{Star: true}}}},
			SelectItem{Embed: &Embed{Name: "z", Select: []SelectItem{{Star: true}}}})},
	{name: "spread and nesting", in: "select=...directors!fk(name,films(t:title,roles())),",
		err: pgrst100(`"failed to parse select parameter (...directors!fk(name,films(t:title,roles())),)" (line 1, column 46)`,
			`unexpected end of input expecting "...", field name (* or [a..z0..9_$]), "*" or "count()"`)},
	{name: "spread", in: "select=...directors!fk(name,films(t:title,roles()))",
		want: sel(SelectItem{Embed: &Embed{Name: "directors", Hint: "fk", Spread: true, Select: []SelectItem{
			item("name"),
			{Embed: &Embed{Name: "films", Select: []SelectItem{{Field: col("title"), Alias: "t"}, {Embed: &Embed{Name: "roles"}}}}},
		}}})},
	// PostgREST's JSON index must be followed by ->, ::, ., "," or the end, so
	// before ")" it is a key.
	{name: "index before paren is a key", in: "select=rel(data->0)",
		want: sel(SelectItem{Embed: &Embed{Name: "rel", Select: []SelectItem{{Field: col("data", key("->", "0"))}}}})},
	// PostgREST parses select without requiring the end of input.
	{name: "trailing garbage ignored", in: "select=id)x", want: sel(item("id"))},
	{name: "nothing parsable", in: "select=(x)", want: sel()},
	{name: "select is first wins", in: "select=a&select=b", want: sel(item("a"))},

	{name: "aggregate", in: "select=total.sum()", err: &wantErr{400, "PGRST123", "Use of aggregate functions is not allowed", ""}},
	{name: "count", in: "select=c:count()::int", err: &wantErr{400, "PGRST123", "Use of aggregate functions is not allowed", ""}},
	{name: "index out of int range", in: "select=data->3000000000",
		err: &wantErr{400, "22003", `value "+3000000000" is out of range for type integer`, ""}},
	{name: "bad json path", in: "select=data->>--34", err: pgrst100(
		`"failed to parse select parameter (data->>--34)" (line 1, column 9)`, `unexpected "-" expecting digit`)},
	{name: "reserved char in json key", q: url.Values{"select": {"data->(!@#$%^&*_d->>!@#$%^&*_e::integer"}}, err: pgrst100(
		`"failed to parse select parameter (data->(!@#$%^&*_d->>!@#$%^&*_e::integer)" (line 1, column 7)`,
		`unexpected "(" expecting "-", digit or any non reserved character different from: .,>()`)},
	{name: "bad char in embed", in: "select=id,clients(name[])", err: pgrst100(
		`"failed to parse select parameter (id,clients(name[]))" (line 1, column 16)`,
		`unexpected '[' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input`)},
	{name: "bad negative index", in: "select=data->>-78xy", err: pgrst100(
		`"failed to parse select parameter (data->>-78xy)" (line 1, column 11)`,
		`unexpected 'x' expecting digit, "->", "::", ".", "," or end of input`)},
	{name: "empty cast", in: "select=name::", err: pgrst100(
		`"failed to parse select parameter (name::)" (line 1, column 7)`, `unexpected end of input expecting letter or digit`)},
	{name: "hint on a column", in: "select=name!hint", err: pgrst100(
		`"failed to parse select parameter (name!hint)" (line 1, column 5)`,
		`unexpected '!' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input`)},
	{name: "unclosed quote", in: `select="abc`, err: pgrst100(
		`"failed to parse select parameter ("abc)" (line 1, column 5)`, `unexpected end of input expecting "\\" or "\""`)},
	{name: "non-ascii in details", in: "select=a,é(", err: pgrst100(
		`"failed to parse select parameter (a,é()" (line 1, column 5)`,
		`unexpected end of input expecting "...", field name (* or [a..z0..9_$]), "*", "count()" or ")"`)},
	{name: "tab column", in: "select=\ta!", err: pgrst100(
		`"failed to parse select parameter (`+"\t"+`a!)" (line 1, column 10)`,
		`unexpected '!' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input`)},
}

var filterCases = []parseCase{
	{name: "operators", in: "a=eq.1&b=neq.2&c=gt.3&d=gte.4&e=lt.5&f=lte.6&g=match.^a&h=imatch.b$&i=isdistinct.x",
		want: where(op("a", "eq", "1"), op("b", "neq", "2"), op("c", "gt", "3"), op("d", "gte", "4"), op("e", "lt", "5"),
			op("f", "lte", "6"), op("g", "match", "^a"), op("h", "imatch", "b$"), op("i", "isdistinct", "x"))},
	{name: "range and array operators", in: "a=cs.{1,2}&b=cd.{1}&c=ov.[1,5)&d=sl.(1,2)&e=sr.[3,4]&f=nxr.[1,2]&g=nxl.[1,2]&h=adj.[1,2)",
		want: where(op("a", "cs", "{1,2}"), op("b", "cd", "{1}"), op("c", "ov", "[1,5)"), op("d", "sl", "(1,2)"),
			op("e", "sr", "[3,4]"), op("f", "nxr", "[1,2]"), op("g", "nxl", "[1,2]"), op("h", "adj", "[1,2)"))},
	{name: "like stars", in: "a=like.*x*&b=ilike.A*", want: where(op("a", "like", "%x%"), op("b", "ilike", "A%"))},
	{name: "value keeps dots and is raw", in: "a=eq.1.5&b=eq.&c=eq.a,b)(\"", want: where(op("a", "eq", "1.5"), op("b", "eq", ""), op("c", "eq", `a,b)("`))},
	{name: "not", in: "a=not.eq.1&b=not.in.(1)&c=not.is.null",
		want: where(cond(Filter{Field: col("a"), Negated: true, Operator: "eq", Value: "1"}),
			cond(Filter{Field: col("b"), Negated: true, Operator: "in", List: []string{"1"}}),
			cond(Filter{Field: col("c"), Negated: true, Operator: "is", Value: "null"}))},
	{name: "is values", in: "a=is.null&b=is.NOT_NULL&c=is.True&d=is.false&e=is.unknown",
		want: where(op("a", "is", "null"), op("b", "is", "not_null"), op("c", "is", "true"), op("d", "is", "false"), op("e", "is", "unknown"))},
	{name: "in", in: `a=in.(1,2,"a,b","with \"quote\" and \\ backslash")`,
		want: where(cond(Filter{Field: col("a"), Operator: "in", List: []string{"1", "2", "a,b", `with "quote" and \ backslash`}}))},
	{name: "in empty", in: "a=in.()", want: where(cond(Filter{Field: col("a"), Operator: "in", List: []string{""}}))},
	{name: "in keeps blanks of raw items", in: `a=in.( 1 , 2)`,
		want: where(cond(Filter{Field: col("a"), Operator: "in", List: []string{"1 ", " 2"}}))},
	{name: "fts", in: "a=fts.cat&b=fts(french).chat&c=plfts.x y&d=phfts(english).a b&e=wfts.\"q\" -x",
		want: where(op("a", "fts", "cat"), cond(Filter{Field: col("b"), Operator: "fts", Language: "french", Value: "chat"}),
			op("c", "plfts", "x y"), cond(Filter{Field: col("d"), Operator: "phfts", Language: "english", Value: "a b"}),
			op("e", "wfts", `"q" -x`))},
	{name: "quantifiers", in: `a=eq(any).{1,2,3}&b=like(all).{a*,"*b c"}&c=gt(any).{1,NULL}&d=lt(all).x`,
		want: where(
			cond(Filter{Field: col("a"), Operator: "eq", Quantifier: "any", Value: "{1,2,3}", List: []string{"1", "2", "3"}}),
			cond(Filter{Field: col("b"), Operator: "like", Quantifier: "all", Value: `{a%,"%b c"}`, List: []string{"a%", "%b c"}}),
			cond(Filter{Field: col("c"), Operator: "gt", Quantifier: "any", Value: "{1,NULL}"}),
			cond(Filter{Field: col("d"), Operator: "lt", Quantifier: "all", Value: "x"}))},
	{name: "json path key", in: "data->>a=eq.x&data->0->b=gt.1",
		want: where( // ordered by key: '0' sorts before '>'
			cond(Filter{Field: col("data", idx("->", "0", 0), key("->", "b")), Operator: "gt", Value: "1"}),
			cond(Filter{Field: col("data", key("->>", "a")), Operator: "eq", Value: "x"}))},
	{name: "quoted reserved column", in: `"order"=eq.1&"a.b"=eq.2`, want: where(op("a.b", "eq", "2"), op("order", "eq", "1"))},
	{name: "is ignores what follows", in: "a=is.nullx", want: where(op("a", "is", "null"))},
	{name: "columns and on_conflict are not filters", in: "columns=a,b&on_conflict=id", want: &Request{}},

	{name: "no operator", in: "id=0", err: pgrst100(`"failed to parse filter (0)" (line 1, column 1)`,
		`unexpected "0" expecting "not" or operator (eq, gt, ...)`)},
	{name: "unknown operator", in: "id=val", err: pgrst100(`"failed to parse filter (val)" (line 1, column 1)`,
		`unexpected "v" expecting "not" or operator (eq, gt, ...)`)},
	{name: "empty fts language", in: "a=fts().value", err: pgrst100(`"failed to parse filter (fts().value)" (line 1, column 5)`,
		`unexpected ")" expecting operator (eq, gt, ...)`)},
	{name: "empty quantifier", in: "a=eq().value", err: pgrst100(`"failed to parse filter (eq().value)" (line 1, column 4)`,
		`unexpected ")" expecting operator (eq, gt, ...)`)},
	{name: "is with parens", in: "a=is().value", err: pgrst100(`"failed to parse filter (is().value)" (line 1, column 3)`,
		`unexpected "(" expecting operator (eq, gt, ...)`)},
	{name: "in without list", in: "a=in.1,2", err: pgrst100(`"failed to parse filter (in.1,2)" (line 1, column 4)`,
		`unexpected "1" expecting "("`)},
	{name: "is other value", in: "a=is.foo", err: pgrst100(`"failed to parse filter (is.foo)" (line 1, column 5)`,
		`unexpected "o" expecting isVal: (null, not_null, true, false, unknown)`)},
	{name: "is cut short", in: "a=is.nul", err: pgrst100(`"failed to parse filter (is.nul)" (line 1, column 7)`,
		`unexpected end of input expecting isVal: (null, not_null, true, false, unknown)`)},
	{name: "non-ascii shown as Haskell does", in: "a=é", err: pgrst100(`"failed to parse filter (é)" (line 1, column 1)`,
		`unexpected "\233" expecting "not" or operator (eq, gt, ...)`)},
	{name: "empty value", in: "a=", err: pgrst100(`"failed to parse filter ()" (line 1, column 1)`,
		`unexpected end of input expecting "not" or operator (eq, gt, ...)`)},
	{name: "bad key", in: ".a=eq.1", err: pgrst100(`"failed to parse tree path (.a)" (line 1, column 1)`,
		`unexpected "." expecting field name (* or [a..z0..9_$])`)},
}

var logicCases = []parseCase{
	{name: "or", in: "or=(a.eq.1,b.gt.2)", want: where(logic("or", false, op("a", "eq", "1"), op("b", "gt", "2")))},
	{name: "and", in: "and=(a.eq.1,b.lt.2)", want: where(logic("and", false, op("a", "eq", "1"), op("b", "lt", "2")))},
	{name: "not.or and not.and", in: "not.or=(a.eq.1)&not.and=(b.eq.2,c.eq.3)",
		want: where(logic("and", true, op("b", "eq", "2"), op("c", "eq", "3")), logic("or", true, op("a", "eq", "1")))},
	{name: "nested", in: "or=(a.eq.1,not.and(b.gt.1,c.lt.2),or(d.is.true))",
		want: where(logic("or", false, op("a", "eq", "1"),
			logic("and", true, op("b", "gt", "1"), op("c", "lt", "2")),
			logic("or", false, op("d", "is", "true"))))},
	{name: "quoted values", in: `or=(r.adj."[18,21)",r.cs."[30,35]",s.eq."a\"b")`,
		want: where(logic("or", false, op("r", "adj", "[18,21)"), op("r", "cs", "[30,35]"), op("s", "eq", `a"b`)))},
	{name: "lists and arrays", in: `or=(a.in.(1,"2,3"),t.cs.{a,b},t.eq(any).{x,y},a.not.like.*z)`,
		want: where(logic("or", false,
			cond(Filter{Field: col("a"), Operator: "in", List: []string{"1", "2,3"}}),
			op("t", "cs", "{a,b}"),
			cond(Filter{Field: col("t"), Operator: "eq", Quantifier: "any", Value: "{x,y}", List: []string{"x", "y"}}),
			cond(Filter{Field: col("a"), Negated: true, Operator: "like", Value: "%z"})))},
	{name: "json paths and fts", in: "and=(data->>a.eq.x,txt.fts(french).chat)",
		want: where(logic("and", false,
			cond(Filter{Field: col("data", key("->>", "a")), Operator: "eq", Value: "x"}),
			cond(Filter{Field: col("txt"), Operator: "fts", Language: "french", Value: "chat"})))},
	{name: "blanks", in: "or=( a.eq.1 , b.eq.2 )", want: where(logic("or", false, op("a", "eq", "1 "), op("b", "eq", "2 ")))},
	// PostgREST parses "or" + value, so this is a filter on a column "or".
	{name: "filter on column or", in: "or=.eq.1", want: where(op("or", "eq", "1"))},
	{name: "query order is kept by key", in: "b=eq.1&and=(a.eq.1)&a=eq.2",
		want: where(op("a", "eq", "2"), logic("and", false, op("a", "eq", "1")), op("b", "eq", "1"))},

	{name: "empty", in: "or=()", err: pgrst100(`"failed to parse logic tree (())" (line 1, column 4)`,
		`unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)`)},
	{name: "unquoted comma in in", in: "or=(id.in.1,2,id.eq.3)", err: pgrst100(
		`"failed to parse logic tree ((id.in.1,2,id.eq.3))" (line 1, column 10)`, `unexpected "1" expecting "("`)},
	{name: "misspelled operator", in: "and=(ord(id.eq.1,id.eq.1),id.eq.2)", err: pgrst100(
		`"failed to parse logic tree ((ord(id.eq.1,id.eq.1),id.eq.2))" (line 1, column 7)`, `unexpected "d" expecting "("`)},
	{name: "xor", in: "or=(id.eq.1,not.xor(id.eq.2,id.eq.3))", err: pgrst100(
		`"failed to parse logic tree ((id.eq.1,not.xor(id.eq.2,id.eq.3)))" (line 1, column 16)`,
		`unexpected "x" expecting logic operator (and, or)`)},
	{name: "reversed parens", in: "or=)(", err: pgrst100(`"failed to parse logic tree ()()" (line 1, column 3)`,
		`unexpected ")" expecting "("`)},
	{name: "bad logic key", in: ".or=(a.eq.1)", err: pgrst100(`"failed to parse logic path (.or)" (line 1, column 1)`,
		`unexpected "." expecting field name (* or [a..z0..9_$])`)},
}

var orderCases = []parseCase{
	{name: "order", in: "order=a.desc.nullslast,b,c.asc.nullsfirst",
		want: &Request{Order: []OrderTerm{{Field: col("a"), Desc: true, Nulls: "last"}, {Field: col("b")}, {Field: col("c"), Nulls: "first"}}}},
	{name: "json paths", in: "order=data->>a.desc,data->0, x ",
		want: &Request{Order: []OrderTerm{{Field: col("data", key("->>", "a")), Desc: true}, {Field: col("data", idx("->", "0", 0))}, {Field: col("x")}}}},
	{name: "related", in: "order=clients(name).desc,id",
		want: &Request{Order: []OrderTerm{{Relation: "clients", Field: col("name"), Desc: true}, {Field: col("id")}}}},

	{name: "bad direction", in: "order=id.ac", err: pgrst100(`"failed to parse order (id.ac)" (line 1, column 4)`,
		`unexpected "c" expecting "asc", "desc", "nullsfirst" or "nullslast"`)},
	{name: "direction too long", in: "order=id.descc", err: pgrst100(`"failed to parse order (id.descc)" (line 1, column 8)`,
		`unexpected 'c' expecting delimiter (.), "," or end of input`)},
	{name: "bad nulls", in: "order=id.nulsfist", err: pgrst100(`"failed to parse order (id.nulsfist)" (line 1, column 4)`,
		`unexpected "n" expecting "asc", "desc", "nullsfirst" or "nullslast"`)},
	{name: "nulls too long", in: "order=id.nullslasttt", err: pgrst100(`"failed to parse order (id.nullslasttt)" (line 1, column 13)`,
		`unexpected 't' expecting "," or end of input`)},
	{name: "nulls after dir too long", in: "order=id.asc.nullslasttt", err: pgrst100(`"failed to parse order (id.asc.nullslasttt)" (line 1, column 17)`,
		`unexpected 't' expecting "," or end of input`)},
	{name: "bad nulls after dir", in: "order=id.asc.nlsfst", err: pgrst100(`"failed to parse order (id.asc.nlsfst)" (line 1, column 8)`,
		`unexpected "l" expecting "nullsfirst" or "nullslast"`)},
	{name: "two related columns", in: "order=clients(name,id)", err: pgrst100(`"failed to parse order (clients(name,id))" (line 1, column 8)`,
		`unexpected '(' expecting letter, digit, "-", "->>", "->", delimiter (.), "," or end of input`)},
	{name: "empty", in: "order=", err: pgrst100(`"failed to parse order ()" (line 1, column 1)`,
		`unexpected end of input expecting field name (* or [a..z0..9_$])`)},
}

var rangeCases = []parseCase{
	{name: "limit offset", in: "limit=10&offset=5", want: &Request{Limit: &RangeParam{"10"}, Offset: &RangeParam{"5"}}},
	{name: "limit zero and blanks", in: "limit= 0 ", want: &Request{Limit: &RangeParam{"0"}}},
	{name: "negative offset", in: "offset=-4", want: &Request{Offset: &RangeParam{"-4"}}},
	{name: "last limit wins", in: "limit=1&limit=2", want: &Request{Limit: &RangeParam{"2"}}},
	// A negative limit is a range error, the runtime's (it depends on
	// offset= and the Range header).
	{name: "negative limit", in: "limit=-1", want: &Request{Limit: &RangeParam{"-1"}}},
	{name: "leading zeros", in: "limit=007&offset=-000", want: &Request{Limit: &RangeParam{"7"}, Offset: &RangeParam{"0"}}},
	// PostgREST reads limit and offset with readMaybe: what is not an
	// integer is no value, not an error; the param still counts as given.
	{name: "limit not a number", in: "limit=abc", want: &Request{Limit: &RangeParam{}}},
	{name: "offset with junk", in: "offset=1x&limit=2", want: &Request{Limit: &RangeParam{"2"}, Offset: &RangeParam{}}},
	{name: "empty limit is given", in: "limit=", want: &Request{Limit: &RangeParam{}}},
	{name: "plus sign", in: "limit=+5", want: &Request{Limit: &RangeParam{}}},
	{name: "double minus", in: "limit=--5", want: &Request{Limit: &RangeParam{}}},
	// Integers of any size, as PostgREST's Integer: never dropped.
	{name: "limit too big for int64", in: "limit=99999999999999999999", want: &Request{Limit: &RangeParam{"99999999999999999999"}}},
	{name: "offset at the int64 max", in: "offset=9223372036854775807", want: &Request{Offset: &RangeParam{"9223372036854775807"}}},
	{name: "offset past the int64 max", in: "offset=9223372036854775808", want: &Request{Offset: &RangeParam{"9223372036854775808"}}},
	{name: "far negative", in: "offset=-99999999999999999999", want: &Request{Offset: &RangeParam{"-99999999999999999999"}}},
}

// TestParseRawBareRangeKey: a limit or offset key without "=" is no param
// at all (PostgREST keeps only params with a value), unlike "limit=".
func TestParseRawBareRangeKey(t *testing.T) {
	got, err := ParseRaw("limit&offset&limit=")
	checkResult(t, got, err, &Request{Limit: &RangeParam{}}, nil)
}

var embedCases = []parseCase{
	{name: "embedded params", in: "actors.order=name.desc&actors.first_name=eq.x&actors.limit=1&actors.offset=2&actors.films.or=(a.eq.1)&actors.not.and=(b.eq.2)&actors.data->>k=like.*a",
		want: &Request{EmbedParams: []EmbedParam{
			{Path: []string{"actors"}, Kind: "filter", Key: "data->>k", Value: "like.*a"},
			{Path: []string{"actors", "films"}, Kind: "logic", Key: "or", Value: "(a.eq.1)"},
			{Path: []string{"actors"}, Kind: "filter", Key: "first_name", Value: "eq.x"},
			{Path: []string{"actors"}, Kind: "limit", Key: "limit", Value: "1"},
			{Path: []string{"actors"}, Kind: "logic", Key: "not.and", Value: "(b.eq.2)"},
			{Path: []string{"actors"}, Kind: "offset", Key: "offset", Value: "2"},
			{Path: []string{"actors"}, Kind: "order", Key: "order", Value: "name.desc"},
		}}},
	{name: "embedded filter is checked", in: "a.b=noop.0", err: pgrst100(`"failed to parse filter (noop.0)" (line 1, column 1)`,
		`unexpected "o" expecting "not" or operator (eq, gt, ...)`)},
	{name: "embedded order is checked", in: "a.order=x.y", err: pgrst100(`"failed to parse order (x.y)" (line 1, column 3)`,
		`unexpected "y" expecting "asc", "desc", "nullsfirst" or "nullslast"`)},
}

func TestParse(t *testing.T) {
	for _, group := range [][]parseCase{selectCases, filterCases, logicCases, orderCases, rangeCases, embedCases} {
		for _, tc := range group {
			t.Run(tc.name, func(t *testing.T) {
				q := tc.q
				if q == nil {
					q = values(tc.in)
				}
				got, err := Parse(q)
				checkResult(t, got, err, tc.want, tc.err)
			})
		}
	}
}

func checkResult(t *testing.T, got *Request, err error, want *Request, wantE *wantErr) {
	t.Helper()
	if wantE != nil {
		if err == nil {
			t.Fatalf("no error, got %+v", got)
		}
		if d := cmp.Diff(wantE, visible(err)); d != "" {
			t.Errorf("error (-want +got):\n%s", d)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error %+v", visible(err))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("request (-want +got):\n%s", d)
	}
}

func TestParseRaw(t *testing.T) {
	for _, tc := range []parseCase{
		{name: "query order kept", in: "b=eq.1&or=(a.eq.1)&a=eq.2",
			want: where(op("b", "eq", "1"), logic("or", false, op("a", "eq", "1")), op("a", "eq", "2"))},
		{name: "decoding and separators", in: "?a=eq.x+y;b=eq.%2B%zz&c=like.100%25",
			want: where(op("a", "eq", "x y"), op("b", "eq", "+%zz"), op("c", "like", "100%"))},
		{name: "bare keys", in: "a&select&&order", want: &Request{}},
		{name: "bare select means star even if repeated", in: "select&select=a", want: &Request{}},
		{name: "first top-level order wins", in: "order=a&order=b.desc",
			want: &Request{Order: []OrderTerm{{Field: col("a")}}}},
		{name: "order errors before filters", in: "a=x&order=.", err: pgrst100(`"failed to parse order (.)" (line 1, column 1)`,
			`unexpected "." expecting field name (* or [a..z0..9_$])`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRaw(tc.in)
			checkResult(t, got, err, tc.want, tc.err)
		})
	}
}

func TestArrayItems(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"{}", []string{}, true},
		{" { a , b c ,\"d,\\\"e\" } ", []string{"a", "b c", `d,"e`}, true},
		{`{a\,b,c\ }`, []string{"a,b", "c "}, true},
		{`{"NULL",x}`, []string{"NULL", "x"}, true},
		{"{NULL}", nil, false},
		{"{{1},{2}}", nil, false},
		{"{a,}", nil, false},
		{`{"a"b}`, nil, false},
		{"[1:2]={1,2}", nil, false},
		{"x", nil, false},
	} {
		got, ok := arrayItems(tc.in)
		if ok != tc.ok || !cmp.Equal(got, tc.want) {
			t.Errorf("arrayItems(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestHaskellShow(t *testing.T) {
	for in, want := range map[string]string{
		"a": `"a"`, `"`: `"\""`, `\`: `"\\"`, "é": `"\233"`, "\n": `"\n"`, "\x7f": `"\DEL"`,
		"\x00": `"\NUL"`, "é1": `"\233\&1"`, "\x0eH": `"\SO\&H"`,
	} {
		if got := hsShowString(in); got != want {
			t.Errorf("hsShowString(%q) = %s, want %s", in, got, want)
		}
	}
	if got := hsShowChar('\''); got != `'\''` {
		t.Errorf("hsShowChar(') = %s", got)
	}
	if got := hsShowChar('"'); got != `'"'` {
		t.Errorf(`hsShowChar(") = %s`, got)
	}
}

// TestDeepNesting guards against pathological inputs: deep trees must parse
// or fail cleanly.
func TestDeepNesting(t *testing.T) {
	const depth = 5000
	sel := strings.Repeat("a(", depth) + "*" + strings.Repeat(")", depth)
	if _, err := Parse(url.Values{"select": {sel}}); err != nil {
		t.Fatalf("deep select: %v", err)
	}
	tree := "(" + strings.Repeat("or(", depth) + "a.eq.1" + strings.Repeat(")", depth) + ")"
	if _, err := Parse(url.Values{"or": {tree}}); err != nil {
		t.Fatalf("deep logic: %v", err)
	}
}

func ptr64(n int64) *int64 { return &n }

// TestParseCall: a GET call's operator-less params are arguments (F-RPC-02,
// F-RPC-08); operator expressions stay filters on the result (F-FILTER-38);
// a value that fails as an operator after consuming input is an error, as
// in PostgREST (Parsec's <|> does not backtrack).
func TestParseCall(t *testing.T) {
	for _, tc := range []struct {
		in      string
		args    []Arg
		where   []Condition
		errCode string
	}{
		{in: "a=1&b=2", args: []Arg{{"a", "1"}, {"b", "2"}}},
		{in: "v=1&v=2&v=3", args: []Arg{{"v", "1"}, {"v", "2"}, {"v", "3"}}},
		{in: "arr=%7B1,2%7D&name=", args: []Arg{{"arr", "{1,2}"}, {"name", ""}}},
		{in: "a=1&id=gt.2", args: []Arg{{"a", "1"}}, where: []Condition{op("id", "gt", "2")}},
		{in: "a=equal&b=ink&c=isdistinct&d=isdistinct.x", args: []Arg{{"a", "equal"}, {"b", "ink"}, {"c", "isdistinct"}}, where: []Condition{op("d", "isdistinct", "x")}},
		{in: "bare&select=id&limit=1&order=id", args: nil},
		{in: "a=not.x", errCode: "PGRST100"},
		{in: "a=in.x", errCode: "PGRST100"},
		{in: "a=is.x", errCode: "PGRST100"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			req, err := ParseCall(tc.in)
			if tc.errCode != "" {
				var ae *apierr.Error
				if !errors.As(err, &ae) || ae.Code != tc.errCode {
					t.Fatalf("err = %v, want %s", err, tc.errCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.args, req.Args); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.where, req.Where); diff != "" {
				t.Errorf("where (-want +got):\n%s", diff)
			}
		})
	}
	// Outside a call the same params are filters, and bad ones.
	if _, err := ParseRaw("a=1"); err == nil {
		t.Error("ParseRaw(a=1) parsed; want a filter error")
	}
}

// TestParseAggregates reads aggregates with db-aggregates-enabled: the
// function, the casts before and after it, aliases, count() as a star.
func TestParseAggregates(t *testing.T) {
	agg := func(it SelectItem, fn, cast string) SelectItem {
		it.Aggregate, it.AggregateCast = fn, cast
		return it
	}
	for _, tc := range []parseCase{
		{name: "each function", in: "select=a.sum(),a.avg(),a.max(),a.min(),a.count()",
			want: sel(agg(item("a"), "sum", ""), agg(item("a"), "avg", ""), agg(item("a"), "max", ""),
				agg(item("a"), "min", ""), agg(item("a"), "count", ""))},
		{name: "bare count", in: "select=count()", want: sel(SelectItem{Star: true, Aggregate: "count"})},
		{name: "bare count alias and cast", in: "select=n:count()::text",
			want: sel(SelectItem{Star: true, Alias: "n", Aggregate: "count", AggregateCast: "text"})},
		{name: "casts and alias", in: "select=t:amount::int.sum()::text,day",
			want: sel(SelectItem{Field: col("amount"), Alias: "t", Cast: "int", Aggregate: "sum", AggregateCast: "text"}, item("day"))},
		{name: "json path", in: "select=data->>k::integer.avg()",
			want: sel(SelectItem{Field: col("data", key("->>", "k")), Cast: "integer", Aggregate: "avg"})},
		{name: "inside an embed and a spread", in: "select=rel(a.max()),...other(count())",
			want: sel(SelectItem{Embed: &Embed{Name: "rel", Select: []SelectItem{agg(item("a"), "max", "")}}},
				SelectItem{Embed: &Embed{Name: "other", Spread: true, Select: []SelectItem{{Star: true, Aggregate: "count"}}}})},
		{name: "legacy count is a column", in: "select=count", want: sel(item("count"))},
		// PostgREST reads sum() as an embed of a relation named sum (its
		// planner answers PGRST200); only count() is kept from relations.
		{name: "sum without a column is an embed", in: "select=sum()",
			want: sel(SelectItem{Embed: &Embed{Name: "sum"}})},
		{name: "unknown function", in: "select=a.median()", err: pgrst100(
			`"failed to parse select parameter (a.median())" (line 1, column 3)`, `unexpected "m" expecting "sum", "avg", "count", "max" or "min"`)},
		{name: "no parens", in: "select=a.sum", err: pgrst100(
			`"failed to parse select parameter (a.sum)" (line 1, column 6)`, `unexpected end of input expecting "()"`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRawWith(tc.in, Options{Aggregates: true})
			checkResult(t, got, err, tc.want, tc.err)
		})
	}
}
