package introspect

import (
	"context"
	"fmt"
	"slices"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

// viewExposure is what an exposed view or materialized view shows of the
// base relations (tables, partitioned and foreign tables) under it.
type viewExposure struct {
	view *relation
	// cols maps a base column to the view columns that are plain
	// references to it, in view column order; one base column may be
	// exposed several times ("select id, id as id2").
	cols map[targetOrigin][]string
	// bases are the base relations it exposes columns of, in the order of
	// the first view column from each.
	bases []uint32
}

// viewDefinitionRow is one row of view_definitions.sql.
type viewDefinitionRow struct {
	OID    uint32 `db:"oid"`
	Schema string `db:"schema"`
	Name   string `db:"name"`
	Action string `db:"action"`
}

// maxViewDepth bounds how many views deep a column is followed; it stops
// CREATE OR REPLACE VIEW cycles, which PostgreSQL only rejects when queried.
const maxViewDepth = 100

// loadViewExposures follows every column of the exposed views through
// views on views down to the base-table column it passes through.
func (l *loader) loadViewExposures(ctx context.Context, rels []*relation) ([]*viewExposure, error) {
	rows, err := query[viewDefinitionRow](ctx, l.q, viewDefinitionsSQL, l.schemas)
	if err != nil {
		return nil, fmt.Errorf("introspect view definitions: %w", err)
	}
	origins := make(map[uint32]map[int16]targetOrigin, len(rows))
	for _, row := range rows {
		o, err := viewOrigins(row.Action)
		if err != nil {
			return nil, fmt.Errorf("introspect definition of view %s.%s: %w", row.Schema, row.Name, err)
		}
		origins[row.OID] = o
	}
	var out []*viewExposure
	for _, r := range rels {
		if !r.Kind.IsView() {
			continue
		}
		e := &viewExposure{view: r, cols: map[targetOrigin][]string{}}
		for _, c := range r.Columns {
			o, ok := baseOrigin(origins, targetOrigin{rel: r.oid, col: int16(c.Position)})
			if !ok {
				continue
			}
			if !slices.Contains(e.bases, o.rel) {
				e.bases = append(e.bases, o.rel)
			}
			e.cols[o] = append(e.cols[o], c.Name)
		}
		out = append(out, e)
	}
	return out, nil
}

// baseOrigin follows the view column at through the views it reads from
// and returns the column of a relation that is not a view; false when some
// view in the chain computes the column instead of passing it through.
func baseOrigin(origins map[uint32]map[int16]targetOrigin, at targetOrigin) (targetOrigin, bool) {
	for range maxViewDepth {
		def, isView := origins[at.rel]
		if !isView {
			return at, true
		}
		next, ok := def[at.col]
		if !ok {
			return targetOrigin{}, false
		}
		at = next
	}
	return targetOrigin{}, false
}

// cover returns, for each of the base relation's attnums, the view columns
// exposing it; false unless the view exposes every one of them.
func (e *viewExposure) cover(rel uint32, attnums []int16) ([][]string, bool) {
	if len(attnums) == 0 {
		return nil, false
	}
	out := make([][]string, len(attnums))
	for i, a := range attnums {
		names := e.cols[targetOrigin{rel: rel, col: a}]
		if len(names) == 0 {
			return nil, false
		}
		out[i] = names
	}
	return out, true
}

// combinations returns every choice of one name per position, first
// choices first: a key exposed twice gives one view key per exposure.
func combinations(choices [][]string) [][]string {
	out := [][]string{{}}
	for _, names := range choices {
		var next [][]string
		for _, prefix := range out {
			for _, n := range names {
				next = append(next, append(slices.Clone(prefix), n))
			}
		}
		out = next
	}
	return out
}

// inferViewKeys gives views the keys of the base tables whose key columns
// they all expose, as PostgREST does:
//   - a view's primary key is the primary key of every base table it fully
//     exposes (the first view column when one is exposed twice);
//   - likewise for unique keys (PostgREST has none; they let a planner see
//     the same one-to-one relationships on views as on their tables);
//   - a foreign key of a base table becomes a foreign key of the view, to
//     the same referenced relation, once per choice of view columns;
//   - a foreign key referencing a base table whose referenced columns a view
//     exposes also references the view, both from the owning table (if
//     exposed) and from every view of the owning table.
//
// All inferred keys keep the constraint's name.
func inferViewKeys(rels []*relation, views []*viewExposure, keys map[uint32]*relationKeys) {
	for _, v := range views {
		var pk []string
		for _, b := range v.bases {
			rk := keys[b]
			if rk == nil {
				continue
			}
			if rk.primary != nil {
				if cols, ok := v.cover(b, rk.primary.Attnums); ok {
					for _, names := range cols {
						if !slices.Contains(pk, names[0]) {
							pk = append(pk, names[0])
						}
					}
				}
			}
			for _, u := range rk.unique {
				if cols, ok := v.cover(b, u.Attnums); ok {
					first := make([]string, len(cols))
					for i, names := range cols {
						first[i] = names[0]
					}
					v.view.addUniqueKey(catalog.UniqueKey{Name: u.Name, Columns: first})
				}
			}
		}
		if len(v.view.PrimaryKey) == 0 {
			v.view.PrimaryKey = pk
		}
	}

	tables := map[uint32]*relation{}
	for _, r := range rels {
		if !r.Kind.IsView() {
			tables[r.oid] = r
		}
	}
	owners := make([]uint32, 0, len(keys))
	for oid := range keys {
		owners = append(owners, oid)
	}
	slices.Sort(owners)

	// end is one side of an inferred foreign key.
	type end struct {
		rel  *relation
		cols []string
	}
	for _, owner := range owners {
		for _, f := range keys[owner].foreign {
			var froms, tos []end
			for _, v := range views {
				if cols, ok := v.cover(f.Conrelid, f.Attnums); ok {
					for _, c := range combinations(cols) {
						froms = append(froms, end{rel: v.view, cols: c})
					}
				}
				if cols, ok := v.cover(f.Confrelid, f.RefAttnums); ok {
					for _, c := range combinations(cols) {
						tos = append(tos, end{rel: v.view, cols: c})
					}
				}
			}
			for _, from := range froms {
				from.rel.addForeignKey(catalog.ForeignKey{
					Name:        f.Name,
					Columns:     from.cols,
					RefSchema:   f.RefSchema,
					RefRelation: f.RefRelation,
					RefColumns:  slices.Clone(f.RefColumns),
				})
			}
			if t, ok := tables[f.Conrelid]; ok {
				froms = append([]end{{rel: t, cols: f.Columns}}, froms...)
			}
			for _, from := range froms {
				for _, to := range tos {
					from.rel.addForeignKey(catalog.ForeignKey{
						Name:        f.Name,
						Columns:     slices.Clone(from.cols),
						RefSchema:   to.rel.Schema,
						RefRelation: to.rel.Name,
						RefColumns:  slices.Clone(to.cols),
					})
				}
			}
		}
	}
}
