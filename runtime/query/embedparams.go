package query

import "fmt"

// The params of embedded resources are checked for syntax when the query
// string is parsed (PostgREST rejects bad ones up front) and kept raw; these
// turn one into its AST once the embedding feature knows it is needed.

// Condition parses a filter or logic param (actors.first_name=eq.x,
// actors.or=(…)) into the condition it adds to the embedded resource.
func (e EmbedParam) Condition() (Condition, error) {
	s := &pstate{}
	switch e.Kind {
	case "filter":
		f := &Filter{}
		*s = pstate{src: e.Key}
		if !s.field(&f.Field) || !s.eof() {
			return Condition{}, fmt.Errorf("embedded filter key %q does not parse", e.Key)
		}
		*s = pstate{src: e.Value}
		if !s.opExpr(false, f) {
			return Condition{}, fmt.Errorf("embedded filter %q does not parse", e.Value)
		}
		return Condition{Filter: f}, nil
	case "logic":
		var c Condition
		*s = pstate{src: e.Key + e.Value}
		if !s.logicTree(&c) {
			return Condition{}, fmt.Errorf("embedded logic tree %q does not parse", e.Value)
		}
		return c, nil
	}
	return Condition{}, fmt.Errorf("embedded param of kind %q is not a condition", e.Kind)
}

// OrderTerms parses an order param of an embedded resource.
func (e EmbedParam) OrderTerms() ([]OrderTerm, error) {
	var terms []OrderTerm
	s := &pstate{src: e.Value}
	if e.Kind != "order" || !s.order(&terms) {
		return nil, fmt.Errorf("embedded order %q does not parse", e.Value)
	}
	return terms, nil
}

// Integer reads the value of a limit or offset param of an embedded
// resource, whatever its size, as canonical decimal text; "" when it is not
// an integer (PostgREST then ignores it).
func (e EmbedParam) Integer() string { return readBigInteger(e.Value) }
