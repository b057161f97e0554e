package contract

// Doc is what the OpenAPI documents say about one exposed schema, as
// PostgREST's schema cache knows it: the generator computes it from the
// catalog (runtime/openapi renders it per request), so no request reads
// pg_catalog for it.
type Doc struct {
	Schema string
	// Description is the schema's COMMENT.
	Description string
	Relations   []DocRelation
	Functions   []DocFunction
}

// DocRelation is a table or view in the documents.
type DocRelation struct {
	Name        string
	Description string
	// Writable is true when the relation takes POST, PATCH or DELETE
	// (insertable, updatable or deletable).
	Writable bool
	Columns  []DocColumn
}

// DocColumn is a column in the documents.
type DocColumn struct {
	Name        string
	Description string
	// Type is the type as PostgREST names it: built-in types without their
	// modifiers ("character varying"), domains over them as their base
	// type, other types by name ("book_format").
	Type     string
	Nullable bool
	// Default is the default expression (pg_get_expr), "" for none.
	Default   string
	MaxLength int
	// Enum lists the labels of an enum type (or a domain over one).
	Enum       []string
	PrimaryKey bool
	// ForeignTable and ForeignColumn name what a single-column foreign key
	// of the column references (tables before views), "" for none.
	ForeignTable  string
	ForeignColumn string
}

// DocFunction is a function in the documents: one per name.
type DocFunction struct {
	Name        string
	Description string
	// Volatile functions are only documented for POST.
	Volatile bool
	Params   []DocParam
}

// DocParam is an input argument of a function.
type DocParam struct {
	Name     string
	Type     string
	Required bool
	Variadic bool
}
