// Package runtime serves the code pgrestgen generates: it parses PostgREST's
// request grammar, checks it against the generated descriptors, renders one
// parametrised statement from their SQL fragments, runs it in a pipelined
// transaction under the request's role (package exec) and writes
// PostgREST's response (package respond). It never reads pg_catalog: what
// it knows of the schema comes from generated code.
package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/auth"
	"github.com/pgrestgen/pgrestgen/runtime/config"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/fuzzy"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/respond"
)

// Router is where generated code mounts routes: *echo.Echo and *echo.Group.
type Router interface {
	Add(method, path string, handler echo.HandlerFunc, middleware ...echo.MiddlewareFunc) *echo.Route
}

// DB is the connection pool the server runs transactions on.
type DB = exec.DB

// Server serves one generated API.
type Server struct {
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
	// settings are the per-request GUCs fixed by configuration (app.settings.*),
	// precomputed so the hot path only appends request values.
	appSettings [][2]string
	// roles are read at start-up and after each outage (SetRoleSettings).
	roles atomic.Pointer[RoleSettings]
	// exec runs the transactions; respond writes the answers.
	exec    *exec.Runner
	respond *respond.Responder
}

// Availability is the database monitor requests consult (exec.Availability).
type Availability = exec.Availability

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
		funcs:  plan.Functions{}, results: map[*Function]*Relation{},
		exec:    exec.New(opts.Config, opts.DB, opts.Availability, log),
		respond: &respond.Responder{Minimal: opts.Config.ClientErrorVerbosity == "minimal", Log: log}}
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
	for _, st := range opts.Config.SortedAppSettings() {
		s.appSettings = append(s.appSettings, [2]string{st.Name, st.Value})
	}
	return s, nil
}

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

// MountRelation serves GET, HEAD and OPTIONS of the relations called name on
// path; the other verbs answer PGRST117 until writes are generated.
func (s *Server) MountRelation(r Router, path, name string) {
	mountAll(r, path, func(c echo.Context) error {
		s.serveRelation(c, name)
		return nil
	})
}

// mountAll routes every method to h, which answers the ones PostgREST
// refuses with its own errors (PGRST101, PGRST117) rather than echo's 405.
func mountAll(r Router, path string, h echo.HandlerFunc) {
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions,
		http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete,
		http.MethodTrace, http.MethodConnect} {
		r.Add(m, path, h)
	}
}

// MountFallback answers every unknown path as PostgREST does: PGRST205 for a
// table it does not know, PGRST125 for a path it cannot have.
func (s *Server) MountFallback(r Router) {
	r.Add(echo.RouteNotFound, "/*", func(c echo.Context) error {
		s.notFound(c)
		return nil
	})
}

func (s *Server) notFound(c echo.Context) {
	name, function, aerr := route(c.Request().URL.Path)
	switch {
	case aerr != nil:
		s.writeError(c, aerr)
	case function:
		s.serveFunction(c, name)
	default:
		s.serveRelation(c, name)
	}
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

// tableNotFound is PGRST205 with PostgREST's "Perhaps you meant" hint, naming
// the closest relation of the schema.
func (s *Server) tableNotFound(schema, name string) *apierr.Error {
	hint := ""
	best, bestDist := "", 1<<30
	for _, r := range s.schema.Relations {
		if r.Schema != schema {
			continue
		}
		if d := fuzzy.Levenshtein(strings.ToLower(name), strings.ToLower(r.Name)); d < bestDist {
			best, bestDist = r.Name, d
		}
	}
	if best != "" && bestDist <= max(3, len(name)/2) {
		hint = fmt.Sprintf("Perhaps you meant the table '%s.%s'", schema, best)
	}
	return apierr.New(http.StatusNotFound, "PGRST205",
		fmt.Sprintf("Could not find the table '%s.%s' in the schema cache", schema, name), "", hint)
}

func ptr(n int64) *int64 { return &n }
