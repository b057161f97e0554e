package openapi

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

// Swagger renders PostgREST's OpenAPI 2.0 document of d.
func Swagger(d *contract.Doc, o Options) []byte {
	rels, fns := visible(d, o)
	doc := newObj().put("swagger", "2.0").put("info", info(d))
	if o.Host != "" {
		doc.put("host", o.Host+":"+strconv.Itoa(o.Port)).put("basePath", o.BasePath).put("schemes", strs(o.Scheme))
	}
	doc.put("consumes", relationMedia).put("produces", relationMedia)

	paths := newObj().put("/", newObj().put("get", newObj().
		put("produces", strs(MediaSwagger, "application/json")).
		put("responses", newObj().put("200", newObj().put("description", "OK"))).
		put("summary", "OpenAPI description (this document)").
		put("tags", strs("Introspection"))))
	for _, r := range rels {
		paths.put("/"+r.Name, swaggerRelationPath(r))
	}
	for _, f := range fns {
		paths.put("/rpc/"+f.Name, swaggerFunctionPath(f))
	}
	doc.put("paths", paths)

	defs := newObj()
	for _, r := range rels {
		defs.put(r.Name, swaggerDefinition(r))
	}
	doc.set("definitions", defs)

	params := newObj()
	for _, k := range preferKeys {
		params.put(k, preferParam(k))
	}
	for _, p := range sharedParams {
		params.put(p[0], newObj().put("name", p[1]).put("description", p[2]).put("required", false).
			set("default", p[4]).put("in", p[3]).put("type", "string"))
	}
	for _, r := range rels {
		params.put("body."+r.Name, newObj().put("name", r.Name).put("description", r.Name).put("required", false).
			put("in", "body").put("schema", ref("#/definitions/"+r.Name)))
		for _, c := range r.Columns {
			params.put("rowFilter."+r.Name+"."+c.Name, newObj().put("name", c.Name).set("description", c.Description).
				put("required", false).put("in", "query").put("type", "string"))
		}
	}
	doc.put("parameters", params)
	if o.Security {
		doc.put("securityDefinitions", newObj().put("JWT", newObj().put("description", securityDescription).
			put("type", "apiKey").put("name", "Authorization").put("in", "header")))
		doc.put("security", []any{newObj().put("JWT", []any{})})
	}
	doc.put("externalDocs", externalDocs())
	var buf bytes.Buffer
	encode(&buf, doc)
	return buf.Bytes()
}

func preferParam(key string) *obj {
	return newObj().put("name", "Prefer").put("description", "Preference").put("required", false).
		set("enum", strs(preferEnum[key]...)).put("in", "header").put("type", "string")
}

// operation is an operation object. PostgREST's library writes its keys,
// and those of everything in it, sorted; the document's other objects in
// its records' field order, their schema's keys sorted.
type operation struct {
	description, summary string
	parameters, produces []any
	responses            *obj
	tags                 []any
}

func (op operation) obj() *obj {
	return sorted(newObj().set("description", op.description).set("parameters", op.parameters).
		set("produces", op.produces).put("responses", op.responses).set("summary", op.summary).put("tags", op.tags))
}

func refs(prefix string, names ...string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = ref(prefix + n)
	}
	return out
}

func swaggerRelationPath(r *contract.DocRelation) *obj {
	summary, desc := "", ""
	if r.Description != "" {
		summary, desc = splitComment(r.Description)
	}
	var filters []string
	for _, c := range r.Columns {
		filters = append(filters, "rowFilter."+r.Name+"."+c.Name)
	}
	op := func(params []string, responses *obj) *obj {
		return operation{description: desc, summary: summary, parameters: refs("#/parameters/", params...),
			responses: responses, tags: strs(r.Name)}.obj()
	}
	described := func(code, text string) *obj { return newObj().put(code, newObj().put("description", text)) }
	get := op(append(append([]string{}, filters...), "select", "order", "range", "rangeUnit", "offset", "limit", "preferCount"),
		newObj().put("200", newObj().put("description", "OK").put("schema", newObj().
			put("items", ref("#/definitions/"+r.Name)).put("type", "array"))).
			put("206", newObj().put("description", "Partial Content")))
	item := newObj().put("get", get)
	if r.Writable {
		item.put("post", op([]string{"body." + r.Name, "select", "preferPost"}, described("201", "Created")))
		item.put("delete", op(append(append([]string{}, filters...), "preferReturn"), described("204", "No Content")))
		item.put("patch", op(append(append([]string{}, filters...), "body."+r.Name, "preferReturn"), described("204", "No Content")))
	}
	return item
}

func swaggerDefinition(r *contract.DocRelation) *obj {
	props := newObj()
	for i := range r.Columns {
		c := &r.Columns[i]
		p := newObj().set("description", columnNote(c))
		if v := defaultValue(c.Type, c.Default); v != nil {
			p.put("default", v)
		}
		p.set("enum", strs(c.Enum...)).put("format", c.Type)
		if c.MaxLength > 0 {
			p.put("maxLength", c.MaxLength)
		}
		p.set("type", jsonType(c.Type))
		if jsonType(c.Type) == "array" {
			p.put("items", newObj().set("type", jsonType(strings.TrimSuffix(c.Type, "[]"))))
		}
		props.put(c.Name, sorted(p))
	}
	return newObj().set("description", r.Description).set("required", requiredColumns(r)).
		set("properties", props).put("type", "object")
}

func swaggerFunctionPath(f *contract.DocFunction) *obj {
	summary, desc := "", ""
	if f.Description != "" {
		summary, desc = splitComment(f.Description)
	}
	ok := newObj().put("200", newObj().put("description", "OK"))
	props := newObj()
	var required []any
	for _, p := range f.Params {
		prop := newObj().put("format", p.Type).set("type", jsonType(p.Type))
		if jsonType(p.Type) == "array" {
			prop.put("items", newObj().set("type", jsonType(strings.TrimSuffix(p.Type, "[]"))))
		}
		props.put(p.Name, prop)
		if p.Required {
			required = append(required, p.Name)
		}
	}
	args := newObj().set("description", f.Description).set("properties", props).set("required", required).put("type", "object")
	post := operation{description: desc, summary: summary, responses: ok, produces: functionMedia, tags: strs("(rpc) " + f.Name),
		parameters: []any{
			newObj().put("name", "args").put("required", true).put("in", "body").put("schema", args),
			ref("#/parameters/preferParams"),
		}}.obj()
	item := newObj()
	if !f.Volatile {
		var params []any
		for _, p := range f.Params {
			q := newObj().put("name", p.Name).put("required", p.Required).put("in", "query")
			if p.Variadic {
				elem := strings.TrimSuffix(p.Type, "[]")
				q.put("type", orString(jsonType(p.Type))).put("items", newObj().set("type", jsonType(elem)).put("format", elem)).
					put("collectionFormat", "multi")
			} else {
				t := jsonType(p.Type)
				if t == "array" || t == "" {
					t = "string" // arrays are written {a,b} in the query string
				}
				q.put("type", t).put("format", p.Type)
			}
			params = append(params, q)
		}
		item.put("get", operation{description: desc, summary: summary, responses: ok, produces: functionMedia,
			tags: strs("(rpc) " + f.Name), parameters: params}.obj())
	}
	return item.put("post", post)
}

func orString(t string) string {
	if t == "" {
		return "string"
	}
	return t
}
