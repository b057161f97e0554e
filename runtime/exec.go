package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/config"
)

// txRequest is everything one request's transaction needs.
type txRequest struct {
	readOnly bool
	rollback bool
	// isolation is the role's isolation level ("" for read committed).
	isolation string
	// gucs are set with set_config(name, value, true) before the statement.
	gucs [][2]string
	// main is the statement; it returns one row with the columns scanned
	// into result.
	main string
	args []any
	// explain, when set, runs after main; its plan's row estimate is
	// result.planRows (count=planned and estimated).
	explain     string
	explainArgs []any
	// inserted says the statement has a sixth column: how many rows an
	// upsert inserted (PostgREST's response_inserted).
	inserted bool
	// check, when set, sees the statement's result before the transaction
	// ends; an error from it rolls the transaction back and is the
	// response (PGRST116 for singular writes, PGRST124 for max-affected).
	// Such requests take one more round trip, for the ending.
	check func(*result) *apierr.Error
}

// result is the row every main statement returns.
type result struct {
	total      *int64
	pageTotal  int64
	body       []byte
	respHeader *string
	respStatus *string
	planRows   *int64
	inserted   *int64
}

// run executes the transaction as one pipelined batch: BEGIN, the settings,
// the pre-request function, the statement and COMMIT or ROLLBACK go out
// together, each statement parsed in the pipeline (see NewPool), so a request
// costs one round trip. A failure costs one more, to roll the aborted
// transaction back. docs/failure-modes.md lists what each failure answers.
func (s *Server) run(ctx context.Context, tx *txRequest) (*result, error) {
	res, unrun, err := s.runOnce(ctx, tx)
	if unrun {
		// The pooled connection had been closed by the server before the
		// request reached it (a restart, an idle timeout): nothing ran, so
		// one more try on another connection is safe, writes included.
		res, _, err = s.runOnce(ctx, tx)
	}
	return res, err
}

// acquire takes a pool connection for a request. During an outage requests
// fail fast: the monitor alone reconnects.
func (s *Server) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	if s.avail != nil && !s.avail.Available() {
		return nil, apierr.DatabaseUnavailable()
	}
	acquireCtx, cancel := context.WithTimeout(ctx, s.cfg.DBPoolAcquisitionTimeout)
	conn, err := s.db.Acquire(acquireCtx)
	cancel()
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, apierr.New(http.StatusGatewayTimeout, "PGRST003", "Timed out acquiring connection from connection pool.", "", "")
		}
		if ctx.Err() == nil {
			s.lost(err)
		}
		return nil, fmt.Errorf("acquire connection: %w", err)
	}
	return conn, nil
}

// begin starts a request's batch: BEGIN with the isolation level and access
// mode, one set_config for every setting, the pre-request function. begun
// is set once PostgreSQL has run BEGIN.
func (s *Server) begin(tx *txRequest, begun *bool) *pgx.Batch {
	b := &pgx.Batch{}
	iso := tx.isolation
	if iso == "" {
		iso = "READ COMMITTED"
	}
	mode := "READ WRITE"
	if tx.readOnly {
		mode = "READ ONLY"
	}
	b.Queue("BEGIN ISOLATION LEVEL " + iso + " " + mode).Exec(func(pgconn.CommandTag) error {
		*begun = true
		return nil
	})
	if len(tx.gucs) > 0 {
		var sb strings.Builder
		args := make([]any, 0, 2*len(tx.gucs))
		sb.WriteString("SELECT ")
		for i, g := range tx.gucs {
			if i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "set_config($%d, $%d, true)", 2*i+1, 2*i+2)
			args = append(args, g[0], g[1])
		}
		b.Queue(sb.String(), args...)
	}
	if s.preRequest != "" {
		b.Queue(s.preRequest)
	}
	return b
}

// notStarted says whether err ended a session before it ran BEGIN: PostgreSQL
// had closed it (a FATAL error first), so nothing of the batch ran.
func notStarted(ctx context.Context, begun bool, err error) bool {
	var pe *pgconn.PgError
	return !begun && errors.As(err, &pe) && (pe.SeverityUnlocalized == "FATAL" || pe.Severity == "FATAL") && ctx.Err() == nil
}

// runOnce runs the transaction on one connection; unrun reports a batch
// that did not start (see notStarted).
func (s *Server) runOnce(ctx context.Context, tx *txRequest) (res *result, unrun bool, err error) {
	conn, err := s.acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	defer conn.Release()
	begun := false
	b := s.begin(tx, &begun)
	res = &result{}
	b.Queue(tx.main, tx.args...).QueryRow(func(row pgx.Row) error {
		if tx.inserted {
			return row.Scan(&res.total, &res.pageTotal, &res.body, &res.respHeader, &res.respStatus, &res.inserted)
		}
		return row.Scan(&res.total, &res.pageTotal, &res.body, &res.respHeader, &res.respStatus)
	})
	if tx.explain != "" {
		b.Queue(tx.explain, tx.explainArgs...).QueryRow(func(row pgx.Row) error {
			var plan []byte
			if err := row.Scan(&plan); err != nil {
				return err
			}
			res.planRows = planRows(plan)
			return nil
		})
	}
	// committed is set once PostgreSQL confirmed COMMIT: from then on the
	// write is stored, whatever happens to the connection.
	committed := false
	if tx.check == nil {
		if tx.rollback && !tx.readOnly {
			// Deferred constraints are checked now, so a dry run answers
			// what a commit would have.
			b.Queue(immediateConstraints)
		}
		if tx.rollback {
			b.Queue("ROLLBACK")
		} else {
			b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error {
				committed = ct.String() == "COMMIT"
				return nil
			})
		}
	}

	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		if committed {
			s.discard(ctx, conn, err)
			return res, false, nil
		}
		return nil, notStarted(ctx, begun, err), s.abort(ctx, conn, err)
	}
	if tx.check != nil {
		res, err = s.finish(ctx, conn, tx, res)
		return res, false, err
	}
	return res, false, nil
}

// immediateConstraints runs before a dry run's ROLLBACK, as PostgREST does.
const immediateConstraints = "SET CONSTRAINTS ALL IMMEDIATE"

// finish ends a transaction whose outcome depends on its result (tx.check):
// one more round trip, for COMMIT or ROLLBACK.
func (s *Server) finish(ctx context.Context, conn *pgxpool.Conn, tx *txRequest, res *result) (*result, error) {
	if aerr := tx.check(res); aerr != nil {
		return nil, s.abort(ctx, conn, aerr)
	}
	if tx.rollback {
		if !tx.readOnly {
			if _, err := conn.Exec(ctx, immediateConstraints); err != nil {
				return nil, s.abort(ctx, conn, err)
			}
		}
		if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
			return nil, s.abort(ctx, conn, err)
		}
		return res, nil
	}
	results, err := conn.Conn().PgConn().Exec(ctx, "COMMIT").ReadAll()
	if err != nil {
		if len(results) == 1 && results[0].Err == nil && results[0].CommandTag.String() == "COMMIT" {
			s.discard(ctx, conn, err)
			return res, nil
		}
		return nil, s.abort(ctx, conn, err)
	}
	return res, nil
}

// abort ends a failed transaction so the connection goes back to the pool
// clean, or closes the connection when it cannot be trusted. A connection
// that broke is reported to the monitor and answered as PostgREST answers
// a lost connection (503).
func (s *Server) abort(ctx context.Context, conn *pgxpool.Conn, cause error) error {
	pc := conn.Conn().PgConn()
	if !pc.IsClosed() && pc.TxStatus() != 'I' {
		if _, err := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}
	if pc.IsClosed() && ctx.Err() == nil {
		s.lost(cause)
		return apierr.ConnectionLost(cause)
	}
	return cause
}

// discard closes a connection that failed after its transaction committed:
// the request succeeded, the connection is not reused.
func (s *Server) discard(ctx context.Context, conn *pgxpool.Conn, cause error) {
	s.log.LogAttrs(ctx, slog.LevelWarn, "connection failed after COMMIT; the request succeeded", slog.Any("err", cause))
	conn.Conn().Close(context.WithoutCancel(ctx))
	if ctx.Err() == nil {
		s.lost(cause)
	}
}

// lost tells the availability monitor that a connection failed.
func (s *Server) lost(err error) {
	if s.avail != nil {
		s.avail.Lost(err)
	}
}

// checkTimezone asks PostgreSQL whether it accepts a Prefer: timezone
// value, for error precedence when a request fails before its statement.
func (s *Server) checkTimezone(ctx context.Context, tz string) error {
	_, err := s.run(ctx, &txRequest{readOnly: true, rollback: true, gucs: [][2]string{{"timezone", tz}},
		main: "SELECT NULL::bigint, 0::bigint, NULL::text, NULL::text, NULL::text"})
	return err
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

// responseGUCs applies response.headers and response.status set by the
// statement, the pre-request function or a called function.
func responseGUCs(res *result, h http.Header, status *int) error {
	if res.respHeader != nil && *res.respHeader != "" {
		var list []map[string]string
		if err := json.Unmarshal([]byte(*res.respHeader), &list); err != nil {
			return apierr.New(http.StatusInternalServerError, "PGRST111",
				"response.headers guc must be a JSON array composed of objects with a single key and a string value", "", "")
		}
		for _, kv := range list {
			for k, v := range kv {
				h.Set(k, v)
			}
		}
	}
	if res.respStatus != nil && *res.respStatus != "" {
		n, err := strconv.Atoi(strings.TrimSpace(*res.respStatus))
		if err != nil || n < 100 || n > 599 {
			return apierr.New(http.StatusInternalServerError, "PGRST112",
				"response.status guc must be a valid status code", "", "")
		}
		*status = n
	}
	return nil
}

// requestGUCs are PostgREST's per-request settings, in the order PostgREST
// sets them: search_path, the role's settings, role, claims, method, path,
// headers, cookies, timezone, a called function's hoisted settings, then
// app.settings.*.
func (s *Server) requestGUCs(req *http.Request, schema, role string, claims []byte, timezone string, hoisted ...[2]string) [][2]string {
	headers := map[string]string{}
	for k, v := range req.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	cookies := map[string]string{}
	for _, c := range req.Cookies() {
		cookies[c.Name] = c.Value
	}
	hj, _ := json.Marshal(headers)
	cj, _ := json.Marshal(cookies)
	searchPath := pgx.Identifier{schema}.Sanitize()
	for _, p := range s.cfg.DBExtraSearchPath {
		searchPath += ", " + pgx.Identifier{p}.Sanitize()
	}
	roleSettings := s.role(role).Settings
	g := make([][2]string, 0, 8+len(roleSettings)+len(s.appSettings))
	g = append(g, [2]string{"search_path", searchPath})
	// The impersonated role's own settings, then the role (PostgREST's order).
	g = append(g, roleSettings...)
	g = append(g,
		[2]string{"role", role},
		[2]string{"request.jwt.claims", string(claims)},
		[2]string{"request.method", req.Method},
		[2]string{"request.path", req.URL.Path},
		[2]string{"request.headers", string(hj)},
		[2]string{"request.cookies", string(cj)},
	)
	if timezone != "" {
		// An invalid zone fails set_config with 22023, a 400, as in PostgREST.
		g = append(g, [2]string{"timezone", timezone})
	}
	g = append(g, hoisted...)
	return append(g, s.appSettings...)
}

// txEnd decides commit or rollback from db-tx-end and Prefer: tx=, and
// whether the preference was honoured (for Preference-Applied).
func txEnd(mode config.TxEnd, prefer string) (rollback, applied bool) {
	if prefer != "" && mode.AllowOverride() {
		return prefer == "rollback", true
	}
	return mode.Rollback(), false
}
