package restclient

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Selection is an item of a select list of relation R (a row type): a
// column or an embedded relation. The type parameter keeps one relation's
// columns out of another's query.
type Selection[R any] interface {
	selectItem(*R) string
}

// Field is a column of R whose values are T. Every column can be selected,
// ordered by, tested for null and set; Column and its kin add the filters
// that fit T.
type Field[R, T any] struct{ name string }

// NewField is used by generated code.
func NewField[R, T any](name string) Field[R, T] { return Field[R, T]{name} }

// Name is the column's SQL name.
func (f Field[R, T]) Name() string { return f.name }

func (f Field[R, T]) selectItem(*R) string { return fieldName(f.name) }

// As selects the column under another JSON key.
func (f Field[R, T]) As(alias string) Selection[R] {
	return aliased[R]{fieldName(alias) + ":" + fieldName(f.name)}
}

type aliased[R any] struct{ item string }

func (a aliased[R]) selectItem(*R) string { return a.item }

// Asc and Desc order by the column.
func (f Field[R, T]) Asc() Order[R]  { return Order[R]{col: f.name, dir: "asc"} }
func (f Field[R, T]) Desc() Order[R] { return Order[R]{col: f.name, dir: "desc"} }

// IsNull and NotNull test the column for SQL NULL.
func (f Field[R, T]) IsNull() Filter[R]  { return Filter[R]{col: f.name, op: "is", val: "null"} }
func (f Field[R, T]) NotNull() Filter[R] { return f.IsNull().Not() }

// Set assigns v to the column in an Update.
func (f Field[R, T]) Set(v T) Set[R] { return Set[R]{col: f.name, val: v} }

// SetNull assigns NULL to the column in an Update.
func (f Field[R, T]) SetNull() Set[R] { return Set[R]{col: f.name, val: nil} }

// Column is a column of R with comparable values T (numbers, strings,
// enums, booleans, times).
type Column[R, T any] struct{ Field[R, T] }

// NewColumn is used by generated code.
func NewColumn[R, T any](name string) Column[R, T] { return Column[R, T]{Field[R, T]{name}} }

func (c Column[R, T]) Eq(v T) Filter[R]  { return c.op("eq", v) }
func (c Column[R, T]) Neq(v T) Filter[R] { return c.op("neq", v) }
func (c Column[R, T]) Gt(v T) Filter[R]  { return c.op("gt", v) }
func (c Column[R, T]) Gte(v T) Filter[R] { return c.op("gte", v) }
func (c Column[R, T]) Lt(v T) Filter[R]  { return c.op("lt", v) }
func (c Column[R, T]) Lte(v T) Filter[R] { return c.op("lte", v) }

// In matches any of vs.
func (c Column[R, T]) In(vs ...T) Filter[R] {
	items := make([]string, len(vs))
	for i, v := range vs {
		items[i] = quote(format(v))
	}
	return Filter[R]{col: c.name, op: "in", val: "(" + strings.Join(items, ",") + ")", list: true}
}

func (c Column[R, T]) op(op string, v T) Filter[R] {
	return Filter[R]{col: c.name, op: op, val: format(v)}
}

// TextColumn is a text column: a Column with pattern matching.
type TextColumn[R any] struct{ Column[R, string] }

// NewTextColumn is used by generated code.
func NewTextColumn[R any](name string) TextColumn[R] {
	return TextColumn[R]{NewColumn[R, string](name)}
}

// Like and ILike match an SQL LIKE pattern ('*' may stand for '%'),
// ILike ignoring case; Match and IMatch a POSIX regular expression.
func (c TextColumn[R]) Like(pattern string) Filter[R]  { return c.op("like", pattern) }
func (c TextColumn[R]) ILike(pattern string) Filter[R] { return c.op("ilike", pattern) }
func (c TextColumn[R]) Match(re string) Filter[R]      { return c.op("match", re) }
func (c TextColumn[R]) IMatch(re string) Filter[R]     { return c.op("imatch", re) }

// ArrayColumn is an array column with elements E.
type ArrayColumn[R, E any] struct{ Field[R, []E] }

// NewArrayColumn is used by generated code.
func NewArrayColumn[R, E any](name string) ArrayColumn[R, E] {
	return ArrayColumn[R, E]{Field[R, []E]{name}}
}

// Contains matches arrays holding every one of vs (@>), ContainedBy arrays
// whose elements are all among vs (<@), Overlaps arrays sharing one (&&).
func (c ArrayColumn[R, E]) Contains(vs ...E) Filter[R]    { return c.op("cs", vs) }
func (c ArrayColumn[R, E]) ContainedBy(vs ...E) Filter[R] { return c.op("cd", vs) }
func (c ArrayColumn[R, E]) Overlaps(vs ...E) Filter[R]    { return c.op("ov", vs) }

// Eq matches arrays equal to vs.
func (c ArrayColumn[R, E]) Eq(vs ...E) Filter[R] { return c.op("eq", vs) }

func (c ArrayColumn[R, E]) op(op string, vs []E) Filter[R] {
	items := make([]string, len(vs))
	for i, v := range vs {
		items[i] = quote(format(v))
	}
	return Filter[R]{col: c.name, op: op, val: "{" + strings.Join(items, ",") + "}"}
}

// JSONColumn is a json or jsonb column.
type JSONColumn[R any] struct{ Field[R, json.RawMessage] }

// NewJSONColumn is used by generated code.
func NewJSONColumn[R any](name string) JSONColumn[R] {
	return JSONColumn[R]{Field[R, json.RawMessage]{name}}
}

// Contains matches jsonb values containing v encoded as JSON (@>);
// ContainedBy those contained in it (<@).
func (c JSONColumn[R]) Contains(v any) Filter[R]    { return c.op("cs", v) }
func (c JSONColumn[R]) ContainedBy(v any) Filter[R] { return c.op("cd", v) }

func (c JSONColumn[R]) op(op string, v any) Filter[R] {
	b, err := json.Marshal(v)
	return Filter[R]{col: c.name, op: op, val: string(b), err: err}
}

// Filter is a condition on rows of R: a column's, or several combined with
// Or and And, possibly negated.
type Filter[R any] struct {
	col, op, val string
	list         bool // val is an in-list, already quoted
	not          bool
	logic        string // "or" or "and" of sub
	sub          []Filter[R]
	err          error
}

// Not negates f.
func (f Filter[R]) Not() Filter[R] {
	f.not = !f.not
	return f
}

// Or matches rows matching f or any of others.
func (f Filter[R]) Or(others ...Filter[R]) Filter[R] {
	return Filter[R]{logic: "or", sub: append([]Filter[R]{f}, others...)}
}

// And matches rows matching f and all of others; inside an Or it groups.
func (f Filter[R]) And(others ...Filter[R]) Filter[R] {
	return Filter[R]{logic: "and", sub: append([]Filter[R]{f}, others...)}
}

func (f Filter[R]) negation() string {
	if f.not {
		return "not."
	}
	return ""
}

// param is f as a query parameter: col=[not.]op.value, or
// [not.]or=(…) for a logic tree.
func (f Filter[R]) param() (param, error) {
	if err := f.check(); err != nil {
		return param{}, err
	}
	if f.logic != "" {
		return param{f.negation() + f.logic, f.tree()}, nil
	}
	return param{fieldName(f.col), f.negation() + f.op + "." + f.val}, nil
}

func (f Filter[R]) check() error {
	if f.err != nil {
		return fmt.Errorf("filter on %s: %w", f.col, f.err)
	}
	for _, s := range f.sub {
		if err := s.check(); err != nil {
			return err
		}
	}
	return nil
}

// tree renders f inside a logic tree, where values are quoted so commas and
// parentheses in them cannot end an item.
func (f Filter[R]) tree() string {
	if f.logic != "" {
		items := make([]string, len(f.sub))
		for i, s := range f.sub {
			items[i] = s.treeItem()
		}
		return "(" + strings.Join(items, ",") + ")"
	}
	return ""
}

func (f Filter[R]) treeItem() string {
	if f.logic != "" {
		return f.negation() + f.logic + f.tree()
	}
	v := f.val
	if !f.list && f.op != "is" {
		v = quote(v)
	}
	return fieldName(f.col) + "." + f.negation() + f.op + "." + v
}

// Order is an ordering term of R.
type Order[R any] struct {
	col, dir, nulls string
}

// NullsFirst and NullsLast place NULLs explicitly.
func (o Order[R]) NullsFirst() Order[R] { o.nulls = "nullsfirst"; return o }
func (o Order[R]) NullsLast() Order[R]  { o.nulls = "nullslast"; return o }

func (o Order[R]) String() string {
	s := fieldName(o.col) + "." + o.dir
	if o.nulls != "" {
		s += "." + o.nulls
	}
	return s
}

// Set is an assignment of an Update.
type Set[R any] struct {
	col string
	val any
}

// Embed selects a related relation inside each row of R (PostgREST's
// resource embedding). Generated code makes them, one method per
// relationship.
type Embed[R any] struct {
	name, hint, alias string
	inner             bool
	items             []string
}

// NewEmbed is used by generated code: name is the embed's name (the target
// relation, or a computed relationship's function), hint the constraint or
// junction that disambiguates it, sel the target's columns (all when none).
func NewEmbed[R, T any](name, hint string, sel ...Selection[T]) Embed[R] {
	items := make([]string, len(sel))
	for i, s := range sel {
		items[i] = s.selectItem(nil)
	}
	return Embed[R]{name: name, hint: hint, items: items}
}

// As names the embed's JSON key.
func (e Embed[R]) As(alias string) Embed[R] { e.alias = alias; return e }

// Inner keeps only rows of R that have a related row (!inner).
func (e Embed[R]) Inner() Embed[R] { e.inner = true; return e }

func (e Embed[R]) selectItem(*R) string {
	var b strings.Builder
	if e.alias != "" {
		b.WriteString(fieldName(e.alias) + ":")
	}
	b.WriteString(fieldName(e.name))
	if e.hint != "" {
		b.WriteString("!" + fieldName(e.hint))
	}
	if e.inner {
		b.WriteString("!inner")
	}
	items := "*"
	if len(e.items) > 0 {
		items = strings.Join(e.items, ",")
	}
	b.WriteString("(" + items + ")")
	return b.String()
}

// fieldName writes a name for PostgREST's grammar: plain when it is a
// simple identifier, double-quoted otherwise.
func fieldName(s string) string {
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return quote(s)
	}
	if s == "" {
		return `""`
	}
	return s
}

// quote double-quotes a value for lists and logic trees, escaping
// backslashes and quotes.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// format writes a filter value as PostgreSQL reads it from text.
func format(v any) string {
	switch v := v.(type) {
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case json.RawMessage:
		return string(v)
	case []byte:
		return string(v)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case fmt.Stringer:
		return v.String()
	}
	// Numbers, booleans, strings and named string types (enums).
	return fmt.Sprint(v)
}
