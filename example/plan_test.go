package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The plan media type (F-MEDIA-09, db-plan-enabled): what the plans hold.
// Their costs and timings vary with PostgreSQL's version and machine, so
// these tests check the plans' structure; testdata/http/plan.json checks
// headers and statuses, testdata/sql/plan.txtar the EXPLAIN statements.

// planServer serves the example with db-plan-enabled on a fresh database
// where web_user may write genres, and returns its URL and a web_user
// token.
func planServer(t *testing.T) (string, string) {
	return genreServer(t, "INSERT, UPDATE, DELETE", "PGRST_DB_PLAN_ENABLED=true")
}

// planRequest sends a request and returns its status, Content-Type and
// body.
func planRequest(t *testing.T, method, url, accept, token, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// jsonPlan sends a request for a JSON plan and returns the top node of
// the one plan EXPLAIN (FORMAT JSON) gives, with the document's other keys
// (Settings, Planning …) under "" .
func jsonPlan(t *testing.T, method, url, accept, token, body string) (map[string]any, map[string]any) {
	t.Helper()
	status, ct, got := planRequest(t, method, url, accept, token, body)
	if status != http.StatusOK || !strings.HasPrefix(ct, "application/vnd.pgrst.plan+json; ") {
		t.Fatalf("%s %s (%s): %d %s: %s", method, url, accept, status, ct, got)
	}
	if !strings.HasSuffix(got, "]\n") {
		t.Errorf("the JSON plan does not end as PostgREST's (the row and a newline): %q", got[max(0, len(got)-10):])
	}
	var doc []map[string]any
	if err := json.Unmarshal([]byte(got), &doc); err != nil || len(doc) != 1 {
		t.Fatalf("not one JSON plan (%v): %s", err, got)
	}
	top, ok := doc[0]["Plan"].(map[string]any)
	if !ok {
		t.Fatalf("no Plan: %s", got)
	}
	return top, doc[0]
}

// nodes lists every node of a plan tree, depth first.
func nodes(n map[string]any) []map[string]any {
	out := []map[string]any{n}
	children, _ := n["Plans"].([]any)
	for _, c := range children {
		if m, ok := c.(map[string]any); ok {
			out = append(out, nodes(m)...)
		}
	}
	return out
}

// anyNode says whether some node of the tree satisfies f.
func anyNode(top map[string]any, f func(map[string]any) bool) bool {
	for _, n := range nodes(top) {
		if f(n) {
			return true
		}
	}
	return false
}

// TestPlanJSONShowsTheStatement: a JSON plan has the node keys PostgreSQL
// gives, a cost, and the request's filter on the table's scan, with the
// cast of its value the real statement has.
func TestPlanJSONShowsTheStatement(t *testing.T) {
	base, _ := planServer(t)
	top, _ := jsonPlan(t, "GET", base+"/books?select=title,authors(name)&published=gt.1950&order=id", "application/vnd.pgrst.plan+json", "", "")
	if _, ok := top["Node Type"].(string); !ok {
		t.Errorf("top node has no Node Type: %v", top)
	}
	if c, ok := top["Total Cost"].(float64); !ok || c <= 0 {
		t.Errorf("Total Cost = %v", top["Total Cost"])
	}
	if _, ok := top["Actual Total Time"]; ok {
		t.Errorf("a plan without analyze has actual times: %v", top)
	}
	filtered := anyNode(top, func(n map[string]any) bool {
		f, _ := n["Filter"].(string)
		return n["Relation Name"] == "books" && strings.Contains(f, "published >") && strings.Contains(f, "1950")
	})
	if !filtered {
		t.Errorf("no scan of books with the filter published > 1950: %v", nodes(top))
	}
	if !anyNode(top, func(n map[string]any) bool { return n["Relation Name"] == "authors" }) {
		t.Errorf("the embed's join on authors is not in the plan: %v", nodes(top))
	}
}

// TestPlanText: the text format (also with no suffix) is EXPLAIN's lines,
// each ending in a newline, with its costs.
func TestPlanText(t *testing.T) {
	base, _ := planServer(t)
	for _, accept := range []string{"application/vnd.pgrst.plan", "application/vnd.pgrst.plan+text"} {
		status, ct, got := planRequest(t, "GET", base+"/books?id=in.(1,2,3)", accept, "", "")
		if status != http.StatusOK || ct != `application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8` {
			t.Errorf("%s: %d %q", accept, status, ct)
		}
		if !strings.HasSuffix(got, "\n") || !strings.Contains(got, "(cost=") || !strings.Contains(got, "on books") ||
			!strings.Contains(got, "= ANY (") || strings.HasPrefix(got, "[") {
			t.Errorf("%s: not a text plan of the read: %q", accept, got)
		}
	}
}

// TestPlanOptions: each option reaches EXPLAIN: analyze's actual times,
// verbose's output columns, settings, buffers' blocks, wal's records.
func TestPlanOptions(t *testing.T) {
	base, _ := planServer(t)
	url := base + "/books?published=gt.1950"
	top, _ := jsonPlan(t, "GET", url, "application/vnd.pgrst.plan+json; options=analyze", "", "")
	if _, ok := top["Actual Total Time"].(float64); !ok {
		t.Errorf("analyze: no Actual Total Time: %v", top)
	}
	if _, ok := top["Actual Rows"].(float64); !ok {
		t.Errorf("analyze: no Actual Rows: %v", top)
	}
	top, _ = jsonPlan(t, "GET", url, "application/vnd.pgrst.plan+json; options=verbose", "", "")
	if !anyNode(top, func(n map[string]any) bool {
		out, _ := n["Output"].([]any)
		for _, o := range out {
			if s, _ := o.(string); strings.Contains(s, "books.title") {
				return true
			}
		}
		return false
	}) {
		t.Errorf("verbose: no node outputs books.title: %v", nodes(top))
	}
	// The request's search_path is a setting that differs from the default.
	_, doc := jsonPlan(t, "GET", url, "application/vnd.pgrst.plan+json; options=settings", "", "")
	if s, _ := doc["Settings"].(map[string]any); s["search_path"] != `"public", "public"` {
		t.Errorf("settings: search_path is not the request's in %v", doc["Settings"])
	}
	top, _ = jsonPlan(t, "GET", url, "application/vnd.pgrst.plan+json; options=buffers", "", "")
	if !anyNode(top, func(n map[string]any) bool { _, ok := n["Shared Hit Blocks"]; return ok }) {
		t.Errorf("buffers: no Shared Hit Blocks: %v", top)
	}
	top, _ = jsonPlan(t, "GET", url, "application/vnd.pgrst.plan+json; options=analyze|wal", "", "")
	if _, ok := top["WAL Records"].(float64); !ok {
		t.Errorf("wal: no WAL Records: %v", top)
	}
	// Every option at once, in any order and with an unknown one dropped.
	top, doc = jsonPlan(t, "GET", url, "application/vnd.pgrst.plan+json; options=wal|nope|buffers|settings|verbose|analyze", "", "")
	for _, k := range []string{"Actual Total Time", "Output", "Shared Hit Blocks", "WAL Records"} {
		if !anyNode(top, func(n map[string]any) bool { _, ok := n[k]; return ok }) {
			t.Errorf("all options: no %s in %v", k, nodes(top))
		}
	}
	if doc["Settings"] == nil {
		t.Errorf("all options: no Settings in %v", doc)
	}
}

// TestPlanForCSV: for="text/csv" explains the CSV statement: its body
// expression (the header's subquery) is in the plan.
func TestPlanForCSV(t *testing.T) {
	base, _ := planServer(t)
	status, ct, got := planRequest(t, "GET", base+"/books?select=id,title", `application/vnd.pgrst.plan+text; for="text/csv"; options=verbose`, "", "")
	if status != http.StatusOK || ct != `application/vnd.pgrst.plan+text; for="text/csv"; options=verbose; charset=utf-8` {
		t.Errorf("%d %q", status, ct)
	}
	if !strings.Contains(got, "json_object_keys") {
		t.Errorf("the CSV header's expression is not in the plan: %s", got)
	}
	_, _, jsonPlanText := planRequest(t, "GET", base+"/books?select=id,title", `application/vnd.pgrst.plan+text; options=verbose`, "", "")
	if strings.Contains(jsonPlanText, "json_object_keys") {
		t.Errorf("the JSON statement's plan has CSV's header: %s", jsonPlanText)
	}
}

// TestPlanAnalyzedWritesStoreNothing: EXPLAIN ANALYZE runs the statement;
// the plan of an insert, update or delete is rolled back, so the rows are
// as before, and the plan shows the rows the statement touched.
func TestPlanAnalyzedWritesStoreNothing(t *testing.T) {
	base, tok := planServer(t)
	before := genreCount(t, base)
	writes := []struct{ method, path, body, node string }{
		{"POST", "/genres", `[{"name":"horror"},{"name":"poetry"}]`, "ModifyTable"},
		{"PATCH", "/genres?id=eq.1", `{"name":"sf"}`, "ModifyTable"},
		{"DELETE", "/genres?id=eq.3", "", "ModifyTable"},
		{"PUT", "/genres?id=eq.2", `{"id":2,"name":"myth"}`, "ModifyTable"},
	}
	for _, w := range writes {
		top, _ := jsonPlan(t, w.method, base+w.path, "application/vnd.pgrst.plan+json; options=analyze", tok, w.body)
		if _, ok := top["Actual Total Time"]; !ok {
			t.Errorf("%s %s: not analyzed: %v", w.method, w.path, top)
		}
		if !anyNode(top, func(n map[string]any) bool { return n["Node Type"] == w.node && n["Relation Name"] == "genres" }) {
			t.Errorf("%s %s: no %s on genres in %v", w.method, w.path, w.node, nodes(top))
		}
	}
	if after := genreCount(t, base); after != before {
		t.Errorf("genres before %s, after %s: an analyzed plan stored its write", before, after)
	}
	status, _, got := planRequest(t, "GET", base+"/genres?order=id", "application/json", "", "")
	if want := `[{"id":1,"name":"science fiction"}, ` + "\n" + ` {"id":2,"name":"fantasy"}, ` + "\n" + ` {"id":3,"name":"satire"}]`; status != 200 || got != want {
		t.Errorf("genres after the plans: %d %s, want %s", status, got, want)
	}
	// Without analyze the statement is only planned, not run.
	top, _ := jsonPlan(t, "POST", base+"/genres", "application/vnd.pgrst.plan+json", tok, `{"name":"horror"}`)
	if _, ok := top["Actual Total Time"]; ok {
		t.Errorf("a plan without analyze ran: %v", top)
	}
	if after := genreCount(t, base); after != before {
		t.Errorf("genres before %s, after %s: a plan stored its write", before, after)
	}
}

// TestPlanCall: a function call's plan, as JSON and with analyze; a
// scalar function's.
func TestPlanCall(t *testing.T) {
	base, _ := planServer(t)
	top, _ := jsonPlan(t, "GET", base+"/rpc/books_by_author?author_name=Le%20Guin&select=title", "application/vnd.pgrst.plan+json; options=analyze|verbose", "", "")
	if _, ok := top["Actual Total Time"]; !ok {
		t.Errorf("not analyzed: %v", top)
	}
	// The SQL function is inlined: its query's tables are in the plan.
	if !anyNode(top, func(n map[string]any) bool { return n["Relation Name"] == "authors" }) {
		t.Errorf("books_by_author's query is not in the plan: %v", nodes(top))
	}
	status, ct, got := planRequest(t, "POST", base+"/rpc/average_price", "application/vnd.pgrst.plan", "", `{"min_year":1960}`)
	if status != http.StatusOK || ct != `application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8` || !strings.Contains(got, "(cost=") {
		t.Errorf("average_price: %d %q %s", status, ct, got)
	}
}
