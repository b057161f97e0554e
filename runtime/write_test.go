package runtime

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/runtime/config"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

// offlineConfig is the configuration of a server on schema public with
// the settings environ, and its pool, which never connects (a closed
// loopback port): Prepare runs no statement.
func offlineConfig(t testing.TB, environ ...string) (*config.Config, *pgxpool.Pool) {
	t.Helper()
	cfg, err := config.Load("", append([]string{"PGRST_DB_URI=postgres://authenticator@127.0.0.1:1/none?sslmode=disable",
		"PGRST_DB_ANON_ROLE=anon", "PGRST_DB_SCHEMAS=public"}, environ...))
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(t.Context(), cfg.DBURI)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return cfg, pool
}

// offlineWriteServer serves one table, books, on a pool that never
// connects: writeTx runs no statement.
func offlineWriteServer(t *testing.T) *Server {
	t.Helper()
	cfg, pool := offlineConfig(t)
	books := &contract.Relation{Schema: "public", Name: "books", Kind: "table", SQLName: `"public"."books"`,
		SelectStar: `"id", "title"`,
		Columns: []contract.Column{{Name: "id", SQLName: `"id"`, Type: "integer"},
			{Name: "title", SQLName: `"title"`, Type: "text"}},
		PrimaryKey: []string{"id"}, Insertable: true, Updatable: true, Deletable: true}
	s, err := New(Options{Config: cfg, Schema: &contract.Schema{Schemas: []string{"public"},
		Relations: []*contract.Relation{books}}, DB: pool})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWriteErrorOrder: the handler's checks around reading the body keep
// their order — Accept and Prefer, the conflict target and PUT's key before
// a bad body; the body before its columns and the filters.
func TestWriteErrorOrder(t *testing.T) {
	s := offlineWriteServer(t)
	for _, c := range []struct {
		name, method, target, accept, prefer, body, want string
	}{
		{"Accept before the conflict target", "POST", "/books?on_conflict=nope", "text/csv", "resolution=merge-duplicates", `{bad`, "PGRST107"},
		{"strict Prefer before the conflict target", "POST", "/books?on_conflict=nope", "", "handling=strict, bogus", `{bad`, "PGRST122"},
		{"conflict target before the body", "POST", "/books?on_conflict=nope", "", "resolution=merge-duplicates", `{bad`, "42703"},
		{"PUT's key before the body", "PUT", "/books?id=gt.1", "", "", `{bad`, "PGRST105"},
		{"the body before its columns", "POST", "/books", "", "", `[{"nope":1},{"title":2}]`, "PGRST102"},
		{"the body before the filters", "PATCH", "/books?nope=eq.1", "", "", `{bad`, "PGRST102"},
		{"the body's columns before the filters", "PATCH", "/books?nope=eq.1", "", "", `{"nah":1}`, "PGRST204"},
		{"the filters before the representation", "PATCH", "/books?nope=eq.1&select=zzz", "", "return=representation", `{"title":"x"}`, "42703 column books.nope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			if c.prefer != "" {
				req.Header.Set("Prefer", c.prefer)
			}
			tx, aerr := s.Prepare(req)
			if aerr == nil {
				t.Fatalf("no error; statement %s", tx.Main)
			}
			if got := aerr.Code + " " + aerr.Message; !strings.HasPrefix(got, c.want) {
				t.Errorf("got %q, want %q…", got, c.want)
			}
		})
	}
}
