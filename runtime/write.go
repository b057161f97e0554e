package runtime

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/header"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/respond"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// write serves POST, PATCH, PUT and DELETE on a relation.
func (s *Server) write(c echo.Context, r relationRequest) {
	req := c.Request()
	timer := httpmw.Timing(req.Context())
	stop := timer.Start(httpmw.PhasePlan)
	wp, aerr := s.writeTx(req, r)
	stop()
	if aerr != nil {
		s.writeError(c, aerr)
		return
	}
	defer s.releaseWrite(wp) // the response is written by then
	if wp.explain != nil {
		s.servePlan(c, &wp.tx, wp.explain, r.schema, r.byProfile, r.ident.Authenticated)
		return
	}
	stop = timer.Start(httpmw.PhaseTransaction)
	res, err := s.run(req.Context(), &wp.tx)
	stop()
	if err != nil {
		s.fail(c, err, r.ident.Authenticated)
		return
	}
	defer res.Release() // written by then
	if wp.plan.Warning != "" {
		c.Response().Header().Set("Warning", wp.plan.Warning)
	}
	s.respondWrite(c, r, wp.prefs, handlerContentType(wp.plan.Media, wp.plan.Handler, nil), res)
}

// writePlan is a write ready to run: its plan, its transaction and the
// preferences its response honours (Resolution as applied).
type writePlan struct {
	plan *plan.Mutate
	// lease gives plan's storage back (s.plans.Release) when the response
	// is written, as readPlan's.
	lease plan.Lease
	// tx is the transaction, gucs the array of its settings, as
	// readPlan's.
	tx   exec.Tx
	gucs [requestSettings][2]string
	// args holds the statement's bind values.
	args  sqlgen.Args
	prefs request.Preferences
	// explain, when set, asks for the statement's plan (explainTx).
	explain *request.Explain
}

// writeTx takes a write through the request, plan and SQL stages — media
// type, preferences, the body, the plan, the statement and its transaction
// — everything but running it.
func (s *Server) writeTx(req *http.Request, r relationRequest) (*writePlan, *apierr.Error) {
	m, handler, ex, aerr := s.negotiate(header.Get(req.Header, header.Accept), r.rel, r.schema, r.q, "")
	if aerr != nil {
		return nil, aerr
	}
	if m == request.MediaCSV {
		// CSV representations of writes are not served yet; refused before
		// anything is written.
		name := "text/csv"
		if ex != nil {
			name = ex.Name
		}
		return nil, apierr.New(http.StatusNotAcceptable, "PGRST107", "None of these media types are available: "+name, "", "")
	}
	prefs := request.ParsePrefer(req.Header, s.cfg.DBTxEnd.AllowOverride())
	if e := prefs.StrictError(); e != nil {
		return nil, e
	}
	mt, aerr := plan.PlanMutateTarget(r.rel, r.q, req.Method, prefs.Resolution, request.NamedParam(req.URL.RawQuery, "on_conflict"))
	if aerr != nil {
		return nil, aerr
	}
	// Read between the two plan steps: the conflict target and PUT's key
	// are refused before a bad body, the body's columns after it.
	var payload *request.Payload
	if req.Method != http.MethodDelete {
		if payload, aerr = request.ReadPayload(req, request.ColumnsParam(req.URL.RawQuery), s.cfg.ServerMaxBodySize, r.rel); aerr != nil {
			return nil, aerr
		}
	}
	// A POST of a shape seen before binds its body to the kept statement
	// (shapes.go); the rest are planned and rendered.
	var shape foundShape
	if req.Method == http.MethodPost && ex == nil {
		shape = s.shapes.findWrite(req, r.schema, r.rel.Name, payload)
		defer s.shapes.release(shape.buf) // the statement holds the body itself
	}
	wp := s.writePlans.get()
	wp.prefs, wp.explain = prefs, ex
	var sql string
	var args []any
	var inserted bool
	if e := shape.entry; e != nil && e.sql != "" {
		wp.plan = &e.write
		e.bind(&wp.args, shape.buf)
		sql, args, inserted = e.sql, wp.args.Values(), e.inserted
	} else {
		opts := plan.MutateOptions{Payload: payload, Prefs: prefs, Media: m, Handler: handler, GeoJSON: s.schema.GeoJSON}
		mp, lease, aerr := s.plans.Mutate(mt, r.q, s.relatedIn(r.schema), opts)
		if aerr != nil {
			s.writePlans.put(wp)
			return nil, aerr
		}
		wp.plan, wp.lease = mp, lease
		sql, args = s.sql.Mutate(&wp.args, mp)
		inserted = mp.Counts()
		if shape.buf != nil {
			s.learn(shape.buf, r.q, writeEntry(mp), true, sql, args, s.renderWrite(mp, func(probe *request.Payload) (*plan.Mutate, plan.Lease, *apierr.Error) {
				o := opts
				o.Payload = probe
				return s.plans.Mutate(mt, r.q, s.relatedIn(r.schema), o)
			}))
		}
	}
	prefs.Resolution = wp.plan.Resolution
	wp.prefs.Resolution = prefs.Resolution
	rollback, _ := exec.End(s.cfg.DBTxEnd, prefs.Tx)
	tx := &wp.tx
	*tx = exec.Tx{
		Rollback:  rollback,
		Isolation: s.role(r.ident.Role).Isolation,
		GUCs:      s.appendRequestGUCs(wp.gucs[:0], req, r.schema, r.ident.Role, r.ident.Claims, prefs.Timezone),
		Main:      sql,
		Args:      args,
		Inserted:  inserted,
	}
	strictMax := prefs.Handling == "strict" && prefs.MaxAffected != nil && req.Method != http.MethodPost
	if m.Singular() || strictMax || req.Method == http.MethodPut {
		// PostgREST looks at the result before the transaction ends and
		// rolls back what it refuses. The check keeps copies of what it
		// reads: capturing prefs would put it on the heap for every write.
		put, singular, maxAffected := req.Method == http.MethodPut, m.Singular(), prefs.MaxAffected
		tx.Check = func(res *exec.Result) *apierr.Error {
			if put && res.PageTotal != 1 {
				return apierr.New(http.StatusBadRequest, "PGRST115", "Payload values do not match URL in primary key column(s)", "", "")
			}
			if singular && res.PageTotal != 1 {
				return singularError(res.PageTotal)
			}
			if strictMax && res.PageTotal > *maxAffected {
				return maxAffectedError(res.PageTotal)
			}
			return nil
		}
	}
	if ex != nil {
		explainTx(tx, ex)
	}
	return wp, nil
}

// releaseWrite keeps a write's plan for another write, once its response
// is written.
func (s *Server) releaseWrite(wp *writePlan) {
	s.plans.Release(wp.lease)
	s.writePlans.put(wp)
}

// respondWrite writes a mutation's response with PostgREST's statuses and
// headers.
func (s *Server) respondWrite(c echo.Context, r relationRequest, prefs request.Preferences, contentType string, res *exec.Result) {
	start := time.Now()
	req := c.Request()
	h := c.Response().Header()
	hb := header.NewBatch(h, 5) // the common fields' values in one array
	var total *int64
	if prefs.Count == "exact" || prefs.Count == "estimated" {
		total = ptr(res.PageTotal)
	}
	status := http.StatusNoContent
	switch req.Method {
	case http.MethodPost:
		status = http.StatusCreated
		if prefs.Resolution == "merge-duplicates" && res.Inserted != nil && *res.Inserted == 0 {
			status = http.StatusOK // an upsert that only updated
		}
		hb.Set(header.ContentRange, respond.ContentRange(1, 0, total))
		if prefs.Return == "headers-only" && res.PageTotal == 1 {
			if loc := location(r.rel, res.Body); loc != "" {
				h.Set("Location", loc)
			}
		}
	case http.MethodPatch:
		hb.Set(header.ContentRange, respond.ContentRange(0, res.PageTotal-1, total))
	case http.MethodDelete:
		hb.Set(header.ContentRange, respond.ContentRange(1, 0, total))
	}
	if a := prefs.AppliedForWrite(req.Method); a != "" {
		hb.Set(header.PreferenceApplied, a)
	}
	var body []byte
	if prefs.Return == "representation" {
		body = res.Body
		hb.Set(header.ContentType, contentType)
		switch {
		case req.Method == http.MethodPut && res.Inserted != nil && *res.Inserted > 0:
			status = http.StatusCreated
		case req.Method != http.MethodPost:
			status = http.StatusOK
		}
	}
	if req.Method == http.MethodPut {
		h.Del("Content-Range")
	}
	if r.byProfile {
		hb.Set(header.ContentProfile, r.schema)
	}
	if err := respond.GUCs(res.RespHeader, res.RespStatus, h, &status); err != nil {
		s.writeError(c, apierr.From(err, r.ident.Authenticated))
		return
	}
	if header.Get(h, header.Vary) == "" {
		hb.Set(header.Vary, respond.Vary)
	}
	httpmw.Timing(req.Context()).Add(httpmw.PhaseResponse, time.Since(start))
	if req.Method == http.MethodPost || body != nil || (req.Method == http.MethodPut && prefs.Return == "representation") {
		hb.Set(header.ContentLength, strconv.Itoa(len(body)))
	}
	c.Response().WriteHeader(status)
	_, _ = c.Response().Write(body)
}

// location is PostgREST's Location for return=headers-only: the inserted
// row's primary key as eq filters ("/films?id=eq.34").
func location(rel *Relation, row []byte) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(row, &obj) != nil || len(rel.PrimaryKey) == 0 {
		return ""
	}
	b := []byte("/" + rel.Name + "?")
	for i, k := range rel.PrimaryKey {
		v, ok := obj[k]
		if !ok {
			return ""
		}
		val := "is.null"
		var str string
		switch {
		case string(v) == "null":
		case json.Unmarshal(v, &str) == nil:
			val = "eq." + str
		default:
			val = "eq." + string(v)
		}
		if i > 0 {
			b = append(b, '&')
		}
		b = appendURLEncoded(b, k)
		b = append(b, '=')
		b = appendURLEncoded(b, val)
	}
	return string(b)
}
