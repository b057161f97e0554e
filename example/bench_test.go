package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/runtime"
	"github.com/pgrestgen/pgrestgen/runtime/config"
)

// benchRequests are the request kinds both benchmarks measure, one per
// workload of ../shared/bench (a by key, b a filtered page, c embeds, d a
// write with its representation, e a function).
var benchRequests = []struct{ name, method, path, body string }{
	{"pk", http.MethodGet, "/books?id=eq.3", ""},
	{"page", http.MethodGet, "/books?select=id,title,price&author_id=eq.7&published=gt.1950&order=price.desc&limit=25", ""},
	{"embed", http.MethodGet, "/authors?select=name,books(title,published)&id=eq.7", ""},
	{"post", http.MethodPost, "/reviews?select=id,stars", `{"book_id": 2, "member_id": 1, "stars": 4}`},
	{"rpc", http.MethodGet, "/rpc/average_price?min_year=1970", ""},
}

// BenchmarkPrepare measures the request, plan and SQL stages of typical
// requests — everything a request costs the server before its one round
// trip to PostgreSQL — with their allocations. No database: it runs under
// -short (go test -short -run '^$' -bench Prepare ./example).
func BenchmarkPrepare(b *testing.B) {
	srv := e2e.OfflineServer(b, db.Schema(), "PGRST_DB_ANON_ROLE=anon", "PGRST_DB_MAX_ROWS=100")
	benchEach(b, "return=representation", "", func(b *testing.B, req *http.Request) {
		if _, aerr := srv.Prepare(req); aerr != nil {
			b.Fatal(aerr)
		}
	})
}

// BenchmarkServe measures whole requests through the example's echo
// handlers on a real PostgreSQL: the stages of BenchmarkPrepare, the one
// pipelined round trip and the response, with their allocations (the
// HTTP server's own share, its connection and header parsing, is left
// out: requests are handed to the handler directly). Writes are rolled
// back (Prefer: tx=rollback), so every iteration does the same work.
// go test -run '^$' -bench Serve ./example
func BenchmarkServe(b *testing.B) {
	if testing.Short() {
		b.Skip("needs PostgreSQL")
	}
	uri := e2e.AsAuthenticator(env.NewDatabase(b, template))
	cfg, err := config.Load("", []string{"PGRST_DB_URI=" + uri, "PGRST_DB_ANON_ROLE=anon", "PGRST_DB_MAX_ROWS=100", "PGRST_DB_TX_END=commit-allow-override", "PGRST_JWT_SECRET=" + jwtSecret})
	if err != nil {
		b.Fatal(err)
	}
	pool, err := runtime.NewPool(b.Context(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	srv, err := runtime.New(runtime.Options{Config: cfg, Schema: db.Schema(), DB: pool})
	if err != nil {
		b.Fatal(err)
	}
	token := "Bearer " + e2e.SignHS256(b, jwtSecret, jwt.MapClaims{"role": "web_user", "member": 1})
	e := echo.New()
	e.HTTPErrorHandler = srv.HTTPErrorHandler
	db.Register(e, srv)
	benchEach(b, "return=representation, tx=rollback", token, func(b *testing.B, req *http.Request) {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			b.Fatalf("%s %s: %d %s", req.Method, req.URL, rec.Code, rec.Body)
		}
	})
}

// benchEach runs do on each of benchRequests as a sub-benchmark, with a
// new request (JSON, Prefer, and Authorization when given) per iteration.
func benchEach(b *testing.B, prefer, authorization string, do func(*testing.B, *http.Request)) {
	for _, c := range benchRequests {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Prefer", prefer)
				if authorization != "" {
					req.Header.Set("Authorization", authorization)
				}
				do(b, req)
			}
		})
	}
}
