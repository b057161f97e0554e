package runtime

import "github.com/pgrestgen/pgrestgen/runtime/contract"

// GeneratedCodeVersion1 is referenced by generated code (const _ =
// runtime.GeneratedCodeVersion1) so that code generated for an incompatible
// runtime fails to compile instead of misbehaving.
const GeneratedCodeVersion1 = true

// The descriptors are defined in package contract, which generated code
// builds them from. These aliases let the runtime's files keep their names
// (Relation, Column, …) unchanged; they will go when the runtime is split
// into stages that import contract themselves.
type (
	Schema   = contract.Schema
	Relation = contract.Relation
	Column   = contract.Column
	Computed = contract.Computed
	Function = contract.Function
	Param    = contract.Param
)
