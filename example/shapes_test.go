package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
)

// TestShapesAnswerEachRequest: reads, function calls and POSTs of one shape, sent
// at once from many clients with different values, bind the statement the
// server keeps for the shape to their own values: each gets the rows the database has for
// them, whatever other reads of the shape came before or run alongside.
func TestShapesAnswerEachRequest(t *testing.T) {
	uri := env.NewDatabase(t, template)
	srv := e2e.Serve(t, db.Schema(), register, "PGRST_DB_URI="+e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon",
		"PGRST_JWT_SECRET="+jwtSecret)
	token := "Bearer " + e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()})
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	type book struct {
		ID       int32  `json:"id"`
		Title    string `json:"title"`
		AuthorID int32  `json:"author_id"`
	}
	rows, err := conn.Query(t.Context(), "SELECT id, title, author_id FROM books ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	books, err := pgx.CollectRows(rows, pgx.RowToStructByPos[book])
	if err != nil || len(books) < 3 {
		t.Fatalf("books: %v (%d)", err, len(books))
	}
	var authors []struct {
		ID   int32
		Name string
	}
	if rows, err = conn.Query(t.Context(), "SELECT id, name FROM authors ORDER BY id"); err == nil {
		authors, err = pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
			ID   int32
			Name string
		}])
	}
	if err != nil || len(authors) < 2 {
		t.Fatalf("authors: %v (%d)", err, len(authors))
	}
	get := func(path string) ([]book, error) {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: %d %s %v", path, res.StatusCode, body, err)
		}
		var out []book
		return out, json.Unmarshal(body, &out)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*(2*len(books)+len(authors)))
	check := func(paths map[string][]book) {
		for path, want := range paths {
			got, err := get(path)
			if err == nil && !cmp.Equal(got, want, cmpopts.EquateEmpty()) {
				err = fmt.Errorf("%s: got %v, want %v", path, got, want)
			}
			if err != nil {
				errs <- err
				return
			}
		}
	}
	for round := range 4 {
		for _, b := range books {
			// The same shapes each round: one value, three, and one value
			// used by two filters in turn.
			wg.Go(func() {
				check(map[string][]book{
					fmt.Sprintf("/books?select=id,title,author_id&id=eq.%d", b.ID): {b},
					fmt.Sprintf("/books?select=id,title,author_id&title=eq.%s&author_id=eq.%d&id=gte.%d",
						url.QueryEscape(b.Title), b.AuthorID, b.ID): {b},
					fmt.Sprintf("/books?select=id,title,author_id&id=lte.%d&id=gte.%d&order=id&limit=1",
						b.ID+int32(round%2), b.ID): {b},
				})
			})
		}
		for _, a := range authors {
			// A function's argument, alone and with a filter on its rows.
			var want []book
			for _, b := range books {
				if b.AuthorID == a.ID {
					want = append(want, b)
				}
			}
			paths := map[string][]book{"/rpc/books_by_author?select=id,title,author_id&order=id&author_name=" + url.QueryEscape(a.Name): want}
			if len(want) > 0 {
				paths[fmt.Sprintf("/rpc/books_by_author?select=id,title,author_id&author_name=%s&id=lte.%d&order=id",
					url.QueryEscape(a.Name), want[0].ID)] = want[:1]
			}
			wg.Go(func() { check(paths) })
		}
		for i, b := range books {
			// A POST's body, returned as stored.
			wg.Go(func() {
				type review struct {
					BookID int32  `json:"book_id"`
					Stars  int    `json:"stars"`
					Body   string `json:"body"`
				}
				want := review{BookID: b.ID, Stars: 1 + (round+i)%5, Body: fmt.Sprintf("round %d, book %d", round, b.ID)}
				body, _ := json.Marshal(map[string]any{"book_id": want.BookID, "member_id": 1, "stars": want.Stars, "body": want.Body})
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/reviews?select=book_id,stars,body", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Prefer", "return=representation")
				req.Header.Set("Authorization", token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				defer res.Body.Close()
				var got []review
				if err := json.NewDecoder(res.Body).Decode(&got); err != nil || res.StatusCode != http.StatusCreated || !cmp.Equal(got, []review{want}) {
					errs <- fmt.Errorf("POST %s: %d %+v %v", body, res.StatusCode, got, err)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
