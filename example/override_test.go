package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/runtime"
)

func str(s string) *string { return &s }

// reviewCount counts the reviews as the database owner, past row-level
// security.
func reviewCount(t *testing.T, uri string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM reviews").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOverriddenRoute: the example's POST /reviews (reviews.go) answers
// stars outside 1..5 in Go, in PostgREST's error shape, and writes nothing;
// valid reviews go on to the generated route. The generated route alone
// (db.Register) leaves the same request to PostgreSQL's CHECK.
func TestOverriddenRoute(t *testing.T) {
	uri := env.NewDatabase(t, template)
	environ := []string{"PGRST_DB_URI=" + e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET=" + jwtSecret}
	tok := e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user", "member": 1, "exp": time.Now().Add(time.Hour).Unix()})
	headers := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
	app := e2e.Serve(t, db.Schema(), register, environ...)
	generated := e2e.Serve(t, db.Schema(), db.Register, environ...)

	tooMany := e2e.Case{Method: http.MethodPost, Path: "/reviews", Headers: headers,
		Body:   json.RawMessage(`{"book_id": 2, "member_id": 1, "stars": 9}`),
		Status: http.StatusBadRequest,
		ResponseHeaders: map[string]*string{
			"Content-Type": str("application/json; charset=utf-8"), "Proxy-Status": str("PostgREST; error=23514"),
		},
		Want: json.RawMessage(`{"code": "23514", "message": "A review has 1 to 5 stars",
			"details": "The body has 9 stars", "hint": "Send stars between 1 and 5"}`)}
	tooMany.Run(t, app.URL)

	// One bad review of a bulk insert refuses them all.
	bulk := tooMany
	bulk.Body = json.RawMessage(`[{"book_id": 1, "member_id": 1, "stars": 5}, {"book_id": 2, "member_id": 1, "stars": 0}]`)
	bulk.Want = json.RawMessage(`{"code": "23514", "message": "A review has 1 to 5 stars",
		"details": "The body has 0 stars", "hint": "Send stars between 1 and 5"}`)
	bulk.Run(t, app.URL)
	if n := reviewCount(t, uri); n != 3 {
		t.Errorf("%d reviews after the refused ones, want the 3 seeded", n)
	}

	// The generated route reads the body the override read.
	e2e.Case{Method: http.MethodPost, Path: "/reviews?select=stars,body", Headers: map[string]string{
		"Authorization": "Bearer " + tok, "Content-Type": "application/json", "Prefer": "return=representation"},
		Body:   json.RawMessage(`{"book_id": 2, "member_id": 1, "stars": 4, "body": "Good"}`),
		Status: http.StatusCreated, Want: json.RawMessage(`[{"stars": 4, "body": "Good"}]`)}.Run(t, app.URL)
	if n := reviewCount(t, uri); n != 4 {
		t.Errorf("%d reviews after a valid one, want 4", n)
	}

	// Without the override, PostgreSQL's CHECK answers, as in PostgREST.
	req, _ := http.NewRequest(http.MethodPost, generated.URL+"/reviews", strings.NewReader(`{"book_id": 2, "member_id": 1, "stars": 9}`))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Code, Message string }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || got.Code != "23514" || !strings.Contains(got.Message, `violates check constraint "reviews_stars_check"`) {
		t.Errorf("generated route: %d %+v, want 400 and PostgreSQL's check violation", resp.StatusCode, got)
	}
}

// TestRegisterOptions: the generated routes under an echo.Group and a base
// URL, with a route middleware; the fallback reads the path after the prefix,
// so unknown names, impossible paths and verbs get PostgREST's answers there.
func TestRegisterOptions(t *testing.T) {
	uri := env.NewDatabase(t, template)
	mark := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("X-Route", c.Path())
			return next(c)
		}
	}
	reg := func(r runtime.Router, srv *runtime.Server) {
		g := r.(*echo.Echo).Group("/api")
		db.RegisterHandlers(g, db.NewAPI(srv), db.RegisterOptions{BaseURL: "/v1", Middlewares: []echo.MiddlewareFunc{mark}})
	}
	srv := e2e.Serve(t, db.Schema(), reg, "PGRST_DB_URI="+e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon")
	for _, c := range []e2e.Case{
		{Path: "/api/v1/books?select=id&id=eq.1", Status: http.StatusOK, Want: json.RawMessage(`[{"id": 1}]`),
			ResponseHeaders: map[string]*string{"X-Route": str("/api/v1/books")}},
		{Method: http.MethodHead, Path: "/api/v1/books?id=eq.1", Status: http.StatusOK},
		{Path: "/api/v1/rpc/books_by_author?author_name=lem&select=id&order=id", Status: http.StatusOK,
			Want: json.RawMessage(`[{"id": 3}, {"id": 4}]`)},
		{Path: "/api/v1/book", Status: http.StatusNotFound, ResponseHeaders: map[string]*string{"X-Route": str("/api/v1/*")},
			Want: json.RawMessage(`{"code": "PGRST205", "message": "Could not find the table 'public.book' in the schema cache",
				"details": null, "hint": "Perhaps you meant the table 'public.books'"}`)},
		{Path: "/api/v1/books/1", Status: http.StatusNotFound,
			Want: json.RawMessage(`{"code": "PGRST125", "message": "Invalid path specified in request URL", "details": null, "hint": null}`)},
		{Method: "TRACE", Path: "/api/v1/books", Status: http.StatusMethodNotAllowed,
			Want: json.RawMessage(`{"code": "PGRST117", "message": "Unsupported HTTP method: TRACE", "details": null, "hint": null}`)},
		{Method: http.MethodPatch, Path: "/api/v1/rpc/average_price", Status: http.StatusMethodNotAllowed,
			Want: json.RawMessage(`{"code": "PGRST101", "message": "Cannot use the PATCH method on RPC", "details": null, "hint": null}`)},
	} {
		c.Run(t, srv.URL)
	}
}
