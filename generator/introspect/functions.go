package introspect

import (
	"context"
	"fmt"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

// functionRow is one row of functions.sql.
type functionRow struct {
	OID        uint32   `db:"oid"`
	Schema     string   `db:"schema"`
	Name       string   `db:"name"`
	Comment    string   `db:"comment"`
	ArgTypes   []uint32 `db:"arg_types"`
	ArgModes   []string `db:"arg_modes"`
	ArgNames   []string `db:"arg_names"`
	NInputs    int32    `db:"n_inputs"`
	NDefaults  int32    `db:"n_defaults"`
	Prorettype uint32   `db:"prorettype"`
	Proretset  bool     `db:"proretset"`
	Volatility string   `db:"volatility"`
	Rows       float64  `db:"rows"`
	Settings   []string `db:"settings"`
}

// function is a Function whose types are not resolved yet.
type function struct {
	catalog.Function
	argTypes []typeKey
	retType  typeKey
}

// loadFunctions loads the functions of the schemas, overloads included.
func (l *loader) loadFunctions(ctx context.Context) ([]*function, error) {
	rows, err := query[functionRow](ctx, l.q, functionsSQL, l.schemas)
	if err != nil {
		return nil, fmt.Errorf("introspect functions: %w", err)
	}
	out := make([]*function, 0, len(rows))
	for _, row := range rows {
		f, err := l.newFunction(row)
		if err != nil {
			return nil, fmt.Errorf("introspect function %s.%s: %w", row.Schema, row.Name, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// newFunction decodes pg_proc's parallel argument arrays.
func (l *loader) newFunction(row functionRow) (*function, error) {
	var vol catalog.Volatility
	switch row.Volatility {
	case "i":
		vol = catalog.Immutable
	case "s":
		vol = catalog.Stable
	case "v":
		vol = catalog.Volatile
	default:
		return nil, fmt.Errorf("unknown provolatile %q", row.Volatility)
	}
	if len(row.ArgModes) != 0 && len(row.ArgModes) != len(row.ArgTypes) {
		return nil, fmt.Errorf("%d argument modes for %d arguments", len(row.ArgModes), len(row.ArgTypes))
	}
	f := &function{
		Function: catalog.Function{
			Schema:     row.Schema,
			Name:       row.Name,
			Comment:    row.Comment,
			Args:       []catalog.Argument{},
			ReturnsSet: row.Proretset,
			Volatility: vol,
			Rows:       row.Rows,
		},
		retType: l.types.want(row.Prorettype, noTypmod),
	}
	if len(row.Settings) > 0 {
		f.Settings = row.Settings
	}
	// Defaults belong to the last pronargdefaults input arguments.
	firstDefault := int(row.NInputs - row.NDefaults)
	input := 0
	for i, oid := range row.ArgTypes {
		mode := catalog.ModeIn
		if len(row.ArgModes) > 0 {
			switch row.ArgModes[i] {
			case "i":
			case "o":
				mode = catalog.ModeOut
			case "b":
				mode = catalog.ModeInOut
			case "v":
				mode = catalog.ModeVariadic
			case "t":
				mode = catalog.ModeTable
			default:
				return nil, fmt.Errorf("unknown argument mode %q", row.ArgModes[i])
			}
		}
		a := catalog.Argument{Mode: mode}
		if i < len(row.ArgNames) {
			a.Name = row.ArgNames[i]
		}
		if mode != catalog.ModeOut && mode != catalog.ModeTable {
			a.HasDefault = input >= firstDefault
			input++
		}
		f.Args = append(f.Args, a)
		f.argTypes = append(f.argTypes, l.types.want(oid, noTypmod))
	}
	return f, nil
}

// finish resolves the argument and return types.
func (f *function) finish(types *typeRegistry) (catalog.Function, error) {
	out := f.Function
	for i := range out.Args {
		t, err := types.build(f.argTypes[i])
		if err != nil {
			return catalog.Function{}, fmt.Errorf("introspect function %s.%s: argument %d: %w", f.Schema, f.Name, i+1, err)
		}
		out.Args[i].Type = t
	}
	t, err := types.build(f.retType)
	if err != nil {
		return catalog.Function{}, fmt.Errorf("introspect function %s.%s: return type: %w", f.Schema, f.Name, err)
	}
	out.Return = t
	return out, nil
}
