package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite testdata/openapi from the server's answers")

// TestOpenAPIDocuments (F-OAPI-01..04, F-URL-04, F-MEDIA-08): GET / answers
// PostgREST's OpenAPI 2.0 document of the schema, showing only what the
// request's role may use (anon has no privilege on members, web_user has),
// and the OpenAPI 3.1 document on Accept: application/vnd.oai.openapi+json;
// version=3.1. Whole bodies are compared with testdata/openapi (rewritten
// with -update-openapi) and each document is validated with kin-openapi.
func TestOpenAPIDocuments(t *testing.T) {
	uri := env.NewDatabase(t, template)
	srv := e2e.Serve(t, db.Schema(), db.Register,
		"PGRST_DB_URI="+e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET="+jwtSecret,
		"PGRST_OPENAPI_SERVER_PROXY_URI=https://api.example.com/library")
	webUser := e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()})
	for _, c := range []struct {
		golden, token, accept, contentType string
		v31                                bool
	}{
		{"anon.json", "", "", "application/openapi+json; charset=utf-8", false},
		{"web_user.json", webUser, "application/openapi+json", "application/openapi+json; charset=utf-8", false},
		{"anon31.json", "", "application/vnd.oai.openapi+json;version=3.1", "application/vnd.oai.openapi+json;version=3.1; charset=utf-8", true},
	} {
		t.Run(c.golden, func(t *testing.T) {
			resp, body := getRoot(t, srv.URL, c.token, c.accept)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != c.contentType {
				t.Fatalf("status %d, Content-Type %q; want 200, %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), c.contentType, body)
			}
			compareGolden(t, filepath.Join("testdata", "openapi", c.golden), body)
			if c.v31 {
				validate31(t, body)
			} else {
				validate20(t, body)
			}
		})
	}
}

// TestGeneratedOpenAPIFile: the openapi.json pgrestgen generate writes
// beside the code is a valid OpenAPI 3.1 document showing every relation.
func TestGeneratedOpenAPIFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("db", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc := validate31(t, b)
	if doc.Paths.Find("/members") == nil || doc.Paths.Find("/rpc/books_by_author") == nil {
		t.Errorf("openapi.json lacks /members or /rpc/books_by_author")
	}
}

func compareGolden(t *testing.T, path string, body []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", " "); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, body)
	}
	pretty.WriteByte('\n')
	if *updateOpenAPI {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-openapi)", err)
	}
	if !bytes.Equal(want, pretty.Bytes()) {
		t.Errorf("%s differs from the answer (run with -update-openapi and review the diff):\n%s", path, pretty.Bytes())
	}
}

// validate20 checks an OpenAPI 2.0 document: strict decoding, and valid
// once converted to 3 by kin-openapi.
func validate20(t *testing.T, body []byte) {
	t.Helper()
	var doc openapi2.T
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not an OpenAPI 2.0 document: %v", err)
	}
	if doc.Swagger != "2.0" || len(doc.Paths) == 0 || len(doc.Definitions) == 0 {
		t.Fatalf("unexpected 2.0 document: swagger %q, %d paths, %d definitions", doc.Swagger, len(doc.Paths), len(doc.Definitions))
	}
	v3, err := openapi2conv.ToV3(&doc)
	if err != nil {
		t.Fatalf("convert 2.0 to 3: %v", err)
	}
	if err := v3.Validate(context.Background()); err != nil {
		t.Fatalf("invalid 2.0 document: %v", err)
	}
}

// validate31 loads and validates an OpenAPI 3.1 document with kin-openapi.
func validate31(t *testing.T, body []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(body)
	if err != nil {
		t.Fatalf("load 3.1 document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi is %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("invalid 3.1 document: %v", err)
	}
	return doc
}

// TestOpenAPIIgnorePrivilegesSecurity (F-OAPI-02, F-OAPI-04):
// openapi-mode=ignore-privileges shows anon what it may not read
// (members), openapi-security-active adds PostgREST's JWT security
// definition, and without openapi-server-proxy-uri the host is
// server-host:server-port.
func TestOpenAPIIgnorePrivilegesSecurity(t *testing.T) {
	uri := env.NewDatabase(t, template)
	srv := e2e.Serve(t, db.Schema(), db.Register,
		"PGRST_DB_URI="+e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET="+jwtSecret,
		"PGRST_OPENAPI_MODE=ignore-privileges", "PGRST_OPENAPI_SECURITY_ACTIVE=true")
	for _, c := range []struct {
		accept string
		check  func(t *testing.T, doc map[string]any)
	}{
		{"", func(t *testing.T, doc map[string]any) {
			wantJSON(t, doc["securityDefinitions"], `{"JWT":{"description":"Add the token prepending \"Bearer \" (without quotes) to it","in":"header","name":"Authorization","type":"apiKey"}}`)
			wantJSON(t, doc["security"], `[{"JWT":[]}]`)
			// server-port, as configured: 0 here, as PostgREST shows it.
			wantJSON(t, doc["host"], `"127.0.0.1:0"`)
			wantJSON(t, doc["schemes"], `["http"]`)
			wantJSON(t, doc["basePath"], `"/"`)
			if doc["paths"].(map[string]any)["/members"] == nil {
				t.Errorf("no /members in ignore-privileges mode")
			}
		}},
		{"application/vnd.oai.openapi+json;version=3.1", func(t *testing.T, doc map[string]any) {
			wantJSON(t, doc["security"], `[{"JWT":[]}]`)
			wantJSON(t, doc["servers"], `[{"url":"http://127.0.0.1:0"}]`)
			if doc["paths"].(map[string]any)["/members"] == nil {
				t.Errorf("no /members in ignore-privileges mode")
			}
		}},
	} {
		resp, body := getRoot(t, srv.URL, "", c.accept)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		c.check(t, doc)
		if c.accept == "" {
			validate20(t, body)
		} else {
			validate31(t, body)
		}
	}
}

func wantJSON(t *testing.T, got any, want string) {
	t.Helper()
	g, _ := json.Marshal(got)
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %s: %v", want, err)
	}
	wb, _ := json.Marshal(w)
	if !bytes.Equal(g, wb) {
		t.Errorf("got %s, want %s", g, wb)
	}
}

// TestOpenAPITypeScript: a standard OpenAPI client generator,
// openapi-typescript, accepts the generated 3.1 document and types its
// rows. It needs node's npx (and the package from the npm registry, or
// npx's cache); the test is skipped without them.
func TestOpenAPITypeScript(t *testing.T) {
	if testing.Short() {
		t.Skip("runs npx")
	}
	npx, err := exec.LookPath("npx")
	if err != nil {
		t.Skip("npx (node) is not installed: openapi-typescript cannot run")
	}
	out := filepath.Join(t.TempDir(), "api.d.ts")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npx, "-y", "openapi-typescript@7", filepath.Join("db", "openapi.json"), "-o", out)
	cmd.Dir = "."
	if msg, err := cmd.CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			t.Skipf("openapi-typescript did not finish (no npm registry?): %s", msg)
		}
		t.Fatalf("openapi-typescript rejected db/openapi.json: %v\n%s", err, msg)
	}
	ts, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"/books": {`, "born?: string | null;", `title?: components["parameters"]["rowFilter.books.title"];`} {
		if !bytes.Contains(ts, []byte(want)) {
			t.Errorf("api.d.ts lacks %q", want)
		}
	}
}

// TestOpenAPIFollowsFunctionPrivileges (F-OAPI-02): a function the role
// may not execute is left out of its document, in both versions; one it
// may execute stays.
func TestOpenAPIFollowsFunctionPrivileges(t *testing.T) {
	uri := env.NewDatabase(t, template)
	if err := pgcluster.ApplySQL(t.Context(), uri,
		`REVOKE EXECUTE ON FUNCTION public.average_price(integer) FROM PUBLIC, anon`); err != nil {
		t.Fatal(err)
	}
	srv := e2e.Serve(t, db.Schema(), db.Register,
		"PGRST_DB_URI="+e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET="+jwtSecret)
	webUser := e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user"})
	for _, c := range []struct {
		token, accept string
		want          bool
	}{
		{"", "", false},
		{"", "application/vnd.oai.openapi+json;version=3.1", false},
		{webUser, "", true},
		{webUser, "application/vnd.oai.openapi+json;version=3.1", true},
	} {
		resp, body := getRoot(t, srv.URL, c.token, c.accept)
		var doc struct{ Paths map[string]any }
		err := json.Unmarshal(body, &doc)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		_, got := doc.Paths["/rpc/average_price"]
		_, other := doc.Paths["/rpc/books_by_author"]
		if got != c.want || !other {
			t.Errorf("token %t, Accept %q: /rpc/average_price listed %t, want %t; /rpc/books_by_author listed %t",
				c.token != "", c.accept, got, c.want, other)
		}
	}
}

// getRoot GETs the root of the server at base with a bearer token and an
// Accept header (each left out when ""), and returns the response and its
// body.
func getRoot(t *testing.T, base, token, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}
