package runtime

import (
	"slices"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// CallSQL is the call of fn with every argument as the runtime renders it for
// a POST whose JSON body names them all: the function's FROM item, its
// arguments read from the body's record (pgrst_body) or, for a single unnamed
// parameter, from the body itself ($1). The generator shows it in each
// function's doc comment; rendering it here, with the code that renders
// requests, keeps the comment from drifting away from what runs.
func CallSQL(fn *contract.Function) string {
	body := &request.CallBody{JSON: []byte("{}"), Object: true}
	for _, p := range fn.Params {
		if p.Name != "" {
			body.Keys = append(body.Keys, p.Name)
		}
	}
	slices.Sort(body.Keys)
	_, call := sqlgen.Call(&sqlgen.Args{}, &plan.Call{Fn: fn, Body: body})
	return call
}
