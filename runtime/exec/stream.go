package exec

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Stream is a running streamed read: the transaction of Run, but the
// statement's rows are read one at a time while the response is written.
// The statement (runtime's renderStreamTail) returns a meta row, then one
// row per piece of the body. It holds its connection until Finish or Abort.
type Stream struct {
	r    *Runner
	ctx  context.Context
	conn *pgxpool.Conn
	br   pgx.BatchResults
	rows pgx.Rows
}

// StartStream sends the transaction as one pipelined batch, as Run does
// (BEGIN, the settings, the pre-request function, the statement, COMMIT or
// ROLLBACK), and reads up to the statement's meta row, returned as the
// Result (Body is the prefix of the body: CSV's header). On error the
// connection is back in the pool and nothing is left to finish. A session
// PostgreSQL had closed before BEGIN is retried once, as Run does. Explain,
// Inserted and Check are not used.
func (r *Runner) StartStream(ctx context.Context, tx *Tx) (*Stream, *Result, error) {
	st, res, unrun, err := r.startStreamOnce(ctx, tx)
	if unrun {
		st, res, _, err = r.startStreamOnce(ctx, tx)
	}
	return st, res, err
}

func (r *Runner) startStreamOnce(ctx context.Context, tx *Tx) (_ *Stream, _ *Result, unrun bool, _ error) {
	conn, err := r.acquire(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	begun := false
	b := r.begin(tx, &begun)
	b.Queue(tx.Main, tx.Args...)
	end := "COMMIT"
	if tx.Rollback {
		end = "ROLLBACK"
	}
	b.Queue(end)

	st := &Stream{r: r, ctx: ctx, conn: conn, br: conn.SendBatch(ctx, b)}
	fail := func(err error) (*Stream, *Result, bool, error) {
		if ferr := st.Finish(); ferr != nil {
			err = ferr // the batch's own error: the first failure
		}
		return nil, nil, notStarted(ctx, begun, err), err
	}
	for range len(b.QueuedQueries) - 2 {
		if _, err := st.br.Exec(); err != nil {
			return fail(err)
		}
	}
	if st.rows, err = st.br.Query(); err != nil {
		return fail(err)
	}
	if !st.rows.Next() {
		if err := st.rows.Err(); err != nil {
			return fail(err)
		}
		return fail(errors.New("streamed statement returned no meta row"))
	}
	// The meta row is the only one with a page count: Append runs its
	// branches in order, but a plan that did not would be caught here,
	// before any byte is sent.
	if v := st.rows.RawValues(); len(v) != 5 || v[1] == nil {
		return fail(errors.New("streamed statement's first row is not its meta row"))
	}
	var res Result
	if err := st.rows.Scan(&res.Total, &res.PageTotal, &res.Body, &res.RespHeader, &res.RespStatus); err != nil {
		return fail(err)
	}
	return st, &res, false, nil
}

// Next is the next piece of the body, valid until the following call; ok
// is false at the end or on an error, which Finish reports.
func (st *Stream) Next() (piece []byte, ok bool) {
	if !st.rows.Next() {
		return nil, false
	}
	return st.rows.RawValues()[2], true
}

// Finish reads what is left of the batch (the rest of the rows, COMMIT or
// ROLLBACK) and gives the connection back. An error is the statement's or
// the transaction end's, ended as Run ends it.
func (st *Stream) Finish() error {
	defer st.conn.Release()
	var err error
	if st.rows != nil {
		st.rows.Close()
		err = st.rows.Err()
	}
	if cerr := st.br.Close(); err == nil {
		err = cerr
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
