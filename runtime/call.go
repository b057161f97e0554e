package runtime

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/auth"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// MountFunction serves /rpc/<name>: every overload of the functions called
// name, in every exposed schema; the request's profile and argument names
// pick one, as in PostgREST.
func (s *Server) MountFunction(r Router, path, name string) {
	h := func(c echo.Context) error {
		s.serveFunction(c, name)
		return nil
	}
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions,
		http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete,
		http.MethodTrace, http.MethodConnect} {
		r.Add(m, path, h)
	}
}

// callBody is what a POST to a function sends as its arguments.
type callBody struct {
	// keys are the argument names the body gives, sorted.
	keys []string
	// json is a JSON object (or array of objects, the first used) of
	// named arguments; form holds form-urlencoded ones instead.
	json   []byte
	object bool
	form   []query.Arg
	isForm bool
	// raw is the body for a single unnamed parameter of the type media
	// names (text, xml, bytea); media is "" for JSON and form bodies.
	raw   []byte
	media string
}

// rawParamTypes are the single unnamed parameter types each raw body media
// type can be passed to.
var rawParamTypes = map[string]string{
	"text/plain": "text", "text/xml": "xml", "application/octet-stream": "bytea",
}

// readCallBody reads a POST body as PostgREST reads a function call's:
// JSON (an empty body is {}), CSV (its first row), form-urlencoded (keys may
// repeat, for VARIADIC), or text, XML or binary for a single unnamed
// parameter.
func readCallBody(req *http.Request, raw string, maxBody int64) (*callBody, *apierr.Error) {
	body, aerr := readBody(req, maxBody)
	if aerr != nil {
		return nil, aerr
	}
	ct := contentType(req)
	switch ct {
	case "", "application/json", "text/csv":
		if ct == "text/csv" {
			var err error
			if body, err = csvToJSON(body); err != nil {
				return nil, apierr.New(http.StatusBadRequest, "PGRST102", err.Error(), "", "")
			}
		} else if len(strings.TrimSpace(string(body))) == 0 {
			p := &callBody{json: body, object: true}
			if cols := columnsParam(raw); cols != nil {
				p.keys = sortedCopy(cols)
			}
			return p, nil
		}
		p, aerr := jsonPayload(body, columnsParam(raw))
		if aerr != nil {
			return nil, aerr
		}
		return &callBody{keys: sortedCopy(p.columns), json: p.json, object: p.object}, nil
	case "application/x-www-form-urlencoded":
		p := &callBody{isForm: true}
		for _, prm := range query.Split(string(body)) {
			if prm.Key == "" && !prm.HasValue {
				continue
			}
			p.form = append(p.form, query.Arg{Name: prm.Key, Value: prm.Value})
			if !slices.Contains(p.keys, prm.Key) {
				p.keys = append(p.keys, prm.Key)
			}
		}
		slices.Sort(p.keys)
		return p, nil
	}
	if _, ok := rawParamTypes[ct]; ok {
		return &callBody{raw: body, media: ct}, nil
	}
	return nil, apierr.New(http.StatusBadRequest, "PGRST102", "Content-Type not acceptable: "+ct, "", "")
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// serveFunction answers a request on /rpc/<name>, with PostgREST's error
// order: JWT, profile, method, query string and range, body, function,
// select and filters, media type, preferences, then the database's.
func (s *Server) serveFunction(c echo.Context, name string) {
	req := c.Request()
	timer := httpmw.Timing(req.Context())
	stop := timer.Start(httpmw.PhaseJWT)
	ident, aerr := s.auth.Authenticate(req.Header.Get("Authorization"))
	stop()
	if aerr != nil {
		s.writeError(c, aerr)
		return
	}
	fail := func(e *apierr.Error) { s.writeError(c, e) }
	schema, byProfile, aerr := s.profile(req)
	if aerr != nil {
		fail(aerr)
		return
	}
	read := req.Method == http.MethodGet || req.Method == http.MethodHead
	switch {
	case read, req.Method == http.MethodPost, req.Method == http.MethodOptions:
	default:
		fail(apierr.New(http.StatusMethodNotAllowed, "PGRST101", "Cannot use the "+req.Method+" method on RPC", "", ""))
		return
	}
	stop = timer.Start(httpmw.PhaseParse)
	var q *query.Request
	var err error
	if read {
		q, err = query.ParseCall(req.URL.RawQuery)
	} else {
		q, err = query.ParseRaw(req.URL.RawQuery)
	}
	stop()
	if err != nil {
		fail(apierr.From(err, ident.Authenticated))
		return
	}
	rng, aerr := readRange(req, q, s.cfg.DBMaxRows)
	if aerr != nil {
		fail(aerr)
		return
	}
	var body *callBody
	var keys []string
	if req.Method == http.MethodPost {
		if body, aerr = readCallBody(req, req.URL.RawQuery, s.cfg.ServerMaxBodySize); aerr != nil {
			fail(aerr)
			return
		}
		keys = body.keys
	} else {
		for _, a := range q.Args {
			keys = append(keys, a.Name)
		}
		keys = sortedCopy(keys)
	}
	fn, aerr := s.findFunction(schema, name, keys, body)
	if aerr != nil {
		fail(aerr)
		return
	}
	if req.Method == http.MethodOptions {
		h := c.Response().Header()
		h.Set("Allow", "OPTIONS,GET,HEAD,POST")
		if fn.Volatility == "volatile" {
			h.Set("Allow", "OPTIONS,POST")
		}
		c.Response().WriteHeader(http.StatusOK)
		return
	}
	s.call(c, callRequest{fn: fn, schema: schema, byProfile: byProfile, ident: ident, q: q, rng: rng, body: body, keys: keys})
}

// callRequest is a function call that passed the checks up to finding the
// function.
type callRequest struct {
	fn        *Function
	schema    string
	byProfile bool
	ident     auth.Result
	q         *query.Request
	rng       rowRange
	body      *callBody // nil for GET and HEAD
	keys      []string
}

// call runs a function and writes its result as PostgREST does.
func (s *Server) call(c echo.Context, r callRequest) {
	req := c.Request()
	fn := r.fn
	fail := func(e *apierr.Error) { s.writeError(c, e) }
	defaultSelect := r.q.Select == nil || (len(r.q.Select) == 1 && r.q.Select[0].Star && r.q.Select[0].Alias == "" && r.q.Select[0].Cast == "")
	m, customType, aerr := negotiateCall(req.Header.Get("Accept"), fn, defaultSelect)
	if aerr != nil {
		fail(aerr)
		return
	}
	prefs := parsePrefer(req.Header, s.cfg.DBTxEnd.AllowOverride())
	if e := prefs.strictError(); e != nil {
		fail(e)
		return
	}
	strictMax := prefs.handling == "strict" && prefs.maxAffected != nil
	if strictMax && !fn.ReturnsSet {
		fail(apierr.New(http.StatusBadRequest, "PGRST128",
			"Function must return SETOF or TABLE when max-affected preference is used with handling=strict", "", ""))
		return
	}
	timer := httpmw.Timing(req.Context())
	stop := timer.Start(httpmw.PhasePlan)
	src := &callSource{fn: fn, params: r.params(), body: r.body}
	shape := readShape{rng: r.rng, count: prefs.count, maxRows: s.cfg.DBMaxRows, head: req.Method == http.MethodHead, media: m,
		call: src, related: s.readRelatedIn(r.schema)}
	stmt, aerr := renderRead(s.results[fn], r.q, shape)
	stop()
	if aerr != nil {
		fail(aerr)
		return
	}
	rollback, _ := txEnd(s.cfg.DBTxEnd, prefs.tx)
	isolation := s.roles[r.ident.Role].Isolation
	var hoisted [][2]string
	for _, st := range fn.Settings {
		k, v, _ := strings.Cut(st, "=")
		if k == "default_transaction_isolation" {
			isolation = strings.ToUpper(v)
		}
		if slices.Contains(s.cfg.DBHoistedTxSettings, k) {
			hoisted = append(hoisted, [2]string{k, v})
		}
	}
	tx := &txRequest{
		// GET and HEAD, and calls of functions that cannot write, run READ
		// ONLY: a writing function called with GET fails with 25006 (405).
		readOnly:    req.Method != http.MethodPost || fn.Volatility != "volatile",
		rollback:    rollback,
		isolation:   isolation,
		gucs:        s.requestGUCs(req, r.schema, r.ident.Role, r.ident.Claims, prefs.timezone, hoisted...),
		main:        stmt.sql,
		args:        stmt.args,
		explain:     stmt.explain,
		explainArgs: stmt.explainArgs,
	}
	if m.singular() || strictMax {
		// Refused results are rolled back, as PostgREST does.
		tx.check = func(res *result) *apierr.Error {
			if m.singular() && res.pageTotal != 1 {
				return apierr.New(http.StatusNotAcceptable, "PGRST116", "Cannot coerce the result to a single JSON object",
					fmt.Sprintf("The result contains %d rows", res.pageTotal), "")
			}
			if strictMax && res.pageTotal > *prefs.maxAffected {
				return apierr.New(http.StatusBadRequest, "PGRST124", "Query result exceeds max-affected preference constraint",
					fmt.Sprintf("The query affects %d rows", res.pageTotal), "")
			}
			return nil
		}
	}
	stop = timer.Start(httpmw.PhaseTransaction)
	res, err := s.run(req.Context(), tx)
	stop()
	respStart := time.Now()
	if err != nil {
		s.fail(c, err, r.ident.Authenticated)
		return
	}
	total := countTotal(prefs.count, res, s.cfg.DBMaxRows)
	h := c.Response().Header()
	lower := r.rng.lower
	upper := lower + res.pageTotal - 1
	h.Set("Content-Range", contentRange(lower, upper, total))
	if stmt.warning != "" {
		h.Set("Warning", stmt.warning)
	}
	applied := prefs.appliedForRead()
	if strictMax {
		applied = strings.TrimPrefix(applied+", max-affected="+strconv.FormatInt(*prefs.maxAffected, 10), ", ")
	}
	if applied != "" {
		h.Set("Preference-Applied", applied)
	}
	status := http.StatusOK
	if total != nil {
		switch {
		case lower > *total:
			fail(apierr.New(http.StatusRequestedRangeNotSatisfiable, "PGRST103", "Requested range not satisfiable",
				fmt.Sprintf("An offset of %d was requested, but there are only %d rows.", lower, *total), ""))
			return
		case 1+upper-lower < *total:
			status = http.StatusPartialContent
		}
	}
	switch {
	case fn.Void:
		status = http.StatusNoContent
	case m == mediaCustom:
		h.Set(echo.HeaderContentType, customType)
	default:
		h.Set(echo.HeaderContentType, m.contentType())
	}
	if !fn.Void && r.byProfile {
		h.Set("Content-Profile", r.schema)
	}
	if err := responseGUCs(res, h, &status); err != nil {
		fail(apierr.From(err, r.ident.Authenticated))
		return
	}
	timer.Add(httpmw.PhaseResponse, time.Since(respStart))
	if req.Method == http.MethodHead || fn.Void {
		c.Response().WriteHeader(status)
		return
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(res.body)))
	c.Response().WriteHeader(status)
	_, _ = c.Response().Write(res.body)
}

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
	case r.body.isForm:
		args = r.body.form
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
	params []callParam // direct arguments (GET, form)
	body   *callBody   // JSON or raw body (POST), nil for GET
}

// cte renders the rows of the call: "SELECT pgrst_call.* FROM <call>",
// with a scalar result in a column named pgrst_scalar, as PostgREST names it.
func (cs *callSource) cte(b *builder) string {
	fn := cs.fn
	var args []string
	from := ""
	switch {
	case len(fn.Params) == 1 && fn.Params[0].Name == "":
		// The single unnamed parameter takes the whole body.
		p := fn.Params[0]
		var v any = ""
		if cs.body != nil {
			if cs.body.media == "application/octet-stream" {
				v = cs.body.raw
			} else if cs.body.media != "" {
				v = string(cs.body.raw)
			} else {
				v = string(cs.body.json)
			}
		}
		args = append(args, b.param(v)+"::"+p.Cast)
	case cs.body != nil && !cs.body.isForm:
		var given []*Param
		for i := range fn.Params {
			if slices.Contains(cs.body.keys, fn.Params[i].Name) {
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
		if cs.body.object {
			toRecord = "json_to_record"
		}
		from = "(SELECT " + b.param(string(cs.body.json)) + "::json AS json_data) pgrst_payload, LATERAL (SELECT " +
			strings.Join(names, ", ") + " FROM " + toRecord + "(pgrst_payload.json_data) AS _(" + strings.Join(typed, ", ") +
			") LIMIT 1) pgrst_body, LATERAL "
	default:
		for _, cp := range cs.params {
			p := cp.param
			v := cp.values[0]
			if p.Variadic {
				v = arrayLiteral(cp.values)
			}
			args = append(args, variadic(p)+p.SQLName+" := "+b.param(v)+"::"+p.Cast)
		}
	}
	call := fn.SQLName + "(" + strings.Join(args, ", ") + ")"
	if fn.Scalar {
		call = "(SELECT " + call + " AS pgrst_scalar)"
	}
	return "SELECT pgrst_call.* FROM " + from + call + " AS pgrst_call"
}

func variadic(p *Param) string {
	if p.Variadic {
		return "VARIADIC "
	}
	return ""
}

// aggregate turns a call's page into the response body.
func (cs *callSource) aggregate(m media) string {
	fn := cs.fn
	rows := "_postgrest_t"
	if fn.Scalar {
		rows = "_postgrest_t.pgrst_scalar"
	}
	single := !fn.ReturnsSet
	strip := func(s string) string { return s }
	switch m {
	case mediaCustom:
		// The value itself, through the media type's domain.
		cast := "::text"
		if fn.MediaBinary {
			cast = "::bytea"
		}
		return "(array_agg(" + fn.MediaDomain + "(" + rows + ")))[1]" + cast
	case mediaCSV:
		return csvBody
	case mediaObject:
		single = true
	case mediaObjectStripped:
		single = true
		strip = func(s string) string { return "json_strip_nulls(" + s + ")" }
	case mediaArrayStripped:
		strip = func(s string) string { return "json_strip_nulls(" + s + ")" }
	}
	if single {
		return "coalesce(" + strip("json_agg("+rows+")->0") + ", 'null')::text"
	}
	return "coalesce(" + strip("json_agg("+rows+")") + ", '[]')::text"
}

// findFunction picks the function a call means, as PostgREST's findProc:
// among the overloads of schema.name, the one whose parameters the given
// argument names fit (every required one given, nothing unknown); failing
// that, one with a single unnamed parameter of the body's type.
func (s *Server) findFunction(schema, name string, keys []string, body *callBody) (*Function, *apierr.Error) {
	overloads := s.funcs[name][schema]
	media := "application/json"
	post := body != nil
	if post {
		switch {
		case body.media != "":
			media = body.media
		case body.isForm:
			media = "application/x-www-form-urlencoded"
		}
	}
	var matches, fallbacks []*Function
	for _, fn := range overloads {
		switch {
		case paramsMatch(fn, keys, post, media):
			matches = append(matches, fn)
		case post && singleUnnamed(fn, media):
			fallbacks = append(fallbacks, fn)
		}
	}
	switch {
	case len(matches) == 1:
		return matches[0], nil
	case len(matches) > 1:
		return nil, ambiguousFunction(matches)
	case len(fallbacks) == 1:
		return fallbacks[0], nil
	case len(fallbacks) > 1:
		return nil, ambiguousFunction(fallbacks)
	}
	return nil, s.functionNotFound(schema, name, keys, post, media, overloads)
}

func paramsMatch(fn *Function, keys []string, post bool, media string) bool {
	if len(fn.Params) == 0 {
		_, raw := rawParamTypes[media]
		return len(keys) == 0 && !(post && raw)
	}
	for _, p := range fn.Params {
		if p.Required && !slices.Contains(keys, p.Name) {
			return false
		}
	}
	for _, k := range keys {
		if !slices.ContainsFunc(fn.Params, func(p Param) bool { return p.Name == k }) {
			return false
		}
	}
	return true
}

// singleUnnamed reports whether fn takes the whole body of this media type
// through its one unnamed parameter.
func singleUnnamed(fn *Function, media string) bool {
	if len(fn.Params) != 1 || fn.Params[0].Name != "" {
		return false
	}
	t := fn.Params[0].Type
	if media == "application/json" {
		return t == "json" || t == "jsonb"
	}
	return rawParamTypes[media] == t
}

func ambiguousFunction(fns []*Function) *apierr.Error {
	var cands []string
	for _, fn := range fns {
		var ps []string
		for _, p := range fn.Params {
			ps = append(ps, p.Name+" => "+p.Type)
		}
		cands = append(cands, fn.Schema+"."+fn.Name+"("+strings.Join(ps, ", ")+")")
	}
	return apierr.New(http.StatusMultipleChoices, "PGRST203",
		"Could not choose the best candidate function between: "+strings.Join(cands, ", "), "",
		"Try renaming the parameters or the function itself in the database so function overloading can be resolved")
}

// functionNotFound is PGRST202 with PostgREST's message, details and hint.
func (s *Server) functionNotFound(schema, name string, keys []string, post bool, media string, overloads []*Function) *apierr.Error {
	fq := schema + "." + name
	_, raw := rawParamTypes[media]
	onlySingle := post && raw
	withParams := " without parameters"
	detailParams := withParams
	if len(keys) > 0 {
		withParams = "(" + strings.Join(keys, ", ") + ")"
		detailParams = " with parameter "
		if len(keys) > 1 {
			detailParams = " with parameters "
		}
		detailParams += strings.Join(keys, ", ")
	}
	msg := "Could not find the function " + fq
	if !onlySingle {
		msg += withParams
	}
	msg += " in the schema cache"
	details := "Searched for the function " + fq
	switch {
	case post && raw:
		details += " with a single unnamed " + rawParamTypes[media] + " parameter"
	case post && media == "application/json":
		details += detailParams + " or with a single unnamed json/jsonb parameter"
	default:
		details += detailParams
	}
	details += ", but no matches were found in the schema cache."
	hint := ""
	if !onlySingle {
		hint = s.functionHint(schema, name, keys, overloads)
	}
	return apierr.New(http.StatusNotFound, "PGRST202", msg, details, hint)
}

// functionHint is PostgREST's "Perhaps you meant" for a call: the closest
// function name of the schema, or when the name exists, the closest
// parameter list of its overloads.
func (s *Server) functionHint(schema, name string, keys []string, overloads []*Function) string {
	prefix := "Perhaps you meant to call the function " + schema + "."
	if len(overloads) == 0 {
		var names []string
		for _, fn := range s.schema.Functions {
			if fn.Schema == schema {
				names = append(names, fn.Name)
			}
		}
		if best, ok := closest(name, names, 0.75); ok {
			return prefix + best
		}
		return ""
	}
	paramList := func(names []string) string {
		names = slices.Clone(names)
		slices.Sort(names)
		return "(" + strings.Join(names, ", ") + ")"
	}
	var lists []string
	for _, fn := range overloads {
		var ps []string
		for _, p := range fn.Params {
			ps = append(ps, p.Name)
		}
		lists = append(lists, paramList(ps))
	}
	if best, ok := closest(paramList(keys), lists, 0.33); ok {
		return prefix + name + best
	}
	return ""
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
