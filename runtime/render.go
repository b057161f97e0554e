package runtime

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// builder renders one statement. Identifiers come from the relation's
// generated fragments (already quoted) or, for output keys chosen by the
// client, from quoteIdent; every value is a bind parameter.
type builder struct {
	rel  *Relation
	sql  strings.Builder
	args []any
	// qualify writes columns as "schema"."table"."col", where another FROM
	// item has the same column names (UPDATE … FROM the request body).
	qualify bool

	// Embedding (embed.go): alias names the current FROM item, node is
	// the current scope's embed and joinSQL its lateral joins; emb is
	// shared by all scopes, related finds embedded relations.
	alias   string
	node    *embedNode
	joinSQL []string
	emb     *embedState
	related *related
}

func (b *builder) param(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

// undefinedColumn is the error PostgreSQL itself gives for a column a
// relation does not have (PostgREST passes it through with status 400),
// with PostgreSQL's hint when a column's name is close: at most 3 edits
// away and no more than half the given name's length, the first such
// column in table order winning ties (parse_relation.c's rule).
func undefinedColumn(rel *Relation, name string) *apierr.Error {
	hint, best := "", 4
	for _, c := range rel.Columns {
		d := levenshtein(c.Name, name)
		if d < best && d <= len(name)/2 {
			best = d
			hint = fmt.Sprintf("Perhaps you meant to reference the column %q.", rel.Name+"."+c.Name)
		}
	}
	return apierr.New(http.StatusBadRequest, "42703",
		fmt.Sprintf("column %s.%s does not exist", rel.Name, name), "", hint)
}

// column resolves a name to its SQL expression and type: a column, or a
// computed field called with the row.
func (b *builder) column(name string) (expr, typ string, ok bool) {
	if col := b.rel.Column(name); col != nil {
		if q := b.qualifier(); q != "" {
			return q + "." + col.SQLName, col.Type, true
		}
		return col.SQLName, col.Type, true
	}
	for _, cf := range b.rel.Computed {
		if cf.Name == name {
			return cf.SQLName + "(" + b.rowRef() + ")", cf.Type, true
		}
	}
	return "", "", false
}

// field renders a column reference with an optional JSON path.
func (b *builder) field(f query.Field) (string, *apierr.Error) {
	expr, typ, ok := b.column(f.Name)
	if !ok {
		return "", undefinedColumn(b.rel, f.Name)
	}
	if len(f.Path) == 0 {
		return expr, nil
	}
	if typ != "json" && typ != "jsonb" {
		// Composite and array columns are walked as jsonb, as PostgREST does.
		expr = "to_jsonb(" + expr + ")"
	}
	for _, step := range f.Path {
		op := "->"
		if step.Arrow == "->>" {
			op = "->>"
		}
		if step.Index != nil {
			expr += op + b.param(*step.Index) + "::integer"
		} else {
			expr += op + b.param(step.Key) + "::text"
		}
	}
	return expr, nil
}

// outputKey is the JSON key of a selected field: its alias, else the last
// key (not index) of its JSON path, else the column name.
func outputKey(item query.SelectItem) string {
	if item.Alias != "" {
		return item.Alias
	}
	for i := len(item.Field.Path) - 1; i >= 0; i-- {
		if item.Field.Path[i].Index == nil {
			return item.Field.Path[i].Key
		}
	}
	return item.Field.Name
}

func (b *builder) selectList(items []query.SelectItem) (string, *apierr.Error) {
	if len(items) == 0 { // no select, or an empty one: every column
		return b.rel.SelectStar, nil
	}
	var parts []string
	for _, it := range items {
		switch {
		case it.Embed != nil:
			s, err := b.embedSelect(it.Embed)
			if err != nil {
				return "", err
			}
			if s != "" {
				parts = append(parts, s)
			}
			continue
		case it.Star:
			parts = append(parts, b.star())
			continue
		}
		expr, err := b.field(it.Field)
		if err != nil {
			return "", err
		}
		if it.Cast != "" {
			t, ok := castType(it.Cast)
			if !ok {
				return "", apierr.New(http.StatusBadRequest, "42704", fmt.Sprintf("type %q does not exist", it.Cast), "", "")
			}
			expr = "(" + expr + ")::" + t
		}
		key := outputKey(it)
		if col := b.rel.Column(key); col != nil && expr == col.SQLName {
			parts = append(parts, expr)
		} else {
			parts = append(parts, expr+" AS "+quoteIdent(key))
		}
	}
	if len(parts) == 0 {
		return "", nil
	}
	return strings.Join(parts, ", "), nil
}

// where renders AND-ed conditions.
func (b *builder) where(conds []query.Condition) (string, *apierr.Error) {
	var parts []string
	for _, c := range conds {
		s, err := b.condition(c)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " AND "), nil
}

func (b *builder) condition(c query.Condition) (string, *apierr.Error) {
	if c.Logic != nil {
		var parts []string
		for _, ch := range c.Logic.Children {
			s, err := b.condition(ch)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		joiner := " AND "
		if c.Logic.Op == "or" {
			joiner = " OR "
		}
		s := "(" + strings.Join(parts, joiner) + ")"
		if c.Logic.Negated {
			s = "NOT " + s
		}
		return s, nil
	}
	return b.filter(c.Filter)
}

// operators maps PostgREST's operator names to SQL.
var operators = map[string]string{
	"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=",
	"like": "LIKE", "ilike": "ILIKE", "match": "~", "imatch": "~*",
	"isdistinct": "IS DISTINCT FROM",
	"cs":         "@>", "cd": "<@", "ov": "&&", "sl": "<<", "sr": ">>", "nxr": "&<", "nxl": "&>", "adj": "-|-",
}

var ftsFunctions = map[string]string{
	"fts": "to_tsquery", "plfts": "plainto_tsquery", "phfts": "phraseto_tsquery", "wfts": "websearch_to_tsquery",
}

func (b *builder) filter(f *query.Filter) (string, *apierr.Error) {
	if s, ok, err := b.embedFilter(f); ok {
		return s, err
	}
	lhs, err := b.field(f.Field)
	if err != nil {
		return "", err
	}
	var s string
	switch f.Operator {
	case "is":
		v, ok := map[string]string{"null": "NULL", "not_null": "NOT NULL", "true": "TRUE", "false": "FALSE", "unknown": "UNKNOWN"}[strings.ToLower(f.Value)]
		if !ok {
			return "", apierr.ParseError("\"failed to parse filter (is."+f.Value+")\"", "")
		}
		s = lhs + " IS " + v
	case "in":
		// in.() parses as one empty item; PostgREST sends it as an empty array.
		items := f.List
		if len(items) == 1 && items[0] == "" {
			items = nil
		}
		if cast := b.filterCast(f.Field); cast != "" {
			s = lhs + " = ANY(ARRAY(SELECT " + cast + "(v) FROM unnest(" + b.param(arrayLiteral(items)) + "::text[]) AS v))"
		} else {
			s = lhs + " = ANY(" + b.param(arrayLiteral(items)) + ")"
		}
	case "fts", "plfts", "phfts", "wfts":
		fn := ftsFunctions[f.Operator]
		lang := ""
		if f.Language != "" {
			lang = b.param(f.Language) + "::regconfig, "
		}
		// Non-tsvector columns are wrapped in to_tsvector, in the query's
		// language when it names one, as PostgREST does (F-FILTER-32).
		if _, typ, _ := b.column(f.Field.Name); typ != "tsvector" {
			lhs = "to_tsvector(" + lang + lhs + ")"
		}
		s = lhs + " @@ " + fn + "(" + lang + b.param(f.Value) + ")"
	default:
		op, ok := operators[f.Operator]
		if !ok {
			return "", apierr.ParseError("\"failed to parse filter ("+f.Operator+")\"", "unknown operator "+f.Operator)
		}
		switch f.Quantifier {
		case "any", "all":
			// The value is the client's array literal, passed through as
			// PostgREST does; PostgreSQL parses it into the column's array type.
			s = lhs + " " + op + " " + strings.ToUpper(f.Quantifier) + "(" + b.param(f.Value) + ")"
		default:
			if cast := b.filterCast(f.Field); cast != "" {
				s = lhs + " " + op + " " + cast + "(" + b.param(f.Value) + "::text)"
			} else {
				s = lhs + " " + op + " " + b.param(f.Value)
			}
		}
	}
	if f.Negated {
		s = "NOT " + s
	}
	return s, nil
}

// filterCast is the domain cast a filter's value goes through: only for a
// plain column (no JSON path) whose domain has a text cast.
func (b *builder) filterCast(f query.Field) string {
	if len(f.Path) > 0 {
		return ""
	}
	if col := b.rel.Column(f.Name); col != nil {
		return col.FilterCast
	}
	return ""
}

// arrayLiteral writes items as a PostgreSQL array literal, sent as text so
// that PostgreSQL parses it into the column's array type.
func arrayLiteral(items []string) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, it := range items {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		for _, r := range it {
			if r == '"' || r == '\\' {
				sb.WriteByte('\\')
			}
			sb.WriteRune(r)
		}
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return sb.String()
}

func (b *builder) orderBy(terms []query.OrderTerm) (string, *apierr.Error) {
	var parts []string
	for _, t := range terms {
		var expr string
		var err *apierr.Error
		if t.Relation != "" {
			expr, err = b.relatedOrder(t)
		} else {
			expr, err = b.field(t.Field)
		}
		if err != nil {
			return "", err
		}
		if t.Desc {
			expr += " DESC"
		} else {
			expr += " ASC"
		}
		switch t.Nulls {
		case "first":
			expr += " NULLS FIRST"
		case "last":
			expr += " NULLS LAST"
		}
		parts = append(parts, expr)
	}
	return strings.Join(parts, ", "), nil
}

// castTypes are the types a select may cast to. Casts name types, which are
// SQL text: only these spellings are accepted, mapped to their canonical SQL.
var castTypes = map[string]string{
	"text": "text", "varchar": "varchar", "char": "char", "name": "name", "citext": "citext",
	"int": "integer", "integer": "integer", "int4": "integer", "smallint": "smallint", "int2": "smallint",
	"bigint": "bigint", "int8": "bigint", "numeric": "numeric", "decimal": "numeric",
	"real": "real", "float4": "real", "float8": "double precision", "double precision": "double precision",
	"bool": "boolean", "boolean": "boolean", "json": "json", "jsonb": "jsonb",
	"date": "date", "time": "time", "timetz": "timetz", "timestamp": "timestamp", "timestamptz": "timestamptz",
	"interval": "interval", "uuid": "uuid", "money": "money", "bytea": "bytea",
	"inet": "inet", "cidr": "cidr", "tsvector": "tsvector",
}

func castType(name string) (string, bool) {
	lower := strings.ToLower(strings.TrimSpace(name))
	arr := strings.HasSuffix(lower, "[]")
	t, ok := castTypes[strings.TrimSuffix(lower, "[]")]
	if arr {
		t += "[]"
	}
	return t, ok
}
