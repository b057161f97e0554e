package runtime

import (
	"net/http"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// readShape is what tests vary of a read's plan besides its query.
type readShape struct {
	rng     request.Range
	count   string
	maxRows *int64
	media   request.Media
	head    bool
	stream  bool
	call    *plan.Call
	related *plan.Relations
}

// readStatement is a rendered read, for tests.
type readStatement struct {
	sql, explain      string
	args, explainArgs []any
}

// renderRead plans and renders a read as the handlers do.
func renderRead(rel *Relation, q *query.Request, shape readShape) (*readStatement, *apierr.Error) {
	method := http.MethodGet
	if shape.head {
		method = http.MethodHead
	}
	p, aerr := plan.PlanRead(rel, q, shape.related, plan.ReadOptions{Range: shape.rng, Count: shape.count,
		MaxRows: shape.maxRows, Media: shape.media, Method: method, Call: shape.call})
	if aerr != nil {
		return nil, aerr
	}
	p.Stream = shape.stream
	st := sqlgen.Read(p)
	return &readStatement{sql: st.SQL, args: st.Args, explain: st.Explain, explainArgs: st.ExplainArgs}, nil
}
