package sqlgen

import (
	"slices"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// CallRows renders the rows of a call: "SELECT pgrst_call.* FROM <call>",
// with a scalar result in a column named pgrst_scalar, as PostgREST names it.
func CallRows(a *Args, c *plan.Call) string {
	from, call := Call(a, c)
	return "SELECT pgrst_call.* FROM " + from + call
}

// Call renders the FROM items a call's arguments are read from (ending in
// LATERAL, or "") and the call itself, as the FROM item pgrst_call.
func Call(a *Args, c *plan.Call) (from, call string) {
	fn := c.Fn
	var args []string
	switch {
	case len(fn.Params) == 1 && fn.Params[0].Name == "":
		// The single unnamed parameter takes the whole body.
		p := fn.Params[0]
		var v any = ""
		if c.Body != nil {
			if c.Body.Media == "application/octet-stream" {
				v = c.Body.Raw
			} else if c.Body.Media != "" {
				v = string(c.Body.Raw)
			} else {
				v = string(c.Body.JSON)
			}
		}
		args = append(args, a.Add(v)+"::"+p.Cast)
	case c.Body != nil && !c.Body.IsForm:
		var given []*contract.Param
		for i := range fn.Params {
			if slices.Contains(c.Body.Keys, fn.Params[i].Name) {
				given = append(given, &fn.Params[i])
			}
		}
		if len(given) == 0 {
			break
		}
		var typed, names []string
		for _, p := range given {
			typed = append(typed, p.SQLName+" "+p.Cast)
			names = append(names, p.SQLName)
			args = append(args, variadic(p)+p.SQLName+" := pgrst_body."+p.SQLName)
		}
		toRecord := "json_to_recordset"
		if c.Body.Object {
			toRecord = "json_to_record"
		}
		from = "(SELECT " + a.Add(Text(c.Body.JSON)) + "::json AS json_data) pgrst_payload, LATERAL (SELECT " +
			strings.Join(names, ", ") + " FROM " + toRecord + "(pgrst_payload.json_data) AS _(" + strings.Join(typed, ", ") +
			") LIMIT 1) pgrst_body, LATERAL "
	case fn.Call != "" && len(a.values) == 0 && allInOrder(c):
		// Every parameter, in order, bound first: the generated call.
		for _, cp := range c.Args {
			a.Add(cp.Values[0])
		}
		call = fn.Call
	default:
		for _, cp := range c.Args {
			p := cp.Param
			v := cp.Values[0]
			if p.Variadic {
				v = ArrayLiteral(cp.Values)
			}
			args = append(args, variadic(p)+p.SQLName+" := "+a.Add(v)+"::"+p.Cast)
		}
	}
	if call == "" {
		call = fn.SQLName + "(" + strings.Join(args, ", ") + ")"
	}
	if fn.Scalar {
		call = "(SELECT " + call + " AS pgrst_scalar)"
	}
	return from, call + " AS pgrst_call"
}

// FullCall is fn called with every parameter from the query string, bound
// from $1 in declaration order, as Call renders it; "" when fn has no such
// form (a variadic parameter, or a single unnamed one taking the body).
// The generator stores it in the descriptor.
func FullCall(fn *contract.Function) string {
	if len(fn.Params) == 0 || len(fn.Params) == 1 && fn.Params[0].Name == "" {
		return ""
	}
	var a Args
	args := make([]string, len(fn.Params))
	for i := range fn.Params {
		p := &fn.Params[i]
		if p.Variadic || p.Name == "" {
			return ""
		}
		args[i] = p.SQLName + " := " + a.Add(nil) + "::" + p.Cast
	}
	return fn.SQLName + "(" + strings.Join(args, ", ") + ")"
}

// allInOrder reports whether the call gives every parameter of its
// function, once each, in declaration order.
func allInOrder(c *plan.Call) bool {
	if len(c.Args) != len(c.Fn.Params) {
		return false
	}
	for i, cp := range c.Args {
		if cp.Param != &c.Fn.Params[i] || len(cp.Values) != 1 {
			return false
		}
	}
	return true
}

func variadic(p *contract.Param) string {
	if p.Variadic {
		return "VARIADIC "
	}
	return ""
}

// CallBody turns a call's page into the response body in media m: the
// value through a handler's media-type domain, CSV, or JSON.
func CallBody(c *plan.Call, m request.Media) string {
	fn := c.Fn
	rows := "_postgrest_t"
	if fn.Scalar {
		rows = "_postgrest_t.pgrst_scalar"
	}
	single, stripped := !fn.ReturnsSet, false
	switch m {
	case request.MediaCustom:
		// The value itself, through the media type's domain.
		cast := "::text"
		if fn.MediaBinary {
			cast = "::bytea"
		}
		return "(array_agg(" + fn.MediaDomain + "(" + rows + ")))[1]" + cast
	case request.MediaCSV:
		return CSVBody
	case request.MediaObject:
		single = true
	case request.MediaObjectStripped:
		single, stripped = true, true
	case request.MediaArrayStripped:
		stripped = true
	}
	return Aggregate(rows, single, stripped)
}
