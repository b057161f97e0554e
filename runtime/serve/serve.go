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
	// Register mounts the generated routes (the generated RegisterHandlers).
	Register func(runtime.Router, *runtime.Server)
	// Stderr receives the log, at PostgREST's log-level; nil discards it.
	Stderr io.Writer
	// Ready, when set, receives the listening address once the server accepts
	// connections (tests and demos use it with server-port 0).
	Ready func(addr net.Addr)
}

// Run serves until ctx is done, then shuts down gracefully.
func Run(ctx context.Context, opts Options) error {
	cfg, err := config.Load(opts.ConfigPath, opts.Environ)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	if opts.Stderr != nil {
		log = slog.New(slog.NewTextHandler(opts.Stderr, &slog.HandlerOptions{Level: logLevel(cfg.LogLevel)}))
	}
	pool, err := runtime.NewPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	// The server listens whether or not the database is up, as PostgREST
	// does: requests get 503 until the monitor has connected and read the
	// role settings.
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	var srv *runtime.Server
	mon := dbwatch.New(dbwatch.Options{
		Probe: func(ctx context.Context) error { return probe(ctx, pool) },
		Ready: func(ctx context.Context) error { return ready(ctx, watchCtx, pool, srv, opts.Schema, log) },
		Reset: pool.Reset,
		Log:   log,
	})
	srv, err = runtime.New(runtime.Options{Config: cfg, Schema: opts.Schema, DB: pool, Log: log, Availability: mon})
	if err != nil {
		return err
	}
	mon.Connect(ctx)
	go mon.Run(watchCtx)
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Pre(middlewares(cfg)...)
	opts.Register(e, srv)

	ln, err := net.Listen(network(cfg.ServerHost), net.JoinHostPort(bindHost(cfg.ServerHost), strconv.Itoa(cfg.ServerPort)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// On Shutdown, net/http stops keep-alives: a response written after it
	// began carries Connection: close, and idle connections are closed.
	hs := &http.Server{Handler: e, ReadHeaderTimeout: 30 * time.Second}
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("fingerprint", opts.Schema.Fingerprint))
	if opts.Ready != nil {
		opts.Ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
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
func ready(ctx, runCtx context.Context, pool *pgxpool.Pool, srv *runtime.Server, schema *runtime.Schema, log *slog.Logger) error {
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
		return err
	}
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
func middlewares(cfg *config.Config) []echo.MiddlewareFunc {
	mw := []echo.MiddlewareFunc{
		httpmw.ServerName(httpmw.Product()),
		httpmw.TraceHeader(cfg.ServerTraceHeader),
		httpmw.CORS(cfg.ServerCORSAllowedOrigins),
	}
	if cfg.ServerTimingEnabled {
		mw = append(mw, httpmw.ServerTiming())
	}
	return mw
}

// logLevel maps PostgREST's log-level to slog's: crit and error log errors,
// warn adds client errors, info every request, debug the rest.
func logLevel(l config.LogLevel) slog.Level {
	switch l {
	case "debug":
		return slog.LevelDebug
	case "info":
		return slog.LevelInfo
	case "warn":
		return slog.LevelWarn
	}
	return slog.LevelError
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
