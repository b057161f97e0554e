package runtime

import (
	"slices"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// callParam is an argument given to a call: a value, or the values of a
// VARIADIC parameter.
type callParam struct {
	param  *Param
	values []string
}

// params are the direct arguments of a GET (or form) call, in the
// function's parameter order: of a repeated key the last value counts,
// unless the parameter is VARIADIC, which takes them all.
func (r callRequest) params() []callParam {
	var args []query.Arg
	switch {
	case r.body == nil:
		args = r.q.Args
	case r.body.IsForm:
		args = r.body.Form
	default:
		return nil
	}
	var out []callParam
	for i := range r.fn.Params {
		p := &r.fn.Params[i]
		if p.Name == "" {
			continue
		}
		var values []string
		for _, a := range args {
			if a.Name != p.Name {
				continue
			}
			if p.Variadic {
				values = append(values, a.Value)
			} else {
				values = []string{a.Value}
			}
		}
		if values != nil {
			out = append(out, callParam{param: p, values: values})
		}
	}
	return out
}

// callSource renders a function call as the FROM item of a read.
type callSource struct {
	fn     *Function
	params []callParam       // direct arguments (GET, form)
	body   *request.CallBody // JSON or raw body (POST), nil for GET
}

// cte renders the rows of the call: "SELECT pgrst_call.* FROM <call>",
// with a scalar result in a column named pgrst_scalar, as PostgREST names it.
func (cs *callSource) cte(a *sqlgen.Args) string {
	from, call := cs.call(a)
	return "SELECT pgrst_call.* FROM " + from + call
}

// call renders the FROM items the arguments are read from (ending in
// LATERAL, or "") and the call itself, as the FROM item pgrst_call.
func (cs *callSource) call(a *sqlgen.Args) (from, call string) {
	fn := cs.fn
	var args []string
	switch {
	case len(fn.Params) == 1 && fn.Params[0].Name == "":
		// The single unnamed parameter takes the whole body.
		p := fn.Params[0]
		var v any = ""
		if cs.body != nil {
			if cs.body.Media == "application/octet-stream" {
				v = cs.body.Raw
			} else if cs.body.Media != "" {
				v = string(cs.body.Raw)
			} else {
				v = string(cs.body.JSON)
			}
		}
		args = append(args, a.Add(v)+"::"+p.Cast)
	case cs.body != nil && !cs.body.IsForm:
		var given []*Param
		for i := range fn.Params {
			if slices.Contains(cs.body.Keys, fn.Params[i].Name) {
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
		if cs.body.Object {
			toRecord = "json_to_record"
		}
		from = "(SELECT " + a.Add(string(cs.body.JSON)) + "::json AS json_data) pgrst_payload, LATERAL (SELECT " +
			strings.Join(names, ", ") + " FROM " + toRecord + "(pgrst_payload.json_data) AS _(" + strings.Join(typed, ", ") +
			") LIMIT 1) pgrst_body, LATERAL "
	default:
		for _, cp := range cs.params {
			p := cp.param
			v := cp.values[0]
			if p.Variadic {
				v = sqlgen.ArrayLiteral(cp.values)
			}
			args = append(args, variadic(p)+p.SQLName+" := "+a.Add(v)+"::"+p.Cast)
		}
	}
	call = fn.SQLName + "(" + strings.Join(args, ", ") + ")"
	if fn.Scalar {
		call = "(SELECT " + call + " AS pgrst_scalar)"
	}
	return from, call + " AS pgrst_call"
}

func variadic(p *Param) string {
	if p.Variadic {
		return "VARIADIC "
	}
	return ""
}

// aggregate turns a call's page into the response body.
func (cs *callSource) aggregate(m request.Media) string {
	fn := cs.fn
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
		return sqlgen.CSVBody
	case request.MediaObject:
		single = true
	case request.MediaObjectStripped:
		single, stripped = true, true
	case request.MediaArrayStripped:
		stripped = true
	}
	return sqlgen.Aggregate(rows, single, stripped)
}

// resultRelation describes a function's result rows as a relation, so
// select, filters, order and embeds on them are checked and rendered as on
// a table: the rows of rel for a function returning them (named and related
// as rel, as PostgREST names the call's rows after the returned table), the
// generated columns of other composite results, the single pgrst_scalar
// column of scalar ones (which select and filters cannot name, as in
// PostgREST).
func resultRelation(fn *Function, rel *Relation) *Relation {
	res := &Relation{Schema: fn.Schema, Name: fn.Name, Kind: "function", SQLName: "pgrst_result"}
	switch {
	case fn.Scalar:
		res.SelectStar = "pgrst_scalar"
	case rel != nil:
		res.Name, res.Columns, res.SelectStar, res.Computed = rel.Name, rel.Columns, rel.SelectStar, rel.Computed
		res.Relationships = rel.Relationships
		// Computed fields take the row as their relation's type.
		res.RowRef = "pgrst_result::" + rel.SQLName
	default:
		res.Columns = fn.Columns
		var star []string
		for _, c := range fn.Columns {
			star = append(star, c.SQLName)
		}
		res.SelectStar = strings.Join(star, ", ")
		if res.SelectStar == "" {
			res.SelectStar = "*"
		}
	}
	return res
}
