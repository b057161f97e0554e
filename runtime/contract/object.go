package contract

// Object is a database object generated code depends on, as the query in
// runtime/drift reports it: Kind ("table", "view", "function", "enum", …),
// Name (quoted and schema-qualified; functions with their argument types:
// public.add(integer, integer)) and Digest, the md5 of the facts about the
// object that generated code relies on. The generator records the list it
// saw; the runtime compares it with the database's to name what drifted.
type Object struct {
	Kind   string
	Name   string
	Digest string
}
