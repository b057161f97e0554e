package runtime

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// shapeServers are two servers of the same relations on a pool that never
// connects (Prepare runs nothing): memo keeps read shapes, fresh keeps
// none, so every read of fresh is parsed, planned and rendered.
func shapeServers(t testing.TB) (memo, fresh *Server) {
	t.Helper()
	cfg, pool := offlineConfig(t, "PGRST_DB_MAX_ROWS=1000")
	things := fuzzRelation()
	things.Name, things.SQLName = "things", `"public"."things"`
	rels := []*contract.Relation{things}
	for _, byName := range embedPlanRelations() {
		rels = append(rels, byName["public"])
	}
	// things_by(title, n) returns things; tags_of(VARIADIC tags) a count;
	// things_by has an overload without n.
	thingsBy := &contract.Function{Schema: "public", Name: "things_by", SQLName: `"public"."things_by"`,
		Params: []contract.Param{{Name: "title", SQLName: `"title"`, Type: "text", Cast: "text", Required: true},
			{Name: "n", SQLName: `"n"`, Type: "integer", Cast: "integer", Required: true}},
		ReturnType: "public.things", ReturnsSet: true, ResultSchema: "public", ResultRelation: "things", Volatility: "stable",
		Settings: []string{"default_transaction_isolation=repeatable read", "statement_timeout=5s"}}
	thingsBy.Call = CallSQL(thingsBy)
	thingsByTitle := &contract.Function{Schema: "public", Name: "things_by", SQLName: `"public"."things_by"`,
		Params:     []contract.Param{{Name: "title", SQLName: `"title"`, Type: "text", Cast: "text", Required: true}},
		ReturnType: "public.things", ReturnsSet: true, ResultSchema: "public", ResultRelation: "things", Volatility: "immutable"}
	thingsByTitle.Call = CallSQL(thingsByTitle)
	tagsOf := &contract.Function{Schema: "public", Name: "tags_of", SQLName: `"public"."tags_of"`,
		Params:     []contract.Param{{Name: "tags", SQLName: `"tags"`, Type: "text[]", Cast: "text[]", Variadic: true}},
		ReturnType: "integer", Scalar: true, Volatility: "stable"}
	schema := &contract.Schema{Schemas: []string{"public"}, Relations: rels, Functions: []*contract.Function{thingsBy, thingsByTitle, tagsOf}}
	servers := make([]*Server, 2)
	for i := range servers {
		var err error
		if servers[i], err = New(Options{Config: cfg, Schema: schema, DB: pool}); err != nil {
			t.Fatal(err)
		}
	}
	servers[1].shapes = nil
	return servers[0], servers[1]
}

// shapeRequest is a request on target with header's name-value pairs.
func shapeRequest(method, target string, header ...string) *http.Request {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// prepared is what Prepare gives, for comparison: the transaction but its
// check, or the error.
func prepared(s *Server, req *http.Request) any {
	tx, aerr := s.Prepare(req)
	if aerr != nil {
		return *aerr
	}
	if tx == nil {
		return nil
	}
	out := *tx
	out.Check = nil
	return out
}

// TestShapeMemo: a read of a shape seen before binds the kept statement
// to its own values, in their places, and gets what a server that keeps
// no shapes prepares for it; reads that differ in what decides the plan
// are different shapes.
func TestShapeMemo(t *testing.T) {
	memo, fresh := shapeServers(t)
	const tmpl = "/directors?select=last_name,films(title,actors(last_name))&id=lt.@1&last_name=not.like.*@2*&id=neq.@3&order=last_name.desc&limit=5&films.limit=2"
	fill := func(a, b, c string) string {
		return strings.NewReplacer("@1", a, "@2", b, "@3", c).Replace(tmpl)
	}
	for _, c := range []struct {
		name     string
		learn    string
		read     string
		header   []string
		wantArgs []any // of the GET (HEAD ignores Range)
	}{
		{"values in their places", fill("10", "x", "7"), fill("20", "y%20z", "3"), nil, []any{"1000", "2", "20", "%y z%", "3", "5", "0"}},
		{"one value in two filters", "/things?id=eq.1&id=neq.2", "/things?id=eq.5&id=neq.5", nil, []any{"5", "5", "1000", "0"}},
		{"a cast column", "/things?shade=eq.red", "/things?shade=eq.blue", nil, []any{"blue", "1000", "0"}},
		{"singular", "/things?id=eq.1", "/things?id=eq.2", []string{"Accept", "application/vnd.pgrst.object+json"}, []any{"2", "1000", "0"}},
		{"range", "/things?id=gt.1&order=id", "/things?id=gt.9&order=id", []string{"Range", "5-9"}, []any{"9", "5", "5"}},
		{"exact count", "/things?title=eq.a", "/things?title=eq.b", []string{"Prefer", "count=exact"}, []any{"b", "1000", "0"}},
		{"a call's arguments", "/rpc/things_by?n=1&title=-a&id=gt.3", "/rpc/things_by?n=2&title=&id=gt.4", nil, []any{"4", "", "2", "1000", "0"}},
		{"an overload", "/rpc/things_by?title=1&select=id", "/rpc/things_by?title=2&select=id", nil, []any{"2", "1000", "0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				learn := shapeRequest(method, c.learn, c.header...)
				if diff := cmp.Diff(prepared(fresh, learn), prepared(memo, learn)); diff != "" {
					t.Fatalf("%s %s, learning (-fresh +memo):\n%s", method, c.learn, diff)
				}
				read := shapeRequest(method, c.read, c.header...)
				path := strings.Split(c.read, "?")[0]
				var sh foundShape
				var aerr *apierr.Error
				if name, ok := strings.CutPrefix(path, "/rpc/"); ok {
					var r callRequest
					r, aerr = memo.callRequest(read, name)
					sh = r.shape
				} else {
					var r relationRequest
					r, aerr = memo.relationRequest(read, strings.TrimPrefix(path, "/"))
					sh = r.shape
				}
				if aerr != nil || sh.entry == nil || sh.entry.sql == "" {
					t.Fatalf("%s %s: no kept shape (error %v)", method, c.read, aerr)
				}
				want, got := prepared(fresh, read), prepared(memo, read)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%s %s (-fresh +memo):\n%s", method, c.read, diff)
				}
				if args := got.(exec.Tx).Args; method == http.MethodGet && !cmp.Equal(args, c.wantArgs) {
					t.Errorf("%s %s: bind values %q, want %q", method, c.read, args, c.wantArgs)
				}
			}
		})
	}
}

// TestShapeMemoPost: a POST of a shape seen before binds its own body to
// the kept statement; bodies of other keys or forms, other preferences and
// other query strings are other shapes.
func TestShapeMemoPost(t *testing.T) {
	memo, fresh := shapeServers(t)
	post := func(target, body string, header ...string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return req
	}
	repr := []string{"Prefer", "return=representation"}
	for _, c := range []struct {
		name, target, learn, read string
		header                    []string
	}{
		{"object", "/things?select=id,title", `{"id": 1, "title": "a"}`, `{"title": "b", "id": 2}`, repr},
		{"array", "/things", `[{"id": 1}, {"id": 2}]`, `[{"id": 3}]`, nil},
		{"defaults", "/things?columns=id,title", `{"id": 1}`, `{"id": 2, "x": 1}`, []string{"Prefer", "missing=default, return=representation"}},
		{"upsert", "/things?on_conflict=id", `{"id": 1, "title": "a"}`, `{"id": 2, "title": null}`, []string{"Prefer", "resolution=merge-duplicates"}},
		{"singular", "/things", `{"id": 1}`, `{"id": 2}`, []string{"Prefer", "return=representation", "Accept", "application/vnd.pgrst.object+json"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, body := range []string{c.learn, c.read} {
				want, got := prepared(fresh, post(c.target, body, c.header...)), prepared(memo, post(c.target, body, c.header...))
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("POST %s %s (-fresh +memo):\n%s", c.target, body, diff)
				}
				if tx, ok := got.(exec.Tx); !ok || len(tx.Args) == 0 || !cmp.Equal(tx.Args[0], sqlgen.Text(body)) {
					t.Fatalf("POST %s %s: prepared %+v, want the body bound first", c.target, body, got)
				}
			}
			req := post(c.target, c.read, c.header...)
			p, aerr := request.ReadPayload(req, request.ColumnsParam(req.URL.RawQuery), 1<<20, nil)
			if aerr != nil {
				t.Fatal(aerr)
			}
			sh := memo.shapes.findWrite(req, "public", "things", p)
			if sh.entry == nil || sh.entry.sql == "" {
				t.Errorf("no kept shape")
			}
			memo.shapes.release(sh.buf)
		})
	}
	// Other keys, another form, other preferences: other shapes.
	shapes := map[string]bool{}
	for _, c := range []struct{ target, body, prefer string }{
		{"/things", `{"id": 1}`, ""},
		{"/things", `{"title": "a"}`, ""},
		{"/things", `{"id": 1, "title": "a"}`, ""},
		{"/things", `[{"id": 1}]`, ""},
		{"/things", `{"id": 1}`, "return=representation"},
		{"/things?select=id", `{"id": 1}`, "return=representation"},
		{"/directors", `{"id": 1}`, ""},
	} {
		req := post(c.target, c.body, "Prefer", c.prefer)
		p, aerr := request.ReadPayload(req, nil, 1<<20, nil)
		if aerr != nil {
			t.Fatal(aerr)
		}
		u, _ := url.Parse(c.target)
		sh := memo.shapes.findWrite(req, "public", strings.TrimPrefix(u.Path, "/"), p)
		if shapes[string(sh.buf.key)] {
			t.Errorf("POST %s %s, Prefer %q: the shape of another", c.target, c.body, c.prefer)
		}
		shapes[string(sh.buf.key)] = true
		memo.shapes.release(sh.buf)
	}
}

// TestShapeMemoDeclines: reads whose statement would not be bound the same
// way for any value have no shape, or one kept without a statement.
func TestShapeMemoDeclines(t *testing.T) {
	memo, fresh := shapeServers(t)
	for _, c := range []struct {
		name, target string
		header       []string
		kept         bool // an entry without a statement
	}{
		{"is", "/things?id=is.null", nil, false},
		{"in", "/things?id=in.(1,2)", nil, false},
		{"logic", "/things?or=(id.eq.1,id.eq.2)", nil, false},
		{"embedded filter", "/directors?select=*,films(*)&films.id=eq.1", nil, false},
		{"JSON path filter", "/things?data->>a=eq.1", nil, false},
		{"planned count", "/things?id=eq.1", []string{"Prefer", "count=planned"}, true},
		{"filter on an embed", "/directors?select=*,films(*)&films=eq.1", nil, false},
		{"an argument like an operator", "/rpc/things_by?title=eq.x&n=1", nil, false},
		{"a variadic argument", "/rpc/tags_of?tags=a&tags=b", nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			for range 2 {
				req := shapeRequest(http.MethodGet, c.target, c.header...)
				if diff := cmp.Diff(prepared(fresh, req), prepared(memo, req)); diff != "" {
					t.Fatalf("(-fresh +memo):\n%s", diff)
				}
				u, _ := url.Parse(c.target)
				name, call := strings.CutPrefix(u.Path, "/rpc/")
				sh := memo.shapes.find(req, identity{schema: "public"}, strings.TrimPrefix(name, "/"), false, call)
				switch {
				case !c.kept && sh.entry != nil:
					t.Errorf("kept a shape: %q", sh.entry.sql)
				case c.kept && (sh.entry == nil || sh.entry.sql != ""):
					t.Errorf("want a kept shape without a statement, got %+v", sh.entry)
				}
				memo.shapes.release(sh.buf)
			}
		})
	}
}

// FuzzShapeMemo: whatever shapes the server has kept, a read or a POST
// prepares what a server that keeps none prepares for it. tmpl is a query
// string (a POST's body) whose "@"s take the values a, then b, so that
// both requests often share a shape; variant picks the relation, the
// method and the headers.
func FuzzShapeMemo(f *testing.F) {
	for _, seed := range []struct {
		tmpl, a, b string
		variant    uint8
	}{
		{"select=id,title&id=gt.@&title=like.*@*&order=title.desc&limit=3", "1", "x%2Cy", 0},
		{"id=eq.@&id=neq.@&shade=eq.@", "red", "", 1},
		{"select=last_name,films(title,actors(last_name))&id=lt.@&films.order=title&films.limit=@", "2", "abc", 2},
		{"select=t:title,data->>a&data=eq.@&offset=@", "0", "9", 3},
		{"id=eq.@&select=*", "%00", "\x00", 4},
		{"select=id,films(*)&films=eq.@", "1", "2", 6},
		{"last_name=not.ilike.@&limit=@&offset=@", "1", "1", 7},
		{"title=@&n=@&id=lt.@&select=id,title", "1", "-2", 1},
		{"title=x@&select=id&order=id.desc", "1", "y", 1 | 2<<3},
		{"tags=@&tags=b@", "1", "2", 5},
		{`{"id": @, "title": "@"}`, "1", "2", 3 << 6},
		{`[{"id": @}, {"id": 2, "title": "x@"}]`, "1", "-1", 3<<6 | 3},
		{`{"last_name": "@"}`, "a", "b", 3<<6 | 2 | 1<<3},
	} {
		f.Add(seed.tmpl, seed.a, seed.b, seed.variant)
	}
	memo, fresh := shapeServers(f)
	paths := []string{"/things", "/rpc/things_by", "/directors", "/things", "/films", "/rpc/tags_of", "/directors", "/actors"}
	headers := [][]string{nil, {"Accept", "application/vnd.pgrst.object+json"}, {"Range", "1-3"},
		{"Prefer", "count=exact"}, {"Prefer", "count=estimated"}, {"Accept", "text/csv"}, {"Prefer", "handling=strict, x"}, nil}
	f.Fuzz(func(t *testing.T, tmpl, a, b string, variant uint8) {
		method := http.MethodGet
		switch variant >> 6 {
		case 2:
			method = http.MethodHead
		case 3:
			method = http.MethodPost // tmpl is the body, with a select list
		}
		path, header := paths[variant&7], headers[variant>>3&7]
		for _, v := range []string{a, b} {
			mk := func() *http.Request {
				req := shapeRequest(method, path, header...)
				if method != http.MethodPost {
					req.URL.RawQuery = strings.ReplaceAll(tmpl, "@", v) // whatever bytes, as a server may see them
					return req
				}
				req.Body = io.NopCloser(strings.NewReader(strings.ReplaceAll(tmpl, "@", v)))
				req.ContentLength = -1
				req.Header.Set("Content-Type", "application/json")
				req.Header.Add("Prefer", "return=representation")
				req.URL.RawQuery = "select=id"
				return req
			}
			if diff := cmp.Diff(prepared(fresh, mk()), prepared(memo, mk())); diff != "" {
				req := mk()
				t.Fatalf("%s %s?%q %q (-fresh +memo):\n%s", method, path, req.URL.RawQuery, req.Header, diff)
			}
		}
	})
}

// TestShapesBounded: clients sending ever new shapes cost the memo at
// most maxShapeBytes; past it the memo starts over, and keeps learning.
func TestShapesBounded(t *testing.T) {
	memo, _ := shapeServers(t)
	seen := 0
	for i := 0; memo.shapes.size+4096 < maxShapeBytes || seen == 0; i++ {
		before := memo.shapes.size
		req := shapeRequest(http.MethodGet, fmt.Sprintf("/things?select=id,title&limit=%d&id=eq.1", i))
		if _, aerr := memo.Prepare(req); aerr != nil {
			t.Fatal(aerr)
		}
		if memo.shapes.size < before {
			seen++ // started over
		}
		if memo.shapes.size > maxShapeBytes {
			t.Fatalf("after %d shapes the memo holds %d bytes, over %d", i+1, memo.shapes.size, maxShapeBytes)
		}
		if i > 100000 {
			t.Fatal("the memo never started over")
		}
	}
	n := len(memo.shapes.entries)
	req := shapeRequest(http.MethodGet, "/things?select=id,title&limit=1&id=eq.2")
	if _, aerr := memo.Prepare(req); aerr != nil {
		t.Fatal(aerr)
	}
	if sh := memo.shapes.find(req, identity{schema: "public"}, "things", false, false); sh.entry == nil || sh.entry.sql == "" {
		t.Errorf("after starting over (%d shapes kept), a shape is not learnt", n)
	}
}
