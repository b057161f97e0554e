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
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
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
	// Signals, when set, delivers SIGUSR1 and SIGUSR2 (Main subscribes it):
	// SIGUSR2 reloads the configuration, SIGUSR1 (PostgREST's schema cache
	// reload) is answered with a log line, the schema being compiled in.
	Signals <-chan os.Signal
}

// Run serves until ctx is done, then shuts down gracefully.
func Run(ctx context.Context, opts Options) error {
	cfg, err := config.Load(opts.ConfigPath, opts.Environ)
	if err != nil {
		return err
	}
	level := newLevel(cfg.LogLevel)
	log := newLogger(cfg, opts.Stderr, level)
	log.Info("Starting " + strings.Replace(httpmw.Product(), "/", " ", 1) + "...")
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
	a := &app{opts: opts, pool: pool, log: log, level: level, stdout: stdout, started: cfg, fatal: make(chan error, 1)}
	defer a.waitBackground()
	a.db = &meteredPool{Pool: pool, onTimeout: poolTimeoutLog(log, cfg)}
	// The server listens whether or not the database is up, as PostgREST
	// does: requests get 503 until the monitor has connected and read the
	// role settings.
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	a.mon = dbwatch.New(dbwatch.Options{
		Probe: func(ctx context.Context) error { return probe(ctx, pool) },
		Ready: func(ctx context.Context) error { return a.ready(ctx, watchCtx) },
		Reset: pool.Reset,
		Log:   log,
	})
	if a.met, err = newMetrics(a.db, a.mon, a.admission); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	replicas, closeReplicas, err := openReplicas(ctx, watchCtx, cfg, log, a.met)
	if err != nil {
		return err
	}
	defer closeReplicas()
	a.replicas = replicas
	if err := a.apply(cfg); err != nil {
		return err
	}
	a.mon.Connect(ctx)
	select {
	case err := <-a.fatal:
		return err
	default:
	}
	go a.mon.Run(watchCtx)
	if cfg.DBChannelEnabled {
		go a.listen(watchCtx, cfg.DBChannel)
	}
	if opts.Signals != nil {
		go a.signals(watchCtx, opts.Signals)
	}

	lns, err := listeners(cfg.ServerHost, cfg.ServerPort, cfg.ServerUnixSocket, cfg.ServerUnixSocketMode)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// Requests outlive ctx by the shutdown grace period: their context is
	// cancelled only when that is over.
	requests, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	hs := httpServer(requests, cfg, a, log)
	// The schemas served: without db-schemas, those the code was generated for.
	schemas := cfg.DBSchemas
	if !cfg.DBSchemasSet {
		schemas = opts.Schema.Schemas
	}
	// PostgREST logs this whatever its log-level; crit asks for errors only.
	for _, ln := range lns {
		log.Log(ctx, levelNotice, listeningLine(ln.Addr()),
			slog.String("version", httpmw.Product()), slog.String("schemas", strings.Join(schemas, ",")),
			slog.Int("db-pool", cfg.DBPool), slog.String("fingerprint", opts.Schema.Fingerprint))
	}
	errc := make(chan error, 1+len(lns))
	var as *http.Server
	if cfg.AdminServerPort != nil || cfg.AdminServerUnixSocket != "" {
		if as, err = adminServer(ctx, cfg, lns[0].Addr(), a, opts, log, errc); err != nil {
			for _, ln := range lns {
				ln.Close()
			}
			return err
		}
	}
	if opts.Ready != nil {
		opts.Ready(lns[0].Addr())
	}
	for _, ln := range lns {
		go func() { errc <- fmt.Errorf("serve: %w", hs.Serve(ln)) }()
	}
	select {
	case err := <-errc:
		return err
	case err := <-a.fatal:
		_ = hs.Close()
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

// listeningLine is PostgREST's start-up line, which operators grep for.
func listeningLine(addr net.Addr) string {
	if addr.Network() == "unix" {
		return "API server listening on unix socket " + strconv.Quote(addr.String())
	}
	return "API server listening on " + addr.String()
}

// listeners opens the API's listeners: TCP on host:port and, with
// server-unix-socket, a Unix socket with the given mode. As in PostgREST
// the socket takes the place of TCP.
func listeners(host string, port int, socket string, mode fs.FileMode) ([]net.Listener, error) {
	if socket != "" {
		ln, err := unixListener(socket, mode)
		if err != nil {
			return nil, err
		}
		return []net.Listener{ln}, nil
	}
	ln, err := net.Listen(network(host), net.JoinHostPort(bindHost(host), strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	return []net.Listener{ln}, nil
}

// unixListener listens on a Unix socket at path with mode, replacing a
// stale socket file left by a previous run (never another kind of file).
func unixListener(path string, mode fs.FileMode) (net.Listener, error) {
	if st, err := os.Lstat(path); err == nil {
		if st.Mode()&fs.ModeSocket == 0 {
			return nil, fmt.Errorf("%s exists and is not a socket", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("remove stale socket: %w", err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, mode); err != nil {
		ln.Close()
		return nil, fmt.Errorf("chmod %s: %w", path, err)
	}
	return ln, nil
}

// adminServer listens on admin-server-host:admin-server-port and serves the
// admin endpoints (see admin) until shut down; a failure to serve goes to
// errc.
func adminServer(ctx context.Context, cfg *config.Config, apiAddr net.Addr, a *app, opts Options, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	sc, err := schemaCacheJSON(opts.Schema)
	if err != nil {
		return nil, fmt.Errorf("admin server: %w", err)
	}
	port := 0 // unused with a socket
	if cfg.AdminServerPort != nil {
		port = *cfg.AdminServerPort
	}
	alns, err := listeners(cfg.AdminServerHost, port, cfg.AdminServerUnixSocket, cfg.AdminServerUnixSocketMode)
	if err != nil {
		return nil, fmt.Errorf("admin server: listen: %w", err)
	}
	aln := alns[0]
	as := &http.Server{
		Handler:           newAdmin(apiAddr, a.mon, a.met.reg, sc, a.driftReady),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Log(ctx, levelNotice, strings.Replace(listeningLine(aln.Addr()), "API", "Admin", 1))
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
		// HTTP/1 only (no TLS, no h2c): the access log's per-connection slot
		// holds.
		ConnContext: httpmw.ConnContext,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
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

// middlewares are PostgREST's layers around the API, outermost first as
// there: the Server header (Warp), the trace header, CORS, Server-Timing
// (inside CORS, so preflights carry none).
func middlewares(cfg *config.Config, observers ...func(httpmw.Request)) []echo.MiddlewareFunc {
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
