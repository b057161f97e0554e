package exec

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Stream is a running streamed read: the transaction of Run, but the
// statement's rows are read one at a time while the response is written.
// The statement (sqlgen's streamed read) returns a meta row, then one row
// per piece of the body. It holds its connection until Finish or Abort.
type Stream struct {
	r    *Runner
	ctx  context.Context
	conn *lease
	pp   *pipe
	rr   *pgconn.ResultReader
}

// StartStream sends the transaction as one pipeline, as Run does (BEGIN,
// the settings, the pre-request function, the statement, COMMIT or
// ROLLBACK), and reads up to the statement's meta row, returned as the
// Result (Body is the prefix of the body: CSV's header). On error the
// connection is back in the pool and nothing is left to finish. A session
// PostgreSQL had closed before BEGIN is retried once, as Run does. Explain,
// Inserted and Check are not used.
func (r *Runner) StartStream(ctx context.Context, tx *Tx) (*Stream, *Result, error) {
	st, res, unrun, err := r.startStreamOnce(ctx, tx, false)
	if unrun {
		st, res, _, err = r.startStreamOnce(ctx, tx, true)
	}
	return st, res, err
}

func (r *Runner) startStreamOnce(ctx context.Context, tx *Tx, primary bool) (_ *Stream, _ *Result, unrun bool, _ error) {
	l, _, err := r.acquire(ctx, tx.ReadOnly, primary, nil)
	if err != nil {
		return nil, nil, false, err
	}
	conn := &l
	st := &Stream{r: r, ctx: ctx, conn: conn}
	if st.pp, err = r.send(ctx, conn.Conn().PgConn(), tx, true); err != nil {
		defer conn.Release()
		return nil, nil, false, r.abort(ctx, conn, err)
	}
	fail := func(err error) (*Stream, *Result, bool, error) {
		return nil, nil, retryable(ctx, conn, st.pp.begun, err), st.finish(err)
	}
	if err := st.pp.prelude(); err != nil {
		return fail(err)
	}
	if st.rr, err = st.pp.next(); err != nil {
		return fail(err)
	}
	if !st.rr.NextRow() {
		if _, err := st.rr.Close(); err != nil {
			return fail(err) // the statement's error, raised computing the rows
		}
		return fail(errors.New("streamed statement returned no meta row"))
	}
	// The meta row is the only one with a page count: Append runs its
	// branches in order, but a plan that did not would be caught here,
	// before any byte is sent.
	vals := st.rr.Values()
	if len(vals) != 5 || vals[1] == nil {
		return fail(errors.New("streamed statement's first row is not its meta row"))
	}
	var res Result
	if err := decodeResult(vals, &res, false); err != nil {
		return fail(err)
	}
	return st, &res, false, nil
}

// Next is the next piece of the body, valid until the following call; ok
// is false at the end or on an error, which Finish reports.
func (st *Stream) Next() (piece []byte, ok bool) {
	if !st.rr.NextRow() {
		return nil, false
	}
	return st.rr.Values()[2], true
}

// Finish reads what is left (the rest of the rows, COMMIT or ROLLBACK) and
// gives the connection back. An error is the statement's or the
// transaction end's, ended as Run ends it.
func (st *Stream) Finish() error { return st.finish(nil) }

// finish ends the stream after cause (nil when all went well so far).
func (st *Stream) finish(cause error) error {
	defer st.conn.Release()
	err := cause
	if st.rr != nil {
		for err == nil && st.rr.NextRow() {
		}
		if _, cerr := st.rr.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = st.pp.end()
	} else {
		st.pp.fail(err)
	}
	if err != nil {
		return st.r.abort(st.ctx, st.conn, err)
	}
	return nil
}

// Abort gives up on a stream whose response cannot be completed (the
// client is gone): it closes the connection rather than read the rest of
// the rows, and PostgreSQL ends the transaction.
func (st *Stream) Abort() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(st.ctx), 5*time.Second)
	defer cancel()
	_ = st.conn.Conn().Close(ctx)
	st.conn.Release()
}
