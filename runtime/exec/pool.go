package exec

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/runtime/config"
)

// New makes the Runner of a server: db-pool-acquisition-timeout and
// db-pre-request from cfg, the pool db, the monitor avail (nil for none),
// log (nil discards).
func New(cfg *config.Config, db DB, avail Availability, log *slog.Logger) *Runner {
	r := &Runner{DB: db, AcquireTimeout: cfg.DBPoolAcquisitionTimeout, Availability: avail, Log: log, Prepared: cfg.DBPreparedStatements, Adaptive: cfg.DBPoolAdaptive}
	if !cfg.DBPreRequest.IsZero() {
		r.PreRequest = "SELECT " + pgx.Identifier(nonEmpty(cfg.DBPreRequest.Schema, cfg.DBPreRequest.Name)).Sanitize() + "()"
	}
	return r
}

// nonEmpty drops empty parts of a qualified name.
func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// NewPool opens the connection pool PostgREST's db-* settings describe.
func NewPool(ctx context.Context, cfg *config.Config) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(cfg.DBURI)
	if err != nil {
		return nil, fmt.Errorf("parse db-uri: %w", err)
	}
	pc.MaxConns = int32(cfg.DBPool)
	pc.MaxConnIdleTime = cfg.DBPoolMaxIdletime
	pc.MaxConnLifetime = cfg.DBPoolMaxLifetime
	// A request that finds a connection free in the pool's gate takes it
	// without the acquisition timeout (see gate); when the pool opens a
	// connection for it, the opening is bounded here instead, unless the
	// URI sets connect_timeout.
	if pc.ConnConfig.ConnectTimeout == 0 {
		pc.ConnConfig.ConnectTimeout = cfg.DBPoolAcquisitionTimeout
	}
	if pc.ConnConfig.RuntimeParams["application_name"] == "" {
		pc.ConnConfig.RuntimeParams["application_name"] = "pgrestgen"
	}
	// A request's statements are sent by exec's pipeline, prepared inside
	// the request's transaction after set_config('role', …): they must be
	// parsed as the request's role, which may see schemas the authenticator
	// cannot. pgx's own statement cache would prepare them before the
	// transaction, as the authenticator, so the few statements pgx sends
	// itself (ROLLBACK, COMMIT of a checked request) go unnamed.
	pc.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	// A cancelled request (client gone, shutdown grace over) has its query
	// cancelled in PostgreSQL before its handler answers. pgx's default
	// drops the connection at once and sends the cancel in the background,
	// so the answer could go out while the query still runs.
	pc.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &cancelHandler{conn: c}
	}
	pc.AfterConnect = markImplicit
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	return pool, nil
}

// markImplicit records whether the session's default transaction has the
// isolation level PostgREST asks for with BEGIN (read committed): then a
// read's transaction can be the implicit one of its pipeline (see send).
// ALTER ROLE or ALTER DATABASE … SET default_transaction_isolation make it
// not.
func markImplicit(ctx context.Context, conn *pgx.Conn) error {
	var ok bool
	err := conn.QueryRow(ctx, `SELECT current_setting('default_transaction_isolation') = 'read committed'`).Scan(&ok)
	if err != nil {
		return fmt.Errorf("read the session's transaction defaults: %w", err)
	}
	conn.PgConn().CustomData()[implicitKey] = ok
	return nil
}

// cancelDeadline bounds a cancelled query: the connection's deadline, past
// which it is closed if PostgreSQL has not answered the cancel.
const cancelDeadline = time.Second

// cancelHandler cancels a query whose context is done with a cancel
// request, as pgconn.CancelRequestContextWatcherHandler does, but always
// lets the cancel request finish: pgx's abandons it, closing its socket,
// when the query ends first, and PgBouncer 1.18 (Debian 12's) exits on a
// cancel client that goes away so early ("bad client state: 0",
// pgbouncer#801; the example suite through pgbouncer hit it).
type cancelHandler struct {
	conn *pgconn.PgConn
	done chan struct{}
}

// HandleCancel sends the cancel request in the background.
func (h *cancelHandler) HandleCancel(context.Context) {
	deadline := time.Now().Add(cancelDeadline)
	h.conn.Conn().SetDeadline(deadline)
	h.done = make(chan struct{})
	go func() {
		defer close(h.done)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		if h.conn.CancelRequest(ctx) == nil {
			// The server acknowledged the request before the backend saw
			// the signal: a pause keeps it from cancelling the
			// connection's next query (pgx pauses as long).
			time.Sleep(100 * time.Millisecond)
		}
	}()
}

// HandleUnwatchAfterCancel waits for the cancel request to finish.
func (h *cancelHandler) HandleUnwatchAfterCancel() {
	<-h.done
	h.conn.Conn().SetDeadline(time.Time{})
}
