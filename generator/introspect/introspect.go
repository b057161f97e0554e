// Package introspect reads a PostgreSQL database's system catalogs into the
// catalog model, finding what PostgREST's schema cache finds: relations with
// their keys (inferred through views too), functions and user types.
package introspect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
	"github.com/pgrestgen/pgrestgen/runtime/drift"
)

// Querier runs a query. *pgx.Conn, *pgxpool.Pool and pgx.Tx all meet it.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Options says what to introspect.
type Options struct {
	// Schemas are the exposed schemas, first the default one, as in
	// PostgREST's db-schemas. At least one, none a system schema; one that
	// does not exist is listed in the catalog's MissingSchemas.
	Schemas []string
}

// txStarter is met by *pgx.Conn and *pgxpool.Pool: Load then reads every
// catalog from one read-only REPEATABLE READ snapshot.
type txStarter interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// savepointStarter is met by pgx.Tx: Load then works in a savepoint of the
// caller's transaction, so that it still can set search_path locally.
type savepointStarter interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// emptySearchPath makes format_type and pg_get_expr qualify every name
// outside pg_catalog, so the catalog does not depend on the session's
// search_path and its type names can be used whatever the runtime one is.
const emptySearchPath = "SET LOCAL search_path = ''"

// Load introspects the schemas of opts through conn and returns the
// normalised catalog.
//
// When conn can start a transaction (a *pgx.Conn, *pgxpool.Pool or pgx.Tx),
// Load reads in its own read-only transaction (a savepoint for a pgx.Tx)
// with an empty search_path and rolls it back. A Querier that cannot is used
// as it is; type names and defaults are then only qualified where its
// search_path requires.
func Load(ctx context.Context, conn Querier, opts Options) (*catalog.Catalog, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	q := conn
	var tx pgx.Tx
	var err error
	switch c := conn.(type) {
	case txStarter:
		tx, err = c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	case savepointStarter:
		tx, err = c.Begin(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("introspect: begin transaction: %w", err)
	}
	if tx != nil {
		// Nothing is written; rolling back also restores search_path.
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		if _, err := tx.Exec(ctx, emptySearchPath); err != nil {
			return nil, fmt.Errorf("introspect: empty search_path: %w", err)
		}
		q = tx
	}
	l := &loader{q: q, schemas: opts.Schemas, types: newTypeRegistry()}
	return l.load(ctx)
}

// validate rejects what cannot be a set of exposed schemas before any query.
func (o Options) validate() error {
	if len(o.Schemas) == 0 {
		return errors.New("introspect: no schemas given")
	}
	seen := make(map[string]bool, len(o.Schemas))
	for _, s := range o.Schemas {
		switch {
		case s == "":
			return errors.New("introspect: empty schema name")
		case s == "information_schema" || strings.HasPrefix(s, "pg_"):
			// PostgreSQL reserves the pg_ prefix for its own schemas.
			return fmt.Errorf("introspect: schema %q is a system schema and cannot be exposed", s)
		case seen[s]:
			return fmt.Errorf("introspect: schema %q given twice", s)
		}
		seen[s] = true
	}
	return nil
}

// loader holds one Load's connection and the types it has asked for.
type loader struct {
	q       Querier
	schemas []string
	types   *typeRegistry
}

// load runs the catalog queries in turn and assembles the catalog.
func (l *loader) load(ctx context.Context) (*catalog.Catalog, error) {
	missing, comments, err := l.missingSchemas(ctx)
	if err != nil {
		return nil, err
	}
	rels, err := l.loadRelations(ctx)
	if err != nil {
		return nil, err
	}
	funcs, err := l.loadFunctions(ctx)
	if err != nil {
		return nil, err
	}
	enums, err := l.loadEnums(ctx)
	if err != nil {
		return nil, err
	}
	comps, err := l.loadComposites(ctx)
	if err != nil {
		return nil, err
	}
	doms, err := l.loadDomains(ctx)
	if err != nil {
		return nil, err
	}
	reps, err := l.loadRepresentations(ctx)
	if err != nil {
		return nil, err
	}
	handlers, err := l.mediaHandlers(ctx)
	if err != nil {
		return nil, err
	}
	postgis, err := l.postgisSchema(ctx)
	if err != nil {
		return nil, err
	}
	if err := l.types.load(ctx, l.q); err != nil {
		return nil, err
	}
	objs, err := drift.Objects(ctx, l.q, l.schemas)
	if err != nil {
		return nil, err
	}

	cat := &catalog.Catalog{
		Schemas:         append([]string{}, l.schemas...),
		MissingSchemas:  missing,
		SchemaComments:  comments,
		Relations:       []catalog.Relation{},
		Functions:       []catalog.Function{},
		Enums:           enums,
		Composites:      []catalog.Composite{},
		Domains:         []catalog.Domain{},
		Representations: reps,
		Objects:         make([]catalog.Object, 0, len(objs)),
		MediaHandlers:   handlers,
		PostGIS:         postgis,
	}
	for _, o := range objs {
		cat.Objects = append(cat.Objects, catalog.Object{Kind: o.Kind, Name: o.Name, Digest: o.Digest})
	}
	for _, r := range rels {
		rel, err := r.finish(l.types)
		if err != nil {
			return nil, err
		}
		cat.Relations = append(cat.Relations, rel)
	}
	for _, f := range funcs {
		fn, err := f.finish(l.types)
		if err != nil {
			return nil, err
		}
		cat.Functions = append(cat.Functions, fn)
	}
	for _, c := range comps {
		comp, err := c.finish(l.types)
		if err != nil {
			return nil, err
		}
		cat.Composites = append(cat.Composites, comp)
	}
	for _, d := range doms {
		dom, err := d.finish(l.types)
		if err != nil {
			return nil, err
		}
		cat.Domains = append(cat.Domains, dom)
	}
	cat.Normalize()
	return cat, nil
}

// postgisSchema returns the schema PostGIS is installed in, "" for none.
func (l *loader) postgisSchema(ctx context.Context) (string, error) {
	rows, err := l.q.Query(ctx, postgisSQL)
	if err != nil {
		return "", fmt.Errorf("introspect postgis: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", fmt.Errorf("introspect postgis: %w", err)
	}
	if len(found) == 0 {
		return "", nil
	}
	return found[0], nil
}

// mediaHandlerRow is one row of media_handlers.sql.
type mediaHandlerRow struct {
	Schema       string `db:"schema"`
	Name         string `db:"name"`
	MediaType    string `db:"media_type"`
	Binary       bool   `db:"binary"`
	TargetSchema string `db:"target_schema"`
	TargetName   string `db:"target_name"`
}

// mediaHandlers loads the handler aggregates of the exposed schemas.
func (l *loader) mediaHandlers(ctx context.Context) ([]catalog.MediaHandler, error) {
	rows, err := query[mediaHandlerRow](ctx, l.q, mediaHandlersSQL, l.schemas)
	if err != nil {
		return nil, fmt.Errorf("introspect media handlers: %w", err)
	}
	var out []catalog.MediaHandler
	for _, r := range rows {
		out = append(out, catalog.MediaHandler(r))
	}
	return out, nil
}

// missingSchemas returns the requested schemas that do not exist, in the
// order asked. They are not an error: PostgREST too starts with such a
// db-schemas, and the schema may be created later.
func (l *loader) missingSchemas(ctx context.Context) (missing []string, comments map[string]string, err error) {
	rows, err := l.q.Query(ctx, schemasSQL, l.schemas)
	if err != nil {
		return nil, nil, fmt.Errorf("introspect schemas: %w", err)
	}
	var found []string
	var name, comment string
	_, err = pgx.ForEachRow(rows, []any{&name, &comment}, func() error {
		found = append(found, name)
		if comment != "" {
			if comments == nil {
				comments = map[string]string{}
			}
			comments[name] = comment
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("introspect schemas: %w", err)
	}
	for _, s := range l.schemas {
		if !slices.Contains(found, s) {
			missing = append(missing, s)
		}
	}
	return missing, comments, nil
}

// query runs sql and scans every row into a T by column name.
func query[T any](ctx context.Context, q Querier, sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[T])
}
