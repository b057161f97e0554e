package introspect

import (
	"context"
	"fmt"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

// typeKey is a type as a column or argument uses it: the same type prints
// differently with another typmod ("character varying(20)").
type typeKey struct {
	oid    uint32
	typmod int32
}

// noTypmod is the typmod of a type used without modifier (function
// arguments and results never carry one).
const noTypmod = -1

// typeRegistry collects the types the other queries name, so that one query
// can fetch them all, with their array elements and domain bases, at the end.
type typeRegistry struct {
	wanted []typeKey
	seen   map[typeKey]bool
	rows   map[typeKey]typeRow
}

func newTypeRegistry() *typeRegistry {
	return &typeRegistry{seen: map[typeKey]bool{}, rows: map[typeKey]typeRow{}}
}

// want records that the type oid with typmod will be needed and returns its key.
func (r *typeRegistry) want(oid uint32, typmod int32) typeKey {
	k := typeKey{oid: oid, typmod: typmod}
	if !r.seen[k] {
		r.seen[k] = true
		r.wanted = append(r.wanted, k)
	}
	return k
}

// typeRow is one row of types.sql.
type typeRow struct {
	OID       uint32 `db:"oid"`
	Typmod    int32  `db:"typmod"`
	Schema    string `db:"schema"`
	Name      string `db:"name"`
	SQL       string `db:"sql"`
	Typtype   string `db:"typtype"`
	Elem      uint32 `db:"elem"`
	Base      uint32 `db:"base"`
	Typtypmod int32  `db:"typtypmod"`
}

// load fetches every wanted type and what it is built from.
func (r *typeRegistry) load(ctx context.Context, q Querier) error {
	oids := make([]uint32, len(r.wanted))
	mods := make([]int32, len(r.wanted))
	for i, k := range r.wanted {
		oids[i], mods[i] = k.oid, k.typmod
	}
	rows, err := query[typeRow](ctx, q, typesSQL, oids, mods)
	if err != nil {
		return fmt.Errorf("introspect types: %w", err)
	}
	for _, row := range rows {
		r.rows[typeKey{oid: row.OID, typmod: row.Typmod}] = row
	}
	return nil
}

// maxTypeDepth bounds element/base recursion; real types nest a few levels.
const maxTypeDepth = 32

// build returns the catalog type for k, elements and bases filled in.
func (r *typeRegistry) build(k typeKey) (catalog.Type, error) {
	return r.buildDepth(k, 0)
}

func (r *typeRegistry) buildDepth(k typeKey, depth int) (catalog.Type, error) {
	if depth > maxTypeDepth {
		return catalog.Type{}, fmt.Errorf("type %d nests deeper than %d levels", k.oid, maxTypeDepth)
	}
	row, ok := r.rows[k]
	if !ok {
		return catalog.Type{}, fmt.Errorf("type %d (typmod %d) not found", k.oid, k.typmod)
	}
	t := catalog.Type{Schema: row.Schema, Name: row.Name, SQL: row.SQL}
	switch row.Typtype {
	case "b":
		t.Category = catalog.CategoryBase
		if row.Elem != 0 {
			t.Category = catalog.CategoryArray
			elem, err := r.buildDepth(typeKey{oid: row.Elem, typmod: k.typmod}, depth+1)
			if err != nil {
				return catalog.Type{}, err
			}
			t.Elem = &elem
		}
	case "c":
		t.Category = catalog.CategoryComposite
	case "d":
		t.Category = catalog.CategoryDomain
		base, err := r.buildDepth(typeKey{oid: row.Base, typmod: row.Typtypmod}, depth+1)
		if err != nil {
			return catalog.Type{}, err
		}
		t.Base = &base
	case "e":
		t.Category = catalog.CategoryEnum
	case "p":
		t.Category = catalog.CategoryPseudo
	case "r":
		t.Category = catalog.CategoryRange
	case "m":
		t.Category = catalog.CategoryMultirange
	default:
		return catalog.Type{}, fmt.Errorf("type %s.%s has unknown typtype %q", row.Schema, row.Name, row.Typtype)
	}
	return t, nil
}
