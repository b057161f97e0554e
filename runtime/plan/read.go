package plan

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// Read is a planned read: of a relation's rows, or of a function call's
// rows described as a relation; how they are paged, counted and shaped.
type Read struct {
	Scope *Scope
	// Warning is the Warning header for embeds params named by relation
	// name, "" for none.
	Warning string
	// Call is set when the rows come from a function call (/rpc).
	Call    *Call
	Range   request.Range
	Count   string // "", exact, planned or estimated
	MaxRows *int64
	Media   request.Media
	// Handler is the handler aggregate rendering the body for MediaCustom
	// (nil: a handler function's own media type); GeoJSON is PostGIS's
	// ST_AsGeoJSON for MediaGeoJSON.
	Handler *contract.MediaHandler
	GeoJSON string
	// Head reads no body (HEAD).
	Head bool
	// Stream is the streamed statement: a meta row, then one row per
	// element of the body, written to the client as PostgreSQL sends them.
	Stream bool
}

// ReadOptions are what a read's plan takes from the request and settings
// besides its query.
type ReadOptions struct {
	Range   request.Range
	Count   string
	MaxRows *int64
	Media   request.Media
	Handler *contract.MediaHandler
	GeoJSON string
	Method  string
	// Call is set for a function call's rows.
	Call *Call
}

// PlanRead plans a read of rel (for a call, its rows described as a
// relation): the query's scope (see ReadScope) and the statement's shape.
func PlanRead(rel *contract.Relation, q *query.Request, rels *Relations, o ReadOptions) (*Read, *apierr.Error) {
	return planRead(&planner{rels: rels}, rel, q, o)
}

func planRead(p *planner, rel *contract.Relation, q *query.Request, o ReadOptions) (*Read, *apierr.Error) {
	scope, warning, aerr := p.readScope(rel, q)
	if aerr != nil {
		return nil, aerr
	}
	r := &p.read
	*r = Read{Scope: scope, Warning: warning, Call: o.Call, Range: o.Range, Count: o.Count, MaxRows: o.MaxRows,
		Media: o.Media, Handler: o.Handler, GeoJSON: o.GeoJSON, Head: o.Method == http.MethodHead,
		Stream: o.Call == nil && Streamable(o.Method, o.Media, o.Count) && !fewRows(scope, o.Range)}
	return r, nil
}

// smallPage is the most rows a read may be limited to and still be built
// whole by PostgreSQL (json_agg), which costs it less than the streamed
// statement: pages of a UI, lookups. Larger or unbounded reads stream.
const smallPage = 100

// fewRows says whether a read returns at most smallPage rows whatever the
// data: a limit (or Range) of at most that many, or every primary-key
// column filtered with eq, which finds at most one row.
func fewRows(s *Scope, rng request.Range) bool {
	// Most reads have no limit: no parse (and no error value) for them.
	if lim := rng.SQLLimit(); lim != "" && !rng.All() {
		if l, err := strconv.ParseInt(lim, 10, 64); err == nil && l <= smallPage {
			return true
		}
	}
	pk := s.Rel.PrimaryKey
	if len(pk) == 0 {
		return false
	}
	for _, k := range pk {
		if !slices.ContainsFunc(s.Where, func(c Cond) bool { return keyEq(c, k) }) {
			return false
		}
	}
	return true
}

// keyEq says whether c is col=eq.value on column k.
func keyEq(c Cond, k string) bool {
	f := c.Filter
	return f != nil && f.Embed == nil && !f.Negated && f.Operator == "eq" && f.Quantifier == "" &&
		f.Field.Column != nil && len(f.Field.Path) == 0 && f.Field.Column.Name == k
}

// Streamable says whether a read of a relation streams its body: a GET as
// a JSON array (nulls stripped or not) or CSV, without an estimated count
// (whose EXPLAIN follows the statement). Object media types need the row
// count before the body, and HEAD has no body.
func Streamable(method string, m request.Media, count string) bool {
	return method == http.MethodGet && (m == request.MediaJSON || m == request.MediaArrayStripped || m == request.MediaCSV) &&
		(count == "" || count == "exact")
}

// Call is a function call whose rows a read pages, filters and shapes.
type Call struct {
	Fn *contract.Function
	// Args are the direct arguments (GET, form body) in the function's
	// parameter order.
	Args []CallArg
	// Body is a POST's body, nil for GET and HEAD.
	Body *request.CallBody
}

// CallArg is an argument given to a call: a value, or the values of a
// VARIADIC parameter.
type CallArg struct {
	Param  *contract.Param
	Values []string
}

// PlanCall gathers a call's arguments: for GET (and form bodies) those of
// the query string (or form) that name parameters — of a repeated name the
// last value counts, unless the parameter is VARIADIC, which takes them all;
// a JSON or raw body is passed whole.
func PlanCall(fn *contract.Function, q *query.Request, body *request.CallBody) *Call {
	c := &Call{Fn: fn, Body: body}
	var args []query.Arg
	switch {
	case body == nil:
		args = q.Args
	case body.IsForm:
		args = body.Form
	default:
		return c
	}
	for i := range fn.Params {
		p := &fn.Params[i]
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
			c.Args = append(c.Args, CallArg{Param: p, Values: values})
		}
	}
	return c
}
