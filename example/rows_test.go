package main

import (
	"context"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
)

// TestRowTypesDecodeResponses: every relation's GET response decodes into
// its generated row struct with no key left over, and holds the values the
// database has: numeric, date, timestamptz, enum, text[] and jsonb columns.
func TestRowTypesDecodeResponses(t *testing.T) {
	uri := env.NewDatabase(t, template)
	srv := e2e.Serve(t, db.Schema(), register, "PGRST_DB_URI="+e2e.AsAuthenticator(uri),
		"PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET="+jwtSecret)
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	src := e2e.RowSource{Base: srv.URL, Conn: conn,
		Token: e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()})}
	checks := map[string]e2e.RowCheck{
		"authors":      e2e.RowsMatch[db.Author],
		"book_genres":  e2e.RowsMatch[db.BookGenre],
		"book_ratings": e2e.RowsMatch[db.BookRating],
		"books":        e2e.RowsMatch[db.Book],
		"genres":       e2e.RowsMatch[db.Genre],
		"members":      e2e.RowsMatch[db.Member],
		"reviews":      e2e.RowsMatch[db.Review],
	}
	for _, rel := range db.Schema().Relations {
		check := checks[rel.Name]
		if check == nil {
			t.Errorf("no row check for %s: add its row type to the list", rel.Name)
			continue
		}
		if err := check(t.Context(), src, rel); err != nil {
			t.Errorf("%s: %v", rel.Name, err)
		}
	}
}
