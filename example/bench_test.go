package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
)

// BenchmarkPrepare measures the request, plan and SQL stages of typical
// requests — everything a request costs the server before its one round
// trip to PostgreSQL — with their allocations. No database: it runs under
// -short (go test -short -run '^$' -bench Prepare ./example).
func BenchmarkPrepare(b *testing.B) {
	srv := e2e.OfflineServer(b, db.Schema(), "PGRST_DB_ANON_ROLE=anon", "PGRST_DB_MAX_ROWS=100")
	for _, c := range []struct{ name, method, path, body string }{
		{"pk", http.MethodGet, "/books?id=eq.3", ""},
		{"page", http.MethodGet, "/books?select=id,title,price&author_id=eq.7&published=gt.1950&order=price.desc&limit=25", ""},
		{"embed", http.MethodGet, "/authors?select=name,books(title,published)&id=eq.7", ""},
		{"post", http.MethodPost, "/reviews?select=id,stars", `{"book_id": 2, "member_id": 1, "stars": 4}`},
		{"rpc", http.MethodGet, "/rpc/average_price?min_year=1970", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Prefer", "return=representation")
				if _, aerr := srv.Prepare(req); aerr != nil {
					b.Fatal(aerr)
				}
			}
		})
	}
}
