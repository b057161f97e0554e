package exec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/runtime/admit"
	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// DB is the connection pool transactions run on.
type DB interface {
	Acquire(ctx context.Context) (*pgxpool.Conn, error)
}

// Availability is the database monitor requests consult: during an outage
// they fail fast instead of each opening a connection, and a broken
// connection is reported so the monitor can tell a lost connection from an
// outage.
type Availability interface {
	// Available is false while the database is known to be away.
	Available() bool
	// Lost reports a connection-level failure.
	Lost(err error)
}

// Runner runs transactions: what they need of the server.
type Runner struct {
	// DB is the pool (NewPool).
	DB DB
	// AcquireTimeout is db-pool-acquisition-timeout.
	AcquireTimeout time.Duration
	// PreRequest calls db-pre-request ("SELECT "schema"."fn"()"), "" when
	// unset.
	PreRequest string
	// Availability, when set, makes requests fail fast during an outage.
	Availability Availability
	// Log receives the connections closed after COMMIT; nil discards.
	Log *slog.Logger
	// Prepared is db-prepared-statements: main statements are prepared by
	// name on each connection (see pipe) rather than parsed every time.
	Prepared bool
	// Adaptive is db-pool-adaptive: fewer transactions run at once than a
	// pool has connections while more would only queue inside PostgreSQL
	// (package admit).
	Adaptive bool
	// Replicas are the read replicas (db-replica-uris) read-only
	// transactions run on; none: everything runs on DB.
	Replicas []*Replica
	// bodies recycles the buffers result bodies are copied into
	// (Result.Release).
	bodies sync.Pool
	// binds recycles send's bind values (bindValues).
	binds sync.Pool
	// next rotates the replicas' scan (see replica).
	next atomic.Uint64
	// admission holds DB's gate.
	admission admission
}

// Tx is everything one request's transaction needs.
type Tx struct {
	ReadOnly bool
	Rollback bool
	// Isolation is the role's isolation level ("" for read committed).
	Isolation string
	// GUCs are set with set_config(name, value, true) before the statement.
	GUCs [][2]string
	// Main is the statement; it returns one row with the columns scanned
	// into Result.
	Main string
	Args []any
	// Explain, when set, runs after Main; its plan's row estimate is
	// Result.PlanRows (count=planned and estimated).
	Explain     string
	ExplainArgs []any
	// Plan says Main is an EXPLAIN (the plan media type): its rows, each
	// followed by a newline, are Result.Body, as PostgREST joins them.
	Plan bool
	// Inserted says the statement has a sixth column: how many rows an
	// upsert inserted (PostgREST's response_inserted).
	Inserted bool
	// Check, when set, sees the statement's result before the transaction
	// ends; an error from it rolls the transaction back and is the
	// response (PGRST116 for singular writes, PGRST124 for max-affected).
	// Such requests take one more round trip, for the ending.
	Check func(*Result) *apierr.Error
}

// Result is the row every main statement returns.
type Result struct {
	Total      *int64
	PageTotal  int64
	Body       []byte
	RespHeader *string // response.headers
	RespStatus *string // response.status
	PlanRows   *int64
	Inserted   *int64
	// pool takes Body back on Release, in box: the pointer the pool
	// holds, reused so that giving the buffer back allocates nothing.
	pool *sync.Pool
	box  *[]byte
}

// maxPooledBody bounds the bodies kept for reuse: one large answer should
// not pin its memory for good.
const maxPooledBody = 64 << 10

// Release hands the body's buffer back for another request's body once the
// response is written; neither the Result nor Body may be used after.
func (r *Result) Release() {
	if r.pool == nil || r.Body == nil || cap(r.Body) > maxPooledBody {
		return
	}
	box := r.box
	if box == nil {
		box = new([]byte)
	}
	*box = r.Body[:0]
	r.Body, r.box = nil, nil
	r.pool.Put(box)
}

// body sets r.Body to a buffer for n bytes, from r's pool when it has
// one (keeping the pool's pointer for Release).
func (r *Result) body(n int) {
	if r.pool != nil {
		if b, ok := r.pool.Get().(*[]byte); ok {
			if cap(*b) >= n {
				r.Body, r.box = (*b)[:0], b
				return
			}
			r.box = b // too small: its pointer carries the new buffer back
		}
	}
	r.Body = make([]byte, 0, n)
}

// Run executes the transaction as one pipeline: BEGIN, the settings,
// the pre-request function, the statement and COMMIT or ROLLBACK go out
// together, prepared in the pipeline the first time (see pipe), so a
// request costs one round trip. A failure costs one more, to roll the
// aborted transaction back. docs/failure-modes.md lists what each failure
// answers.
func (r *Runner) Run(ctx context.Context, tx *Tx) (*Result, error) {
	res, unrun, err := r.runOnce(ctx, tx, false)
	if unrun {
		// The pooled connection had been closed by the server before the
		// request reached it (a restart, an idle timeout): nothing ran, so
		// one more try on another connection is safe, writes included. A
		// read that failed on a replica is retried too (see retryable); the
		// retry goes to the primary, which is not the server that failed.
		res, _, err = r.runOnce(ctx, tx, true)
	}
	return res, err
}

// acquireFrom takes a connection of db, whose monitor is avail. During an
// outage requests fail fast: the monitor alone reconnects.
// The gate g counts the transaction in; the caller counts it out. A read
// that may ride (ride, see canRide) and must wait for the limiter waits as
// a rider too: when a transaction let in carries it, acquireFrom returns
// its rider instead of a connection.
func (r *Runner) acquireFrom(ctx context.Context, db DB, g *gate, avail Availability, ride *Tx) (*pgxpool.Conn, *rider, error) {
	if avail != nil && !avail.Available() {
		return nil, nil, apierr.DatabaseUnavailable()
	}
	free, lim := g.enter(), g.limiter()
	var deadline time.Time
	if !lim.TryEnter() {
		// Waiting for the limiter, then for a connection, is one
		// acquisition with one deadline.
		deadline = time.Now().Add(r.AcquireTimeout)
		var err error
		if ride != nil {
			rd, wctx := waitToRide(ctx, g, ride)
			err = lim.Wait(wctx, deadline)
			if rd.leave(g) {
				if err == nil {
					lim.Leave("", 0) // the place goes to the next in line
				}
				return nil, rd, nil
			}
		} else {
			err = lim.Wait(ctx, deadline)
		}
		if err != nil {
			return nil, nil, r.acquireFailed(ctx, db, avail, err)
		}
	}
	var conn *pgxpool.Conn
	var err error
	if free {
		conn, err = db.Acquire(ctx)
	} else {
		if deadline.IsZero() {
			deadline = time.Now().Add(r.AcquireTimeout)
		}
		acquireCtx, cancel := context.WithDeadline(ctx, deadline)
		conn, err = db.Acquire(acquireCtx)
		cancel()
	}
	if err != nil {
		lim.Leave("", 0)
		return nil, nil, r.acquireFailed(ctx, db, avail, err)
	}
	return conn, nil, nil
}

// acquireFailed is the answer to an acquisition that failed with err: 504
// PGRST003 after the timeout, the monitor told of a connection that could
// not be had.
func (r *Runner) acquireFailed(ctx context.Context, db DB, avail Availability, err error) error {
	if errors.Is(err, admit.ErrTimeout) {
		// The pool counts and logs its own timeouts; this one is the
		// same answer, so it is told too.
		if t, ok := db.(interface{ TimedOut() }); ok {
			t.TimedOut()
		}
		err = context.DeadlineExceeded
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return apierr.New(http.StatusGatewayTimeout, "PGRST003", "Timed out acquiring connection from connection pool.", "", "")
	}
	if ctx.Err() == nil && avail != nil {
		avail.Lost(err)
	}
	return fmt.Errorf("acquire connection: %w", err)
}

// Admission is the primary's limiter: how many transactions may run at
// once and how many wait; limit 0 without one (db-pool-adaptive off, or
// no transaction yet).
func (r *Runner) Admission() (limit, queued int) {
	lim := r.admission.of(r.DB, r.Adaptive).limiter()
	if lim == nil {
		return 0, 0
	}
	return lim.Limit(), lim.Queued()
}

// notStarted says whether err ended a session before it ran BEGIN: PostgreSQL
// had closed it (a FATAL error first), so nothing of the batch ran.
func notStarted(ctx context.Context, begun bool, err error) bool {
	var pe *pgconn.PgError
	return !begun && errors.As(err, &pe) && (pe.SeverityUnlocalized == "FATAL" || pe.Severity == "FATAL") && ctx.Err() == nil
}

// runOnce runs the transaction on one connection, the primary's when
// primary is set; unrun reports a batch that may run again (see retryable).
func (r *Runner) runOnce(ctx context.Context, tx *Tx, primary bool) (res *Result, unrun bool, err error) {
	var ride *Tx
	if canRide(tx) {
		ride = tx
	}
	l, rd, err := r.acquire(ctx, tx.ReadOnly, primary, ride)
	if err != nil {
		return nil, false, err
	}
	if rd != nil {
		return rd.carried()
	}
	conn := &l
	defer conn.Release()
	if q := l.gate.riders(); ride != nil && q.any() && implicitOK(conn.Conn().PgConn()) {
		lim := l.gate.limiter()
		if riders := q.take(lim.Best(tx.Main), lim.Best); len(riders) > 0 {
			return r.carry(ctx, conn, tx, riders)
		}
	}
	start := time.Now()
	pp, err := r.send(ctx, conn.Conn().PgConn(), tx, true)
	if err != nil {
		return nil, false, r.abort(ctx, conn, err)
	}
	res = &Result{pool: &r.bodies}
	err = pp.run(tx, res)
	if err == nil {
		conn.sample(tx.Main, start)
	} else {
		if pp.committed {
			// PostgreSQL confirmed COMMIT: the write is stored, whatever
			// happened to the connection after.
			r.discard(ctx, conn, err)
			return res, false, nil
		}
		return nil, retryable(ctx, conn, pp.begun, err), r.abort(ctx, conn, err)
	}
	if tx.Check != nil {
		res, err = r.finish(ctx, conn, tx, res)
		return res, false, err
	}
	return res, false, nil
}

// run reads a transaction's results: the prelude, the main statement's one
// row, the EXPLAIN's plan, the end.
func (pp *pipe) run(tx *Tx, res *Result) error {
	if err := pp.prelude(); err != nil {
		return pp.fail(err)
	}
	rr, err := pp.next()
	if err != nil {
		return pp.fail(err)
	}
	if tx.Plan {
		return pp.plan(rr, res)
	}
	rows := 0
	var decodeErr error
	for rr.NextRow() {
		if rows == 0 {
			decodeErr = decodeResult(rr.Values(), res, tx.Inserted)
		}
		rows++
	}
	if _, err := rr.Close(); err != nil {
		return pp.fail(err)
	}
	if decodeErr == nil && rows != 1 {
		decodeErr = fmt.Errorf("exec: the statement returned %d rows, not 1", rows)
	}
	if decodeErr != nil {
		return pp.fail(decodeErr)
	}
	if tx.Explain != "" {
		rr, err := pp.next()
		if err != nil {
			return pp.fail(err)
		}
		if rr.NextRow() {
			res.PlanRows = planRows(rr.Values()[0])
		}
		if _, err := rr.Close(); err != nil {
			return pp.fail(err)
		}
	}
	return pp.end()
}

// plan reads an EXPLAIN's rows into res.Body: FORMAT TEXT gives a row per
// line, FORMAT JSON one row.
func (pp *pipe) plan(rr *pgconn.ResultReader, res *Result) error {
	for rr.NextRow() {
		res.Body = append(res.Body, rr.Values()[0]...)
		res.Body = append(res.Body, '\n')
	}
	if _, err := rr.Close(); err != nil {
		return pp.fail(err)
	}
	return pp.end()
}

// immediateConstraints runs before a dry run's ROLLBACK, as PostgREST does.
const immediateConstraints = "SET CONSTRAINTS ALL IMMEDIATE"

// finish ends a transaction whose outcome depends on its result (tx.Check):
// one more round trip, for COMMIT or ROLLBACK.
func (r *Runner) finish(ctx context.Context, conn *lease, tx *Tx, res *Result) (*Result, error) {
	if aerr := tx.Check(res); aerr != nil {
		return nil, r.abort(ctx, conn, aerr)
	}
	if tx.Rollback {
		if !tx.ReadOnly {
			if _, err := conn.Exec(ctx, immediateConstraints); err != nil {
				return nil, r.abort(ctx, conn, err)
			}
		}
		if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
			return nil, r.abort(ctx, conn, err)
		}
		return res, nil
	}
	results, err := conn.Conn().PgConn().Exec(ctx, "COMMIT").ReadAll()
	if err != nil {
		if len(results) == 1 && results[0].Err == nil && results[0].CommandTag.String() == "COMMIT" {
			r.discard(ctx, conn, err)
			return res, nil
		}
		return nil, r.abort(ctx, conn, err)
	}
	return res, nil
}

// abort ends a failed transaction so the connection goes back to the pool
// clean, or closes the connection when it cannot be trusted. A connection
// that broke is reported to the monitor and answered as PostgREST answers
// a lost connection (503).
func (r *Runner) abort(ctx context.Context, conn *lease, cause error) error {
	pc := conn.Conn().PgConn()
	if !pc.IsClosed() && pc.TxStatus() != 'I' {
		if _, err := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}
	if pc.IsClosed() && ctx.Err() == nil {
		conn.lost(cause)
		return apierr.ConnectionLost(cause)
	}
	return cause
}

// discard closes a connection that failed after its transaction committed:
// the request succeeded, the connection is not reused.
func (r *Runner) discard(ctx context.Context, conn *lease, cause error) {
	if r.Log != nil {
		r.Log.LogAttrs(ctx, slog.LevelWarn, "connection failed after COMMIT; the request succeeded", slog.Any("err", cause))
	}
	conn.Conn().Close(context.WithoutCancel(ctx))
	if ctx.Err() == nil {
		conn.lost(cause)
	}
}

// lost tells the connection's server's monitor that the connection failed.
func (l *lease) lost(err error) {
	if l.avail != nil {
		l.avail.Lost(err)
	}
}

// planRows reads the top node's "Plan Rows" from EXPLAIN (FORMAT JSON).
func planRows(plan []byte) *int64 {
	var doc []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if json.Unmarshal(plan, &doc) != nil || len(doc) == 0 {
		return nil
	}
	n := int64(doc[0].Plan.Rows)
	return &n
}
