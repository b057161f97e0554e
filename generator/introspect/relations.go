package introspect

import (
	"context"
	"fmt"
	"slices"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

// relation is a Relation being assembled; its column types are resolved
// once every query has named the types it needs.
type relation struct {
	oid uint32
	catalog.Relation
	colTypes []typeKey
}

// relationRow is one row of relations.sql.
type relationRow struct {
	OID             uint32 `db:"oid"`
	Schema          string `db:"schema"`
	Name            string `db:"name"`
	Kind            string `db:"kind"`
	Comment         string `db:"comment"`
	UpdatableEvents int32  `db:"updatable_events"`
}

// columnRow is one row of columns.sql.
type columnRow struct {
	Attrelid  uint32 `db:"attrelid"`
	Attnum    int16  `db:"attnum"`
	Name      string `db:"name"`
	Atttypid  uint32 `db:"atttypid"`
	Atttypmod int32  `db:"atttypmod"`
	Nullable  bool   `db:"nullable"`
	Default   string `db:"default"`
	Identity  string `db:"identity"`
	Generated string `db:"generated"`
	Comment   string `db:"comment"`
	MaxLength int32  `db:"max_length"`
	Dims      int32  `db:"dims"`
}

// keyRow is one row of keys.sql: a primary key, unique or foreign key
// constraint. The Ref fields are empty except for foreign keys.
type keyRow struct {
	Conrelid    uint32   `db:"conrelid"`
	Name        string   `db:"name"`
	Type        string   `db:"type"`
	Attnums     []int16  `db:"attnums"`
	Columns     []string `db:"columns"`
	Confrelid   uint32   `db:"confrelid"`
	RefSchema   string   `db:"ref_schema"`
	RefRelation string   `db:"ref_relation"`
	RefAttnums  []int16  `db:"ref_attnums"`
	RefColumns  []string `db:"ref_columns"`
}

// uniqueIndexRow is one row of unique_indexes.sql.
type uniqueIndexRow struct {
	Indrelid uint32   `db:"indrelid"`
	Name     string   `db:"name"`
	Attnums  []int16  `db:"attnums"`
	Columns  []string `db:"columns"`
}

// relationKind maps pg_class.relkind to the model's kinds.
func relationKind(relkind string) (catalog.RelationKind, bool) {
	switch relkind {
	case "r":
		return catalog.KindTable, true
	case "p":
		return catalog.KindPartitionedTable, true
	case "v":
		return catalog.KindView, true
	case "m":
		return catalog.KindMaterializedView, true
	case "f":
		return catalog.KindForeignTable, true
	}
	return "", false
}

// pg_relation_is_updatable bits: 1 << CmdType.
const (
	eventUpdate = 1 << 2
	eventInsert = 1 << 3
	eventDelete = 1 << 4
)

// loadRelations loads the relations of the schemas with their columns and
// keys, and the keys inferred for views.
func (l *loader) loadRelations(ctx context.Context) ([]*relation, error) {
	relRows, err := query[relationRow](ctx, l.q, relationsSQL, l.schemas)
	if err != nil {
		return nil, fmt.Errorf("introspect relations: %w", err)
	}
	rels := make([]*relation, 0, len(relRows))
	byOID := make(map[uint32]*relation, len(relRows))
	for _, row := range relRows {
		kind, ok := relationKind(row.Kind)
		if !ok {
			return nil, fmt.Errorf("introspect relation %s.%s: unknown relkind %q", row.Schema, row.Name, row.Kind)
		}
		r := &relation{
			oid: row.OID,
			Relation: catalog.Relation{
				Schema:     row.Schema,
				Name:       row.Name,
				Kind:       kind,
				Comment:    row.Comment,
				Columns:    []catalog.Column{},
				Insertable: row.UpdatableEvents&eventInsert != 0,
				Updatable:  row.UpdatableEvents&eventUpdate != 0,
				Deletable:  row.UpdatableEvents&eventDelete != 0,
			},
		}
		rels = append(rels, r)
		byOID[r.oid] = r
	}

	colRows, err := query[columnRow](ctx, l.q, columnsSQL, l.schemas)
	if err != nil {
		return nil, fmt.Errorf("introspect columns: %w", err)
	}
	for _, c := range colRows {
		r, ok := byOID[c.Attrelid]
		if !ok {
			continue // created between the two queries without a snapshot
		}
		r.Columns = append(r.Columns, catalog.Column{
			Name:      c.Name,
			Position:  int(c.Attnum),
			Nullable:  c.Nullable,
			Default:   c.Default,
			Identity:  c.Identity,
			Generated: c.Generated,
			Comment:   c.Comment,
			MaxLength: int(c.MaxLength),
			Dims:      int(c.Dims),
		})
		r.colTypes = append(r.colTypes, l.types.want(c.Atttypid, c.Atttypmod))
	}

	views, err := l.loadViewExposures(ctx, rels)
	if err != nil {
		return nil, err
	}
	bases := []uint32{}
	for _, v := range views {
		bases = append(bases, v.bases...)
	}
	slices.Sort(bases)
	bases = slices.Compact(bases)

	keys, err := l.loadKeys(ctx, bases)
	if err != nil {
		return nil, err
	}

	// A relation's own keys.
	for _, r := range rels {
		rk, ok := keys[r.oid]
		if !ok {
			continue
		}
		if rk.primary != nil {
			r.PrimaryKey = slices.Clone(rk.primary.Columns)
		}
		for _, u := range rk.unique {
			r.addUniqueKey(catalog.UniqueKey{Name: u.Name, Columns: slices.Clone(u.Columns)})
		}
		for _, f := range rk.foreign {
			r.addForeignKey(catalog.ForeignKey{
				Name:        f.Name,
				Columns:     slices.Clone(f.Columns),
				RefSchema:   f.RefSchema,
				RefRelation: f.RefRelation,
				RefColumns:  slices.Clone(f.RefColumns),
			})
		}
	}
	inferViewKeys(rels, views, keys)
	return rels, nil
}

// loadKeys loads the key constraints and unique indexes of the relations of
// the schemas and of the extra relations bases, by relation oid.
func (l *loader) loadKeys(ctx context.Context, bases []uint32) (map[uint32]*relationKeys, error) {
	keyRows, err := query[keyRow](ctx, l.q, keysSQL, l.schemas, bases)
	if err != nil {
		return nil, fmt.Errorf("introspect keys: %w", err)
	}
	idxRows, err := query[uniqueIndexRow](ctx, l.q, uniqueIndexesSQL, l.schemas, bases)
	if err != nil {
		return nil, fmt.Errorf("introspect unique indexes: %w", err)
	}
	keys := map[uint32]*relationKeys{}
	keysOf := func(oid uint32) *relationKeys {
		k, ok := keys[oid]
		if !ok {
			k = &relationKeys{}
			keys[oid] = k
		}
		return k
	}
	for _, k := range keyRows {
		rk := keysOf(k.Conrelid)
		switch k.Type {
		case "p":
			pk := k
			rk.primary = &pk
		case "u":
			rk.unique = append(rk.unique, k)
		case "f":
			rk.foreign = append(rk.foreign, k)
		}
	}
	for _, ix := range idxRows {
		rk := keysOf(ix.Indrelid)
		rk.unique = append(rk.unique, keyRow{Conrelid: ix.Indrelid, Name: ix.Name, Type: "u", Attnums: ix.Attnums, Columns: ix.Columns})
	}
	return keys, nil
}

// relationKeys are the key constraints (and unique indexes, as unique
// keys) of one relation, by attnum.
type relationKeys struct {
	primary *keyRow
	unique  []keyRow
	foreign []keyRow
}

// addUniqueKey adds u unless the relation already has it.
func (r *relation) addUniqueKey(u catalog.UniqueKey) {
	for _, have := range r.UniqueKeys {
		if have.Name == u.Name && slices.Equal(have.Columns, u.Columns) {
			return
		}
	}
	r.UniqueKeys = append(r.UniqueKeys, u)
}

// addForeignKey adds f unless the relation already has it.
func (r *relation) addForeignKey(f catalog.ForeignKey) {
	for _, have := range r.ForeignKeys {
		if have.Name == f.Name && have.RefSchema == f.RefSchema && have.RefRelation == f.RefRelation &&
			slices.Equal(have.Columns, f.Columns) && slices.Equal(have.RefColumns, f.RefColumns) {
			return
		}
	}
	r.ForeignKeys = append(r.ForeignKeys, f)
}

// finish resolves the column types and returns the relation.
func (r *relation) finish(types *typeRegistry) (catalog.Relation, error) {
	out := r.Relation
	for i := range out.Columns {
		t, err := types.build(r.colTypes[i])
		if err != nil {
			return catalog.Relation{}, fmt.Errorf("introspect columns of %s.%s: column %s: %w",
				r.Schema, r.Name, out.Columns[i].Name, err)
		}
		out.Columns[i].Type = t
	}
	return out, nil
}
