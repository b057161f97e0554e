package serve

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

// schemaCacheJSON is what the admin server's /schema_cache answers: what
// the generated code describes, in the shape of PostgREST's schema cache
// (aeson's encoding of its Haskell types: maps keyed by a qualified name are
// lists of [key, value] pairs, sum types carry a "tag"). PostgREST calls the
// shape unstable, for debugging; keys with no PostgREST counterpart are
// pgrestgen's (dbSchemas, dbFingerprint, and dbMediaHandlers, which PostgREST
// leaves out).
func schemaCacheJSON(s *runtime.Schema) ([]byte, error) {
	sc := struct {
		Tables        [][2]any     `json:"dbTables"`
		Relationships [][2]any     `json:"dbRelationships"`
		Routines      [][2]any     `json:"dbRoutines"`
		MediaHandlers []mediaEntry `json:"dbMediaHandlers"`
		Schemas       []string     `json:"dbSchemas"`
		Fingerprint   string       `json:"dbFingerprint"`
	}{
		Tables: [][2]any{}, Relationships: [][2]any{}, Routines: [][2]any{}, MediaHandlers: []mediaEntry{},
		Schemas: s.Schemas, Fingerprint: s.Fingerprint,
	}
	for _, r := range s.Relations {
		id := qi{r.Schema, r.Name}
		sc.Tables = append(sc.Tables, [2]any{id, table(r)})
		// PostgREST keys relationships by the relation and the schema of
		// the related ones: here always the relation's own.
		rels := make([]any, 0, len(r.Relationships))
		for _, rel := range r.Relationships {
			rels = append(rels, relationship(r, rel))
		}
		if len(rels) > 0 {
			sc.Relationships = append(sc.Relationships, [2]any{[2]any{id, r.Schema}, rels})
		}
	}
	// Overloads share one entry, as in PostgREST's routine map.
	at := map[qi]int{}
	for _, f := range s.Functions {
		id := qi{f.Schema, f.Name}
		i, ok := at[id]
		if !ok {
			i = len(sc.Routines)
			at[id] = i
			sc.Routines = append(sc.Routines, [2]any{id, []any{}})
		}
		sc.Routines[i][1] = append(sc.Routines[i][1].([]any), routine(f))
		if f.MediaType != "" {
			sc.MediaHandlers = append(sc.MediaHandlers, mediaEntry{Function: id, MediaType: f.MediaType, Domain: f.MediaDomain})
		}
	}
	return json.Marshal(sc)
}

// qi is PostgREST's QualifiedIdentifier.
type qi struct {
	Schema string `json:"qiSchema"`
	Name   string `json:"qiName"`
}

type mediaEntry struct {
	Function  qi     `json:"function"`
	MediaType string `json:"mediaType"`
	Domain    string `json:"domain"`
}

type pgTable struct {
	Schema      string    `json:"tableSchema"`
	Name        string    `json:"tableName"`
	Description *string   `json:"tableDescription"`
	IsView      bool      `json:"tableIsView"`
	Insertable  bool      `json:"tableInsertable"`
	Updatable   bool      `json:"tableUpdatable"`
	Deletable   bool      `json:"tableDeletable"`
	PKCols      []string  `json:"tablePKCols"`
	Columns     columnMap `json:"tableColumns"`
}

type pgColumn struct {
	Name        string   `json:"colName"`
	Description *string  `json:"colDescription"`
	Nullable    bool     `json:"colNullable"`
	Type        string   `json:"colType"`
	NominalType string   `json:"colNominalType"`
	MaxLen      *int     `json:"colMaxLen"`
	Default     *string  `json:"colDefault"`
	Enum        []string `json:"colEnum"`
}

// columnMap is an object keyed by column name in the columns' order, as
// PostgREST's insertion-ordered map encodes.
type columnMap []pgColumn

func (m columnMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(c.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func table(r *contract.Relation) pgTable {
	t := pgTable{
		Schema: r.Schema, Name: r.Name, IsView: isView(r.Kind),
		Insertable: r.Insertable, Updatable: r.Updatable, Deletable: r.Deletable,
		PKCols: nonNil(r.PrimaryKey), Columns: columnMap{},
	}
	for _, c := range r.Columns {
		col := pgColumn{Name: c.Name, Nullable: c.Nullable, Type: c.Type, NominalType: c.Type, Enum: []string{}}
		if c.HasDefault {
			d := c.Default
			col.Default = &d
		}
		t.Columns = append(t.Columns, col)
	}
	return t
}

func isView(kind string) bool { return kind != "table" && kind != "partitioned_table" }

func relationship(owner *contract.Relation, rel contract.Relationship) any {
	from := qi{owner.Schema, owner.Name}
	to := qi{owner.Schema, rel.Target}
	if rel.Cardinality == contract.ComputedRelationship {
		return struct {
			Tag      string `json:"tag"`
			Function qi     `json:"relFunction"`
			Table    qi     `json:"relTable"`
			Foreign  qi     `json:"relForeignTable"`
			ToOne    bool   `json:"relToOne"`
			IsSelf   bool   `json:"relIsSelf"`
		}{"ComputedRelationship", qi{owner.Schema, rel.FunctionName}, from, to, rel.ToOne, rel.Self}
	}
	var card any
	switch rel.Cardinality {
	case contract.ManyToMany:
		j := rel.Junction
		card = struct {
			Tag      string `json:"tag"`
			Contents any    `json:"contents"`
		}{"M2M", struct {
			Table  qi          `json:"junTable"`
			Cons1  string      `json:"junConstraint1"`
			Cons2  string      `json:"junConstraint2"`
			Source [][2]string `json:"junColsSource"`
			Target [][2]string `json:"junColsTarget"`
		}{junctionID(owner.Schema, j), j.Constraint1, j.Constraint2, pairs(j.Source), pairs(j.Target)}}
	default:
		card = struct {
			Tag     string      `json:"tag"`
			Cons    string      `json:"relCons"`
			Columns [][2]string `json:"relColumns"`
		}{cardinalityTag(rel.Cardinality), rel.Constraint, pairs(rel.Columns)}
	}
	return struct {
		Tag         string `json:"tag"`
		Table       qi     `json:"relTable"`
		Foreign     qi     `json:"relForeignTable"`
		IsSelf      bool   `json:"relIsSelf"`
		Cardinality any    `json:"relCardinality"`
		TableIsView bool   `json:"relTableIsView"`
		FTableView  bool   `json:"relFTableIsView"`
	}{"Relationship", from, to, rel.Self, card, isView(owner.Kind), rel.TargetIsView}
}

func cardinalityTag(c contract.Cardinality) string {
	switch c {
	case contract.OneToMany:
		return "O2M"
	case contract.OneToOne:
		return "O2O"
	}
	return "M2O"
}

// junctionID names the junction in the schema of its quoted, qualified SQL
// name ("s"."t"), else in the owner's.
func junctionID(schema string, j *contract.Junction) qi {
	if s, _, ok := strings.Cut(j.SQLName, "."); ok && len(s) >= 2 && strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) {
		schema = strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return qi{schema, j.Name}
}

func pairs(ps []contract.ColumnPair) [][2]string {
	out := make([][2]string, len(ps))
	for i, p := range ps {
		out[i] = [2]string{p.From, p.To}
	}
	return out
}

type routineParam struct {
	Name          string `json:"ppName"`
	Type          string `json:"ppType"`
	TypeMaxLength string `json:"ppTypeMaxLength"`
	Required      bool   `json:"ppReq"`
	Variadic      bool   `json:"ppVar"`
}

func routine(f *contract.Function) any {
	params := make([]routineParam, len(f.Params))
	variadic := false
	for i, p := range f.Params {
		params[i] = routineParam{Name: p.Name, Type: p.Type, TypeMaxLength: p.Type, Required: p.Required, Variadic: p.Variadic}
		variadic = variadic || p.Variadic
	}
	// PostgREST's RetType: Single or SetOf a Scalar or a Composite.
	var pgType any = struct {
		Tag      string `json:"tag"`
		Contents qi     `json:"contents"`
	}{"Scalar", typeID(f.ReturnType)}
	if f.ResultRelation != "" {
		pgType = struct {
			Tag      string `json:"tag"`
			Contents [2]any `json:"contents"`
		}{"Composite", [2]any{qi{f.ResultSchema, f.ResultRelation}, false}}
	}
	ret := "Single"
	if f.ReturnsSet {
		ret = "SetOf"
	}
	settings := make([][2]string, 0, len(f.Settings))
	for _, s := range f.Settings {
		k, v, _ := strings.Cut(s, "=")
		settings = append(settings, [2]string{k, v})
	}
	return struct {
		Schema      string         `json:"pdSchema"`
		Name        string         `json:"pdName"`
		Description *string        `json:"pdDescription"`
		Params      []routineParam `json:"pdParams"`
		ReturnType  any            `json:"pdReturnType"`
		Volatility  string         `json:"pdVolatility"`
		HasVariadic bool           `json:"pdHasVariadic"`
		Settings    [][2]string    `json:"pdFuncSettings"`
	}{f.Schema, f.Name, nil, params, struct {
		Tag      string `json:"tag"`
		Contents any    `json:"contents"`
	}{ret, pgType}, volatility(f.Volatility), variadic, settings}
}

// typeID splits a type as format_type prints it ("public.books",
// "integer") into PostgREST's qualified name; built-in types are
// pg_catalog's.
func typeID(t string) qi {
	if s, n, ok := strings.Cut(t, "."); ok && !strings.Contains(s, "(") {
		return qi{s, n}
	}
	return qi{"pg_catalog", t}
}

func volatility(v string) string {
	switch v {
	case "immutable":
		return "Immutable"
	case "stable":
		return "Stable"
	}
	return "Volatile"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
