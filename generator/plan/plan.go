// Package plan is the middle stage of generation: it turns the catalog model
// into everything the emitter prints — Go names (collision-free, in one
// place), Go types, file names, routes and static SQL fragments — so that the
// emitter only prints fields and never decides.
package plan

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

// Options steer planning.
type Options struct {
	// Package is the Go package name of the generated code.
	Package string
}

// Package is the plan of one generated Go package.
type Package struct {
	Name        string
	Schemas     []string
	Fingerprint string
	Relations   []Relation
	Functions   []Function
	Enums       []Enum
	Composites  []Composite
}

// Relation is the plan of one table or view.
type Relation struct {
	Source catalog.Relation
	// GoName names the row struct; Descriptor the function returning its
	// *runtime.Relation.
	GoName     string
	Descriptor string
	File       string
	Fields     []Field
	// Path is the URL path the relation is served on.
	Path       string
	SQLName    string
	SelectStar string
	// RowRef is the quoted unqualified name that refers to a whole row in
	// the relation's FROM clause (the argument of computed fields).
	RowRef string
	// Computed are the relation's computed fields: functions of exposed
	// schemas taking its row type, by name.
	Computed []ComputedField

	// Relationships are the relations it can embed (relationships.go).
	Relationships []Relationship
}

// ComputedField is a function f(relation_row) that PostgREST serves as a
// virtual column of the relation (selectable by name, filterable, orderable;
// never part of *).
type ComputedField struct {
	Name    string
	SQLName string // the quoted, schema-qualified function
	Type    string // the return type as format_type prints it
}

// Field is a struct field standing for a column or argument.
type Field struct {
	SQLName string
	GoName  string
	Type    GoType
	// Const names the column-name constant (relations only).
	Const string
	// Default is the column's default expression for missing=default
	// (identity columns get their sequence's nextval).
	Default string
	// FilterCast is the quoted function filter values of the column go
	// through (a domain's text cast), "" for none.
	FilterCast string
	// Renamed is true when GoName is not simply the SQL name in Go case
	// (a clash or an unusable name), so the emitter notes the SQL name.
	Renamed bool
	// Column is the catalog column (relations and composites only).
	Column catalog.Column
}

// Function is the plan of one function.
type Function struct {
	Source catalog.Function
	GoName string
	// ArgsType names the argument struct, Result the result type.
	ArgsType string
	Args     []Field
	Result   string
	// ResultType is the Go type Result stands for; RowType/RowFields describe
	// a result struct generated for TABLE and OUT-argument functions.
	ResultType GoType
	RowType    string
	RowFields  []Field
	Void       bool
	Descriptor string
	File       string
	SQLName    string
	// Path is the URL path the function is served on: /rpc/<name>.
	Path string
	// Params are the input arguments as a call names them.
	Params []CallParam
	// Scalar is true when each result row is one value, not a composite.
	Scalar bool
	// ResultSchema/ResultRelation name the exposed relation whose rows a
	// composite result has; ResultColumns list a composite result's
	// columns otherwise (OUT/TABLE arguments, composite types).
	ResultSchema   string
	ResultRelation string
	ResultColumns  []ResultColumn
	// MediaType is set when the function returns a domain named after a
	// media type ("text/html", or "*/*" for any): a custom media handler.
	// MediaDomain is the quoted domain; MediaBinary says it is over bytea.
	MediaType   string
	MediaDomain string
	MediaBinary bool
}

// CallParam is an input argument of a function call.
type CallParam struct {
	Name    string
	SQLName string // quoted
	// Type is the argument's type as format_type prints it.
	Type string
	// Cast is what the argument's value is cast to (and, for a JSON body,
	// read as): a type name PostgreSQL resolves whatever the search_path.
	Cast     string
	Required bool
	Variadic bool
}

// ResultColumn is a column of a composite function result.
type ResultColumn struct {
	Name    string
	SQLName string // quoted
	Type    string // as format_type prints it
}

// Enum is the plan of an enum type: a named string type and a constant per label.
type Enum struct {
	Source catalog.Enum
	GoName string
	Consts []EnumConst
	File   string
}

// EnumConst is one label of an enum.
type EnumConst struct {
	GoName string
	Label  string
}

// Composite is the plan of a standalone composite type.
type Composite struct {
	Source catalog.Composite
	GoName string
	Fields []Field
	File   string
}

// reserved names are package-level identifiers emitted outside per-object
// files (register.go, schema.go); no object may take them.
var reserved = []string{"RegisterHandlers", "Router", "Schema", "SchemaFingerprint", "GeneratorVersion"}

// Build plans a package from a normalised catalog.
func Build(cat *catalog.Catalog, opts Options) (*Package, error) {
	if opts.Package == "" {
		return nil, fmt.Errorf("plan: package name is empty")
	}
	fp, err := cat.Fingerprint()
	if err != nil {
		return nil, err
	}
	pkg := &Package{Name: opts.Package, Schemas: cat.Schemas, Fingerprint: fp}
	names := newNamer(reserved...)
	files := newNamer("register", "schema")
	defaultSchema := ""
	if len(cat.Schemas) > 0 {
		defaultSchema = cat.Schemas[0]
	}
	// qualify prefixes names from non-default schemas with the schema, so the
	// default schema's objects keep the plain names users expect.
	qualify := func(schema, name string) string {
		if schema == defaultSchema {
			return exportedName(name)
		}
		return exportedName(schema) + exportedName(name)
	}
	tm := &typeMapper{enums: map[[2]string]string{}, composites: map[[2]string]string{}}

	// Types first: relations and functions refer to them.
	pkg.Enums = make([]Enum, len(cat.Enums))
	for _, i := range allocationOrder(len(cat.Enums), func(i int) (string, string) {
		return cat.Enums[i].Schema, cat.Enums[i].Name
	}, defaultSchema) {
		e := cat.Enums[i]
		pe := Enum{Source: e, GoName: names.name(qualify(e.Schema, e.Name))}
		pe.File = files.name(fileStem(pe.GoName)+"_enum") + ".go"
		tm.enums[[2]string{e.Schema, e.Name}] = pe.GoName
		pkg.Enums[i] = pe
	}
	pkg.Composites = make([]Composite, len(cat.Composites))
	for _, i := range allocationOrder(len(cat.Composites), func(i int) (string, string) {
		return cat.Composites[i].Schema, cat.Composites[i].Name
	}, defaultSchema) {
		c := cat.Composites[i]
		pc := Composite{Source: c, GoName: names.name(qualify(c.Schema, c.Name))}
		pc.File = files.name(fileStem(pc.GoName)+"_type") + ".go"
		tm.composites[[2]string{c.Schema, c.Name}] = pc.GoName
		pkg.Composites[i] = pc
	}
	// Row types of relations can be used as composite types too. Names are
	// handed out conventional names first (see allocationOrder), but the
	// plan keeps the catalog's order.
	pkg.Relations = make([]Relation, len(cat.Relations))
	for _, i := range allocationOrder(len(cat.Relations), func(i int) (string, string) {
		return cat.Relations[i].Schema, cat.Relations[i].Name
	}, defaultSchema) {
		r := cat.Relations[i]
		pr := Relation{Source: r, GoName: names.name(qualify(r.Schema, r.Name))}
		pr.File = files.name(fileStem(pr.GoName)+"_"+kindToken(r.Kind)) + ".go"
		tm.composites[[2]string{r.Schema, r.Name}] = pr.GoName
		pkg.Relations[i] = pr
	}
	for i := range pkg.Enums {
		e := &pkg.Enums[i]
		for _, l := range e.Source.Labels {
			e.Consts = append(e.Consts, EnumConst{GoName: names.name(e.GoName + exportedName(l)), Label: l})
		}
	}
	for i := range pkg.Composites {
		c := &pkg.Composites[i]
		fields := newNamer()
		for _, a := range c.Source.Attributes {
			f := newField(fields, a.Name, a.Name, tm.fieldType(a.Type, true))
			f.Column = catalog.Column{Name: a.Name, Type: a.Type, Nullable: true}
			c.Fields = append(c.Fields, f)
		}
	}
	textCasts := map[[2]string]string{}
	for _, d := range cat.Domains {
		if d.FromTextFunc != "" {
			textCasts[[2]string{d.Schema, d.Name}] = quoteQualified(d.FromTextSchema, d.FromTextFunc)
		}
	}
	for i := range pkg.Relations {
		r := &pkg.Relations[i]
		r.Descriptor = names.name(r.GoName + "Relation")
		r.Path = "/" + r.Source.Name
		r.SQLName = quoteQualified(r.Source.Schema, r.Source.Name)
		fields := newNamer()
		var star []string
		for _, c := range r.Source.Columns {
			f := newField(fields, c.Name, c.Name, tm.fieldType(c.Type, c.Nullable))
			f.Column = c
			f.Default = c.Default
			if c.Identity == "d" && c.Default == "" {
				// An identity column's default, as an expression, so that
				// Prefer: missing=default can fill it for rows without it.
				f.Default = "nextval(pg_get_serial_sequence(" + quoteLiteral(r.SQLName) + ", " + quoteLiteral(c.Name) + "))"
			}
			if c.Type.Category == catalog.CategoryDomain {
				f.FilterCast = textCasts[[2]string{c.Type.Schema, c.Type.Name}]
			}
			f.Const = names.name(r.GoName + "Col" + f.GoName)
			r.Fields = append(r.Fields, f)
			star = append(star, QuoteIdent(c.Name))
		}
		r.SelectStar = strings.Join(star, ", ")
		r.RowRef = QuoteIdent(r.Source.Name)
		r.Computed = computedFields(cat, r.Source)
	}
	planRelationships(cat, pkg.Relations)

	// Only functions PostgREST can call are served (and generated).
	var callable []catalog.Function
	for _, f := range cat.Functions {
		if isCallable(f) {
			callable = append(callable, f)
		}
	}
	relations := map[[2]string]bool{}
	for _, r := range cat.Relations {
		relations[[2]string{r.Schema, r.Name}] = true
	}
	composites := map[[2]string]catalog.Composite{}
	for _, c := range cat.Composites {
		composites[[2]string{c.Schema, c.Name}] = c
	}
	// Overloads share a base name; tell them apart by their argument names.
	overloads := map[[2]string]int{}
	for _, f := range callable {
		overloads[[2]string{f.Schema, f.Name}]++
	}
	pkg.Functions = make([]Function, len(callable))
	for _, i := range allocationOrder(len(callable), func(i int) (string, string) {
		return callable[i].Schema, callable[i].Name
	}, defaultSchema) {
		f := callable[i]
		base := qualify(f.Schema, f.Name)
		if overloads[[2]string{f.Schema, f.Name}] > 1 {
			base += overloadSuffix(f)
		}
		pf := Function{Source: f, GoName: names.name(base), SQLName: quoteQualified(f.Schema, f.Name)}
		pf.File = files.name(fileStem(pf.GoName)+"_func") + ".go"
		pf.ArgsType = names.name(pf.GoName + "Args")
		pf.Descriptor = names.name(pf.GoName + "Function")
		fields := newNamer()
		var outs []catalog.Argument
		for i, a := range f.Args {
			switch a.Mode {
			case catalog.ModeOut, catalog.ModeTable:
				outs = append(outs, a)
				continue
			case catalog.ModeInOut:
				outs = append(outs, a)
			}
			goBase := a.Name
			if a.Name == "" {
				goBase = fmt.Sprintf("arg%d", i+1)
			}
			t := tm.goType(a.Type)
			if a.Mode == catalog.ModeVariadic && !t.Slice {
				t = sliceOf(t)
			}
			if a.HasDefault && !t.nilable() {
				t = pointerTo(t)
			}
			pf.Args = append(pf.Args, newField(fields, a.Name, goBase, t))
		}
		planResult(&pf, outs, tm, names)
		pf.Path = "/rpc/" + f.Name
		pf.Params = callParams(f)
		planCallResult(&pf, outs, relations, composites)
		planMediaHandler(&pf)
		pkg.Functions[i] = pf
	}
	return pkg, nil
}

// newField names a field in its struct's scope after base (the SQL name, or
// a stand-in for unnamed arguments).
func newField(scope *namer, sqlName, base string, t GoType) Field {
	natural := exportedName(base)
	goName := scope.name(natural)
	return Field{SQLName: sqlName, GoName: goName, Type: t, Renamed: goName != natural}
}

// allocationOrder is the order in which objects get their Go names: the
// default schema first, then names written the conventional way (all lower
// case) before quoted mixed-case ones, then by name. So "films" is Films and
// a later "Films" becomes Films2, not the other way round.
func allocationOrder(n int, key func(int) (schema, name string), defaultSchema string) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	rank := func(i int) (int, int, string, string) {
		schema, name := key(i)
		d, c := 1, 1
		if schema == defaultSchema {
			d = 0
		}
		if name == strings.ToLower(name) {
			c = 0
		}
		return d, c, schema, name
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		da, ca, sa, na := rank(a)
		db, cb, sb, nb := rank(b)
		return cmp.Or(cmp.Compare(da, db), cmp.Compare(ca, cb), cmp.Compare(sa, sb), cmp.Compare(na, nb))
	})
	return idx
}

// computedFields finds PostgREST's computed fields of rel: non-set
// functions with exactly one input argument, of rel's row type. A name used
// by a column, or by two such functions, is not a computed field (the
// column wins, as in PostgREST, and an ambiguous call would fail).
func computedFields(cat *catalog.Catalog, rel catalog.Relation) []ComputedField {
	var out []ComputedField
	count := map[string]int{}
	for _, f := range cat.Functions {
		in := inputs(f)
		if f.ReturnsSet || len(in) != 1 || in[0].Type.Schema != rel.Schema || in[0].Type.Name != rel.Name {
			continue
		}
		count[f.Name]++
		out = append(out, ComputedField{Name: f.Name, SQLName: quoteQualified(f.Schema, f.Name), Type: f.Return.SQL})
	}
	cols := map[string]bool{}
	for _, c := range rel.Columns {
		cols[c.Name] = true
	}
	out = slices.DeleteFunc(out, func(c ComputedField) bool { return cols[c.Name] || count[c.Name] > 1 })
	slices.SortFunc(out, func(a, b ComputedField) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// planResult decides a function's result type: TABLE and multi-OUT functions
// get a row struct, SETOF anything a slice, void none.
func planResult(pf *Function, outs []catalog.Argument, tm *typeMapper, names *namer) {
	f := pf.Source
	if f.Return.Name == "void" && f.Return.Schema == "pg_catalog" {
		pf.Void = true
		return
	}
	pf.Result = names.name(pf.GoName + "Result")
	var row GoType
	if f.Return.Name == "record" && len(outs) > 0 {
		pf.RowType = names.name(pf.GoName + "Row")
		fields := newNamer()
		for i, a := range outs {
			goBase := a.Name
			if a.Name == "" {
				goBase = fmt.Sprintf("column%d", i+1)
			}
			pf.RowFields = append(pf.RowFields, newField(fields, a.Name, goBase, tm.fieldType(a.Type, true)))
		}
		row = named(pf.RowType)
	} else {
		row = tm.goType(f.Return)
	}
	if f.ReturnsSet {
		pf.ResultType = sliceOf(row)
	} else {
		pf.ResultType = row
	}
}

// isCallable is PostgREST's rule for functions it serves: every input
// argument named, or a single unnamed one of a type that takes a raw body
// (json, jsonb, text, xml, bytea).
func isCallable(f catalog.Function) bool {
	var unnamed []catalog.Argument
	for _, a := range inputs(f) {
		if a.Name == "" {
			unnamed = append(unnamed, a)
		}
	}
	switch len(unnamed) {
	case 0:
		return true
	case 1:
		t := unnamed[0].Type
		return t.Schema == "pg_catalog" && slices.Contains([]string{"json", "jsonb", "text", "xml", "bytea"}, t.Name)
	}
	return false
}

// inputs are the arguments a call passes: IN, INOUT and VARIADIC ones.
func inputs(f catalog.Function) []catalog.Argument {
	var in []catalog.Argument
	for _, a := range f.Args {
		if a.Mode != catalog.ModeOut && a.Mode != catalog.ModeTable {
			in = append(in, a)
		}
	}
	return in
}

func callParams(f catalog.Function) []CallParam {
	var out []CallParam
	for _, a := range inputs(f) {
		out = append(out, CallParam{
			Name: a.Name, SQLName: QuoteIdent(a.Name), Type: a.Type.SQL, Cast: callType(a.Type),
			Required: !a.HasDefault, Variadic: a.Mode == catalog.ModeVariadic,
		})
	}
	return out
}

// callType is the type a call casts an argument to. Types outside
// pg_catalog are schema-qualified, so the request's search_path cannot
// change them; character and bit, which PostgreSQL reads as length 1
// without a length, become their varying forms, as in PostgREST.
func callType(t catalog.Type) string {
	switch {
	case t.Category == catalog.CategoryArray && t.Elem != nil:
		return callType(*t.Elem) + "[]"
	case t.Schema != "pg_catalog":
		return quoteQualified(t.Schema, t.Name)
	case t.Name == "bpchar":
		return "character varying"
	case t.Name == "bit":
		return "bit varying"
	}
	return t.SQL
}

// planCallResult decides how a call's rows are read: one value per row
// (Scalar), or composite rows, whose columns come from the exposed relation
// of the row type, the OUT/TABLE arguments, or the composite type.
func planCallResult(pf *Function, outs []catalog.Argument, relations map[[2]string]bool, composites map[[2]string]catalog.Composite) {
	ret := pf.Source.Return
	if ret.Category == catalog.CategoryDomain && ret.Base != nil {
		ret = *ret.Base
	}
	key := [2]string{ret.Schema, ret.Name}
	switch {
	case len(outs) > 0:
		for _, a := range outs {
			pf.ResultColumns = append(pf.ResultColumns, ResultColumn{Name: a.Name, SQLName: QuoteIdent(a.Name), Type: a.Type.SQL})
		}
	case ret.Category != catalog.CategoryComposite:
		pf.Scalar = true // void too: its call is a scalar one
	case relations[key]:
		pf.ResultSchema, pf.ResultRelation = ret.Schema, ret.Name
	default:
		for _, a := range composites[key].Attributes {
			pf.ResultColumns = append(pf.ResultColumns, ResultColumn{Name: a.Name, SQLName: QuoteIdent(a.Name), Type: a.Type.SQL})
		}
	}
}

// mediaTypeName is the form of a domain name that makes a function
// returning it a media type handler, as PostgREST recognises it.
var mediaTypeName = regexp.MustCompile(`^[A-Za-z0-9.-]+/[A-Za-z0-9.+-]+$`)

// planMediaHandler makes a function returning a media-type domain a
// custom media handler (PostgREST's handler functions); set-returning
// functions are not handlers.
func planMediaHandler(pf *Function) {
	ret := pf.Source.Return
	if pf.Source.ReturnsSet || ret.Category != catalog.CategoryDomain || (ret.Name != "*/*" && !mediaTypeName.MatchString(ret.Name)) {
		return
	}
	pf.MediaType = strings.ToLower(ret.Name)
	pf.MediaDomain = quoteQualified(ret.Schema, ret.Name)
	pf.MediaBinary = ret.Base != nil && ret.Base.Schema == "pg_catalog" && ret.Base.Name == "bytea"
}

// overloadSuffix names an overload after its input arguments: "ByIDAndName",
// or "ByInteger" for unnamed ones, or "NoArgs".
func overloadSuffix(f catalog.Function) string {
	var parts []string
	for _, a := range f.Args {
		if a.Mode == catalog.ModeOut || a.Mode == catalog.ModeTable {
			continue
		}
		if a.Name != "" {
			parts = append(parts, exportedName(a.Name))
		} else {
			parts = append(parts, exportedName(a.Type.SQL))
		}
	}
	if len(parts) == 0 {
		return "NoArgs"
	}
	return "By" + strings.Join(parts, "And")
}

func kindToken(k catalog.RelationKind) string {
	switch k {
	case catalog.KindView:
		return "view"
	case catalog.KindMaterializedView:
		return "matview"
	case catalog.KindForeignTable:
		return "foreign"
	default:
		return "table"
	}
}

// QuoteIdent quotes an SQL identifier.
func QuoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

// quoteLiteral writes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteQualified(schema, name string) string { return pgx.Identifier{schema, name}.Sanitize() }
