package runtime

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/auth"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/header"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/respond"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// Function serves a request on /rpc/<name>: every overload of the
// functions called name, in every exposed schema; the request's profile and
// argument names pick one, as in PostgREST. GET and HEAD call it with the
// query string's arguments, POST with the body's, OPTIONS lists what it
// allows, other methods answer PGRST101. Like Relation, it writes the
// response and returns nil.
func (s *Server) Function(c echo.Context, name string) error {
	s.serveFunction(c, name)
	return nil
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// serveFunction answers a request on /rpc/<name>.
func (s *Server) serveFunction(c echo.Context, name string) {
	req := c.Request()
	r, aerr := s.callRequest(req, name)
	defer s.releaseCall(&r)
	switch {
	case aerr != nil:
		s.writeError(c, aerr)
	case req.Method == http.MethodOptions:
		h := c.Response().Header()
		h.Set("Allow", "OPTIONS,GET,HEAD,POST")
		if r.fn.Volatility == "volatile" {
			h.Set("Allow", "OPTIONS,POST")
		}
		header.Set(h, header.Vary, respond.Vary)
		c.Response().WriteHeader(http.StatusOK)
	default:
		s.call(c, r)
	}
}

// callRequest runs the checks of a call up to finding its function, in
// PostgREST's order: JWT, profile, method, query string and range, body,
// the function (select, filters, media type and preferences follow).
func (s *Server) callRequest(req *http.Request, name string) (callRequest, *apierr.Error) {
	id, aerr := s.identify(req)
	if aerr != nil {
		return callRequest{}, aerr
	}
	read := req.Method == http.MethodGet || req.Method == http.MethodHead
	if !read && req.Method != http.MethodPost && req.Method != http.MethodOptions {
		return callRequest{}, apierr.New(http.StatusMethodNotAllowed, "PGRST101", "Cannot use the "+req.Method+" method on RPC", "", "")
	}
	stop := httpmw.Timing(req.Context()).Start(httpmw.PhaseParse)
	r := callRequest{schema: id.schema, byProfile: id.byProfile, ident: id.ident}
	var err error
	if read {
		r.shape = s.shapes.find(req, id, name, s.cfg.DBTxEnd.AllowOverride(), true)
		switch e := r.shape.entry; {
		case e != nil && e.sql != "":
			stop()
			r.fn, r.rng = e.fn, e.rng
			return r, nil
		case e != nil: // bound differently per value: never kept
			s.shapes.release(r.shape.buf)
			r.shape = foundShape{}
		}
		r.q, r.lease, err = s.parsers.ParseCall(req.URL.RawQuery, s.queryOptions())
	} else {
		r.q, r.lease, err = s.parsers.ParseRaw(req.URL.RawQuery, s.queryOptions())
	}
	stop()
	if err != nil {
		s.releaseCall(&r)
		return callRequest{}, apierr.From(err, id.ident.Authenticated)
	}
	if r.rng, aerr = request.ReadRange(req, r.q, s.cfg.DBMaxRows); aerr != nil {
		s.releaseCall(&r)
		return callRequest{}, aerr
	}
	var keys []string
	if req.Method == http.MethodPost {
		if r.body, aerr = request.ReadCallBody(req, req.URL.RawQuery, s.cfg.ServerMaxBodySize); aerr != nil {
			s.releaseCall(&r)
			return callRequest{}, aerr
		}
		keys = r.body.Keys
	} else {
		for _, a := range r.q.Args {
			keys = append(keys, a.Name)
		}
		keys = sortedCopy(keys)
	}
	if r.fn, aerr = s.funcs.FindFunction(id.schema, name, keys, r.body); aerr != nil {
		s.releaseCall(&r)
		return callRequest{}, aerr
	}
	return r, nil
}

// releaseCall gives back what r holds, once its response is written.
func (s *Server) releaseCall(r *callRequest) {
	s.parsers.Release(r.lease)
	s.shapes.release(r.shape.buf)
	r.lease, r.shape = query.Lease{}, foundShape{}
}

// callRequest is a function call that passed the checks up to finding the
// function.
type callRequest struct {
	fn        *Function
	schema    string
	byProfile bool
	ident     auth.Result
	q         *query.Request
	// lease gives q's parser back when the response is written, as
	// relationRequest's.
	lease query.Lease
	rng   request.Range
	body  *request.CallBody // nil for GET and HEAD
	// shape is a GET's or HEAD's shape, as relationRequest's.
	shape foundShape
}

// call serves a request on a function found for it.
func (s *Server) call(c echo.Context, r callRequest) {
	req := c.Request()
	timer := httpmw.Timing(req.Context())
	stop := timer.Start(httpmw.PhasePlan)
	cp, aerr := s.callTx(req, r)
	stop()
	if aerr != nil {
		s.writeError(c, aerr)
		return
	}
	defer s.plans.Release(cp.lease) // the response is written by then
	if cp.explain != nil {
		s.servePlan(c, cp.tx, cp.explain, r.schema, r.byProfile, r.ident.Authenticated)
		return
	}
	stop = timer.Start(httpmw.PhaseTransaction)
	res, err := s.run(req.Context(), cp.tx)
	stop()
	respStart := time.Now()
	if err != nil {
		s.fail(c, err, r.ident.Authenticated)
		return
	}
	status, aerr := s.callHeaders(c, r, cp, res)
	if aerr != nil {
		s.writeError(c, aerr)
		return
	}
	timer.Add(httpmw.PhaseResponse, time.Since(respStart))
	defer res.Release() // written by then
	respond.Body(c.Response(), status, res.Body, req.Method == http.MethodHead || r.fn.Void)
}

// callPlan is a call ready to run: its plan, its transaction, and what its
// response needs.
type callPlan struct {
	plan *plan.Read
	// lease gives plan's storage back (s.plans.Release) when the response
	// is written, as readPlan's.
	lease plan.Lease
	tx    *exec.Tx
	prefs request.Preferences
	// contentType is the answer's Content-Type.
	contentType string
	strictMax   bool
	// explain, when set, asks for the statement's plan (explainTx).
	explain *request.Explain
}

// callTx takes a call through the request, plan and SQL stages — media
// type, preferences, the call's plan, the statement and its transaction —
// everything but running it.
func (s *Server) callTx(req *http.Request, r callRequest) (*callPlan, *apierr.Error) {
	if r.shape.entry != nil {
		return s.shapeCallTx(req, r)
	}
	fn := r.fn
	m, handler, ex, aerr := s.negotiate(header.Get(req.Header, header.Accept), s.results[fn], r.schema, r.q, fn.MediaType)
	if aerr != nil {
		return nil, aerr
	}
	prefs := request.ParsePrefer(req.Header, s.cfg.DBTxEnd.AllowOverride())
	cp, aerr := newCallPlan(fn, prefs, handlerContentType(m, handler, fn))
	if aerr != nil {
		return nil, aerr
	}
	cp.explain = ex
	opts := plan.ReadOptions{Range: r.rng, Count: prefs.Count, MaxRows: s.cfg.DBMaxRows, Media: m, Method: req.Method,
		Handler: handler, GeoJSON: s.schema.GeoJSON, Call: plan.PlanCall(fn, r.q, r.body)}
	cp.plan, cp.lease, aerr = s.plans.Read(s.results[fn], r.q, s.readRelatedIn(r.schema), opts)
	if aerr != nil {
		return nil, aerr
	}
	args := &sqlgen.Args{}
	stmt := s.sql.Read(args, cp.plan)
	isolation, hoisted := s.functionSettings(fn)
	s.callTxOf(req, r, cp, stmt.SQL, stmt.Args, isolation, hoisted)
	cp.tx.Explain, cp.tx.ExplainArgs = stmt.Explain, stmt.ExplainArgs
	if ex != nil {
		explainTx(cp.tx, ex)
	}
	if r.shape.buf != nil {
		e := &shapeEntry{fn: fn, rng: r.rng, contentType: cp.contentType, isolation: isolation, hoisted: hoisted}
		s.learn(r.shape.buf, r.q, readEntry(e, cp.plan), ex == nil && stmt.Explain == "", stmt.SQL, stmt.Args,
			s.renderRead(cp.plan, func() (*plan.Read, plan.Lease, *apierr.Error) {
				o := opts
				o.Call = plan.PlanCall(fn, r.q, nil)
				return s.plans.Read(s.results[fn], r.q, s.readRelatedIn(r.schema), o)
			}))
	}
	return cp, nil
}

// shapeCallTx is callTx for a GET or HEAD of a known shape: the kept
// statement, bound to the request's values (see shapeReadTx).
func (s *Server) shapeCallTx(req *http.Request, r callRequest) (*callPlan, *apierr.Error) {
	e := r.shape.entry
	cp, aerr := newCallPlan(r.fn, r.shape.prefs, e.contentType)
	if aerr != nil {
		return nil, aerr
	}
	cp.plan = &e.read
	args := &sqlgen.Args{}
	e.bind(args, r.shape.buf)
	s.callTxOf(req, r, cp, e.sql, args.Values(), e.isolation, e.hoisted)
	return cp, nil
}

// newCallPlan starts a call's plan with its preferences: their errors come
// after the media type's and before the plan's.
func newCallPlan(fn *Function, prefs request.Preferences, contentType string) (*callPlan, *apierr.Error) {
	if e := prefs.StrictError(); e != nil {
		return nil, e
	}
	cp := &callPlan{prefs: prefs, contentType: contentType, strictMax: prefs.Handling == "strict" && prefs.MaxAffected != nil}
	if cp.strictMax && !fn.ReturnsSet {
		return nil, apierr.New(http.StatusBadRequest, "PGRST128",
			"Function must return SETOF or TABLE when max-affected preference is used with handling=strict", "", "")
	}
	return cp, nil
}

// functionSettings are the isolation level fn sets ("" for the role's)
// and the settings hoisted from it (db-hoisted-tx-settings).
func (s *Server) functionSettings(fn *Function) (isolation string, hoisted [][2]string) {
	for _, st := range fn.Settings {
		k, v, _ := strings.Cut(st, "=")
		if k == "default_transaction_isolation" {
			isolation = strings.ToUpper(v)
		}
		if slices.Contains(s.cfg.DBHoistedTxSettings, k) {
			hoisted = append(hoisted, [2]string{k, v})
		}
	}
	return isolation, hoisted
}

// callTxOf sets cp's transaction: the statement main with its bind values
// args, in the function's isolation level ("" for the role's) with its
// hoisted settings.
func (s *Server) callTxOf(req *http.Request, r callRequest, cp *callPlan, main string, args []any, isolation string, hoisted [][2]string) {
	if isolation == "" {
		isolation = s.role(r.ident.Role).Isolation
	}
	prefs, fn, m := cp.prefs, r.fn, cp.plan.Media
	rollback, _ := exec.End(s.cfg.DBTxEnd, prefs.Tx)
	cp.tx = &exec.Tx{
		// GET and HEAD, and calls of functions that cannot write, run READ
		// ONLY: a writing function called with GET fails with 25006 (405).
		ReadOnly:  req.Method != http.MethodPost || fn.Volatility != "volatile",
		Rollback:  rollback,
		Isolation: isolation,
		GUCs:      s.requestGUCs(req, r.schema, r.ident.Role, r.ident.Claims, prefs.Timezone, hoisted...),
		Main:      main,
		Args:      args,
	}
	if m.Singular() || cp.strictMax {
		// Refused results are rolled back, as PostgREST does.
		cp.tx.Check = func(res *exec.Result) *apierr.Error {
			if m.Singular() && res.PageTotal != 1 {
				return singularError(res.PageTotal)
			}
			if cp.strictMax && res.PageTotal > *prefs.MaxAffected {
				return maxAffectedError(res.PageTotal)
			}
			return nil
		}
	}
}

// callHeaders sets a call's headers from its result and returns its status.
func (s *Server) callHeaders(c echo.Context, r callRequest, cp *callPlan, res *exec.Result) (int, *apierr.Error) {
	fn, prefs := r.fn, cp.prefs
	total := countTotal(prefs.Count, res, s.cfg.DBMaxRows)
	h := c.Response().Header()
	// The fields most calls set, in one array (and its Content-Length in
	// respond.Body).
	hb := header.NewBatch(h, 3)
	lower := r.rng.Offset()
	upper := lower + res.PageTotal - 1
	hb.Set(header.ContentRange, respond.ContentRange(lower, upper, total))
	if cp.plan.Warning != "" {
		h.Set("Warning", cp.plan.Warning)
	}
	applied := prefs.AppliedForRead()
	if cp.strictMax {
		applied = strings.TrimPrefix(applied+", max-affected="+strconv.FormatInt(*prefs.MaxAffected, 10), ", ")
	}
	if applied != "" {
		hb.Set(header.PreferenceApplied, applied)
	}
	status, aerr := respond.PageStatus(lower, upper, total)
	if aerr != nil {
		return 0, aerr
	}
	switch {
	case fn.Void:
		status = http.StatusNoContent
	default:
		hb.Set(header.ContentType, cp.contentType)
	}
	if !fn.Void && r.byProfile {
		hb.Set(header.ContentProfile, r.schema)
	}
	if err := respond.GUCs(res.RespHeader, res.RespStatus, h, &status); err != nil {
		return 0, apierr.From(err, r.ident.Authenticated)
	}
	if header.Get(h, header.Vary) == "" {
		hb.Set(header.Vary, respond.Vary)
	}
	return status, nil
}
