package plan

import (
	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

// ClientDir is the sub-directory, and package name, of the typed client.
const ClientDir = "client"

// Client is the plan of the typed Go client generated beside the server
// code (a sub-package importing the generated package for its types), with
// names of its own: it is a separate Go package.
type Client struct {
	// Parent is the import path of the generated package.
	Parent    string
	Relations []ClientRelation
	Functions []ClientFunction
}

// ClientRelation is a relation as the client reaches it.
type ClientRelation struct {
	// Row is the parent package's row type.
	Row GoType
	// Var is the package-level value holding the columns, of type Type;
	// Method the Client's method starting a query.
	Var, Type, Method string
	File              string
	// Name is the relation's SQL name, Schema its schema outside the
	// default one (sent as the profile), "" in it.
	Name, Schema string
	Columns      []ClientColumn
	Embeds       []ClientEmbed
}

// ClientColumn is a column's typed value in the client: Kind names the
// restclient type (Field, Column, TextColumn, ArrayColumn, JSONColumn) and
// Value its Go type parameter (the element type for arrays, none for
// text and JSON).
type ClientColumn struct {
	GoName, SQLName string
	Kind            string
	Value           GoType
}

// ClientEmbed is a relationship the client can embed: Method on the
// columns type, Name and Hint as the select spells it (name!hint), the
// target's row type and columns type, and the join for the doc comment.
type ClientEmbed struct {
	Method, Name, Hint string
	Target             GoType
	TargetType         string
	Join               string
}

// ClientFunction is a function as the client calls it.
type ClientFunction struct {
	Method, File string
	Name, Schema string
	// Get is true for stable and immutable functions, called with GET.
	Get      bool
	Variadic string
	// Optional are the parameters with defaults.
	Optional []string
	// Args is the argument struct; Result the result type, zero for void.
	Args, Result GoType
	Comment      string
}

// clientReserved are the fixed identifiers of every client package
// (emit/client.go's client.go).
var clientReserved = []string{"Client", "New", "Option", "WithHTTPClient", "WithToken", "WithHeader",
	"Error", "Count", "CountExact", "CountPlanned", "CountEstimated", "Page"}

// planClient names the client's identifiers. Relations and functions keep
// the parent's Go names where they are free in the client's package.
func planClient(pkg *Package, parent, defaultSchema string) *Client {
	c := &Client{Parent: parent}
	names := newNamer(clientReserved...)
	methods := newNamer("WithToken")
	qualify := func(t GoType) GoType { return qualifyType(t, parent) }
	profile := func(schema string) string {
		if schema == defaultSchema {
			return ""
		}
		return schema
	}
	index := map[[2]string]int{}
	for i, r := range pkg.Relations {
		index[[2]string{r.Source.Schema, r.Source.Name}] = i
		c.Relations = append(c.Relations, ClientRelation{
			// The builder and its columns are named for the relation (Books),
			// the rows it returns for one row (Book).
			Row: named(r.GoName), Var: names.name(r.Prefix), Method: methods.name(r.Prefix),
			File: ClientDir + "/" + r.File, Name: r.Source.Name, Schema: profile(r.Source.Schema),
		})
	}
	for i := range c.Relations {
		c.Relations[i].Type = names.name(c.Relations[i].Var + "Columns")
		c.Relations[i].Row = qualify(c.Relations[i].Row)
	}
	for i, r := range pkg.Relations {
		cr := &c.Relations[i]
		fields := newNamer()
		for _, f := range r.Fields {
			fields.name(f.GoName)
			cr.Columns = append(cr.Columns, clientColumn(f, qualify))
		}
		// Relationships to one target need the constraint (or junction)
		// as a hint, and a method name saying which.
		per := map[string]int{}
		for _, rel := range r.Descriptor.Relationships {
			per[embedName(rel.Target, rel.FunctionName)]++
		}
		for j, rel := range r.Descriptor.Relationships {
			ti, ok := index[[2]string{r.Source.Schema, rel.Target}]
			if !ok {
				continue
			}
			target := pkg.Relations[ti]
			e := ClientEmbed{Name: embedName(rel.Target, rel.FunctionName), Target: qualify(named(target.GoName)),
				TargetType: c.Relations[ti].Type}
			base := target.Prefix
			if rel.FunctionName != "" {
				base = exportedName(rel.FunctionName)
			}
			if per[e.Name] > 1 {
				e.Hint = rel.Constraint
				if rel.Junction != nil {
					e.Hint = rel.Junction.Name
				}
				base += "Via" + exportedName(e.Hint)
			}
			e.Method = fields.name(base)
			if j < len(r.Joins) {
				e.Join = r.Joins[j]
			}
			cr.Embeds = append(cr.Embeds, e)
		}
	}
	for _, fn := range pkg.Functions {
		if !clientCallable(fn) {
			continue
		}
		cf := ClientFunction{
			Method: methods.name(fn.GoName), File: ClientDir + "/" + fn.File,
			Name: fn.Source.Name, Schema: profile(fn.Source.Schema),
			Get:  fn.Source.Volatility != catalog.Volatile,
			Args: qualify(named(fn.ArgsType)),
		}
		for _, p := range fn.Descriptor.Params {
			if p.Variadic {
				cf.Variadic = p.Name
			}
			if !p.Required {
				cf.Optional = append(cf.Optional, p.Name)
			}
		}
		if fn.Result != "" {
			cf.Result = qualify(named(fn.Result))
		}
		c.Functions = append(c.Functions, cf)
	}
	return c
}

func embedName(target, function string) string {
	if function != "" {
		return function
	}
	return target
}

// clientCallable leaves out functions the client cannot call through its
// JSON body and result: those taking a raw body (one unnamed argument) and
// media-type handlers.
func clientCallable(fn Function) bool {
	if fn.Descriptor.MediaType != "" {
		return false
	}
	for _, p := range fn.Descriptor.Params {
		if p.Name == "" {
			return false
		}
	}
	return true
}

// clientColumn picks a column's restclient type from its Go type: filters
// compare the value type, so nullable columns compare their element.
func clientColumn(f Field, qualify func(GoType) GoType) ClientColumn {
	t := f.Type
	if t.Pointer {
		t = *t.Elem
	}
	cc := ClientColumn{GoName: f.GoName, SQLName: f.SQLName}
	switch {
	case f.FilterType != nil:
		// A domain representation: rows hold its JSON, filters take its
		// text form (and Set sends it as a JSON string).
		cc.Kind, cc.Value = "Column", qualify(*f.FilterType)
	case t.Slice:
		cc.Kind, cc.Value = "ArrayColumn", qualify(*t.Elem)
	case t == rawJSON:
		cc.Kind = "JSONColumn"
	case t == named("string") && isText(f):
		cc.Kind = "TextColumn"
	case t.Path == "" && !builtin[t.Name] && !isEnum(f):
		// Composite values have no text form to filter by.
		cc.Kind, cc.Value = "Field", qualify(t)
	default:
		cc.Kind, cc.Value = "Column", qualify(t)
	}
	return cc
}

func isEnum(f Field) bool { return baseType(f.Column.Type).Category == catalog.CategoryEnum }

// isText is true for the types LIKE and regular expressions apply to;
// dates, uuids and the like are strings in Go but not text in SQL.
func isText(f Field) bool {
	t := baseType(f.Column.Type)
	switch t.Name {
	case "text", "varchar", "bpchar", "name", "citext":
		return true
	}
	return false
}

func baseType(t catalog.Type) catalog.Type {
	for t.Category == catalog.CategoryDomain && t.Base != nil {
		t = *t.Base
	}
	return t
}

var builtin = map[string]bool{"bool": true, "int16": true, "int32": true, "int64": true, "uint32": true,
	"float32": true, "float64": true, "string": true}

// qualifyType names the parent package's types (those without a path that
// are not builtins) by its import path, as the client refers to them.
func qualifyType(t GoType, parent string) GoType {
	switch {
	case t.Slice || t.Pointer:
		e := qualifyType(*t.Elem, parent)
		t.Elem = &e
	case t.Path == "" && !builtin[t.Name]:
		t.Path = parent
	}
	return t
}
