package emit

import (
	"bytes"
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/pgrestgen/pgrestgen/generator/plan"
)

const restclientPkg = "github.com/pgrestgen/pgrestgen/restclient"

// clientFiles renders the typed client sub-package (plan.ClientDir): its
// client.go, a file per relation and one per function.
func clientFiles(pkg *plan.Package) ([]File, error) {
	c := pkg.Client
	var out []File
	add := func(name string, build func(f *jen.File)) error {
		f := jen.NewFilePathName(c.Parent+"/"+plan.ClientDir, plan.ClientDir)
		f.HeaderComment(Header)
		f.ImportName(c.Parent, pkg.Name)
		f.ImportName(restclientPkg, "restclient")
		build(f)
		var buf bytes.Buffer
		if err := f.Render(&buf); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
		out = append(out, File{Name: name, Content: buf.Bytes()})
		return nil
	}
	if err := add(plan.ClientDir+"/client.go", func(f *jen.File) { emitClient(f, pkg) }); err != nil {
		return nil, err
	}
	for _, r := range c.Relations {
		if err := add(r.File, func(f *jen.File) { emitClientRelation(f, r) }); err != nil {
			return nil, err
		}
	}
	for _, fn := range c.Functions {
		if err := add(fn.File, func(f *jen.File) { emitClientFunction(f, fn) }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func rc(name string) *jen.Statement { return jen.Qual(restclientPkg, name) }

func emitClient(f *jen.File, pkg *plan.Package) {
	f.PackageComment(fmt.Sprintf("Package %s is a typed Go client of the API package %s serves: a query", plan.ClientDir, pkg.Name))
	f.PackageComment("builder per relation, whose columns are the values of the same name, and a")
	f.PackageComment("method per function. The HTTP and PostgREST's grammar are in restclient.")
	f.Comment("Client calls the API. It is safe for concurrent use.")
	f.Type().Id("Client").Struct(jen.Id("c").Op("*").Add(rc("Client")))
	f.Comment("Option configures a Client.")
	f.Type().Id("Option").Op("=").Add(rc("Option"))
	f.Comment("Error is an error answer of the API (use errors.As).")
	f.Type().Id("Error").Op("=").Add(rc("Error"))
	f.Comment("Count asks a query for its total row count, which Page reports.")
	f.Type().Id("Count").Op("=").Add(rc("Count"))
	f.Comment("Page is a page of rows with the range the server reported.")
	f.Type().Id("Page").Types(jen.Id("R").Any()).Op("=").Add(rc("Page")).Types(jen.Id("R"))
	f.Comment("Counts.")
	f.Const().Defs(
		jen.Id("CountExact").Op("=").Add(rc("CountExact")),
		jen.Id("CountPlanned").Op("=").Add(rc("CountPlanned")),
		jen.Id("CountEstimated").Op("=").Add(rc("CountEstimated")),
	)
	f.Comment("New returns a client of the API served at baseURL.")
	f.Func().Id("New").Params(jen.Id("baseURL").String(), jen.Id("opts").Op("...").Id("Option")).Op("*").Id("Client").Block(
		jen.Return(jen.Op("&").Id("Client").Values(rc("New").Call(jen.Id("baseURL"), jen.Id("opts").Op("...")))),
	)
	f.Comment("WithHTTPClient sends requests with h instead of http.DefaultClient.")
	f.Func().Id("WithHTTPClient").Params(jen.Id("h").Op("*").Qual("net/http", "Client")).Id("Option").Block(
		jen.Return(rc("WithHTTPClient").Call(jen.Id("h"))),
	)
	f.Comment("WithToken sends jwt as a bearer token.")
	f.Func().Id("WithToken").Params(jen.Id("jwt").String()).Id("Option").Block(
		jen.Return(rc("WithToken").Call(jen.Id("jwt"))),
	)
	f.Comment("WithHeader adds a header to every request.")
	f.Func().Id("WithHeader").Params(jen.List(jen.Id("key"), jen.Id("value")).String()).Id("Option").Block(
		jen.Return(rc("WithHeader").Call(jen.Id("key"), jen.Id("value"))),
	)
	f.Comment("WithToken returns a copy of c sending jwt instead, sharing its connections.")
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("WithToken").Params(jen.Id("jwt").String()).Op("*").Id("Client").Block(
		jen.Return(jen.Op("&").Id("Client").Values(jen.Id("c").Dot("c").Dot("WithToken").Call(jen.Id("jwt")))),
	)
}

func emitClientRelation(f *jen.File, r plan.ClientRelation) {
	row := typeCode(r.Row)
	f.Commentf("%s are the columns of %s, and its embeds as methods.", r.Type, sqlName(r.Name))
	f.Type().Id(r.Type).StructFunc(func(g *jen.Group) {
		for _, c := range r.Columns {
			g.Id(c.GoName).Add(rc(c.Kind).Types(typeArgs(row, c)...))
		}
	})
	f.Commentf("%s holds the columns of %s for Select, Where, Order and Update.", r.Var, sqlName(r.Name))
	var cols []*field
	for _, c := range r.Columns {
		cols = append(cols, kv(c.GoName, rc("New"+c.Kind).Types(typeArgs(row, c)...).Call(jen.Lit(c.SQLName))))
	}
	f.Var().Id(r.Var).Op("=").Id(r.Type).Values(fields(cols...)...)
	for _, e := range r.Embeds {
		f.Commentf("%s embeds %s (%s), with the columns given or all.", e.Method, sqlName(e.Name), e.Join)
		f.Func().Params(jen.Id(r.Type)).Id(e.Method).Params(jen.Id("sel").Op("...").Add(rc("Selection")).Types(typeCode(e.Target))).Add(rc("Embed")).Types(row).Block(
			jen.Return(rc("NewEmbed").Types(row, typeCode(e.Target)).Call(jen.Lit(e.Name), jen.Lit(e.Hint), jen.Id("sel").Op("..."))),
		)
	}
	f.Commentf("%s starts a query of %s.", r.Method, sqlName(r.Name))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(r.Method).Params().Add(rc("Query")).Types(row).Block(
		jen.Return(rc("NewQuery").Types(row).Call(jen.Id("c").Dot("c"), jen.Lit(r.Name), jen.Lit(r.Schema))),
	)
}

// typeArgs instantiate a column's restclient type: the row, and the value
// (or element) type unless the kind fixes it.
func typeArgs(row jen.Code, c plan.ClientColumn) []jen.Code {
	switch c.Kind {
	case "TextColumn", "JSONColumn":
		return []jen.Code{row}
	}
	return []jen.Code{row, typeCode(c.Value)}
}

func emitClientFunction(f *jen.File, fn plan.ClientFunction) {
	method := "POST"
	if fn.Get {
		method = "GET"
	}
	kvs := []*field{kv("Name", jen.Lit(fn.Name))}
	if fn.Schema != "" {
		kvs = append(kvs, kv("Schema", jen.Lit(fn.Schema)))
	}
	if fn.Get {
		kvs = append(kvs, kv("Get", jen.True()))
	}
	if fn.Variadic != "" {
		kvs = append(kvs, kv("Variadic", jen.Lit(fn.Variadic)))
	}
	if len(fn.Optional) > 0 {
		kvs = append(kvs, kv("Optional", jen.Index().String().ValuesFunc(func(g *jen.Group) {
			for _, o := range fn.Optional {
				g.Lit(o)
			}
		})))
	}
	desc := rc("Function").Values(fields(kvs...)...)
	params := []jen.Code{jen.Id("ctx").Qual("context", "Context"), jen.Id("args").Add(typeCode(fn.Args))}
	f.Commentf("%s calls %s (%s /rpc/%s).", fn.Method, sqlName(fn.Name), method, fn.Name)
	if fn.Result == (plan.GoType{}) {
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(fn.Method).Params(params...).Error().Block(
			jen.List(jen.Id("_"), jen.Err()).Op(":=").Add(rc("Call")).Types(jen.Struct()).Call(jen.Id("ctx"), jen.Id("c").Dot("c"), desc, jen.Id("args")),
			jen.Return(jen.Err()),
		)
		return
	}
	res := typeCode(fn.Result)
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(fn.Method).Params(params...).Params(res, jen.Error()).Block(
		jen.Return(rc("Call").Types(res).Call(jen.Id("ctx"), jen.Id("c").Dot("c"), desc, jen.Id("args"))),
	)
}
