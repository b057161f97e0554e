// Package query parses PostgREST's URL query grammar (select, filters, logic
// trees, order, limit/offset) into an AST. It is a pure parser: it knows
// nothing of tables or SQL, so column validation and rendering live elsewhere.
//
// Errors mimic PostgREST byte for byte where PostgREST's Parsec grammar
// defines them, because clients match on those texts.
package query

// Request is the parsed query string of a read.
type Request struct {
	// Select is nil when the select param is absent (meaning *), and empty
	// but non-nil for "select=".
	Select []SelectItem
	// Where holds the top-level conditions, AND-ed. Parse orders them by key
	// (url.Values has no order), ParseRaw in query order.
	Where []Condition
	Order []OrderTerm
	// Limit and Offset are the top-level limit= and offset= (the last with
	// a value of each), nil when absent. How they combine with each other
	// and with a Range header is PostgREST's getRanges, in the runtime.
	Limit, Offset *RangeParam
	// EmbedParams are the params aimed at embedded resources
	// (actors.order=..., actors.first_name=eq.x), kept raw for the embedding
	// feature. Their syntax is already checked, as PostgREST does up front.
	EmbedParams []EmbedParam
	// Args are the arguments of a function call read from the query string
	// (ParseCall only), in query order; a repeated name repeats.
	Args []Arg
}

// RangeParam is a top-level limit= or offset= value. Int is the integer it
// reads as, in canonical decimal, of any size (PostgREST reads an unbounded
// Integer, so a value beyond int64 is a value, not junk); "" when it does
// not read as one, which PostgREST takes as 0 or as no bound.
type RangeParam struct {
	Int string
}

// Arg is one name=value argument of a function call.
type Arg struct {
	Name, Value string
}

// Field is a column, optionally followed by a JSON path (data->a->>b).
type Field struct {
	Name string
	Path []PathStep
}

// PathStep is one JSON operator application.
type PathStep struct {
	Arrow string // "->" or "->>"
	// Key is the object key, or the integer's text ("0", "-1") when Index is set.
	Key string
	// Index is set when the operand is an integer (data->0), which PostgreSQL
	// must receive as an int to index arrays.
	Index *int64
}

// SelectItem is one element of select=.
type SelectItem struct {
	// Star is *; Field is then empty. A quoted "*" is a star too, as in
	// PostgREST, and may carry an alias or cast.
	Star  bool
	Field Field
	// Alias is the explicit alias only; a JSON path's default output name
	// (its last key) is the renderer's business.
	Alias string
	Cast  string
	// Aggregate is the aggregate function applied to the field (after
	// Cast): sum, avg, count, max or min; "" for none. count() is a Star
	// with Aggregate count.
	Aggregate string
	// AggregateCast is the type the aggregate's result is cast to.
	AggregateCast string
	// Embed is set for rel(...), alias:rel!hint!inner(...) and ...rel(...);
	// the other fields are then empty.
	Embed *Embed
}

// Embed is an embedded resource in select=.
type Embed struct {
	Name   string
	Alias  string
	Hint   string // !hint: foreign key, column or table that disambiguates
	Inner  bool   // !inner join; !left and no join type both mean left
	Spread bool   // ...rel(...)
	Select []SelectItem
}

// Condition is a filter or a logic tree: exactly one of Filter / Logic is set.
type Condition struct {
	Filter *Filter
	Logic  *Logic
}

// Filter is col=[not.]op[(modifier)].value.
type Filter struct {
	Field   Field
	Negated bool // not.
	// Operator is one of eq, neq, gt, gte, lt, lte, like, ilike, match,
	// imatch, in, is, isdistinct, fts, plfts, phfts, wfts, cs, cd, ov, sl,
	// sr, nxr, nxl, adj.
	Operator string
	// Quantifier is "", "any" or "all" (eq(any).{a,b}); only the operators
	// eq, gt, gte, lt, lte, like, ilike, match and imatch take one.
	Quantifier string
	Language   string // fts(french): text search configuration
	// Value is the raw value. For like/ilike every * is already %. For is
	// it is one of null, not_null, true, false, unknown (lower-cased). Under
	// a quantifier it is the raw array literal ({a,b}), which PostgREST hands
	// to PostgreSQL as is. Empty for in.
	Value string
	// List holds the items of in.(...) (in.() gives one empty item, which
	// PostgREST renders as an empty array). Under a quantifier it holds the
	// items of Value when Value is a plain one-dimensional array literal
	// without NULL items, else nil and Value must be used.
	List []string
}

// Logic is and=(...), or=(...), not.and=(...), not.or=(...) or a nested
// and(...)/or(...) inside one.
type Logic struct {
	Op       string // "and" | "or"
	Negated  bool
	Children []Condition
}

// OrderTerm is one element of order=.
type OrderTerm struct {
	// Relation is set for rel(col).desc: ordering by a column of an embedded
	// to-one resource.
	Relation string
	Field    Field
	Desc     bool
	Nulls    string // "", "first", "last"
}

// EmbedParam is a param on an embedded resource, kept raw for later.
type EmbedParam struct {
	Path []string // embed path, unquoted: ["actors"] for actors.order
	// Kind is "order", "limit", "offset", "logic" or "filter".
	Kind string
	// Key is what follows the path: "order", "limit" or "offset"; for
	// logic the operator PostgREST prefixes to Value to parse it as a tree
	// ("or", "and", "not.or", "not.and"; odd keys can give other text); for
	// a filter the raw column text (first_name, data->>a).
	Key   string
	Value string
}
