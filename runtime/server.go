// Package runtime serves the code pgrestgen generates: it parses PostgREST's
// request grammar, checks it against the generated descriptors, renders one
// parametrised statement from their SQL fragments, runs it in a pipelined
// transaction under the request's role (package exec) and writes
// PostgREST's response (package respond). It never reads pg_catalog: what
// it knows of the schema comes from generated code.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/auth"
	"github.com/pgrestgen/pgrestgen/runtime/config"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/fuzzy"
	"github.com/pgrestgen/pgrestgen/runtime/header"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/respond"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// Router is where generated code mounts routes: *echo.Echo and *echo.Group.
type Router interface {
	Add(method, path string, handler echo.HandlerFunc, middleware ...echo.MiddlewareFunc) *echo.Route
}

// DB is the connection pool the server runs transactions on.
type DB = exec.DB

// Server serves one generated API.
type Server struct {
	// parsers, plans, readPlans and writePlans recycle query-string
	// parsers, read and write plans and their transactions from request to
	// request (the garbage collector's work follows the bytes a request
	// allocates).
	parsers    query.Parsers
	plans      plan.Plans
	readPlans  recycler[readPlan]
	writePlans recycler[writePlan]
	// sql renders statements; it keeps one string per statement text.
	sql sqlgen.Renderer
	// shapes keeps what request shapes render to (shapes.go).
	shapes *shapes
	cfg    *config.Config
	schema *Schema
	auth   *auth.Verifier
	log    *slog.Logger
	// byName holds, per relation name, the relation of each exposed schema.
	byName map[string]map[string]*Relation
	// funcs holds, per function name, the overloads of each exposed schema;
	// results describe each function's result rows as a relation.
	funcs   plan.Functions
	results map[*Function]*Relation
	// offers are the anyelement media handlers of each exposed schema.
	offers map[string]*mediaOffer
	// settings are the per-request GUCs fixed by configuration (app.settings.*),
	// precomputed so the hot path only appends request values.
	appSettings [][2]string
	// searchPaths are search_path's values by exposed schema.
	searchPaths map[string]string
	// related and readRelated are relatedIn's and readRelatedIn's answers
	// by exposed schema.
	related, readRelated map[string]*plan.Relations
	// roles are read at start-up and after each outage (SetRoleSettings).
	roles atomic.Pointer[RoleSettings]
	// exec runs the transactions; respond writes the answers.
	exec    *exec.Runner
	respond *respond.Responder
	// statements is Options.Statements.
	statements func(ctx context.Context, sql string, took time.Duration, err error)
}

// tell reports a statement that ran from begun on to Options.Statements.
func (s *Server) tell(ctx context.Context, sql string, begun time.Time, err error) {
	if s.statements != nil {
		s.statements(ctx, sql, time.Since(begun), err)
	}
}

// run runs a request's transaction, telling Options.Statements.
func (s *Server) run(ctx context.Context, tx *exec.Tx) (*exec.Result, error) {
	begun := time.Now()
	res, err := s.exec.Run(ctx, tx)
	s.tell(ctx, tx.Main, begun, err)
	return res, err
}

// Availability is the database monitor requests consult (exec.Availability).
type Availability = exec.Availability

// Replica is a read replica's pool and monitor (exec.Replica).
type Replica = exec.Replica

// Options are the dependencies of a Server.
type Options struct {
	Config *config.Config
	Schema *Schema
	DB     DB
	// Log receives request errors and start-up notices; nil discards them.
	Log *slog.Logger
	// RoleSettings are the roles' own settings (LoadRoleSettings); nil for
	// none. SetRoleSettings replaces them.
	RoleSettings RoleSettings
	// Availability, when set, makes requests fail fast during an outage.
	Availability Availability
	// Statements, when set, is told each request's main statement once it
	// has run (or, for a streamed read, once its first rows are in), with
	// the time its transaction took: log-query and slow-query logs.
	Statements func(ctx context.Context, sql string, took time.Duration, err error)
	// Replicas are the read replicas read-only transactions run on
	// (db-replica-uris); nil: none.
	Replicas []*Replica
}

// New makes a Server. It checks that the configured db-schemas are the ones
// the code was generated for, so a server never serves a schema it has no
// code for.
func New(opts Options) (*Server, error) {
	if opts.Config == nil || opts.Schema == nil || opts.DB == nil {
		return nil, fmt.Errorf("runtime: Config, Schema and DB are required")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !opts.Config.DBSchemasSet {
		cfg := *opts.Config
		cfg.DBSchemas = opts.Schema.Schemas
		opts.Config = &cfg
	}
	for _, s := range opts.Config.DBSchemas {
		if !slices.Contains(opts.Schema.Schemas, s) {
			return nil, fmt.Errorf("runtime: db-schemas names %q, but the code was generated for %s; regenerate with --schemas",
				s, strings.Join(opts.Schema.Schemas, ","))
		}
	}
	v, err := auth.New(opts.Config.AuthOptions())
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	s := &Server{cfg: opts.Config, schema: opts.Schema, auth: v, log: log,
		byName: map[string]map[string]*Relation{},
		funcs:  plan.Functions{}, results: map[*Function]*Relation{}, offers: mediaOffers(opts.Schema),
		shapes:     newShapes(),
		exec:       exec.New(opts.Config, opts.DB, opts.Availability, log),
		respond:    &respond.Responder{Minimal: opts.Config.ClientErrorVerbosity == "minimal", Log: log},
		statements: opts.Statements}
	s.exec.Replicas = opts.Replicas
	s.SetRoleSettings(opts.RoleSettings)
	for _, r := range opts.Schema.Relations {
		if s.byName[r.Name] == nil {
			s.byName[r.Name] = map[string]*Relation{}
		}
		s.byName[r.Name][r.Schema] = r
	}
	for _, fn := range opts.Schema.Functions {
		if s.funcs[fn.Name] == nil {
			s.funcs[fn.Name] = map[string][]*contract.Function{}
		}
		s.funcs[fn.Name][fn.Schema] = append(s.funcs[fn.Name][fn.Schema], fn)
		s.results[fn] = resultRelation(fn, s.byName[fn.ResultRelation][fn.ResultSchema])
	}
	s.searchPaths = map[string]string{}
	s.related, s.readRelated = map[string]*plan.Relations{}, map[string]*plan.Relations{}
	for _, schema := range opts.Schema.Schemas {
		s.searchPaths[schema] = exec.SearchPath(schema, opts.Config.DBExtraSearchPath)
		s.related[schema] = s.newRelatedIn(schema, nil)
		s.readRelated[schema] = s.newRelatedIn(schema, opts.Config.DBMaxRows)
	}
	for _, st := range opts.Config.SortedAppSettings() {
		s.appSettings = append(s.appSettings, [2]string{st.Name, st.Value})
	}
	return s, nil
}

// DBAdmission is how many transactions may run at once on the primary
// (db-pool-adaptive; 0 when off) and how many wait for their turn.
func (s *Server) DBAdmission() (limit, queued int) { return s.exec.Admission() }

// SetRoleSettings replaces the roles' settings, as read again when the
// database comes back.
func (s *Server) SetRoleSettings(rs RoleSettings) { s.roles.Store(&rs) }

// role is the settings of role name.
func (s *Server) role(name string) RoleSetting { return (*s.roles.Load())[name] }

// NewPool opens the connection pool PostgREST's db-* settings describe
// (exec.NewPool).
func NewPool(ctx context.Context, cfg *config.Config) (*pgxpool.Pool, error) {
	return exec.NewPool(ctx, cfg)
}

// Relation serves a request on the relation called name, whatever its
// method: GET and HEAD read, POST, PATCH, PUT and DELETE write, OPTIONS
// lists what the relation allows, other methods answer PGRST117. The
// request's profile picks the schema, so one name serves the relation of
// that name in every exposed schema. It writes the response, errors
// included, as PostgREST does, and returns nil: generated handlers return
// its result.
func (s *Server) Relation(c echo.Context, name string) error {
	s.serveRelation(c, name)
	return nil
}

// Fallback serves the paths and methods no generated route takes, as
// PostgREST does: a relation or function it does not know is PGRST205 or
// PGRST202, a path it cannot have PGRST125, a method it does not serve
// PGRST117 (PGRST101 on /rpc/). Mounted as echo's RouteNotFound route
// "<prefix>/*", it reads the path after the prefix, so the API can be served
// under a base URL or an echo.Group.
func (s *Server) Fallback(c echo.Context) error {
	path := c.Request().URL.Path
	if prefix, ok := strings.CutSuffix(c.Path(), "/*"); ok {
		path = strings.TrimPrefix(path, prefix)
	}
	name, function, aerr := route(path)
	switch {
	case strings.Trim(path, "/") == "":
		s.serveRoot(c)
	case aerr != nil:
		s.writeError(c, aerr)
	case function:
		s.serveFunction(c, name)
	default:
		s.serveRelation(c, name)
	}
	return nil
}

// HTTPErrorHandler is echo's error handler for the API (echo.HTTPErrorHandler):
// it writes an error a handler returns as PostgREST's error object. An
// *apierr.Error is written as it is (an overriding handler's own 400),
// PostgreSQL and connection errors as PostgREST maps them (SQLSTATE to
// status), echo's own *echo.HTTPError as echo writes it, anything else as
// PGRSTX00 (500), logged. Nothing is written once the response has begun.
func (s *Server) HTTPErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		c.Echo().DefaultHTTPErrorHandler(err, c)
		return
	}
	// Whether the request was authenticated decides 401 or 403 for a
	// privilege error, as for the runtime's own transactions.
	ident, aerr := s.auth.Authenticate(header.Get(c.Request().Header, header.Authorization))
	s.fail(c, err, aerr == nil && ident.Authenticated)
}

// route tells what a path names: a function (/rpc/name), a relation
// (/name), or nothing PostgREST serves (PGRST125).
func route(path string) (name string, function bool, aerr *apierr.Error) {
	path = strings.Trim(path, "/")
	if name, ok := strings.CutPrefix(path, "rpc/"); ok && name != "" && !strings.Contains(name, "/") {
		return name, true, nil
	}
	if path == "" || strings.Contains(path, "/") {
		return "", false, apierr.New(http.StatusNotFound, "PGRST125", "Invalid path specified in request URL", "", "")
	}
	return path, false, nil
}

// tableNotFound is PGRST205 with PostgREST's "Perhaps you meant" hint: the
// relation of the schema fuzzyset finds at a score of 0.75 or more
// (Error.hs tableNotFoundHint), none when the schema has 500 relations or
// more (SchemaCache.hs builds no fuzzy index for those).
func (s *Server) tableNotFound(schema, name string) *apierr.Error {
	hint := ""
	var names []string
	for _, r := range s.schema.Relations {
		if r.Schema == schema {
			names = append(names, r.Name)
		}
	}
	if len(names) < maxFuzzyRelations {
		if best, ok := fuzzy.GetOne(name, names, fuzzy.NameScore); ok {
			hint = fmt.Sprintf("Perhaps you meant the table '%s.%s'", schema, best)
		}
	}
	return apierr.New(http.StatusNotFound, "PGRST205",
		fmt.Sprintf("Could not find the table '%s.%s' in the schema cache", schema, name), "", hint)
}

// maxFuzzyRelations is PostgREST's maxDbTablesForFuzzySearch.
const maxFuzzyRelations = 500

func ptr(n int64) *int64 { return &n }
