package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime"
	"github.com/pgrestgen/pgrestgen/runtime/config"
	"github.com/pgrestgen/pgrestgen/runtime/dbwatch"
	"github.com/pgrestgen/pgrestgen/runtime/drift"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
)

// app is a running server's state that configuration reloads replace: the
// API (a runtime.Server and its echo routes, built from one
// configuration) is swapped as a whole, so a request sees one
// configuration from start to end. The pool, the listeners and the admin
// server keep the settings they started with.
type app struct {
	opts Options
	pool *pgxpool.Pool
	db   *meteredPool
	mon  *dbwatch.Monitor
	met  *metrics
	// replicas are db-replica-uris' pools, opened at start-up: a reload
	// keeps them, as it keeps the primary's pool.
	replicas []*runtime.Replica
	log      *slog.Logger
	level    *levelVar
	stdout   io.Writer

	// started is the configuration the server started with: the pool,
	// listeners and admin server keep it.
	started *config.Config

	api   atomic.Pointer[api]
	roles atomic.Pointer[runtime.RoleSettings]
	// stale is true while the database differs from the generated code.
	stale atomic.Bool
	// fatal receives the error that stops the server (pgrestgen-drift =
	// refuse).
	fatal chan error

	reloadMu sync.Mutex
	// swapMu orders apply's and setRoles' stores, so that an API put in
	// service always has the latest roles' settings.
	swapMu     sync.Mutex
	driftMu    sync.Mutex
	driftFirst bool // the first drift check is done
	// background are the drift checks still running: Run waits for them
	// (waitBackground) before it closes the pool and returns; stopped,
	// under driftMu, keeps new ones from starting then.
	background sync.WaitGroup
	stopped    bool
}

// api is what one configuration serves.
type api struct {
	cfg     *config.Config
	srv     *runtime.Server
	handler http.Handler
}

// ServeHTTP serves a request with the current configuration's API.
func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.api.Load().handler.ServeHTTP(w, r)
}

// admission is the API in service's limiter (see runtime.Server.DBAdmission);
// zeros before the first.
func (a *app) admission() (limit, queued int) {
	if api := a.api.Load(); api != nil {
		return api.srv.DBAdmission()
	}
	return 0, 0
}

// config is the configuration in effect.
func (a *app) config() *config.Config { return a.api.Load().cfg }

// apply builds the API for cfg and puts it in service.
func (a *app) apply(cfg *config.Config) error {
	srv, err := runtime.New(runtime.Options{Config: cfg, Schema: a.opts.Schema, DB: a.db, Log: a.log,
		Availability: a.mon, Statements: statementLog(cfg, a.log), Replicas: a.replicas})
	if err != nil {
		return err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	observers := []func(httpmw.Request){a.met.http.Observe}
	if al := accessLog(cfg, a.stdout, a.level); al != nil {
		observers = append(observers, al)
	}
	e.HTTPErrorHandler = srv.HTTPErrorHandler
	a.opts.Register(e, srv)
	handler := preRouted(e, middlewares(cfg, observers...))
	a.level.update(cfg)
	a.swapMu.Lock()
	defer a.swapMu.Unlock()
	if rs := a.roles.Load(); rs != nil {
		srv.SetRoleSettings(*rs)
	}
	a.api.Store(&api{cfg: cfg, srv: srv, handler: handler})
	return nil
}

// setRoles replaces the roles' settings, for this API and the next.
func (a *app) setRoles(rs runtime.RoleSettings) {
	a.swapMu.Lock()
	defer a.swapMu.Unlock()
	a.roles.Store(&rs)
	a.api.Load().srv.SetRoleSettings(rs)
}

// ready reads what the server needs from the database each time it
// (re)connects: the in-database configuration (db-config), the roles'
// settings, then the drift check, in the background (bounded by runCtx)
// unless pgrestgen-drift is refuse and this is the first.
func (a *app) ready(ctx, runCtx context.Context) error {
	if a.config().DBConfig {
		if err := a.reload(ctx); err != nil {
			return err
		}
	}
	begun := time.Now()
	roles, err := runtime.LoadRoleSettings(ctx, func(ctx context.Context, sql string) ([][3]string, error) {
		rows, err := a.pool.Query(ctx, sql)
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
		a.met.loads.WithLabelValues("FAIL").Inc()
		return err
	}
	took := time.Since(begun)
	a.met.loadTime.Set(took.Seconds())
	a.met.loads.WithLabelValues("SUCCESS").Inc()
	a.setRoles(roles)
	// PostgREST's lines on each (re)connection, which operators grep for;
	// the schema cache is the generated code's, only the roles' settings
	// are read.
	var version string
	if err := a.pool.QueryRow(ctx, "SELECT version()").Scan(&version); err == nil {
		a.log.Info("Successfully connected to " + version)
	}
	a.log.Info(fmt.Sprintf("Schema cache loaded %d Relations, %d Functions (compiled in; role settings read in %.1f milliseconds)",
		len(a.opts.Schema.Relations), len(a.opts.Schema.Functions), float64(took.Microseconds())/1000),
		slog.String("fingerprint", a.opts.Schema.Fingerprint))
	a.driftMu.Lock()
	first := !a.driftFirst
	a.driftFirst = true
	a.driftMu.Unlock()
	if first && a.config().PgrestgenDrift == config.DriftRefuse {
		return a.refuseDrift(ctx)
	}
	a.driftMu.Lock()
	defer a.driftMu.Unlock()
	if a.stopped {
		return nil
	}
	a.background.Go(func() {
		// The check's one query finishes on its own (bounded) rather than
		// being cancelled when the server stops soon after starting: a
		// cancel request per start-up is work for nothing, and through
		// PgBouncer 1.18 a race that can kill it ("server in bad state").
		ctx, cancel := context.WithTimeout(context.WithoutCancel(runCtx), driftCheckTimeout)
		defer cancel()
		stale, err := checkDrift(ctx, a.pool, a.opts.Schema, a.log)
		if err != nil {
			if runCtx.Err() == nil {
				a.log.Warn("could not compare the database schema with the generated code", slog.Any("err", err))
			}
			return
		}
		a.stale.Store(stale)
	})
	return nil
}

// waitBackground waits for the drift checks still running; none starts
// after it.
func (a *app) waitBackground() {
	a.driftMu.Lock()
	a.stopped = true
	a.driftMu.Unlock()
	a.background.Wait()
}

// refuseDrift checks for drift now and, if the database differs from the
// generated code, stops the server with an error naming the objects.
func (a *app) refuseDrift(ctx context.Context) error {
	if a.opts.Schema.Objects == nil {
		a.log.Warn("pgrestgen-drift = refuse: generated code lists no database objects (generated by an older pgrestgen); regenerate it to have its drift from the database checked")
		return nil
	}
	objs, err := drift.Objects(ctx, a.pool, a.opts.Schema.Schemas)
	if err != nil {
		return err
	}
	d := drift.Compare(a.opts.Schema.Objects, objs)
	if d.Len() == 0 {
		a.log.Info("database schema matches the generated code", slog.String("fingerprint", a.opts.Schema.Fingerprint))
		return nil
	}
	a.stale.Store(true)
	err = fmt.Errorf("pgrestgen-drift = refuse: generated code is stale: %s; run pgrestgen generate (pgrestgen check lists every difference)", d.Summary(driftLogLimit))
	select {
	case a.fatal <- err:
	default:
	}
	return nil
}

// driftReady is false when the admin server's /ready must answer 503 for
// drift: the database differs and pgrestgen-drift is serve.
func (a *app) driftReady() bool {
	return !a.stale.Load() || a.config().PgrestgenDrift == config.DriftIgnore
}

// reload reads the configuration again, file, environment and (with
// db-config) the authenticator's pgrst.* settings, and puts what can
// change live in service. On error the configuration in effect stays.
func (a *app) reload(ctx context.Context) error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	base, err := config.Load(a.opts.ConfigPath, a.opts.Environ)
	if err != nil {
		a.log.Error("Failed reloading config: "+err.Error(), slog.Any("err", err))
		return nil
	}
	var dbs map[string]string
	if base.DBConfig {
		if dbs, err = readDBSettings(ctx, a.pool, base.DBPreConfig); err != nil {
			a.log.Error("Failed to query database settings for the config parameters.", slog.Any("err", err))
			return err
		}
	}
	cfg, err := config.LoadDB(a.opts.ConfigPath, a.opts.Environ, dbs)
	if err == nil {
		err = a.apply(cfg)
	}
	if err != nil {
		a.log.Error("Failed reloading config: "+err.Error(), slog.Any("err", err))
		return nil
	}
	for _, w := range cfg.Warnings {
		a.log.Warn(w)
	}
	if restart := needsRestart(a.started, base); len(restart) > 0 {
		a.log.Warn("settings take effect only after a restart", slog.String("keys", strings.Join(restart, ",")))
	}
	a.log.Info("Config reloaded")
	return nil
}

// needsRestart lists the keys whose new value a reload cannot apply.
// started is what the server started with.
func needsRestart(started, now *config.Config) []string {
	var out []string
	for _, k := range []struct {
		key     string
		changed bool
	}{
		{"db-uri", started.DBURI != now.DBURI},
		{"db-pool", started.DBPool != now.DBPool},
		{"db-replica-uris", !slices.Equal(started.DBReplicaURIs, now.DBReplicaURIs)},
		{"server-host", started.ServerHost != now.ServerHost},
		{"server-port", started.ServerPort != now.ServerPort},
		{"server-unix-socket", started.ServerUnixSocket != now.ServerUnixSocket},
		{"db-channel", started.DBChannel != now.DBChannel},
		{"log-format", started.LogFormat != now.LogFormat},
	} {
		if k.changed {
			out = append(out, k.key)
		}
	}
	return out
}

// signals answers SIGUSR2 with a configuration reload and SIGUSR1,
// PostgREST's schema cache reload, with a log line.
func (a *app) signals(ctx context.Context, sigs <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-sigs:
			switch s {
			case syscall.SIGUSR2:
				_ = a.reload(ctx)
			case syscall.SIGUSR1:
				a.schemaReload("SIGUSR1")
			}
		}
	}
}

func (a *app) schemaReload(from string) {
	a.log.Log(context.Background(), levelNotice, "Schema cache reload requested ("+from+"): nothing to reload, the schema is compiled into this server; run pgrestgen generate and rebuild it to change it",
		slog.String("fingerprint", a.opts.Schema.Fingerprint))
}

// listen LISTENs on db-channel on a connection of its own, reconnecting
// with backoff (1 s doubling to 32 s) when it is lost: "reload config"
// reloads the configuration; "reload schema" and an empty payload,
// PostgREST's schema cache reload, get a log line.
func (a *app) listen(ctx context.Context, channel string) {
	wait := time.Second
	for ctx.Err() == nil {
		err := a.listenOnce(ctx, channel, func() { wait = time.Second })
		if ctx.Err() != nil {
			return
		}
		a.log.Error(fmt.Sprintf("Failed listening for database notifications on the %q channel. %v", channel, err))
		a.log.Error(fmt.Sprintf("Retrying listening for database notifications in %d seconds...", int(wait/time.Second)))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, 32*time.Second)
	}
}

func (a *app) listenOnce(ctx context.Context, channel string, connected func()) error {
	// Named, so that operators (and tests) tell it from the pool's.
	cc := a.pool.Config().ConnConfig
	cc.RuntimeParams["application_name"] = listenerName
	// Stopping the wait for a notification needs no cancel request: a
	// deadline ends the read and the connection is closed. A cancel
	// request at every shutdown is work for the server and, through
	// PgBouncer 1.18, a race that kills it ("server in bad state").
	cc.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	connected()
	var version string
	_ = conn.QueryRow(ctx, "SELECT version()").Scan(&version)
	a.log.Info(fmt.Sprintf("Listener connected to %s on %q and listening for database notifications on the %q channel",
		version, net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port))), channel))
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		switch n.Payload {
		case "reload config":
			a.log.Info(fmt.Sprintf("Received a config reload message on the %q channel", channel))
			_ = a.reload(ctx)
		case "reload schema", "":
			a.log.Info(fmt.Sprintf("Received a schema cache reload message on the %q channel", channel))
			a.schemaReload("NOTIFY " + channel)
		default:
			a.log.Warn("ignoring an unknown notification on the "+channel+" channel", slog.String("payload", n.Payload))
		}
	}
}

// listenerName is the application_name of the LISTEN connection.
const listenerName = "pgrestgen listener"

// dbSettingsSQL reads the authenticator's pgrst.* settings: those set for
// the role in this database first, then for the role, then those
// db-pre-config's function sets (%s, joined when there is one). The role
// is found by name, not with current_user::regrole, which would parse a
// mixed-case name as an identifier and fold it.
const dbSettingsSQL = `
WITH role_setting AS (
  SELECT s.setdatabase AS database, unnest(s.setconfig) AS setting
  FROM pg_catalog.pg_db_role_setting s
  WHERE s.setrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
    AND s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_catalog))
), kv AS (
  SELECT database, split_part(setting, '=', 1) AS k, substr(setting, strpos(setting, '=') + 1) AS v
  FROM role_setting
  %s
)
SELECT DISTINCT ON (k) substr(k, length('pgrst.') + 1), v
FROM kv
WHERE k = ANY($1) AND v IS NOT NULL
ORDER BY k, database DESC NULLS LAST`

const preConfigSQL = `UNION ALL
  SELECT NULL, x, current_setting(x, true) FROM unnest($1::text[]) x JOIN %s() _ ON true`

// readDBSettings reads the in-database configuration in a read-only
// transaction.
func readDBSettings(ctx context.Context, pool *pgxpool.Pool, preConfig config.QualifiedName) (map[string]string, error) {
	join := ""
	if !preConfig.IsZero() {
		name := pgx.Identifier{preConfig.Name}
		if preConfig.Schema != "" {
			name = pgx.Identifier{preConfig.Schema, preConfig.Name}
		}
		join = fmt.Sprintf(preConfigSQL, name.Sanitize())
	}
	out := map[string]string{}
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, fmt.Sprintf(dbSettingsSQL, join), config.DBSettingNames())
		if err != nil {
			return err
		}
		var k, v string
		_, err = pgx.ForEachRow(rows, []any{&k, &v}, func() error {
			out[k] = v
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the in-database configuration: %w", err)
	}
	return out, nil
}

// statementLog is the runtime's statement hook for log-query and
// log-slow-query-ms; nil when both are off.
func statementLog(cfg *config.Config, log *slog.Logger) func(ctx context.Context, sql string, took time.Duration, err error) {
	if !cfg.LogQuery && cfg.LogSlowQuery == 0 {
		return nil
	}
	slow := cfg.LogSlowQuery
	all := cfg.LogQuery
	return func(ctx context.Context, sql string, took time.Duration, err error) {
		ms := slog.Float64("duration_ms", float64(took.Microseconds())/1000)
		if slow > 0 && took >= slow {
			log.LogAttrs(ctx, slog.LevelWarn, "slow query", ms, slog.String("query", sql))
			return
		}
		if all {
			log.LogAttrs(ctx, slog.LevelInfo, sql, ms)
		}
	}
}

// errNoAdmin is --ready's error without an admin server to ask.
var errNoAdmin = errors.New("--ready asks the admin server: set admin-server-port (or admin-server-unix-socket)")

// preRouted serves e's routes with mws applied before routing, outermost
// first, as echo's Pre does — composed once here, where echo's ServeHTTP
// composes its pre-middleware anew for every request (a closure each).
func preRouted(e *echo.Echo, mws []echo.MiddlewareFunc) http.Handler {
	router := e.Router()
	h := func(c echo.Context) error {
		req := c.Request()
		router.Find(req.Method, echo.GetPath(req), c)
		return c.Handler()(c)
	}
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := e.AcquireContext()
		c.Reset(r, w)
		if err := h(c); err != nil {
			e.HTTPErrorHandler(err, c)
		}
		e.ReleaseContext(c)
	})
}
