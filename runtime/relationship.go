package runtime

import "github.com/pgrestgen/pgrestgen/runtime/contract"

// Relationship descriptors are defined in package contract (see the aliases
// in descriptor.go for why they are aliased here).
type (
	Relationship = contract.Relationship
	Cardinality  = contract.Cardinality
	ColumnPair   = contract.ColumnPair
	Junction     = contract.Junction
)

// Cardinalities, as contract defines them; the runtime's relationship
// matching names them unqualified.
const (
	ManyToOne            = contract.ManyToOne
	OneToMany            = contract.OneToMany
	OneToOne             = contract.OneToOne
	ManyToMany           = contract.ManyToMany
	ComputedRelationship = contract.ComputedRelationship
)
