package runtime

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// Streamed reads. PostgreSQL's json_agg builds a body as one value, which
// pgx then reads whole: a response costs about twice its size in memory,
// and PostgreSQL's 1 GB value limit caps it. Reads of tables and views
// whose body is a JSON array or CSV instead get one row per result row,
// which the server writes as it reads them, so its memory does not grow
// with the response.
const (
	// streamThreshold: a body up to this size is sent whole with its
	// Content-Length, as before; past it, the headers go out and the body
	// follows in chunks.
	streamThreshold = 512 << 10
	// streamChunk is about the size of each write once streaming.
	streamChunk = 64 << 10
)

// streamable says whether a read gets the streamed statement: GET (HEAD
// has no body) of an array or CSV body, with no count from EXPLAIN (which
// run queues after the statement, and whose total the headers need).
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
// (startStream checks it anyway). The prefix is CSV's header line, NULL
// for JSON. Each row is rendered exactly as json_agg renders its elements
// (composite_to_json), and json_strip_nulls of an array strips each
// element alone; readStreamed joins them with json_agg's separators. The
// CTE is scanned directly, not through json_agg's (SELECT * FROM …)
// subquery: the row has the same columns, and the planner has less to do.
func renderStreamTail(sql *strings.Builder, total, pageCount string, m request.Media) {
	prefix, row := "NULL::text", "row_to_json(_postgrest_t)::text"
	switch m {
	case request.MediaArrayStripped:
		row = "json_strip_nulls(row_to_json(_postgrest_t))::text"
	case request.MediaCSV:
		prefix, row = csvHeader, csvRow
	}
	sql.WriteString(" SELECT " + total + ", " + pageCount + ", " + prefix +
		", nullif(current_setting('response.headers', true), ''), nullif(current_setting('response.status', true), '')" +
		" FROM pgrst_source _postgrest_t" +
		" UNION ALL SELECT NULL, NULL, " + row + ", NULL, NULL FROM pgrst_source _postgrest_t")
}

// framing is how a streamed body's pieces join: what json_agg and CSV's
// string_agg put around and between them.
type framing struct{ open, sep, close string }

func streamFraming(m request.Media, prefix []byte) framing {
	switch m {
	case request.MediaArrayStripped:
		// json_strip_nulls re-renders the array without white space.
		return framing{"[", ",", "]"}
	case request.MediaCSV:
		return framing{string(prefix) + "\n", "\n", ""}
	}
	return framing{"[", ", \n ", "]"}
}

// readStreamed runs a streamed read and writes its response. head sets the
// headers from the meta row and returns the status (or the error that is
// the response). Until the body passes streamThreshold nothing is sent, so
// every failure is an ordinary error response; after, a failure aborts the
// connection, so the client sees a broken chunked body, never a complete
// response.
func (s *Server) readStreamed(c echo.Context, tx *txRequest, m request.Media, authenticated bool, head func(*result) (int, *apierr.Error)) {
	req := c.Request()
	timer := httpmw.Timing(req.Context())
	h := c.Response().Header()
	// Errors the batch reports after head ran are not head's: they go out
	// with the headers as they were, as run's errors do.
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
	st, res, err := s.startStream(req.Context(), tx)
	stop()
	if err != nil {
		s.fail(c, err, authenticated)
		return
	}
	respStart := time.Now()
	status, aerr := head(res)
	if aerr != nil {
		// The transaction ends as run's would have before this error.
		if err := st.finish(); err != nil {
			failLate(err)
			return
		}
		s.writeError(c, aerr)
		return
	}
	timer.Add(httpmw.PhaseResponse, time.Since(respStart))

	fr := streamFraming(m, res.body)
	buf := make([]byte, 0, 4<<10)
	buf = append(buf, fr.open...)
	streaming := false
	w := c.Response()
	for first := true; ; first = false {
		piece, ok := st.next()
		if !ok {
			break
		}
		if !first {
			buf = append(buf, fr.sep...)
		}
		buf = append(buf, piece...)
		if !streaming && len(buf) > streamThreshold {
			streaming = true
			h.Del(echo.HeaderContentLength) // one set through response.headers would not hold
			w.WriteHeader(status)
		}
		if streaming && len(buf) >= streamChunk {
			if _, err := w.Write(buf); err != nil {
				st.abort()
				panic(http.ErrAbortHandler)
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, fr.close...)
	if err := st.finish(); err != nil {
		if streaming {
			s.abortStream(req.Context(), err)
		}
		failLate(err)
		return
	}
	if !streaming {
		writeBody(c, status, buf, false)
		return
	}
	// A failed last write leaves a broken connection: nothing to add.
	_, _ = w.Write(buf)
}

// abortStream ends a response whose body was partly sent and cannot be
// completed: net/http closes the connection without the chunked body's
// last chunk, so no client takes it for the whole body. echo's Recover
// middleware re-panics http.ErrAbortHandler, and net/http does not log it,
// so the failure is logged here (unless the client went away).
func (s *Server) abortStream(ctx context.Context, err error) {
	if !errors.Is(err, context.Canceled) {
		s.log.LogAttrs(ctx, slog.LevelError, "streamed response aborted", slog.Any("err", err))
	}
	panic(http.ErrAbortHandler)
}
