package runtime

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/respond"
)

// Streamed reads (see package respond for why): reads of tables and views
// whose body is a JSON array or CSV get one row per result row, which
// respond.Responder.Stream writes as exec.Stream reads them.

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
	begun := time.Now()
	st, res, err := s.exec.StartStream(req.Context(), tx)
	stop()
	s.tell(req.Context(), tx.Main, begun, err)
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
