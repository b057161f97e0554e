package runtime

// GeneratedCodeVersion1 is referenced by generated code (const _ =
// runtime.GeneratedCodeVersion1) so that code generated for an incompatible
// runtime fails to compile instead of misbehaving.
const GeneratedCodeVersion1 = true

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
	Columns    []Column
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
}

// Column describes a column to the runtime.
type Column struct {
	Name string
	// SQLName is the quoted column name: "id".
	SQLName string
	// Type is the column type as format_type prints it ("integer", "text[]").
	Type     string
	Nullable bool
	// HasDefault is true for columns with a default, identity or generation.
	HasDefault bool
	// Default is the column's default expression (pg_get_expr), used by
	// Prefer: missing=default; "" for none.
	Default string
	// FilterCast is the quoted function of a CREATE CAST (text AS domain)
	// for a domain-typed column: filter values are passed through it
	// (PostgREST's domain representations). "" for none.
	FilterCast string
}

// Computed is a computed field: SQLName(RowRef) is its value.
type Computed struct {
	Name string
	// SQLName is the quoted, schema-qualified function.
	SQLName string
	// Type is the return type as format_type prints it.
	Type string
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

// Function describes a database function to the runtime.
type Function struct {
	Schema string
	Name   string
	// SQLName is the quoted, schema-qualified name.
	SQLName    string
	Args       []Arg
	ReturnType string
	ReturnsSet bool
	// Volatility is "immutable", "stable" or "volatile".
	Volatility string
}

// Arg describes a function argument.
type Arg struct {
	Name       string
	Type       string
	Mode       string
	HasDefault bool
}

// Schema is everything generated for one API: the relations and functions of
// all exposed schemas, the schema names in db-schemas order, and the
// fingerprint of the catalog it was generated from.
type Schema struct {
	Schemas     []string
	Fingerprint string
	Relations   []*Relation
	Functions   []*Function
}
