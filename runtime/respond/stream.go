package respond

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
)

// Streamed bodies. PostgreSQL's json_agg builds a body as one value, which
// pgx then reads whole: a response costs about twice its size in memory,
// and PostgreSQL's 1 GB value limit caps it. A streamed read's statement
// instead returns one row per piece of the body, which Stream writes as it
// reads them, so the server's memory does not grow with the response.
const (
	// Threshold: a body up to this size is sent whole with its
	// Content-Length, as before; past it, the headers go out and the body
	// follows in chunks.
	Threshold = 512 << 10
	// Chunk is about the size of each write once streaming.
	Chunk = 64 << 10
)

// Pieces is where a streamed body comes from (exec.Stream).
type Pieces interface {
	// Next is the next piece, valid until the following call; false at
	// the end or on an error, which Finish reports.
	Next() ([]byte, bool)
	// Finish reads what is left and ends the transaction.
	Finish() error
	// Abort gives up: the rest is not read.
	Abort()
}

// Framing is how a streamed body's pieces join: what json_agg and CSV's
// string_agg put around and between them.
type Framing struct{ Open, Sep, Close string }

var (
	// JSONArray joins elements as json_agg does.
	JSONArray = Framing{"[", ", \n ", "]"}
	// JSONArrayStripped joins them as json_strip_nulls re-renders an
	// array: without white space.
	JSONArrayStripped = Framing{"[", ",", "]"}
)

// CSV joins CSV rows under their header line.
func CSV(header []byte) Framing { return Framing{string(header) + "\n", "\n", ""} }

// Stream writes a body read piece by piece from src with status; the
// headers are set. Until the body passes Threshold nothing is sent, and an
// error of src.Finish is returned, for an ordinary error response (src is
// finished either way). Past it, the headers go out (without a
// Content-Length, even one set through response.headers) and the body
// follows in chunks of about Chunk; a failure then aborts the connection
// (panic(http.ErrAbortHandler)), so the client sees a broken chunked body,
// never a complete response. Such a failure is logged unless the client
// went away: net/http does not log the abort.
func (rs *Responder) Stream(w http.ResponseWriter, r *http.Request, status int, fr Framing, src Pieces) error {
	h := w.Header()
	buf := make([]byte, 0, 4<<10)
	buf = append(buf, fr.Open...)
	streaming := false
	for first := true; ; first = false {
		piece, ok := src.Next()
		if !ok {
			break
		}
		if !first {
			buf = append(buf, fr.Sep...)
		}
		buf = append(buf, piece...)
		if !streaming && len(buf) > Threshold {
			streaming = true
			h.Del("Content-Length") // one set through response.headers would not hold
			w.WriteHeader(status)
		}
		if streaming && len(buf) >= Chunk {
			if _, err := w.Write(buf); err != nil {
				src.Abort()
				panic(http.ErrAbortHandler)
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, fr.Close...)
	if err := src.Finish(); err != nil {
		if streaming {
			rs.abortStream(r.Context(), err)
		}
		return err
	}
	if !streaming {
		Body(w, status, buf, false)
		return nil
	}
	// A failed last write leaves a broken connection: nothing to add.
	_, _ = w.Write(buf)
	return nil
}

// abortStream ends a response whose body was partly sent and cannot be
// completed: net/http closes the connection without the chunked body's
// last chunk, so no client takes it for the whole body. echo's Recover
// middleware re-panics http.ErrAbortHandler, and net/http does not log it,
// so the failure is logged here (unless the client went away).
func (rs *Responder) abortStream(ctx context.Context, err error) {
	if !errors.Is(err, context.Canceled) {
		rs.log(ctx, slog.LevelError, "streamed response aborted", slog.Any("err", err))
	}
	panic(http.ErrAbortHandler)
}
