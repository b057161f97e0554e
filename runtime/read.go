package runtime

import (
	"net/http"
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

// serveRelation answers one request on a table or view path; the relation
// may be missing from the request's schema (the fallback route).
func (s *Server) serveRelation(c echo.Context, name string) {
	req := c.Request()
	r, aerr := s.relationRequest(req, name)
	defer s.releaseRequest(&r)
	switch {
	case aerr != nil:
		s.writeError(c, aerr)
	case req.Method == http.MethodOptions:
		h := c.Response().Header()
		h.Set("Allow", allow(r.rel))
		h.Set("Vary", respond.Vary)
		c.Response().WriteHeader(http.StatusOK)
	case req.Method == http.MethodGet || req.Method == http.MethodHead:
		s.read(c, r)
	default:
		s.write(c, r)
	}
}

// relationRequest runs the checks of a request on a relation up to
// finding it, in PostgREST's order: JWT, profile, method, query string and
// range, the table.
func (s *Server) relationRequest(req *http.Request, name string) (relationRequest, *apierr.Error) {
	id, aerr := s.identify(req)
	if aerr != nil {
		return relationRequest{}, aerr
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
	default:
		return relationRequest{}, apierr.New(http.StatusMethodNotAllowed, "PGRST117", "Unsupported HTTP method: "+req.Method, "", "")
	}
	stop := httpmw.Timing(req.Context()).Start(httpmw.PhaseParse)
	var shape foundShape
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		shape = s.shapes.find(req, id, name, s.cfg.DBTxEnd.AllowOverride(), false)
		switch e := shape.entry; {
		case e != nil && e.sql != "":
			stop()
			return relationRequest{rel: e.rel, schema: id.schema, byProfile: id.byProfile, ident: id.ident, rng: e.rng, shape: shape}, nil
		case e != nil: // bound differently per value: never kept
			s.shapes.release(shape.buf)
			shape = foundShape{}
		}
	}
	q, lease, err := s.parsers.ParseRaw(req.URL.RawQuery, s.queryOptions())
	stop()
	r := relationRequest{schema: id.schema, byProfile: id.byProfile, ident: id.ident, q: q, lease: lease, shape: shape}
	if err != nil {
		s.releaseRequest(&r)
		return relationRequest{}, apierr.From(err, id.ident.Authenticated)
	}
	if r.rng, aerr = request.ReadRange(req, q, s.cfg.DBMaxRows); aerr != nil {
		s.releaseRequest(&r)
		return relationRequest{}, aerr
	}
	if r.rel = s.byName[name][id.schema]; r.rel == nil {
		s.releaseRequest(&r)
		return relationRequest{}, s.tableNotFound(id.schema, name)
	}
	return r, nil
}

// releaseRequest gives back what r holds, once its response is written.
func (s *Server) releaseRequest(r *relationRequest) {
	s.parsers.Release(r.lease)
	s.shapes.release(r.shape.buf)
	r.lease, r.shape = query.Lease{}, foundShape{}
}

// allow is the Allow header of OPTIONS: what the relation can do, whatever
// the role's grants.
func allow(rel *Relation) string {
	m := []string{"OPTIONS", "GET", "HEAD"}
	if rel.Insertable {
		m = append(m, "POST")
	}
	if rel.Insertable && rel.Updatable && len(rel.PrimaryKey) > 0 {
		m = append(m, "PUT")
	}
	if rel.Updatable {
		m = append(m, "PATCH")
	}
	if rel.Deletable {
		m = append(m, "DELETE")
	}
	return strings.Join(m, ",")
}

// relationRequest is a request on a relation that passed the checks before
// the table (JWT, profile, method, query string, range).
type relationRequest struct {
	rel       *Relation
	schema    string
	byProfile bool
	ident     auth.Result
	q         *query.Request
	// lease gives q's parser back (s.parsers.Release) when the response
	// is written; nothing may use q after.
	lease query.Lease
	rng   request.Range
	// shape is the read's shape: with an entry, q is nil and the read
	// binds the entry's statement (shapeReadTx); without, a read of a new
	// shape that readTx learns.
	shape foundShape
}

// read serves GET and HEAD on a relation.
func (s *Server) read(c echo.Context, r relationRequest) {
	req := c.Request()
	timer := httpmw.Timing(req.Context())
	stop := timer.Start(httpmw.PhasePlan)
	rp, aerr := s.readTx(req, r)
	stop()
	if rp != nil {
		defer s.releaseRead(rp) // the response is written by then
	}
	if aerr != nil {
		// PostgreSQL sets the timezone before it sees the statement, so a
		// bad zone is the error PostgREST reports before the plan's.
		if rp != nil && rp.prefs.Timezone != "" {
			if err := s.checkTimezone(req.Context(), rp.prefs.Timezone); err != nil {
				s.fail(c, err, r.ident.Authenticated)
				return
			}
		}
		s.writeError(c, aerr)
		return
	}
	if rp.explain != nil {
		s.servePlan(c, &rp.tx, rp.explain, r.schema, r.byProfile, r.ident.Authenticated)
		return
	}
	head := func(res *exec.Result) (int, *apierr.Error) { return s.readHeaders(c, r, rp, res) }
	if rp.plan.Stream {
		s.readStreamed(c, &rp.tx, rp.plan.Media, r.ident.Authenticated, head)
		return
	}
	stop = timer.Start(httpmw.PhaseTransaction)
	res, err := s.run(req.Context(), &rp.tx)
	stop()
	respStart := time.Now()
	if err != nil {
		s.fail(c, err, r.ident.Authenticated)
		return
	}
	status, aerr := head(res)
	if aerr != nil {
		s.writeError(c, aerr)
		return
	}
	timer.Add(httpmw.PhaseResponse, time.Since(respStart))
	defer res.Release() // written by then
	respond.Body(c.Response(), status, res.Body, req.Method == http.MethodHead)
}

// readPlan is a read ready to run: its plan, its transaction and the
// preferences its response honours.
type readPlan struct {
	plan *plan.Read
	// lease gives plan's storage back (s.plans.Release) when the response
	// is written; nothing may use plan after.
	lease plan.Lease
	// tx is the transaction, gucs the array of its settings, recycled
	// with the plan.
	tx   exec.Tx
	gucs [requestSettings][2]string
	// args holds the statement's bind values.
	args  sqlgen.Args
	prefs request.Preferences
	// explain, when set, asks for the statement's plan (explainTx).
	explain *request.Explain
}

// readTx takes a read through the request, plan and SQL stages: media type,
// preferences, the plan, the statement and its transaction — everything
// but running it. An error of the request stage comes with a nil readPlan,
// one of the plan with the preferences it was read with.
func (s *Server) readTx(req *http.Request, r relationRequest) (*readPlan, *apierr.Error) {
	if r.shape.entry != nil {
		return s.shapeReadTx(req, r)
	}
	m, handler, ex, aerr := s.negotiate(header.Get(req.Header, header.Accept), r.rel, r.schema, r.q, "")
	if aerr != nil {
		return nil, aerr
	}
	prefs := request.ParsePrefer(req.Header, s.cfg.DBTxEnd.AllowOverride())
	if e := prefs.StrictError(); e != nil {
		return nil, e
	}
	rp := s.readPlans.get()
	rp.prefs, rp.explain = prefs, ex
	opts := plan.ReadOptions{Range: r.rng, Count: prefs.Count, MaxRows: s.cfg.DBMaxRows, Media: m, Method: req.Method,
		Handler: handler, GeoJSON: s.schema.GeoJSON}
	rp.plan, rp.lease, aerr = s.plans.Read(r.rel, r.q, s.readRelatedIn(r.schema), opts)
	if aerr != nil {
		return rp, aerr
	}
	stmt := s.sql.Read(&rp.args, rp.plan)
	s.setReadTx(req, r, rp, stmt.SQL, stmt.Args)
	rp.tx.Explain, rp.tx.ExplainArgs = stmt.Explain, stmt.ExplainArgs
	if ex != nil {
		explainTx(&rp.tx, ex)
	}
	if r.shape.buf != nil {
		s.learn(r.shape.buf, r.q, readEntry(&shapeEntry{rel: r.rel, rng: r.rng}, rp.plan), ex == nil && stmt.Explain == "", stmt.SQL, stmt.Args,
			s.renderRead(rp.plan, func() (*plan.Read, plan.Lease, *apierr.Error) {
				return s.plans.Read(r.rel, r.q, s.readRelatedIn(r.schema), opts)
			}))
	}
	return rp, nil
}

// setReadTx sets rp's transaction, read-only as r's role with rp's
// preferences: the statement main with its bind values args.
func (s *Server) setReadTx(req *http.Request, r relationRequest, rp *readPlan, main string, args []any) {
	rollback, _ := exec.End(s.cfg.DBTxEnd, rp.prefs.Tx)
	rp.tx = exec.Tx{
		ReadOnly:  true,
		Rollback:  rollback,
		Isolation: s.role(r.ident.Role).Isolation,
		GUCs:      s.appendRequestGUCs(rp.gucs[:0], req, r.schema, r.ident.Role, r.ident.Claims, rp.prefs.Timezone),
		Main:      main,
		Args:      args,
	}
}

// requestSettings is how many settings a request has without role
// settings, hoisted or app settings: search_path, role, claims, method,
// path, headers, cookies, timezone.
const requestSettings = 8

// releaseRead keeps a read's plan and its storage for another read, once
// its response is written.
func (s *Server) releaseRead(rp *readPlan) {
	s.plans.Release(rp.lease)
	s.readPlans.put(rp)
}

// readHeaders sets a read's headers from its statement's result and
// returns its status. An error is the response; the headers set before it
// stay (a 416 keeps its Content-Range, as in PostgREST).
func (s *Server) readHeaders(c echo.Context, r relationRequest, rp *readPlan, res *exec.Result) (int, *apierr.Error) {
	req := c.Request()
	m, prefs := rp.plan.Media, rp.prefs
	if m.Singular() && res.PageTotal != 1 {
		return 0, singularError(res.PageTotal)
	}
	total := countTotal(prefs.Count, res, s.cfg.DBMaxRows)

	h := c.Response().Header()
	// The fields every read sets, in one array (and its Content-Length in
	// respond.Body).
	hb := header.NewBatch(h, 4)
	lower := r.rng.Offset()
	upper := lower + res.PageTotal - 1
	hb.Set(header.ContentRange, respond.ContentRange(lower, upper, total))
	hb.Set(header.ContentLocation, canonicalQuery(r.rel.Name, req.URL.RawQuery))
	if r.byProfile {
		hb.Set(header.ContentProfile, r.schema)
	}
	if applied := prefs.AppliedForRead(); applied != "" {
		hb.Set(header.PreferenceApplied, applied)
	}
	status, aerr := respond.PageStatus(lower, upper, total)
	if aerr != nil {
		return 0, aerr
	}
	hb.Set(header.ContentType, handlerContentType(m, rp.plan.Handler, nil))
	if err := respond.GUCs(res.RespHeader, res.RespStatus, h, &status); err != nil {
		return 0, apierr.From(err, r.ident.Authenticated)
	}
	if header.Get(h, header.Vary) == "" {
		hb.Set(header.Vary, respond.Vary)
	}
	if rp.plan.Warning != "" {
		h.Set("Warning", rp.plan.Warning)
	}
	return status, nil
}

// countTotal is the total of Content-Range: exact counts from the
// statement, planned ones from EXPLAIN, and for estimated the exact count
// up to db-max-rows and the larger of both above it, as PostgREST decides.
func countTotal(count string, res *exec.Result, maxRows *int64) *int64 {
	switch count {
	case "planned":
		return res.PlanRows
	case "estimated":
		if maxRows != nil && res.Total != nil && *res.Total > *maxRows && res.PlanRows != nil {
			return ptr(max(*res.Total, *res.PlanRows))
		}
	}
	return res.Total
}

// queryOptions are what configuration allows in a query string.
func (s *Server) queryOptions() query.Options {
	return query.Options{Aggregates: s.cfg.DBAggregatesEnabled}
}

// canonicalQuery is "/"+name followed by PostgREST's canonical form of a
// query string, as in Content-Location: parameters sorted by key (values
// of one key joined by commas), each byte but [A-Za-z0-9-_.~]
// percent-encoded; the path alone when there are none.
func canonicalQuery(name, raw string) string {
	var buf [16]query.Param // most query strings: no allocation
	params := query.AppendSplit(buf[:0], raw)
	n := 0
	for _, p := range params {
		if p.Key != "" || p.HasValue {
			params[n] = p
			n++
		}
	}
	params = params[:n]
	// Written on the stack, then copied once into the header's string:
	// sizing it first took a pass over every byte.
	var stack [512]byte
	b := append(stack[:0], '/')
	b = append(b, name...)
	if len(params) == 0 {
		return string(b)
	}
	sortByKey(params)
	b = append(b, '?')
	for i := 0; i < len(params); {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendURLEncoded(b, params[i].Key)
		b = append(b, '=')
		b = appendURLEncoded(b, params[i].Value)
		j := i + 1
		for ; j < len(params) && params[j].Key == params[i].Key; j++ {
			b = append(b, ',')
			b = appendURLEncoded(b, params[j].Value)
		}
		i = j
	}
	return string(b)
}

// sortByKey sorts params by key, keeping the order of equal keys: an
// insertion sort, as query strings have a handful of parameters (a generic
// stable sort cost more than the encoding).
func sortByKey(params []query.Param) {
	for i := 1; i < len(params); i++ {
		for j := i; j > 0 && params[j].Key < params[j-1].Key; j-- {
			params[j], params[j-1] = params[j-1], params[j]
		}
	}
}

// appendURLEncoded appends s with each byte but [A-Za-z0-9-_.~]
// percent-encoded, the unreserved runs between them whole.
func appendURLEncoded(b []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; ; i++ {
		start := i
		for i < len(s) && unreservedByte[s[i]] {
			i++
		}
		b = append(b, s[start:i]...)
		if i == len(s) {
			return b
		}
		c := s[i]
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
	}
}

// unreservedByte marks the bytes appendURLEncoded leaves as they are.
var unreservedByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = unreserved(byte(c))
	}
	return t
}()

func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}
