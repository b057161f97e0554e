package runtime

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/respond"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// Streamed reads (see package respond for why): reads of tables and views
// whose body is a JSON array or CSV get one row per result row, which
// respond.Responder.Stream writes as exec.Stream reads them.

// streamable says whether a read gets the streamed statement: GET (HEAD
// has no body) of an array or CSV body, with no count from EXPLAIN (which
// exec.Runner.Run queues after the statement, and whose total the headers
// need).
// Singular media types need the row count before their body and are small.
func streamable(method string, m request.Media, count string) bool {
	return method == http.MethodGet && (m == request.MediaJSON || m == request.MediaArrayStripped || m == request.MediaCSV) &&
		(count == "" || count == "exact")
}

// renderStreamTail ends a read statement (after its CTEs) in the streamed
// shape:
//
//	SELECT total, page count, prefix, response.headers, response.status FROM pgrst_source _postgrest_t
//	UNION ALL
//	SELECT NULL, NULL, <row as JSON or CSV>, NULL, NULL FROM pgrst_source _postgrest_t
//
// The first branch aggregates, so it reads every row of pgrst_source
// before its one row comes out: the CTE's functions have all run when the
// response GUCs are read, and the headers they set come before the body,
// as in PostgREST. pgrst_source is read twice, so PostgreSQL materializes
// it in its own tuplestore (spilling to disk past work_mem) and the second
// branch reads it back without running anything again. A non-parallel
// Append runs its branches in order, so the meta row comes first; a CTE
// scan is parallel-restricted, so no Parallel Append can interleave them
// (exec.Runner.StartStream checks it anyway). The prefix is CSV's header
// line, NULL for JSON. Each row is rendered exactly as json_agg renders its
// elements (composite_to_json), and json_strip_nulls of an array strips
// each element alone; streamFraming joins them with json_agg's separators. The
// CTE is scanned directly, not through json_agg's (SELECT * FROM …)
// subquery: the row has the same columns, and the planner has less to do.
func renderStreamTail(sql *strings.Builder, total, pageCount string, m request.Media) {
	prefix, row := "NULL::text", "row_to_json(_postgrest_t)::text"
	switch m {
	case request.MediaArrayStripped:
		row = "json_strip_nulls(row_to_json(_postgrest_t))::text"
	case request.MediaCSV:
		prefix, row = sqlgen.CSVHeader, sqlgen.CSVRow
	}
	sql.WriteString(" SELECT " + total + ", " + pageCount + ", " + prefix +
		", nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '')" +
		" FROM pgrst_source _postgrest_t" +
		" UNION ALL SELECT NULL, NULL, " + row + ", NULL, NULL FROM pgrst_source _postgrest_t")
}

// streamFraming is how a streamed read's rows join into its body: as
// json_agg or CSV's string_agg join them (renderStreamTail renders each
// row as they do).
func streamFraming(m request.Media, prefix []byte) respond.Framing {
	switch m {
	case request.MediaArrayStripped:
		return respond.JSONArrayStripped
	case request.MediaCSV:
		return respond.CSV(prefix)
	}
	return respond.JSONArray
}

// readStreamed runs a streamed read and writes its response. head sets the
// headers from the meta row and returns the status (or the error that is
// the response). Until the body passes respond.Threshold nothing is sent,
// so every failure is an ordinary error response; after, a failure aborts
// the connection, so the client sees a broken chunked body, never a
// complete response.
func (s *Server) readStreamed(c echo.Context, tx *exec.Tx, m request.Media, authenticated bool, head func(*exec.Result) (int, *apierr.Error)) {
	req := c.Request()
	timer := httpmw.Timing(req.Context())
	h := c.Response().Header()
	// Errors the batch reports after head ran are not head's: they go out
	// with the headers as they were, as Run's errors do.
	saved := h.Clone()
	failLate := func(err error) {
		for k := range h {
			delete(h, k)
		}
		for k, v := range saved {
			h[k] = v
		}
		s.fail(c, err, authenticated)
	}

	stop := timer.Start(httpmw.PhaseTransaction)
	st, res, err := s.exec.StartStream(req.Context(), tx)
	stop()
	if err != nil {
		s.fail(c, err, authenticated)
		return
	}
	respStart := time.Now()
	status, aerr := head(res)
	if aerr != nil {
		// The transaction ends as Run's would have before this error.
		if err := st.Finish(); err != nil {
			failLate(err)
			return
		}
		s.writeError(c, aerr)
		return
	}
	timer.Add(httpmw.PhaseResponse, time.Since(respStart))
	if err := s.respond.Stream(c.Response(), req, status, streamFraming(m, res.Body), st); err != nil {
		failLate(err)
	}
}
