// Package drift finds the database objects that generated code and the
// database disagree on. One query (objects.sql) lists, for the exposed
// schemas, every object generated code depends on with a digest of the facts
// it relies on; the generator records the list in the generated schema.go,
// the server and `pgrestgen check` run the query again and compare.
//
// It belongs to the runtime and imports only the standard library, pgx and
// runtime/contract, so a server binary does not link the generator.
package drift

import (
	"cmp"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

//go:embed objects.sql
var objectsSQL string

// Querier runs a query. *pgx.Conn, *pgxpool.Pool and pgx.Tx all meet it.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// txStarter is met by *pgx.Conn and *pgxpool.Pool.
type txStarter interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// savepointStarter is met by pgx.Tx: Objects then works in a savepoint.
type savepointStarter interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Objects lists the objects of schemas that generated code depends on,
// sorted by name then kind.
//
// When q can start a transaction (or a savepoint), the query runs in a
// read-only one with an empty search_path, so that type names and
// expressions are schema-qualified and the digests do not depend on the
// session's path; the generator's introspection reads with the same path.
func Objects(ctx context.Context, q Querier, schemas []string) ([]contract.Object, error) {
	var tx pgx.Tx
	var err error
	switch c := q.(type) {
	case txStarter:
		tx, err = c.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	case savepointStarter:
		tx, err = c.Begin(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("drift: begin transaction: %w", err)
	}
	if tx != nil {
		// Nothing is written; rolling back also restores search_path.
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		if _, err := tx.Exec(ctx, "SET LOCAL search_path = ''"); err != nil {
			return nil, fmt.Errorf("drift: empty search_path: %w", err)
		}
		q = tx
	}
	rows, err := q.Query(ctx, objectsSQL, schemas)
	if err != nil {
		return nil, fmt.Errorf("drift: list objects: %w", err)
	}
	objs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (contract.Object, error) {
		var o contract.Object
		err := r.Scan(&o.Kind, &o.Name, &o.Digest)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("drift: list objects: %w", err)
	}
	// The query sorts with the "C" collation already; sorting here too keeps
	// the order Go's even if that changes.
	Sort(objs)
	return objs, nil
}

// Sort orders objects by name, then kind (byte order), as Objects returns
// them and generated code lists them.
func Sort(objs []contract.Object) {
	slices.SortFunc(objs, compareObjects)
}

func compareObjects(a, b contract.Object) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Kind, b.Kind))
}

// Fingerprint is a hash of a sorted object list: equal lists, equal
// fingerprints, so the runtime can compute the database's with Objects
// alone.
func Fingerprint(objs []contract.Object) string {
	h := sha256.New()
	for _, o := range objs {
		// Quoting keeps any name from running into the next field.
		fmt.Fprintf(h, "%s %s %s\n", strconv.Quote(o.Kind), strconv.Quote(o.Name), strconv.Quote(o.Digest))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Diff is what the database has that generated code does not: objects
// added to the database, removed from it, and changed (same kind and name,
// another digest). Each list is sorted like Objects.
type Diff struct {
	Added, Removed, Changed []contract.Object
}

// Compare compares the objects code was generated from with the database's.
func Compare(generated, database []contract.Object) Diff {
	type key struct{ kind, name string }
	gen := make(map[key]contract.Object, len(generated))
	for _, o := range generated {
		gen[key{o.Kind, o.Name}] = o
	}
	var d Diff
	for _, o := range database {
		k := key{o.Kind, o.Name}
		g, ok := gen[k]
		switch {
		case !ok:
			d.Added = append(d.Added, o)
		case g.Digest != o.Digest:
			d.Changed = append(d.Changed, o)
		}
		delete(gen, k)
	}
	for _, o := range gen {
		d.Removed = append(d.Removed, o)
	}
	Sort(d.Added)
	Sort(d.Removed)
	Sort(d.Changed)
	return d
}

// Len is the number of objects that differ.
func (d Diff) Len() int { return len(d.Added) + len(d.Removed) + len(d.Changed) }

// Summary names the objects that differ, changed first, then removed, then
// added: "changed table public.books, removed function public.f(integer)".
// With limit > 0, at most limit are named and the rest counted ("and 3 more").
func (d Diff) Summary(limit int) string {
	var parts []string
	for _, g := range []struct {
		verb string
		objs []contract.Object
	}{{"changed", d.Changed}, {"removed", d.Removed}, {"added", d.Added}} {
		for _, o := range g.objs {
			parts = append(parts, g.verb+" "+o.Kind+" "+o.Name)
		}
	}
	if limit > 0 && len(parts) > limit {
		return strings.Join(parts[:limit], ", ") + fmt.Sprintf(" and %d more", len(parts)-limit)
	}
	return strings.Join(parts, ", ")
}
