package contract

// Generated code spells these types as keyed composite literals, fields in
// declaration order and zero values left out (generator/emit prints them by
// reflection), so the order of fields here is the order a reviewer reads.

// Relation describes a table or view to the runtime. Generated code builds one
// per relation; the runtime validates requests against it and renders SQL only
// from its fragments, which the generator has already quoted.
type Relation struct {
	Schema string
	Name   string
	// Kind is "table", "partitioned_table", "view", "materialized_view" or
	// "foreign_table".
	Kind string
	// SQLName is the quoted, schema-qualified name: "public"."films".
	SQLName string
	// SelectStar is the quoted column list that "*" stands for.
	SelectStar string
	// OutputStar is what "*" stands for in a response: SelectStar with the
	// columns that have a domain representation formatted by it
	// ("public"."json"("hue") AS "hue"). "" when no column has one.
	OutputStar string
	// Returning is the RETURNING list of a write answered with its rows
	// (every column, qualified); KeyReturning the primary key's, for
	// return=headers-only. Both are rendered by sqlgen.Returning at
	// generation, so no request builds them; "" renders them per request.
	Returning    string
	KeyReturning string
	Columns      []Column
	// RowRef refers to a whole row in the FROM clause (quoted name); the
	// argument computed fields are called with.
	RowRef string
	// Computed are functions of the relation's row served as virtual
	// columns: selectable by name, filterable and orderable, never in *.
	Computed   []Computed
	PrimaryKey []string
	Insertable bool
	Updatable  bool
	Deletable  bool

	// Relationships are the relations of the same schema this one can
	// embed, in PostgREST's order (see relationship.go).
	Relationships []Relationship

	// MediaHandlers are the handler aggregates taking this relation's row
	// type, by media type: they win over the anyelement ones
	// (Schema.MediaHandlers) when the request selects the default columns.
	MediaHandlers []MediaHandler
}

// MediaHandler is an aggregate of one argument returning a domain named
// after a media type (PostgREST's media type handlers): applied to the
// selected rows, it is the body of that media type.
type MediaHandler struct {
	// Schema is the aggregate's schema.
	Schema string
	// MediaType is the media type it serves, lower-case ("*/*": any).
	MediaType string
	// ContentType is the Content-Type of its answers (a function may
	// replace it through response.headers).
	ContentType string
	// Aggregate is the quoted, schema-qualified aggregate.
	Aggregate string
	// RowType is the quoted relation whose row type the aggregate takes,
	// the rows being cast to it; "" for anyelement.
	RowType string
	// Binary says its domain is over bytea: the body is its bytes.
	Binary bool
}

// Column describes a column to the runtime.
type Column struct {
	Name string
	// SQLName is the quoted column name: "id".
	SQLName string
	// Type is the column type as format_type prints it ("integer", "text[]").
	Type     string
	Nullable bool
	// Default is the column's default expression (pg_get_expr), used by
	// Prefer: missing=default; "" for none.
	Default string
	// FilterCast, OutputCast and BodyCast are the quoted functions of the
	// implicit casts of a domain-typed column's domain (PostgREST's domain
	// representations), "" for none: text → domain parses filter values,
	// domain → json formats the column in responses, json → domain parses
	// its values in request bodies.
	FilterCast string
	OutputCast string
	BodyCast   string
	// HasDefault is true for columns with a default, identity or generation.
	HasDefault bool
}

// Computed is a computed field: SQLName(RowRef) is its value.
type Computed struct {
	Name string
	// SQLName is the quoted, schema-qualified function.
	SQLName string
	// Type is the return type as format_type prints it.
	Type string
}

// ColumnName is the name of r's column named b, for a name read as bytes
// (a body's key): the string r holds instead of a new one.
func (r *Relation) ColumnName(b []byte) (string, bool) {
	for i := range r.Columns {
		if r.Columns[i].Name == string(b) {
			return r.Columns[i].Name, true
		}
	}
	return "", false
}

// Column returns the column called name, or nil.
func (r *Relation) Column(name string) *Column {
	for i := range r.Columns {
		if r.Columns[i].Name == name {
			return &r.Columns[i]
		}
	}
	return nil
}

// Function describes a database function served on /rpc/<Name>. Overloads
// are separate Functions with the same Schema and Name.
type Function struct {
	Schema string
	Name   string
	// SQLName is the quoted, schema-qualified name.
	SQLName string
	// Params are the input arguments in declaration order. A single
	// unnamed one (Name "") takes the raw request body.
	Params []Param
	// Call is the call with every parameter given in the query string, in
	// declaration order, bound from $1 (sqlgen.FullCall at generation):
	// the usual call, which no request then renders. "" when there is no
	// such form (a body parameter, a variadic one).
	Call string
	// ReturnType is the declared return type as format_type prints it.
	ReturnType string
	ReturnsSet bool
	// Void functions answer 204 No Content.
	Void bool
	// Scalar is true when each result row is one value; else rows are
	// composite, with the columns of ResultRelation (schema-qualified by
	// ResultSchema) or, when that is empty, Columns.
	Scalar         bool
	ResultSchema   string
	ResultRelation string
	Columns        []Column
	// MediaType is set for a function returning a domain named after a
	// media type: it serves that Accept ("*/*": any) with the value itself
	// as the body, cast through MediaDomain (PostgREST's handler
	// functions). MediaBinary says the domain is over bytea.
	MediaType   string
	MediaDomain string
	MediaBinary bool
	// MediaContentType is the Content-Type of its answers: the domain's
	// name, with "; charset=utf-8" for the text types PostgREST gives one,
	// application/octet-stream for "*/*".
	MediaContentType string
	// Volatility is "immutable", "stable" or "volatile".
	Volatility string
	// Settings are the function's SET clauses ("statement_timeout=1s");
	// those named by db-hoisted-tx-settings apply to the whole transaction.
	Settings []string
}

// Param is an input argument of a function.
type Param struct {
	Name string
	// SQLName is the quoted name.
	SQLName string
	// Type is the argument's type as format_type prints it.
	Type string
	// Cast is the type a call casts the argument's value to.
	Cast     string
	Required bool
	// Variadic takes an array: a JSON array, or a repeated query key.
	Variadic bool
}

// Schema is everything generated for one API: the relations and functions of
// all exposed schemas, the schema names in db-schemas order, and the
// database objects it was generated from with their fingerprint.
type Schema struct {
	Schemas     []string
	Fingerprint string
	// Objects are the database objects the code was generated from, sorted
	// by name (runtime/drift): the start-up drift check names those that
	// differ. Nil in code generated before the list existed.
	Objects   []Object
	Relations []*Relation
	Functions []*Function
	// MediaHandlers are the handler aggregates over anyelement, which serve
	// their media type for every relation and call result.
	MediaHandlers []MediaHandler
	// GeoJSON is PostGIS's ST_AsGeoJSON (quoted, schema-qualified) when the
	// database has PostGIS: application/geo+json is then served for every
	// relation and call result, as PostgREST does. "" without PostGIS.
	GeoJSON string
	// Docs describe each exposed schema to the OpenAPI documents, in
	// db-schemas order. Nil in code generated before they existed.
	Docs []Doc
}
