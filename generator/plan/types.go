package plan

import "github.com/pgrestgen/pgrestgen/generator/catalog"

// GoType is a Go type as the emitter prints it: a named type (optionally from
// an import path), a slice of one, or a pointer to one.
type GoType struct {
	// Path is the import path of a named type ("" for builtins and types of
	// the generated package).
	Path string
	Name string
	// Slice or Pointer wrap Elem.
	Slice   bool
	Pointer bool
	Elem    *GoType
}

func named(name string) GoType          { return GoType{Name: name} }
func imported(path, name string) GoType { return GoType{Path: path, Name: name} }
func sliceOf(t GoType) GoType           { return GoType{Slice: true, Elem: &t} }
func pointerTo(t GoType) GoType         { return GoType{Pointer: true, Elem: &t} }
func (t GoType) nilable() bool          { return t.Slice || t.Pointer || t == rawJSON }

var rawJSON = imported("encoding/json", "RawMessage")

// baseTypes maps pg_catalog base types (by typname) to the Go type that
// decodes PostgREST's JSON for them. Types PostgreSQL renders as JSON strings
// (dates, intervals, network addresses, ranges, money…) are strings; time
// zones make timestamptz the only one time.Time reads back as is.
var baseTypes = map[string]GoType{
	"bool":          named("bool"),
	"int2":          named("int16"),
	"int4":          named("int32"),
	"int8":          named("int64"),
	"oid":           named("uint32"),
	"xid":           named("uint32"),
	"cid":           named("uint32"),
	"float4":        named("float32"),
	"float8":        named("float64"),
	"numeric":       imported("encoding/json", "Number"),
	"text":          named("string"),
	"varchar":       named("string"),
	"bpchar":        named("string"),
	"char":          named("string"),
	"name":          named("string"),
	"citext":        named("string"),
	"uuid":          named("string"),
	"bytea":         named("string"),
	"date":          named("string"),
	"time":          named("string"),
	"timetz":        named("string"),
	"timestamp":     named("string"),
	"timestamptz":   imported("time", "Time"),
	"interval":      named("string"),
	"json":          rawJSON,
	"jsonb":         rawJSON,
	"xml":           named("string"),
	"money":         named("string"),
	"inet":          named("string"),
	"cidr":          named("string"),
	"macaddr":       named("string"),
	"macaddr8":      named("string"),
	"bit":           named("string"),
	"varbit":        named("string"),
	"tsvector":      named("string"),
	"tsquery":       named("string"),
	"point":         named("string"),
	"line":          named("string"),
	"lseg":          named("string"),
	"box":           named("string"),
	"path":          named("string"),
	"polygon":       named("string"),
	"circle":        named("string"),
	"pg_lsn":        named("string"),
	"regclass":      named("string"),
	"regproc":       named("string"),
	"regtype":       named("string"),
	"txid_snapshot": named("string"),
	"pg_snapshot":   named("string"),
}

// typeMapper maps catalog types to Go types, knowing the Go names given to
// the schema's enums and composite types.
type typeMapper struct {
	enums      map[[2]string]string
	composites map[[2]string]string
}

// goType returns the Go type of a value of t. Unknown types fall back to
// json.RawMessage, which holds any JSON PostgreSQL produces.
func (m *typeMapper) goType(t catalog.Type) GoType {
	key := [2]string{t.Schema, t.Name}
	switch t.Category {
	case catalog.CategoryArray:
		if t.Elem != nil {
			return sliceOf(m.goType(*t.Elem))
		}
		return rawJSON
	case catalog.CategoryDomain:
		if t.Base != nil {
			return m.goType(*t.Base)
		}
		return rawJSON
	case catalog.CategoryEnum:
		if n, ok := m.enums[key]; ok {
			return named(n)
		}
		return named("string")
	case catalog.CategoryComposite:
		if n, ok := m.composites[key]; ok {
			return named(n)
		}
		return rawJSON
	case catalog.CategoryRange, catalog.CategoryMultirange:
		return named("string")
	}
	if t.Schema == "pg_catalog" || t.Schema == "public" {
		if g, ok := baseTypes[t.Name]; ok {
			return g
		}
	}
	return rawJSON
}

// fieldType is goType made nullable: a pointer for nullable scalars, the type
// itself where nil already means null (slices, json.RawMessage).
func (m *typeMapper) fieldType(t catalog.Type, nullable bool) GoType {
	return m.columnType(t, 0, nullable)
}

// columnType is fieldType of a column declared with dims dimensions: an
// array of arrays nests its slices (int[][] is [][]int32).
func (m *typeMapper) columnType(t catalog.Type, dims int, nullable bool) GoType {
	g := m.goType(t)
	for range dims - 1 {
		if g.Slice {
			g = sliceOf(g)
		}
	}
	if nullable && !g.nilable() {
		return pointerTo(g)
	}
	return g
}
