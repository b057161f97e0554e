package openapi

import (
	"strconv"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

// TestEndpoint (F-OAPI-04): openapi-server-proxy-uri's scheme, host, port
// (80 and 443 by default) and path, else server-host and server-port.
func TestEndpoint(t *testing.T) {
	for _, c := range []struct {
		host  string
		port  int
		proxy string
		want  [4]string
	}{
		{"!4", 3000, "", [4]string{"http", "0.0.0.0", "3000", "/"}},
		{"*6", 3000, "", [4]string{"http", "0.0.0.0", "3000", "/"}},
		{"localhost", 8080, "", [4]string{"http", "localhost", "8080", "/"}},
		{"!4", 3000, "https://postgrest.com/openapi.json", [4]string{"https", "postgrest.com", "443", "/openapi.json"}},
		{"!4", 3000, "http://postgrest.com", [4]string{"http", "postgrest.com", "80", "/"}},
		{"!4", 3000, "HTTPS://example.com:8443/base/path", [4]string{"https", "example.com", "8443", "/base/path"}},
	} {
		s, h, p, b := Endpoint(c.host, c.port, c.proxy)
		got := [4]string{s, h, itoa(p), b}
		if got != c.want {
			t.Errorf("Endpoint(%q, %d, %q) = %q, want %q", c.host, c.port, c.proxy, got, c.want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestDefaultValue: defaults as PostgREST shows them: string types without
// cast and quotes, JSON values as they are, anything else left out.
func TestDefaultValue(t *testing.T) {
	for _, c := range []struct{ typ, def, want string }{
		{"text", "'default'::text", `"default"`},
		{"character varying", "'x'::character varying", `"x"`},
		{"date", "'1900-01-01'::date", `"1900-01-01"`},
		{"timestamp with time zone", "now()", `"now()"`},
		{"book_format", "'paperback'::book_format", `"paperback"`},
		{"integer", "42", "42"},
		{"numeric", "42.2", "42.2"},
		{"boolean", "false", "false"},
		{"integer", "nextval('t_id_seq'::regclass)", ""},
		{"integer[]", "'{}'::integer[]", ""},
		{"text", "", ""},
	} {
		if got := string(defaultValue(c.typ, c.def)); got != c.want {
			t.Errorf("defaultValue(%q, %q) = %s, want %s", c.typ, c.def, got, c.want)
		}
	}
}

// TestColumnNote (F-OAPI-03): a column's COMMENT with PostgREST's notes on
// primary and foreign keys.
func TestColumnNote(t *testing.T) {
	for _, c := range []struct {
		col  contract.DocColumn
		want string
	}{
		{contract.DocColumn{Description: "plain"}, "plain"},
		{contract.DocColumn{Description: "child_entities id comment", PrimaryKey: true},
			"child_entities id comment\n\nNote:\nThis is a Primary Key.<pk/>"},
		{contract.DocColumn{ForeignTable: "entities", ForeignColumn: "id"},
			"Note:\nThis is a Foreign Key to `entities.id`.<fk table='entities' column='id'/>"},
		{contract.DocColumn{PrimaryKey: true, ForeignTable: "a", ForeignColumn: "b"},
			"Note:\nThis is a Primary Key.<pk/>\nThis is a Foreign Key to `a.b`.<fk table='a' column='b'/>"},
	} {
		if got := columnNote(&c.col); got != c.want {
			t.Errorf("columnNote(%+v) = %q, want %q", c.col, got, c.want)
		}
	}
}

// TestSplitComment: the first line is the title or summary; the rest,
// blank lines before it dropped, the description.
func TestSplitComment(t *testing.T) {
	for _, c := range []struct{ in, summary, rest string }{
		{"one line", "one line", ""},
		{"My API title\nMy API description\nthat spans\nmultiple lines", "My API title", "My API description\nthat spans\nmultiple lines"},
		{"summary\n\n\ndescription", "summary", "description"},
	} {
		s, r := splitComment(c.in)
		if s != c.summary || r != c.rest {
			t.Errorf("splitComment(%q) = %q, %q; want %q, %q", c.in, s, r, c.summary, c.rest)
		}
	}
}

// TestSwaggerSmall: the whole 2.0 document of one small relation and one
// volatile function, byte for byte, PostgREST's key order included.
func TestSwaggerSmall(t *testing.T) {
	d := &contract.Doc{
		Schema:      "api",
		Description: "My API title\nMy API description",
		Relations: []contract.DocRelation{{Name: "t", Writable: false, Columns: []contract.DocColumn{
			{Name: "id", Type: "integer", PrimaryKey: true},
			{Name: "tags", Type: "text[]", Nullable: true},
		}}},
		Functions: []contract.DocFunction{{Name: "f", Volatile: true, Params: []contract.DocParam{{Name: "a", Type: "json", Required: false}}}},
	}
	got := string(Swagger(d, Options{Scheme: "http", Host: "0.0.0.0", Port: 3000, BasePath: "/"}))
	want := `{"swagger":"2.0","info":{"description":"My API description","title":"My API title","version":"13.0.7"},` +
		`"host":"0.0.0.0:3000","basePath":"/","schemes":["http"],` +
		`"consumes":["application/json","application/vnd.pgrst.object+json;nulls=stripped","application/vnd.pgrst.object+json","text/csv"],` +
		`"produces":["application/json","application/vnd.pgrst.object+json;nulls=stripped","application/vnd.pgrst.object+json","text/csv"],` +
		`"paths":{"/":{"get":{"produces":["application/openapi+json","application/json"],"responses":{"200":{"description":"OK"}},"summary":"OpenAPI description (this document)","tags":["Introspection"]}},` +
		`"/t":{"get":{"parameters":[{"$ref":"#/parameters/rowFilter.t.id"},{"$ref":"#/parameters/rowFilter.t.tags"},{"$ref":"#/parameters/select"},{"$ref":"#/parameters/order"},{"$ref":"#/parameters/range"},{"$ref":"#/parameters/rangeUnit"},{"$ref":"#/parameters/offset"},{"$ref":"#/parameters/limit"},{"$ref":"#/parameters/preferCount"}],"responses":{"200":{"description":"OK","schema":{"items":{"$ref":"#/definitions/t"},"type":"array"}},"206":{"description":"Partial Content"}},"tags":["t"]}},` +
		`"/rpc/f":{"post":{"parameters":[{"in":"body","name":"args","required":true,"schema":{"properties":{"a":{"format":"json"}},"type":"object"}},{"$ref":"#/parameters/preferParams"}],"produces":["application/json","application/vnd.pgrst.object+json;nulls=stripped","application/vnd.pgrst.object+json"],"responses":{"200":{"description":"OK"}},"tags":["(rpc) f"]}}},` +
		`"definitions":{"t":{"required":["id"],"properties":{"id":{"description":"Note:\nThis is a Primary Key.<pk/>","format":"integer","type":"integer"},"tags":{"format":"text[]","items":{"type":"string"},"type":"array"}},"type":"object"}},` +
		`"parameters":{"preferParams":{"name":"Prefer","description":"Preference","required":false,"in":"header","type":"string"},` +
		`"preferReturn":{"name":"Prefer","description":"Preference","required":false,"enum":["return=representation","return=minimal","return=none"],"in":"header","type":"string"},` +
		`"preferCount":{"name":"Prefer","description":"Preference","required":false,"enum":["count=none"],"in":"header","type":"string"},` +
		`"preferPost":{"name":"Prefer","description":"Preference","required":false,"enum":["return=representation","return=minimal","return=none","resolution=ignore-duplicates","resolution=merge-duplicates"],"in":"header","type":"string"},` +
		`"select":{"name":"select","description":"Filtering Columns","required":false,"in":"query","type":"string"},` +
		`"on_conflict":{"name":"on_conflict","description":"On Conflict","required":false,"in":"query","type":"string"},` +
		`"order":{"name":"order","description":"Ordering","required":false,"in":"query","type":"string"},` +
		`"range":{"name":"Range","description":"Limiting and Pagination","required":false,"in":"header","type":"string"},` +
		`"rangeUnit":{"name":"Range-Unit","description":"Limiting and Pagination","required":false,"default":"items","in":"header","type":"string"},` +
		`"offset":{"name":"offset","description":"Limiting and Pagination","required":false,"in":"query","type":"string"},` +
		`"limit":{"name":"limit","description":"Limiting and Pagination","required":false,"in":"query","type":"string"},` +
		`"body.t":{"name":"t","description":"t","required":false,"in":"body","schema":{"$ref":"#/definitions/t"}},` +
		`"rowFilter.t.id":{"name":"id","required":false,"in":"query","type":"string"},` +
		`"rowFilter.t.tags":{"name":"tags","required":false,"in":"query","type":"string"}},` +
		`"externalDocs":{"description":"PostgREST Documentation","url":"https://postgrest.org/en/v13/references/api.html"}}`
	if got != want {
		t.Errorf("Swagger:\n got %s\nwant %s", got, want)
	}
}

// TestVisible (F-OAPI-02): the privilege sets filter relations and
// functions; nil shows all.
func TestVisible(t *testing.T) {
	d := &contract.Doc{Relations: []contract.DocRelation{{Name: "a"}, {Name: "b"}}, Functions: []contract.DocFunction{{Name: "f"}, {Name: "g"}}}
	rels, fns := visible(d, Options{Relations: map[string]bool{"b": true}, Functions: map[string]bool{}})
	if len(rels) != 1 || rels[0].Name != "b" || len(fns) != 0 {
		t.Errorf("visible = %v, %v", rels, fns)
	}
	rels, fns = visible(d, Options{})
	if len(rels) != 2 || len(fns) != 2 {
		t.Errorf("visible without sets = %d relations, %d functions", len(rels), len(fns))
	}
}

// TestKey: component names 3.1 accepts.
func TestKey(t *testing.T) {
	if got := key("rowFilter.my table.Ü"); got != "rowFilter.my_x20_table._xDC_" {
		t.Errorf("key = %q", got)
	}
}
