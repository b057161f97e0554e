// Package plan is the middle stage of generation: it turns the catalog model
// into everything the emitter prints — Go names (collision-free, in one
// place), Go types, file names, routes, and the runtime's descriptors as
// runtime/contract values with their SQL fragments — so that the emitter
// only prints fields and never decides.
package plan

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/drift"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// Options steer planning.
type Options struct {
	// Package is the Go package name of the generated code.
	Package string
	// ClientParent, when set, plans a typed client (client.go) importing
	// the generated package by this import path.
	ClientParent string
}

// Package is the plan of one generated Go package.
type Package struct {
	Name    string
	Schemas []string
	// Fingerprint is runtime/drift's hash of Objects.
	Fingerprint string
	// Objects are the catalog's objects as the runtime compares them.
	Objects []contract.Object
	// MediaHandlers are the anyelement handler aggregates
	// (contract.Schema.MediaHandlers).
	MediaHandlers []contract.MediaHandler
	// GeoJSON is contract.Schema.GeoJSON.
	GeoJSON    string
	Relations  []Relation
	Functions  []Function
	Enums      []Enum
	Composites []Composite
	// Routes are the URL paths the API serves, relations' then functions',
	// each with the handler methods of its verbs.
	Routes []Route
	// Client is the typed client's plan, nil when none is generated.
	Client *Client
	// Docs describe each exposed schema to the OpenAPI documents
	// (openapi.go, openapi.json).
	Docs []contract.Doc
}

// Route is one URL path and the ServerInterface methods serving it. A path
// serves every exposed schema's relation (or function) of its name.
type Route struct {
	Path string
	// Name is the relation or function name the runtime serves on Path.
	Name     string
	Function bool
	Methods  []Method
}

// Method is one handler method of a route and the HTTP methods routed to it.
type Method struct {
	GoName string
	// HTTP lists the methods routed to it: GET and HEAD share one, as
	// PostgREST answers HEAD like GET without the body.
	HTTP []string
}

// SQLConst is an SQL piece of a descriptor printed as a constant: Field
// is the descriptor's field holding it.
type SQLConst struct {
	Field, Name, Value string
}

// Relation is the plan of one table or view.
type Relation struct {
	Source catalog.Relation
	// GoName names the row struct, for one row (Book); Prefix names the
	// relation in the identifiers about it rather than a row: the column
	// constants (BooksColTitle), DescriptorFunc (BooksRelation) and the file.
	GoName         string
	Prefix         string
	DescriptorFunc string
	File           string
	Fields         []Field
	// Path is the URL path the relation is served on.
	Path string
	// Descriptor is the relation as the runtime is given it: columns,
	// computed fields (functions of exposed schemas taking its row type)
	// and the relationships it can embed (relationships.go).
	Descriptor contract.Relation
	// SQL are the descriptor's fixed SQL pieces as named constants, shown
	// in the relation's file and referenced by its descriptor.
	SQL []SQLConst
	// Joins show the join of each of Descriptor.Relationships, for a
	// reviewer: films.director_id = directors.id.
	Joins []string
}

// Field is a struct field standing for a column or argument.
type Field struct {
	SQLName string
	GoName  string
	Type    GoType
	// Const names the column-name constant (relations only).
	Const string
	// Renamed is true when GoName is not simply the SQL name in Go case
	// (a clash or an unusable name), so the emitter notes the SQL name.
	Renamed bool
	// Column is the catalog column (relations and composites only).
	Column catalog.Column
	// FilterType is the Go type of the column's filter values when it is
	// not Type: string for a domain represented in JSON by a cast that has
	// a cast from text too (its text form).
	FilterType *GoType
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
	ResultType     GoType
	RowType        string
	RowFields      []Field
	DescriptorFunc string
	File           string
	// Path is the URL path the function is served on: /rpc/<name>.
	Path string
	// SQL are the descriptor's fixed SQL pieces as named constants (the
	// call with every argument), shown in the function's file.
	SQL []SQLConst
	// Descriptor is the function as the runtime is given it: the call's
	// parameters (Cast is what a value is cast to, and read as from a JSON
	// body: a type name PostgreSQL resolves whatever the search_path), how
	// its rows come back (Scalar, or composite with the columns of
	// ResultRelation or Columns), a media type when it is a handler
	// ("text/html", or "*/*" for any).
	Descriptor contract.Function
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
var reserved = []string{"RegisterHandlers", "RegisterOptions", "Register", "ServerInterface", "API", "NewAPI",
	"Router", "Schema", "SchemaFingerprint", "SchemaObjects", "GeneratorVersion"}

// Build plans a package from a normalised catalog.
func Build(cat *catalog.Catalog, opts Options) (*Package, error) {
	if opts.Package == "" {
		return nil, fmt.Errorf("plan: package name is empty")
	}
	objs := make([]contract.Object, 0, len(cat.Objects))
	for _, o := range cat.Objects {
		objs = append(objs, contract.Object{Kind: o.Kind, Name: o.Name, Digest: o.Digest})
	}
	// The fingerprint is the object list's, not the whole catalog's, so the
	// server can compute the database's with runtime/drift alone.
	pkg := &Package{Name: opts.Package, Schemas: cat.Schemas, Fingerprint: drift.Fingerprint(objs), Objects: objs,
		MediaHandlers: anyHandlers(cat)}
	if cat.PostGIS != "" {
		pkg.GeoJSON = quoteQualified(cat.PostGIS, "st_asgeojson")
	}
	names := newNamer(reserved...)
	prefixes := newNamer()
	files := newNamer("register", "schema", "handlers")
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
		pr := Relation{Source: r, GoName: rowTypeName(names, qualify(r.Schema, singular(r.Name)), qualify(r.Schema, r.Name)),
			Prefix: prefixes.name(qualify(r.Schema, r.Name))}
		pr.File = files.name(fileStem(pr.Prefix)+"_"+kindToken(r.Kind)) + ".go"
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
	// Domain representations by domain and kind: the quoted cast function.
	reps := map[[3]string]string{}
	for _, r := range cat.Representations {
		reps[[3]string{r.DomainSchema, r.Domain, r.Kind}] = quoteQualified(r.FuncSchema, r.Func)
	}
	for i := range pkg.Relations {
		r := &pkg.Relations[i]
		src := r.Source
		r.DescriptorFunc = names.name(r.Prefix + "Relation")
		r.Path = "/" + src.Name
		d := contract.Relation{
			Schema: src.Schema, Name: src.Name, Kind: string(src.Kind),
			SQLName:    quoteQualified(src.Schema, src.Name),
			PrimaryKey: slices.Clone(src.PrimaryKey),
			Insertable: src.Insertable, Updatable: src.Updatable, Deletable: src.Deletable,
		}
		fields := newNamer()
		var star []string
		for _, c := range src.Columns {
			col := contract.Column{
				Name: c.Name, SQLName: QuoteIdent(c.Name), Type: c.Type.SQL, Nullable: c.Nullable,
				Default:    c.Default,
				HasDefault: c.Default != "" || c.Identity != "" || c.Generated != "",
			}
			if c.Identity == "d" && c.Default == "" {
				// An identity column's default, as an expression, so that
				// Prefer: missing=default can fill it for rows without it.
				col.Default = "nextval(pg_get_serial_sequence(" + quoteLiteral(d.SQLName) + ", " + quoteLiteral(c.Name) + "))"
			}
			goType, filterType := tm.columnType(c.Type, c.Dims, c.Nullable), GoType{}
			if c.Type.Category == catalog.CategoryDomain && c.Dims == 0 {
				key := func(kind string) [3]string { return [3]string{c.Type.Schema, c.Type.Name, kind} }
				col.FilterCast = reps[key(catalog.FromText)]
				col.OutputCast = reps[key(catalog.ToJSON)]
				col.BodyCast = reps[key(catalog.FromJSON)]
				if col.OutputCast != "" {
					// The cast's function decides the JSON, whatever the base type.
					goType = rawJSON
					if col.FilterCast != "" {
						filterType = named("string")
					}
				}
			}
			f := newField(fields, c.Name, c.Name, goType)
			if filterType != (GoType{}) {
				f.FilterType = &filterType
			}
			f.Column = c
			f.Const = names.name(r.Prefix + "Col" + f.GoName)
			r.Fields = append(r.Fields, f)
			d.Columns = append(d.Columns, col)
			star = append(star, QuoteIdent(c.Name))
		}
		d.SelectStar = strings.Join(star, ", ")
		d.OutputStar = sqlgen.OutputStar(&d)
		d.Computed = computedFields(cat, src)
		if len(d.Computed) > 0 {
			// The row's reference is only needed as computed fields'
			// argument; the runtime falls back to the quoted name.
			d.RowRef = QuoteIdent(src.Name)
		}
		// The pieces the runtime would render for every write, rendered
		// once here by the runtime's own renderer.
		d.Returning = sqlgen.Returning(&d)
		if len(d.PrimaryKey) > 0 {
			d.KeyReturning = sqlgen.KeyReturning(&d)
		}
		d.MediaHandlers = relationHandlers(cat, src)
		r.Descriptor = d
		for _, c := range []struct{ field, suffix, value string }{
			{"SQLName", "SQL", d.SQLName},
			{"SelectStar", "SelectStarSQL", d.SelectStar},
			{"OutputStar", "OutputStarSQL", d.OutputStar},
			{"Returning", "ReturningSQL", d.Returning},
			{"KeyReturning", "KeyReturningSQL", d.KeyReturning},
		} {
			if c.value != "" {
				r.SQL = append(r.SQL, SQLConst{Field: c.field, Name: names.name(r.Prefix + c.suffix), Value: c.value})
			}
		}
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
		pf := Function{Source: f, GoName: names.name(base)}
		pf.Descriptor = contract.Function{
			Schema: f.Schema, Name: f.Name, SQLName: quoteQualified(f.Schema, f.Name),
			ReturnType: f.Return.SQL, ReturnsSet: f.ReturnsSet,
			Volatility: string(f.Volatility), Settings: slices.Clone(f.Settings),
		}
		pf.File = files.name(fileStem(pf.GoName)+"_func") + ".go"
		pf.ArgsType = names.name(pf.GoName + "Args")
		pf.DescriptorFunc = names.name(pf.GoName + "Function")
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
		pf.Descriptor.Params = callParams(f)
		planCallResult(&pf, outs, relations, composites)
		planMediaHandler(&pf)
		if pf.Descriptor.Call = sqlgen.FullCall(&pf.Descriptor); pf.Descriptor.Call != "" {
			pf.SQL = []SQLConst{{Field: "Call", Name: names.name(pf.GoName + "CallSQL"), Value: pf.Descriptor.Call}}
		}
		pkg.Functions[i] = pf
	}
	pkg.Routes = planRoutes(pkg)
	pkg.Docs = planDocs(cat, pkg.Functions)
	if opts.ClientParent != "" {
		pkg.Client = planClient(pkg, opts.ClientParent, defaultSchema)
	}
	return pkg, nil
}

// rowTypeName names a relation's row struct: the singular (Book) when it
// is free, else the relation's own name (Books: a table "book" took Book),
// else the singular with the namer's suffix. Allocation order makes the
// choice deterministic: conventional names first (allocationOrder).
func rowTypeName(names *namer, one, plain string) string {
	if names.free(one) || !names.free(plain) {
		return names.name(one)
	}
	return names.name(plain)
}

// Verbs of the handler methods, in the order ServerInterface lists them.
var (
	relationVerbs = []Method{{GoName: "Get", HTTP: []string{"GET", "HEAD"}}, {GoName: "Post", HTTP: []string{"POST"}},
		{GoName: "Patch", HTTP: []string{"PATCH"}}, {GoName: "Put", HTTP: []string{"PUT"}},
		{GoName: "Delete", HTTP: []string{"DELETE"}}, {GoName: "Options", HTTP: []string{"OPTIONS"}}}
	functionVerbs = []Method{{GoName: "Get", HTTP: []string{"GET", "HEAD"}}, {GoName: "Post", HTTP: []string{"POST"}},
		{GoName: "Options", HTTP: []string{"OPTIONS"}}}
)

// planRoutes lists the API's paths, one per relation name and per function
// name whatever the schemas and overloads, in the catalog's order, and names
// their handler methods verb + path: GetBooks, PostRPCBooksByAuthor. The
// path names are handed out like every other name (relations' first, then
// conventional names first), so names differing only in case or
// punctuation get the namer's suffix rather than sharing a method; the
// verbs are distinct prefixes, so distinct path names make distinct methods.
func planRoutes(pkg *Package) []Route {
	var routes []Route
	seen := map[string]bool{}
	add := func(path, name string, function bool) {
		if !seen[path] {
			seen[path] = true
			routes = append(routes, Route{Path: path, Name: name, Function: function})
		}
	}
	for _, r := range pkg.Relations {
		add(r.Path, r.Source.Name, false)
	}
	for _, f := range pkg.Functions {
		add(f.Path, f.Source.Name, true)
	}
	bases := newNamer()
	for _, i := range allocationOrder(len(routes), func(i int) (string, string) {
		if routes[i].Function {
			return "rpc", routes[i].Name
		}
		return "", routes[i].Name
	}, "") {
		rt := &routes[i]
		verbs := relationVerbs
		base := exportedName(rt.Name)
		if rt.Function {
			verbs, base = functionVerbs, "RPC"+base
		}
		base = bases.name(base)
		for _, v := range verbs {
			rt.Methods = append(rt.Methods, Method{GoName: v.GoName + base, HTTP: v.HTTP})
		}
	}
	return routes
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
func computedFields(cat *catalog.Catalog, rel catalog.Relation) []contract.Computed {
	var out []contract.Computed
	count := map[string]int{}
	for _, f := range cat.Functions {
		in := inputs(f)
		if f.ReturnsSet || len(in) != 1 || in[0].Type.Schema != rel.Schema || in[0].Type.Name != rel.Name {
			continue
		}
		count[f.Name]++
		out = append(out, contract.Computed{Name: f.Name, SQLName: quoteQualified(f.Schema, f.Name), Type: f.Return.SQL})
	}
	cols := map[string]bool{}
	for _, c := range rel.Columns {
		cols[c.Name] = true
	}
	out = slices.DeleteFunc(out, func(c contract.Computed) bool { return cols[c.Name] || count[c.Name] > 1 })
	slices.SortFunc(out, func(a, b contract.Computed) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// planResult decides a function's result type: TABLE and multi-OUT functions
// get a row struct, SETOF anything a slice, void none.
func planResult(pf *Function, outs []catalog.Argument, tm *typeMapper, names *namer) {
	f := pf.Source
	if f.Return.Name == "void" && f.Return.Schema == "pg_catalog" {
		pf.Descriptor.Void = true
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

// callParams are the input arguments as a call names them; the single
// unnamed one a raw body is passed to has no SQL name.
func callParams(f catalog.Function) []contract.Param {
	var out []contract.Param
	for _, a := range inputs(f) {
		p := contract.Param{
			Name: a.Name, Type: a.Type.SQL, Cast: callType(a.Type),
			Required: !a.HasDefault, Variadic: a.Mode == catalog.ModeVariadic,
		}
		if a.Name != "" {
			p.SQLName = QuoteIdent(a.Name)
		}
		out = append(out, p)
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
	d := &pf.Descriptor
	// Result columns are nullable: nothing stops a function returning nulls.
	column := func(name string, t catalog.Type) contract.Column {
		return contract.Column{Name: name, SQLName: QuoteIdent(name), Type: t.SQL, Nullable: true}
	}
	switch {
	case len(outs) > 0:
		for _, a := range outs {
			d.Columns = append(d.Columns, column(a.Name, a.Type))
		}
	case ret.Category != catalog.CategoryComposite:
		d.Scalar = true // void too: its call is a scalar one
	case relations[key]:
		d.ResultSchema, d.ResultRelation = ret.Schema, ret.Name
	default:
		for _, a := range composites[key].Attributes {
			d.Columns = append(d.Columns, column(a.Name, a.Type))
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
	pf.Descriptor.MediaType = strings.ToLower(ret.Name)
	pf.Descriptor.MediaDomain = quoteQualified(ret.Schema, ret.Name)
	pf.Descriptor.MediaBinary = ret.Base != nil && ret.Base.Schema == "pg_catalog" && ret.Base.Name == "bytea"
	pf.Descriptor.MediaContentType = request.HandlerContentType(ret.Name)
}

// mediaHandler is the descriptor of a handler aggregate.
func mediaHandler(h catalog.MediaHandler) contract.MediaHandler {
	m := contract.MediaHandler{
		Schema:      h.Schema,
		MediaType:   strings.ToLower(h.MediaType),
		ContentType: request.HandlerContentType(h.MediaType),
		Aggregate:   quoteQualified(h.Schema, h.Name),
		Binary:      h.Binary,
	}
	if h.TargetName != "" {
		m.RowType = quoteQualified(h.TargetSchema, h.TargetName)
	}
	return m
}

// relationHandlers are the handler aggregates taking rel's row type, in
// the catalog's order (by aggregate schema and name).
func relationHandlers(cat *catalog.Catalog, rel catalog.Relation) []contract.MediaHandler {
	var out []contract.MediaHandler
	for _, h := range cat.MediaHandlers {
		if h.TargetSchema == rel.Schema && h.TargetName == rel.Name {
			out = append(out, mediaHandler(h))
		}
	}
	return out
}

// anyHandlers are the handler aggregates over anyelement, those of the
// exposed schemas in db-schemas order.
func anyHandlers(cat *catalog.Catalog) []contract.MediaHandler {
	var out []contract.MediaHandler
	for _, s := range cat.Schemas {
		for _, h := range cat.MediaHandlers {
			if h.TargetName == "" && h.Schema == s {
				out = append(out, mediaHandler(h))
			}
		}
	}
	return out
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
