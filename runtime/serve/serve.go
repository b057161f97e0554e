// Package serve runs a generated API as a server the way PostgREST runs:
// configuration from a config file and PGRST_* variables, a connection pool,
// echo on server-host:server-port, graceful shutdown. Generated servers'
// main packages are a few lines around Run.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime"
	"github.com/pgrestgen/pgrestgen/runtime/config"
	"github.com/pgrestgen/pgrestgen/runtime/dbwatch"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
)

// Options describe the server to run.
type Options struct {
	// ConfigPath is PostgREST's config file, "" for none.
	ConfigPath string
	// Environ is the process environment (os.Environ()), read for PGRST_*.
	Environ []string
	Schema  *runtime.Schema
	// Register mounts the generated routes: the generated package's Register
	// for the API as generated, or a function calling its RegisterHandlers
	// with an implementation of its own (one embedding the generated API).
	// Errors its handlers return are written by srv.HTTPErrorHandler.
	Register func(r runtime.Router, srv *runtime.Server)
	// Stderr receives the diagnostic log, at PostgREST's log-level; nil
	// discards it.
	Stderr io.Writer
	// Stdout receives the access log (a line per request at log-level info),
	// as PostgREST writes it to stdout; nil sends it to Stderr.
	Stdout io.Writer
	// Ready, when set, receives the listening address once the server accepts
	// connections (tests and demos use it with server-port 0).
	Ready func(addr net.Addr)
	// AdminReady, when set, receives the admin server's address once it
	// accepts connections (with admin-server-port set).
	AdminReady func(addr net.Addr)
}

// Run serves until ctx is done, then shuts down gracefully.
func Run(ctx context.Context, opts Options) error {
	cfg, err := config.Load(opts.ConfigPath, opts.Environ)
	if err != nil {
		return err
	}
	log := newLogger(cfg, opts.Stderr)
	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	stdout := opts.Stdout
	if stdout == nil {
		stdout = opts.Stderr
	}
	pool, err := runtime.NewPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer closePool(pool)
	db := &meteredPool{Pool: pool, onTimeout: poolTimeoutLog(log, cfg)}
	// The server listens whether or not the database is up, as PostgREST
	// does: requests get 503 until the monitor has connected and read the
	// role settings.
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	var srv *runtime.Server
	var met *metrics
	mon := dbwatch.New(dbwatch.Options{
		Probe: func(ctx context.Context) error { return probe(ctx, pool) },
		Ready: func(ctx context.Context) error { return ready(ctx, watchCtx, pool, srv, opts.Schema, log, met) },
		Reset: pool.Reset,
		Log:   log,
	})
	if met, err = newMetrics(db, mon); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	replicas, closeReplicas, err := openReplicas(ctx, watchCtx, cfg, log, met)
	if err != nil {
		return err
	}
	defer closeReplicas()
	srv, err = runtime.New(runtime.Options{Config: cfg, Schema: opts.Schema, DB: db, Log: log, Availability: mon, Replicas: replicas})
	if err != nil {
		return err
	}
	mon.Connect(ctx)
	go mon.Run(watchCtx)
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	observers := []func(*httpmw.Request){met.http.Observe}
	if al := accessLog(cfg, stdout); al != nil {
		observers = append(observers, al)
	}
	e.Pre(middlewares(cfg, observers...)...)
	e.HTTPErrorHandler = srv.HTTPErrorHandler
	opts.Register(e, srv)

	ln, err := net.Listen(network(cfg.ServerHost), net.JoinHostPort(bindHost(cfg.ServerHost), strconv.Itoa(cfg.ServerPort)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// Requests outlive ctx by the shutdown grace period: their context is
	// cancelled only when that is over.
	requests, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	hs := httpServer(requests, cfg, e, log)
	// The schemas served: without db-schemas, those the code was generated for.
	schemas := cfg.DBSchemas
	if !cfg.DBSchemasSet {
		schemas = opts.Schema.Schemas
	}
	// PostgREST logs this whatever its log-level; crit asks for errors only.
	log.Log(ctx, levelNotice, "API server listening on "+ln.Addr().String(),
		slog.String("version", httpmw.Product()), slog.String("schemas", strings.Join(schemas, ",")),
		slog.Int("db-pool", cfg.DBPool), slog.String("fingerprint", opts.Schema.Fingerprint))
	errc := make(chan error, 2)
	var as *http.Server
	if cfg.AdminServerPort != nil {
		if as, err = adminServer(ctx, cfg, ln.Addr(), mon, met, opts, log, errc); err != nil {
			ln.Close()
			return err
		}
	}
	if opts.Ready != nil {
		opts.Ready(ln.Addr())
	}
	go func() { errc <- fmt.Errorf("serve: %w", hs.Serve(ln)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	err = shutdown(hs, cfg.ServerShutdownTimeout, cancelRequests, log)
	// The admin server goes last: while the API server drains, /live and
	// /ready already answer 500, since its listener is closed.
	if as != nil {
		actx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if aerr := as.Shutdown(actx); aerr != nil {
			_ = as.Close()
		}
	}
	return err
}

// adminServer listens on admin-server-host:admin-server-port and serves the
// admin endpoints (see admin) until shut down; a failure to serve goes to
// errc.
func adminServer(ctx context.Context, cfg *config.Config, apiAddr net.Addr, mon *dbwatch.Monitor, met *metrics, opts Options, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	sc, err := schemaCacheJSON(opts.Schema)
	if err != nil {
		return nil, fmt.Errorf("admin server: %w", err)
	}
	aln, err := net.Listen(network(cfg.AdminServerHost), net.JoinHostPort(bindHost(cfg.AdminServerHost), strconv.Itoa(*cfg.AdminServerPort)))
	if err != nil {
		return nil, fmt.Errorf("admin server: listen: %w", err)
	}
	as := &http.Server{
		Handler:           newAdmin(apiAddr, mon, met.reg, sc),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Log(ctx, levelNotice, "Admin server listening on "+aln.Addr().String())
	if opts.AdminReady != nil {
		opts.AdminReady(aln.Addr())
	}
	go func() {
		if err := as.Serve(aln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("admin server: %w", err)
		}
	}()
	return as, nil
}

// shutdownMargin is how long shutdown waits, once the grace period is over
// and the requests left are cancelled, for their handlers to answer before
// it closes their connections. Cancelled queries return within milliseconds
// (pgx sends PostgreSQL a cancel request), so this is rarely waited in full.
const shutdownMargin = 2 * time.Second

// httpServer is the HTTP server for handler with the server-*-timeout
// settings; every request's context derives from base.
func httpServer(base context.Context, cfg *config.Config, handler http.Handler, log *slog.Logger) *http.Server {
	// net/http lifts ReadTimeout's deadline once the request has been read,
	// so it never cuts a long query short.
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: off(cfg.ServerReadHeaderTimeout),
		ReadTimeout:       cfg.ServerReadTimeout,
		// Off by default: queries are bounded by statement_timeout, and a
		// large response to a slow client may rightly take long to send.
		WriteTimeout: cfg.ServerWriteTimeout,
		IdleTimeout:  off(cfg.ServerIdleTimeout),
		BaseContext:  func(net.Listener) context.Context { return base },
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// off maps a timeout setting to net/http's: 0 means none, where net/http
// would fall back to ReadTimeout for the header and idle timeouts.
func off(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// shutdown stops accepting connections and waits up to grace for the
// requests in flight (net/http answers them with Connection: close and
// closes idle connections); then it cancels those left (cancelRequests), so
// pgx cancels their queries in PostgreSQL and they answer 503, and after
// shutdownMargin closes the connections of any still running.
func shutdown(hs *http.Server, grace time.Duration, cancelRequests context.CancelFunc, log *slog.Logger) error {
	graceCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(graceCtx)
	if !errors.Is(err, context.DeadlineExceeded) {
		return shutdownErr(err)
	}
	log.Warn("shutdown grace period over: cancelling the requests in flight", slog.Duration("server-shutdown-timeout", grace))
	cancelRequests()
	marginCtx, cancel := context.WithTimeout(context.Background(), shutdownMargin)
	defer cancel()
	err = hs.Shutdown(marginCtx)
	if !errors.Is(err, context.DeadlineExceeded) {
		return shutdownErr(err)
	}
	log.Error("requests still running after they were cancelled: closing their connections")
	return shutdownErr(hs.Close())
}

// closePool closes the pool, waiting at most a second for connections still
// in use: a handler that ignores its cancelled context must not keep the
// process from exiting.
func closePool(pool *pgxpool.Pool) {
	done := make(chan struct{})
	go func() {
		pool.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
}

func shutdownErr(err error) error {
	if err == nil || errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("shutdown: %w", err)
}

// openReplicas opens a pool and starts a monitor for each of
// db-replica-uris; the monitors run until watchCtx is done, and log, with
// the replica's address, when it goes away and comes back, and a gauge says
// whether it is available. closeAll closes the pools.
func openReplicas(ctx, watchCtx context.Context, cfg *config.Config, log *slog.Logger, met *metrics) (_ []*runtime.Replica, closeAll func(), _ error) {
	var pools []*pgxpool.Pool
	closeAll = func() {
		for _, p := range pools {
			closePool(p)
		}
	}
	var replicas []*runtime.Replica
	for i, uri := range cfg.DBReplicaURIs {
		rc := *cfg
		rc.DBURI = uri
		pool, err := runtime.NewPool(ctx, &rc)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("db-replica-uris, replica %d: %w", i+1, err)
		}
		pools = append(pools, pool)
		cc := pool.Config().ConnConfig
		name := net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port)))
		mon := dbwatch.New(dbwatch.Options{
			Probe: func(ctx context.Context) error { return probe(ctx, pool) },
			// A replica serves reads with the primary's schema cache
			// and role settings: nothing to read when it comes back.
			Ready: func(context.Context) error { return nil },
			Reset: pool.Reset,
			Log:   log.With(slog.String("replica", name)),
		})
		if err := met.replica(name, mon); err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("db-replica-uris, replica %d: metrics: %w", i+1, err)
		}
		// Reads go to the primary until the replica's first connection.
		go func() {
			mon.Connect(watchCtx)
			mon.Run(watchCtx)
		}()
		replicas = append(replicas, &runtime.Replica{DB: pool, Availability: mon})
	}
	return replicas, closeAll, nil
}

// probe opens and closes one connection with the pool's settings: a pooled
// connection could be one that died with the previous server.
func probe(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// ready reads what the server needs from the database each time it
// (re)connects: the roles' settings, then, in the background (bounded by
// runCtx), the drift check.
func ready(ctx, runCtx context.Context, pool *pgxpool.Pool, srv *runtime.Server, schema *runtime.Schema, log *slog.Logger, met *metrics) error {
	begun := time.Now()
	roles, err := runtime.LoadRoleSettings(ctx, func(ctx context.Context, sql string) ([][3]string, error) {
		rows, err := pool.Query(ctx, sql)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([3]string, error) {
			var v [3]string
			err := r.Scan(&v[0], &v[1], &v[2])
			return v, err
		})
	})
	if err != nil {
		met.loads.WithLabelValues("FAIL").Inc()
		return err
	}
	met.loadTime.Set(time.Since(begun).Seconds())
	met.loads.WithLabelValues("SUCCESS").Inc()
	srv.SetRoleSettings(roles)
	go func() {
		if _, err := checkDrift(runCtx, pool, schema, log); err != nil && runCtx.Err() == nil {
			log.Warn("could not compare the database schema with the generated code", slog.Any("err", err))
		}
	}()
	return nil
}

// middlewares are PostgREST's layers around the API, outermost first as
// there: the Server header (Warp), the trace header, CORS, Server-Timing
// (inside CORS, so preflights carry none).
func middlewares(cfg *config.Config, observers ...func(*httpmw.Request)) []echo.MiddlewareFunc {
	mw := []echo.MiddlewareFunc{
		// Outermost, so that what it reports is what the client got.
		httpmw.Observe(observers...),
		httpmw.ServerName(httpmw.Product()),
		httpmw.TraceHeader(cfg.ServerTraceHeader),
		httpmw.CORS(cfg.ServerCORSAllowedOrigins),
	}
	if cfg.ServerTimingEnabled {
		mw = append(mw, httpmw.ServerTiming())
	}
	return mw
}

// bindHost maps PostgREST's server-host special values to a listen address.
func bindHost(h string) string {
	switch h {
	case "*":
		return ""
	case "*4", "!4":
		return "0.0.0.0"
	case "*6", "!6":
		return "::"
	}
	return h
}

func network(h string) string {
	switch h {
	case "*4", "!4":
		return "tcp4"
	case "!6":
		return "tcp6"
	}
	return "tcp"
}
