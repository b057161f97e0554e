// Package catalog is the plain model of a PostgreSQL schema that pgrestgen
// generates code from: raw catalog facts, no Go names. Introspection fills it,
// planning reads it. It is JSON-serialisable so that a golden case can commit
// it and generation can be replayed from it.
package catalog

// Catalog is everything introspected from the exposed schemas.
type Catalog struct {
	// Schemas are the exposed schemas in the order they were asked for;
	// the first one is the default profile, as in PostgREST's db-schemas.
	Schemas []string `json:"schemas"`
	// MissingSchemas are the exposed schemas the database does not have.
	// They stay in Schemas, so the server accepts the same db-schemas.
	MissingSchemas []string `json:"missing_schemas,omitempty"`
	// SchemaComments are the exposed schemas' COMMENTs, by schema: the
	// OpenAPI documents' title and description.
	SchemaComments map[string]string `json:"schema_comments,omitempty"`
	Relations      []Relation        `json:"relations"`
	Functions      []Function        `json:"functions"`
	Enums          []Enum            `json:"enums"`
	Composites     []Composite       `json:"composites"`
	Domains        []Domain          `json:"domains"`
	// Representations are the domain representation casts, sorted by
	// domain and kind.
	Representations []Representation `json:"representations,omitempty"`
	// MediaHandlers are the aggregates of the exposed schemas that serve a
	// media type for relations (PostgREST's media type handlers).
	MediaHandlers []MediaHandler `json:"media_handlers,omitempty"`
	// PostGIS is the schema of the postgis extension, "" without it.
	PostGIS string `json:"postgis,omitempty"`
	// Objects are what the generated code depends on, each with a digest of
	// the facts it relies on, as runtime/drift's query lists them (read in
	// the same snapshot), sorted by name then kind. The generated schema.go
	// carries them for the server's and pgrestgen check's drift reports.
	Objects []Object `json:"objects"`
}

// MediaHandler is an aggregate of one argument returning a domain named
// like a media type: it turns a relation's selected rows into a body of
// that type.
type MediaHandler struct {
	// Schema and Name are the aggregate's.
	Schema string `json:"schema"`
	Name   string `json:"name"`
	// MediaType is the domain's name as declared ("text/csv", "*/*").
	MediaType string `json:"media_type"`
	// Binary says the domain is over bytea.
	Binary bool `json:"binary,omitempty"`
	// TargetSchema and TargetName are the relation whose row type the
	// aggregate takes; both empty for anyelement.
	TargetSchema string `json:"target_schema,omitempty"`
	TargetName   string `json:"target_name,omitempty"`
}

// Object is a row of runtime/drift's query: kind ("table", "function", …),
// quoted schema-qualified name and digest.
type Object struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Digest string `json:"digest"`
}

// RelationKind says what sort of relation a Relation is.
type RelationKind string

// Relation kinds, named after pg_class.relkind.
const (
	KindTable            RelationKind = "table"
	KindPartitionedTable RelationKind = "partitioned_table"
	KindView             RelationKind = "view"
	KindMaterializedView RelationKind = "materialized_view"
	KindForeignTable     RelationKind = "foreign_table"
)

// IsView reports whether rows of the relation come from a query, not storage.
func (k RelationKind) IsView() bool { return k == KindView || k == KindMaterializedView }

// Relation is a table, view, materialized view, foreign table or partitioned table.
type Relation struct {
	Schema  string       `json:"schema"`
	Name    string       `json:"name"`
	Kind    RelationKind `json:"kind"`
	Comment string       `json:"comment,omitempty"`
	Columns []Column     `json:"columns"`
	// PrimaryKey lists column names in key order. For views it is inferred
	// from the base table's key when every key column is exposed by the view.
	PrimaryKey  []string     `json:"primary_key,omitempty"`
	UniqueKeys  []UniqueKey  `json:"unique_keys,omitempty"`
	ForeignKeys []ForeignKey `json:"foreign_keys,omitempty"`
	// Insertable, Updatable and Deletable say what the relation can do, as
	// PostgREST's OPTIONS reports it (auto-updatable views, INSTEAD OF triggers).
	Insertable bool `json:"insertable"`
	Updatable  bool `json:"updatable"`
	Deletable  bool `json:"deletable"`
}

// Column is one attribute of a relation.
type Column struct {
	Name     string `json:"name"`
	Position int    `json:"position"`
	Type     Type   `json:"type"`
	Nullable bool   `json:"nullable"`
	// Default is the column's default expression as pg_get_expr prints it.
	Default string `json:"default,omitempty"`
	// Identity is "a" (ALWAYS), "d" (BY DEFAULT) or empty.
	Identity string `json:"identity,omitempty"`
	// Generated is "s" for a stored generated column, else empty.
	Generated string `json:"generated,omitempty"`
	Comment   string `json:"comment,omitempty"`
	// MaxLength is the declared length of varchar(n)/char(n), 0 when unbounded.
	MaxLength int `json:"max_length,omitempty"`
	// Dims is an array column's declared dimensions when more than one
	// (int[][] is 2; 0 otherwise): its values are arrays of arrays.
	Dims int `json:"dims,omitempty"`
}

// TypeCategory says how a type is built, after pg_type.typtype and typcategory.
type TypeCategory string

// Type categories.
const (
	CategoryBase       TypeCategory = "base"
	CategoryArray      TypeCategory = "array"
	CategoryEnum       TypeCategory = "enum"
	CategoryDomain     TypeCategory = "domain"
	CategoryComposite  TypeCategory = "composite"
	CategoryRange      TypeCategory = "range"
	CategoryMultirange TypeCategory = "multirange"
	CategoryPseudo     TypeCategory = "pseudo"
)

// Type is a PostgreSQL type as a column or argument uses it.
type Type struct {
	Schema string `json:"schema"`
	// Name is the type's own name (pg_type.typname: "int4", "_text", "mood").
	Name string `json:"name"`
	// SQL is the type as format_type prints it ("integer", "text[]",
	// "character varying(20)"); it is what casts and descriptors show.
	SQL      string       `json:"sql"`
	Category TypeCategory `json:"category"`
	// Elem is the element type of an array, nil otherwise.
	Elem *Type `json:"elem,omitempty"`
	// Base is the underlying type of a domain, nil otherwise.
	Base *Type `json:"base,omitempty"`
}

// UniqueKey is a UNIQUE constraint (or unique index without predicate).
type UniqueKey struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
}

// ForeignKey is a foreign key constraint, or one inferred for a view from the
// columns it exposes of a base table that has the constraint.
type ForeignKey struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	// RefSchema and RefRelation name the referenced relation.
	RefSchema   string   `json:"ref_schema"`
	RefRelation string   `json:"ref_relation"`
	RefColumns  []string `json:"ref_columns"`
}

// Volatility of a function, after pg_proc.provolatile.
type Volatility string

// Volatilities.
const (
	Immutable Volatility = "immutable"
	Stable    Volatility = "stable"
	Volatile  Volatility = "volatile"
)

// ArgMode after pg_proc.proargmodes.
type ArgMode string

// Argument modes.
const (
	ModeIn       ArgMode = "in"
	ModeOut      ArgMode = "out"
	ModeInOut    ArgMode = "inout"
	ModeVariadic ArgMode = "variadic"
	ModeTable    ArgMode = "table"
)

// Function is a function in an exposed schema. Procedures and aggregates are
// not included (PostgREST does not expose them).
type Function struct {
	Schema  string     `json:"schema"`
	Name    string     `json:"name"`
	Comment string     `json:"comment,omitempty"`
	Args    []Argument `json:"args"`
	// Return is the declared return type (for TABLE functions, "record").
	Return Type `json:"return"`
	// ReturnsSet is true for SETOF and TABLE functions.
	ReturnsSet bool       `json:"returns_set"`
	Volatility Volatility `json:"volatility"`
	// Rows is pg_proc.prorows (the planner estimate; 1 means to-one for
	// computed relationships).
	Rows float64 `json:"rows,omitempty"`
	// Settings are the function's SET clauses ("statement_timeout=1s").
	Settings []string `json:"settings,omitempty"`
}

// Argument is one argument of a function, in declaration order.
type Argument struct {
	Name string  `json:"name,omitempty"`
	Mode ArgMode `json:"mode"`
	Type Type    `json:"type"`
	// HasDefault is true when the argument may be omitted.
	HasDefault bool `json:"has_default,omitempty"`
}

// Enum is an enum type with its labels in sort order.
type Enum struct {
	Schema string   `json:"schema"`
	Name   string   `json:"name"`
	Labels []string `json:"labels"`
}

// Composite is a standalone composite type (CREATE TYPE … AS (…)).
type Composite struct {
	Schema     string      `json:"schema"`
	Name       string      `json:"name"`
	Attributes []Attribute `json:"attributes"`
}

// Attribute is a field of a composite type.
type Attribute struct {
	Name string `json:"name"`
	Type Type   `json:"type"`
}

// Domain is a domain type over a base type.
type Domain struct {
	Schema   string `json:"schema"`
	Name     string `json:"name"`
	Base     Type   `json:"base"`
	Nullable bool   `json:"nullable"`
}

// Representation kinds: which way a domain representation converts.
const (
	// ToJSON formats the domain's values in JSON output (domain → json).
	ToJSON = "to_json"
	// FromJSON parses request body values into the domain (json → domain).
	FromJSON = "from_json"
	// FromText parses filter values into the domain (text → domain).
	FromText = "from_text"
)

// Representation is the function of an implicit CREATE CAST … WITH FUNCTION
// between a domain and json or text: PostgREST's domain representations.
// The domain may live in any schema.
type Representation struct {
	DomainSchema string `json:"domain_schema"`
	Domain       string `json:"domain"`
	// Kind is ToJSON, FromJSON or FromText.
	Kind       string `json:"kind"`
	FuncSchema string `json:"func_schema"`
	Func       string `json:"func"`
}
