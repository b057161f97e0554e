package emit

import (
	"fmt"
	"reflect"

	"github.com/dave/jennifer/jen"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

const contractPkg = "github.com/pgrestgen/pgrestgen/runtime/contract"

// Descriptors are printed by reflection over runtime/contract's types rather
// than by a printer per type: every exported field is printed, in
// declaration order, whatever it is, so a field added to the contract
// reaches generated code without an emitter change, and the emitter cannot
// leave one out or print one the plan did not set. Zero values are left
// out, as a hand-written literal would.

// sqlFields are the fields holding SQL with quoted identifiers: they print as
// raw strings, so `"id"` reads as SQL rather than as "\"id\"". This is a
// matter of reading only; the value is the same either way.
var sqlFields = map[string]bool{
	"SQLName": true, "SelectStar": true, "RowRef": true, "Default": true,
	"FilterCast": true, "OutputCast": true, "BodyCast": true, "OutputStar": true, "Cast": true, "Function": true, "MediaDomain": true,
	"Returning": true, "KeyReturning": true, "Call": true,
	"Aggregate": true, "RowType": true, "GeoJSON": true,
}

// constNames are contract's named constants, which print by name. The keys
// are the constants themselves, so the values come from contract;
// TestConstNames checks the names against contract's source.
var constNames = map[any]string{
	contract.ManyToOne:            "ManyToOne",
	contract.OneToMany:            "OneToMany",
	contract.OneToOne:             "OneToOne",
	contract.ManyToMany:           "ManyToMany",
	contract.ComputedRelationship: "ComputedRelationship",
}

// literal prints a contract value as a Go composite literal: the top-level
// struct one field per line, each element of its slices of structs on a
// line of its own, anything deeper on one line.
type literal struct {
	// columnConsts print a Column's Name as the generated constant holding
	// it (SQL name → constant), so the descriptor reads as using them.
	columnConsts map[string]string
	// comments go above the elements of a top-level slice field, by field
	// name and element index.
	comments map[string][]string
	// fieldConsts print top-level fields as the generated constants holding
	// their values (field name → constant).
	fieldConsts map[string]string
}

// print returns the literal of v, a contract struct or a pointer to one.
func (l literal) print(v any) (jen.Code, error) {
	return l.value(reflect.ValueOf(v), 0, "", false)
}

// value prints v at depth (0 for the top-level struct) as the value of the
// field named field; elide leaves out the type of a struct, as elements of
// a slice may.
func (l literal) value(v reflect.Value, depth int, field string, elide bool) (*jen.Statement, error) {
	t := v.Type()
	switch v.Kind() {
	case reflect.Pointer:
		inner, err := l.value(v.Elem(), depth, field, elide)
		if err != nil || elide {
			return inner, err
		}
		return jen.Op("&").Add(inner), nil
	case reflect.Struct:
		var items []jen.Code
		for i := range t.NumField() {
			f := t.Field(i)
			fv := v.Field(i)
			if !f.IsExported() || fv.IsZero() || fv.Kind() == reflect.Slice && fv.Len() == 0 {
				continue
			}
			code, err := l.fieldValue(t, f.Name, fv, depth+1)
			if err != nil {
				return nil, err
			}
			item := jen.Id(f.Name).Op(":").Add(code)
			if depth == 0 {
				item = jen.Line().Add(item)
			}
			items = append(items, item)
		}
		if depth == 0 && len(items) > 0 {
			items = append(items, jen.Line())
		}
		if elide {
			return jen.Values(items...), nil
		}
		typ, err := contractType(t)
		if err != nil {
			return nil, err
		}
		return typ.Values(items...), nil
	case reflect.Slice:
		typ, err := contractType(t)
		if err != nil {
			return nil, err
		}
		elem := t.Elem()
		if elem.Kind() == reflect.Pointer {
			elem = elem.Elem()
		}
		lines := depth == 1 && elem.Kind() == reflect.Struct
		var items []jen.Code
		for i := range v.Len() {
			code, err := l.value(v.Index(i), depth, field, true)
			if err != nil {
				return nil, err
			}
			if lines {
				line := jen.Line()
				if c := l.comments[field]; i < len(c) && c[i] != "" {
					line.Comment(c[i]).Line()
				}
				code = line.Add(code)
			}
			items = append(items, code)
		}
		if lines {
			items = append(items, jen.Line())
		}
		return typ.Values(items...), nil
	case reflect.String:
		if name, ok := constNames[v.Interface()]; ok {
			return jen.Qual(contractPkg, name), nil
		}
		if t.PkgPath() != "" {
			return nil, fmt.Errorf("emit: %s value %q has no constant to print", t, v.String())
		}
		if sqlFields[field] {
			return sqlLit(v.String()), nil
		}
		return jen.Lit(v.String()), nil
	case reflect.Bool:
		return jen.Lit(v.Bool()), nil
	case reflect.Int:
		return jen.Lit(int(v.Int())), nil
	}
	return nil, fmt.Errorf("emit: cannot print a %s (field %s)", t, field)
}

// fieldValue prints the field name of a struct of type owner.
func (l literal) fieldValue(owner reflect.Type, name string, v reflect.Value, depth int) (*jen.Statement, error) {
	if c, ok := l.fieldConsts[name]; ok && depth == 1 {
		return jen.Id(c), nil
	}
	if owner == reflect.TypeFor[contract.Column]() && name == "Name" {
		if c, ok := l.columnConsts[v.String()]; ok {
			return jen.Id(c), nil
		}
	}
	return l.value(v, depth, name, false)
}

// contractType is the Go type t: contract's types qualified, string and bool.
func contractType(t reflect.Type) (*jen.Statement, error) {
	switch {
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer:
		elem, err := contractType(t.Elem())
		if err != nil {
			return nil, err
		}
		if t.Kind() == reflect.Slice {
			return jen.Index().Add(elem), nil
		}
		return jen.Op("*").Add(elem), nil
	case t.PkgPath() == contractPkg:
		return jen.Qual(contractPkg, t.Name()), nil
	case t == reflect.TypeFor[string]():
		return jen.String(), nil
	case t == reflect.TypeFor[bool]():
		return jen.Bool(), nil
	}
	return nil, fmt.Errorf("emit: %s is not a contract type", t)
}
