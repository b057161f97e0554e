package contract

// Cardinality of a relationship, seen from the relation that owns it.
type Cardinality string

// Cardinalities, named as PostgREST's error details name them.
const (
	ManyToOne  Cardinality = "many-to-one"
	OneToMany  Cardinality = "one-to-many"
	OneToOne   Cardinality = "one-to-one"
	ManyToMany Cardinality = "many-to-many"
	// ComputedRelationship is a function taking the row and returning
	// rows of the target.
	ComputedRelationship Cardinality = "computed"
)

// Relationship is a way to embed a relation of the same schema into rows of
// the relation owning it. The generator finds every relationship (foreign
// keys of tables and, through their source columns, of views; junction
// tables; functions taking the row) and writes it into the owning relation's
// descriptor; the runtime only picks one per embed and renders its join.
type Relationship struct {
	// Target is the name of the embedded relation (same schema as the owner).
	Target      string
	Cardinality Cardinality
	// Constraint is the foreign key's name ("" for many-to-many and computed).
	Constraint string
	// Columns pair the owner's columns with the target's (foreign-key
	// order): the join is owner.From = target.To.
	Columns []ColumnPair
	// Junction is set for many-to-many.
	Junction *Junction
	// Function is the quoted, schema-qualified function of a computed
	// relationship; FunctionName its name, which is the embed name.
	Function     string
	FunctionName string
	// ToOne is true when the embed is a JSON object rather than an array.
	ToOne bool
	// Self is true when owner and target are the same relation.
	Self bool
	// TargetIsView is true when the target is a view or materialized view:
	// it cannot be embedded by constraint or column name.
	TargetIsView bool
}

// ColumnPair is one column of a join: the owner's From, the other side's To.
type ColumnPair struct {
	From string
	To   string
}

// Junction is the table (or view) joining the two sides of a many-to-many
// relationship.
type Junction struct {
	Name string
	// SQLName is the quoted, schema-qualified junction.
	SQLName string
	// Constraint1 is the junction's foreign key to the owner, Constraint2
	// the one to the target.
	Constraint1 string
	Constraint2 string
	// Source pairs junction columns (From) with the owner's (To); Target
	// pairs junction columns (From) with the target's (To).
	Source []ColumnPair
	Target []ColumnPair
}
