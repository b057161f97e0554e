package runtime

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// txStream is a running streamed read: the transaction of run, but the
// statement's rows are read one at a time while the response is written.
// The statement (renderStreamTail) returns a meta row, then one row per
// piece of the body. It holds its connection until finish or abort.
type txStream struct {
	s    *Server
	ctx  context.Context
	conn *pgxpool.Conn
	br   pgx.BatchResults
	rows pgx.Rows
}

// startStream sends the transaction as one pipelined batch, as run does
// (BEGIN, the settings, the pre-request function, the statement, COMMIT or
// ROLLBACK), and reads up to the statement's meta row. On error the
// connection is back in the pool and nothing is left to finish. A session
// PostgreSQL had closed before BEGIN is retried once, as run does.
func (s *Server) startStream(ctx context.Context, tx *txRequest) (*txStream, *result, error) {
	st, res, unrun, err := s.startStreamOnce(ctx, tx)
	if unrun {
		st, res, _, err = s.startStreamOnce(ctx, tx)
	}
	return st, res, err
}

func (s *Server) startStreamOnce(ctx context.Context, tx *txRequest) (_ *txStream, _ *result, unrun bool, _ error) {
	conn, err := s.acquire(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	begun := false
	b := s.begin(tx, &begun)
	b.Queue(tx.main, tx.args...)
	end := "COMMIT"
	if tx.rollback {
		end = "ROLLBACK"
	}
	b.Queue(end)

	st := &txStream{s: s, ctx: ctx, conn: conn, br: conn.SendBatch(ctx, b)}
	fail := func(err error) (*txStream, *result, bool, error) {
		if ferr := st.finish(); ferr != nil {
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
	var res result
	if err := st.rows.Scan(&res.total, &res.pageTotal, &res.body, &res.respHeader, &res.respStatus); err != nil {
		return fail(err)
	}
	return st, &res, false, nil
}

// next is the next piece of the body, valid until the following call; ok
// is false at the end or on an error, which finish reports.
func (st *txStream) next() (piece []byte, ok bool) {
	if !st.rows.Next() {
		return nil, false
	}
	return st.rows.RawValues()[2], true
}

// finish reads what is left of the batch (the rest of the rows, COMMIT or
// ROLLBACK) and gives the connection back. An error is the statement's or
// the transaction end's, ended as run ends it (Server.abort).
func (st *txStream) finish() error {
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
		return st.s.abort(st.ctx, st.conn, err)
	}
	return nil
}

// abort gives up on a stream whose response cannot be completed (the
// client is gone): it closes the connection rather than read the rest of
// the rows, and PostgreSQL ends the transaction.
func (st *txStream) abort() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(st.ctx), 5*time.Second)
	defer cancel()
	_ = st.conn.Conn().Close(ctx)
	st.conn.Release()
}
