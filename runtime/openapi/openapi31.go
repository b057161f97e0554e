package openapi

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

// OpenAPI31 renders d as an OpenAPI 3.1 document: PostgREST's paths,
// parameters and schemas, with request bodies and response contents as
// 3.1 has them and columns as JSON Schema (nullable ones as [type, null]).
// Component names keep PostgREST's (rowFilter.<table>.<column>), with the
// characters 3.1 does not allow in them written as _xHEX_.
func OpenAPI31(d *contract.Doc, o Options) []byte {
	rels, fns := visible(d, o)
	doc := newObj().put("openapi", "3.1.0").put("info", info(d))
	if o.Host != "" {
		u := o.Scheme + "://" + o.Host
		if !(o.Scheme == "http" && o.Port == 80 || o.Scheme == "https" && o.Port == 443) {
			u += ":" + strconv.Itoa(o.Port)
		}
		doc.put("servers", []any{newObj().put("url", u+strings.TrimSuffix(o.BasePath, "/"))})
	}
	paths := newObj().put("/", newObj().put("get", newObj().
		put("tags", strs("Introspection")).put("summary", "OpenAPI description (this document)").
		put("operationId", "openapi").
		put("responses", newObj().put("200", newObj().put("description", "OK").
			put("content", newObj().put(MediaSwagger, newObj().put("schema", newObj().put("type", "object"))).
				put(Media31, newObj().put("schema", newObj().put("type", "object"))))))))
	for _, r := range rels {
		paths.put("/"+r.Name, relationPath31(r))
	}
	for _, f := range fns {
		paths.put("/rpc/"+f.Name, functionPath31(f))
	}
	doc.put("paths", paths)

	schemas := newObj()
	bodies := newObj()
	for _, r := range rels {
		schemas.put(key(r.Name), schema31(r))
		bodies.put(key(r.Name), newObj().set("description", r.Name).put("content", newObj().
			put("application/json", newObj().put("schema", newObj().put("oneOf", []any{
				ref("#/components/schemas/" + key(r.Name)),
				newObj().put("type", "array").put("items", ref("#/components/schemas/"+key(r.Name))),
			}))).
			put("text/csv", newObj().put("schema", newObj().put("type", "string")))))
	}
	params := newObj()
	for _, k := range preferKeys {
		p := newObj().put("type", "string").set("enum", strs(preferEnum[k]...))
		params.put(k, newObj().put("name", "Prefer").put("in", "header").put("description", "Preference").
			put("required", false).put("schema", p))
	}
	for _, p := range sharedParams {
		params.put(p[0], newObj().put("name", p[1]).put("in", p[3]).put("description", p[2]).put("required", false).
			put("schema", newObj().put("type", "string").set("default", p[4])))
	}
	for _, r := range rels {
		for _, c := range r.Columns {
			if reservedKeys[c.Name] {
				continue
			}
			params.put(key("rowFilter."+r.Name+"."+c.Name), newObj().put("name", c.Name).put("in", "query").
				set("description", c.Description).put("required", false).put("schema", newObj().put("type", "string")))
		}
	}
	components := newObj().set("schemas", schemas).put("parameters", params).set("requestBodies", bodies)
	if o.Security {
		components.put("securitySchemes", newObj().put("JWT", newObj().put("type", "http").put("scheme", "bearer").
			put("bearerFormat", "JWT").put("description", "A JWT, sent as \"Authorization: Bearer <token>\"")))
	}
	doc.put("components", components)
	if o.Security {
		doc.put("security", []any{newObj().put("JWT", []any{})})
	}
	doc.put("externalDocs", externalDocs())
	var buf bytes.Buffer
	encode(&buf, doc)
	return buf.Bytes()
}

// key is a component name 3.1 accepts (^[a-zA-Z0-9.\-_]+$): other
// characters are written as _xHEX_.
func key(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "_x%X_", r)
		}
	}
	return b.String()
}

// reservedKeys are query keys PostgREST reads as its own, never as a
// column's filter: the 3.1 document, whose parameters must be unique,
// leaves out the filters of columns so named.
var reservedKeys = map[string]bool{"select": true, "columns": true, "order": true, "limit": true,
	"offset": true, "on_conflict": true, "and": true, "or": true}

func paramRefs(names ...string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = ref("#/components/parameters/" + key(n))
	}
	return out
}

func relationPath31(r *contract.DocRelation) *obj {
	summary, desc := "", ""
	if r.Description != "" {
		summary, desc = splitComment(r.Description)
	}
	var filters []string
	for _, c := range r.Columns {
		if !reservedKeys[c.Name] {
			filters = append(filters, "rowFilter."+r.Name+"."+c.Name)
		}
	}
	row := ref("#/components/schemas/" + key(r.Name))
	op := func(id string, params []string) *obj {
		return newObj().put("tags", strs(r.Name)).set("summary", summary).set("description", desc).
			put("operationId", id+"_"+key(r.Name)).put("parameters", paramRefs(params...))
	}
	noContent := newObj().put("204", newObj().put("description", "No Content"))
	item := newObj().put("get", op("get", append(append([]string{}, filters...), "select", "order", "range", "rangeUnit", "offset", "limit", "preferCount")).
		put("responses", newObj().
			put("200", newObj().put("description", "OK").put("content", newObj().
				put("application/json", newObj().put("schema", newObj().put("type", "array").put("items", row))).
				put("application/vnd.pgrst.object+json", newObj().put("schema", row)).
				put("text/csv", newObj().put("schema", newObj().put("type", "string"))))).
			put("206", newObj().put("description", "Partial Content"))))
	if r.Writable {
		body := ref("#/components/requestBodies/" + key(r.Name))
		item.put("post", op("post", []string{"select", "preferPost"}).put("requestBody", body).
			put("responses", newObj().put("201", newObj().put("description", "Created"))))
		item.put("delete", op("delete", append(append([]string{}, filters...), "preferReturn")).put("responses", noContent))
		item.put("patch", op("patch", append(append([]string{}, filters...), "preferReturn")).put("requestBody", body).
			put("responses", noContent))
	}
	return item
}

// typeSchema is the JSON Schema of a value of PostgreSQL type t.
func typeSchema(t string, nullable bool) *obj {
	s := newObj()
	jt := jsonType(t)
	switch {
	case jt == "":
	case nullable:
		s.put("type", strs(jt, "null"))
	default:
		s.put("type", jt)
	}
	if jt == "array" {
		s.put("items", typeSchema(strings.TrimSuffix(t, "[]"), false))
	}
	return s.put("format", t)
}

func schema31(r *contract.DocRelation) *obj {
	props := newObj()
	for i := range r.Columns {
		c := &r.Columns[i]
		p := typeSchema(c.Type, c.Nullable).set("description", columnNote(c))
		if v := defaultValue(c.Type, c.Default); v != nil {
			p.put("default", v)
		}
		if len(c.Enum) > 0 {
			e := strs(c.Enum...)
			if c.Nullable {
				e = append(e, nil)
			}
			p.put("enum", e)
		}
		if c.MaxLength > 0 {
			p.put("maxLength", c.MaxLength)
		}
		props.put(c.Name, p)
	}
	return newObj().put("type", "object").set("description", r.Description).put("properties", props).
		set("required", requiredColumns(r))
}

func functionPath31(f *contract.DocFunction) *obj {
	summary, desc := "", ""
	if f.Description != "" {
		summary, desc = splitComment(f.Description)
	}
	ok := newObj().put("200", newObj().put("description", "OK").put("content", newObj().
		put("application/json", newObj().put("schema", newObj())).
		put("application/vnd.pgrst.object+json", newObj().put("schema", newObj()))))
	op := func(id string) *obj {
		return newObj().put("tags", strs("(rpc) "+f.Name)).set("summary", summary).set("description", desc).
			put("operationId", id+"_rpc_"+key(f.Name))
	}
	props := newObj()
	var required []any
	for _, p := range f.Params {
		props.put(p.Name, typeSchema(p.Type, false))
		if p.Required {
			required = append(required, p.Name)
		}
	}
	args := newObj().put("type", "object").put("properties", props).set("required", required)
	item := newObj()
	if !f.Volatile {
		var params []any
		for _, p := range f.Params {
			s := newObj().put("type", "string").put("format", p.Type)
			if p.Variadic {
				s = newObj().put("type", "array").put("items", newObj().put("type", "string").put("format", strings.TrimSuffix(p.Type, "[]")))
			}
			params = append(params, newObj().put("name", p.Name).put("in", "query").put("required", p.Required).put("schema", s))
		}
		item.put("get", op("get").set("parameters", params).put("responses", ok))
	}
	return item.put("post", op("post").put("parameters", paramRefs("preferParams")).
		put("requestBody", newObj().put("required", true).put("content", newObj().
			put("application/json", newObj().put("schema", args)))).
		put("responses", ok))
}
