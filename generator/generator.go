// Package generator turns a PostgreSQL schema into a Go package serving it as
// a PostgREST-compatible API. The pipeline has three stages, each its own
// package and testable alone:
//
//	introspect.Load (pg_catalog → catalog.Catalog)
//	plan.Build      (catalog → Go names, types, files, SQL fragments)
//	emit.Files      (plan → gofmt'd Go source)
//
// Generate runs them; Files.WriteDir and Files.Diff put the result on disk or
// compare it with what is there.
package generator

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
	"github.com/pgrestgen/pgrestgen/generator/emit"
	"github.com/pgrestgen/pgrestgen/generator/introspect"
	"github.com/pgrestgen/pgrestgen/generator/plan"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
)

// Version is written into generated code's schema.go.
const Version = "0.1.0"

// Options say where the schema comes from and what to generate.
type Options struct {
	// Exactly one source: a live database, SQL files applied in order, or a
	// directory of migration files applied in name order. File sources are
	// applied to a throwaway PostgreSQL started from the local binaries.
	DBURI         string
	SchemaFiles   []string
	MigrationsDir string
	// Schemas are the exposed schemas, the first one the default (db-schemas).
	Schemas []string
	// Package is the Go package name of the generated code.
	Package string
	// ClientImport, when set, also generates the typed client in the
	// sub-directory client/: it imports the generated package by this path.
	ClientImport string
	// Log receives progress of the throwaway cluster; nil discards it.
	Log *slog.Logger
}

// Validate reports the first problem with the options.
func (o *Options) Validate() error {
	sources := 0
	for _, set := range []bool{o.DBURI != "", len(o.SchemaFiles) > 0, o.MigrationsDir != ""} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return errors.New("give exactly one schema source: --db URI, --schema FILE or --migrations DIR")
	}
	if len(o.Schemas) == 0 {
		return errors.New("no schemas to expose: --schemas must name at least one")
	}
	for _, s := range o.Schemas {
		if s == "pg_catalog" || s == "information_schema" {
			return fmt.Errorf("schema %q cannot be exposed", s)
		}
	}
	if !token.IsIdentifier(o.Package) || token.IsKeyword(o.Package) {
		return fmt.Errorf("package name %q is not a Go identifier", o.Package)
	}
	return nil
}

// Result is what Generate produced.
type Result struct {
	Catalog *catalog.Catalog
	Files   Files
	// Warnings are what the user should hear about that does not stop
	// generation; the command prints them.
	Warnings []string
}

// Generate introspects the schema and renders the package. It writes nothing.
func Generate(ctx context.Context, opts Options) (*Result, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	cat, err := load(ctx, opts)
	if err != nil {
		return nil, err
	}
	return Emit(cat, opts)
}

// FromCatalog plans and emits a package from an already loaded catalog.
func FromCatalog(cat *catalog.Catalog, pkgName string) (*Result, error) {
	return Emit(cat, Options{Package: pkgName})
}

// Emit plans and emits from an already loaded catalog what opts ask for;
// their schema source is not used.
func Emit(cat *catalog.Catalog, opts Options) (*Result, error) {
	p, err := plan.Build(cat, plan.Options{Package: opts.Package, ClientParent: opts.ClientImport})
	if err != nil {
		return nil, err
	}
	files, err := emit.Files(p, Version)
	if err != nil {
		return nil, err
	}
	return &Result{Catalog: cat, Files: files, Warnings: warnings(cat)}, nil
}

// warnings describes what was found missing. An empty or absent schema is
// not an error: PostgREST starts with one too, and migrations may add it.
func warnings(cat *catalog.Catalog) []string {
	var w []string
	switch len(cat.MissingSchemas) {
	case 0:
	case 1:
		w = append(w, fmt.Sprintf("schema %s does not exist; it stays in the exposed schemas, with nothing to serve",
			quoteList(cat.MissingSchemas)))
	default:
		w = append(w, fmt.Sprintf("schemas %s do not exist; they stay in the exposed schemas, with nothing to serve",
			quoteList(cat.MissingSchemas)))
	}
	if len(cat.Relations) == 0 && len(cat.Functions) == 0 {
		w = append(w, fmt.Sprintf("nothing to serve: no table, view or function in %s %s",
			plural(len(cat.Schemas), "schema", "schemas"), quoteList(cat.Schemas)))
	}
	return w
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func load(ctx context.Context, opts Options) (*catalog.Catalog, error) {
	uri := opts.DBURI
	if uri == "" {
		var files []string
		if opts.MigrationsDir != "" {
			var err error
			if files, err = pgcluster.MigrationFiles(opts.MigrationsDir); err != nil {
				return nil, err
			}
		} else {
			files = opts.SchemaFiles
		}
		bin, err := pgcluster.FindBinDir()
		if err != nil {
			return nil, err
		}
		cl, err := pgcluster.Start(ctx, pgcluster.Options{BinDir: bin})
		if err != nil {
			return nil, fmt.Errorf("start throwaway PostgreSQL: %w", err)
		}
		defer cl.Stop()
		if err := cl.CreateDatabase(ctx, "pgrestgen", ""); err != nil {
			return nil, err
		}
		uri = cl.URI("pgrestgen")
		if err := pgcluster.ApplyFiles(ctx, uri, files); err != nil {
			return nil, err
		}
	}
	cc, err := pgx.ParseConfig(uri)
	if err != nil {
		return nil, fmt.Errorf("parse --db URI: %w", err)
	}
	if cc.ConnectTimeout == 0 {
		// A host that drops packets would otherwise hang until the OS gives up.
		cc.ConnectTimeout = 15 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", redact(uri), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return introspect.Load(ctx, conn, introspect.Options{Schemas: opts.Schemas})
}

// redact drops the password from a connection URI for messages.
func redact(uri string) string {
	cfg, err := pgx.ParseConfig(uri)
	if err != nil {
		return "the database"
	}
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}
