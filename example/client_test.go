package main

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/example/db/client"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/restclient"
)

// clientServer serves the example on a fresh database where web_user may
// also write genres, and returns an anonymous client and a web_user one.
func clientServer(t *testing.T) (anon, user *client.Client) {
	t.Helper()
	uri := env.NewDatabase(t, template)
	if err := pgcluster.ApplySQL(t.Context(), uri, "GRANT INSERT, UPDATE ON genres TO web_user"); err != nil {
		t.Fatal(err)
	}
	srv := e2e.Serve(t, db.Schema(), db.Register,
		"PGRST_DB_URI="+e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET="+jwtSecret)
	tok := e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()})
	anon = client.New(srv.URL)
	return anon, anon.WithToken(tok)
}

// ids are the ids of rows, for comparing filter results.
func ids[R any](rows []R, id func(R) int32) []int32 {
	out := []int32{}
	for _, r := range rows {
		out = append(out, id(r))
	}
	return out
}

func bookIDs(rows []db.Book) []int32 { return ids(rows, func(b db.Book) int32 { return b.ID }) }

func ptr[T any](v T) *T { return &v }

// TestClientListsEveryRelation reads each relation of the example through
// the typed client and checks its rows.
func TestClientListsEveryRelation(t *testing.T) {
	_, c := clientServer(t)
	ctx := t.Context()
	authors, err := c.Authors().Order(client.Authors.ID.Asc()).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(authors) != 3 || authors[1].Name != "Stanisław Lem" || *authors[1].Born != "1921-09-12" || authors[2].Country == nil {
		t.Errorf("authors: %+v", authors)
	}
	books, err := c.Books().Order(client.Books.ID.Asc()).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(books) != 5 || books[0].Title != "The Left Hand of Darkness" || books[0].Format != db.BookFormatPaperback ||
		books[0].Price.String() != "12.50" || !slices.Equal(books[1].Tags, []string{"classic", "sf", "utopia"}) ||
		string(books[2].Details) != `{"pages": 204, "translated": true}` || string(books[3].Details) != "null" {
		t.Errorf("books: %+v", books)
	}
	genres, err := c.Genres().Order(client.Genres.Name.Desc()).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]db.Genre{{ID: 1, Name: "science fiction"}, {ID: 3, Name: "satire"}, {ID: 2, Name: "fantasy"}}, genres); d != "" {
		t.Errorf("genres (-want +got):\n%s", d)
	}
	links, err := c.BookGenres().Where(client.BookGenres.BookID.Eq(4)).Order(client.BookGenres.GenreID.Asc()).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]db.BookGenre{{BookID: 4, GenreID: 1}, {BookID: 4, GenreID: 3}}, links); d != "" {
		t.Errorf("book_genres (-want +got):\n%s", d)
	}
	members, err := c.Members().Order(client.Members.ID.Asc()).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 2 || members[0].Email != "ada@example.com" || !members[0].JoinedAt.Equal(time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("members: %+v", members)
	}
	reviews, err := c.Reviews().Where(client.Reviews.Body.IsNull()).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(reviews) != 1 || reviews[0].ID != 2 || reviews[0].Stars != 4 {
		t.Errorf("reviews with no body: %+v", reviews)
	}
	ratings, err := c.BookRatings().Where(client.BookRatings.Reviews.Gt(0)).Order(client.BookRatings.BookID.Asc()).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ratings) != 2 || *ratings[1].Title != "Solaris" || *ratings[1].Reviews != 2 || ratings[1].AverageStars.String() != "4.50" {
		t.Errorf("book_ratings: %+v", ratings)
	}
}

// TestClientFilters runs a filter of each kind the client types offer and
// checks which books match.
func TestClientFilters(t *testing.T) {
	anon, user := clientServer(t)
	b := client.Books
	cases := []struct {
		name  string
		where []restFilter
		want  []int32
	}{
		{"eq", []restFilter{b.ID.Eq(3)}, []int32{3}},
		{"neq", []restFilter{b.AuthorID.Neq(1)}, []int32{3, 4, 5}},
		{"gt lt", []restFilter{b.Published.Gt(1961), b.Published.Lt(1974)}, []int32{1, 4}},
		{"gte lte", []restFilter{b.Published.Gte(1969), b.Published.Lte(1974)}, []int32{1, 2}},
		{"in", []restFilter{b.ID.In(2, 4, 9)}, []int32{2, 4}},
		{"enum in", []restFilter{b.Format.In(db.BookFormatHardcover, db.BookFormatEbook)}, []int32{2, 4}},
		{"numeric", []restFilter{b.Price.Gt(json.Number("12"))}, []int32{1, 2, 5}},
		{"like", []restFilter{b.Title.Like("The *")}, []int32{1, 2, 4}},
		{"ilike", []restFilter{b.Title.ILike("*DARKNESS*")}, []int32{1}},
		{"match", []restFilter{b.Title.Match("^[KS]")}, []int32{3, 5}},
		{"is null", []restFilter{b.Details.IsNull()}, []int32{4}},
		{"not null", []restFilter{b.Details.NotNull(), b.Published.Lt(1970)}, []int32{1, 3}},
		{"array contains", []restFilter{b.Tags.Contains("classic", "sf")}, []int32{1, 2}},
		{"array overlaps", []restFilter{b.Tags.Overlaps("humour", "utopia")}, []int32{2, 4}},
		{"array contained by", []restFilter{b.Tags.ContainedBy("sf", "humour")}, []int32{3, 4}},
		{"jsonb contains", []restFilter{b.Details.Contains(map[string]any{"translated": true})}, []int32{3}},
		{"not", []restFilter{b.Format.Eq(db.BookFormatPaperback).Not()}, []int32{2, 4}},
		{"or", []restFilter{b.Title.Eq("Solaris").Or(b.Title.Eq("Kindred, a novel"), b.Published.Gt(1975))}, []int32{3, 5}},
		{"or of and", []restFilter{b.ID.Eq(1).Or(b.AuthorID.Eq(2).And(b.Published.Gt(1962)))}, []int32{1, 4}},
		{"not or", []restFilter{b.ID.Lt(3).Or(b.ID.Gt(4)).Not()}, []int32{3, 4}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := anon.Books().Select(b.ID).Where(tc.where...).Order(b.ID.Asc()).List(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got := bookIDs(rows); !slices.Equal(got, tc.want) {
				t.Errorf("ids %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("timestamptz", func(t *testing.T) {
		m := client.Members
		rows, err := user.Members().Where(m.JoinedAt.Gt(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))).List(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Email != "grace@example.com" {
			t.Errorf("members joined after February: %+v", rows)
		}
	})
	t.Run("date as text", func(t *testing.T) {
		rows, err := anon.Authors().Where(client.Authors.Born.Lt("1930-01-01")).Order(client.Authors.Name.Asc()).List(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(rows, func(a db.Author) int32 { return a.ID }); !slices.Equal(got, []int32{2, 1}) {
			t.Errorf("authors born before 1930: %v", got)
		}
	})
}

type restFilter = restclient.Filter[db.Book]

// TestClientPagesAndSingle: Select, Order, Range and Count, a page's
// Content-Range, and Single for one row and for none.
func TestClientPagesAndSingle(t *testing.T) {
	anon, _ := clientServer(t)
	ctx := t.Context()
	b := client.Books
	page, err := anon.Books().
		Select(b.Title, b.Published).
		Where(b.Published.Gte(1965), b.Format.Eq(db.BookFormatPaperback)).
		Order(b.Published.Desc()).
		Range(0, 0).
		Count(client.CountExact).
		Page(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []db.Book{{Title: "Kindred", Published: ptr(int32(1979))}}
	if d := cmp.Diff(want, page.Rows); d != "" || page.First != 0 || page.Last != 0 || page.Total != 2 {
		t.Errorf("page %d-%d/%d (-want +got):\n%s", page.First, page.Last, page.Total, d)
	}
	page, err = anon.Books().Order(b.ID.Asc()).Offset(3).Page(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := bookIDs(page.Rows); !slices.Equal(got, []int32{4, 5}) || page.First != 3 || page.Last != 4 || page.Total != -1 {
		t.Errorf("offset page %v %d-%d/%d", got, page.First, page.Last, page.Total)
	}
	one, err := anon.Books().Where(b.ID.Eq(3)).Single(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if one.Title != "Solaris" || *one.Published != 1961 {
		t.Errorf("single: %+v", one)
	}
	_, err = anon.Books().Where(b.ID.Eq(42)).Single(ctx)
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 406 || apiErr.Code != "PGRST116" || apiErr.Details == "" {
		t.Errorf("single of no row: %#v", err)
	}
}

// TestClientEmbeds embeds to-one, to-many and many-to-many relations into a
// caller's types with ListInto, and filters by an inner embed.
func TestClientEmbeds(t *testing.T) {
	anon, user := clientServer(t)
	ctx := t.Context()
	b := client.Books
	type book struct {
		Title  string
		Author db.Author   `json:"author"`
		Genres []db.Genre  `json:"genres"`
		Rev    []db.Review `json:"reviews"`
	}
	var rows []book
	err := user.Books().
		Select(b.Title, b.Authors(client.Authors.Name, client.Authors.Country).As("author"), b.Genres(client.Genres.Name), b.Reviews(client.Reviews.Stars)).
		Where(b.ID.In(3, 4)).Order(b.ID.Asc()).
		ListInto(ctx, &rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []book{
		{Title: "Solaris", Author: db.Author{Name: "Stanisław Lem", Country: ptr("PL")},
			Genres: []db.Genre{{Name: "science fiction"}}, Rev: []db.Review{{Stars: 4}, {Stars: 5}}},
		{Title: "The Cyberiad", Author: db.Author{Name: "Stanisław Lem", Country: ptr("PL")},
			Genres: []db.Genre{{Name: "science fiction"}, {Name: "satire"}}, Rev: []db.Review{}},
	}
	if d := cmp.Diff(want, rows); d != "" {
		t.Errorf("embeds (-want +got):\n%s", d)
	}

	// Authors with their books, keeping only those with a book reviewed.
	var authors []struct {
		db.Author
		Books []struct {
			ID      int32       `json:"id"`
			Reviews []db.Review `json:"reviews"`
		} `json:"books"`
	}
	err = anon.Authors().
		Select(client.Authors.Name, client.Authors.Books(client.Books.ID, client.Books.Reviews(client.Reviews.ID)).Inner()).
		Order(client.Authors.ID.Asc()).
		ListInto(ctx, &authors)
	if err != nil {
		t.Fatal(err)
	}
	if len(authors) != 3 || authors[1].Name != "Stanisław Lem" || len(authors[1].Books) != 2 || len(authors[1].Books[0].Reviews) != 2 {
		t.Errorf("authors with books: %+v", authors)
	}
}

// TestClientWrites inserts, updates, upserts and deletes typed rows.
func TestClientWrites(t *testing.T) {
	_, user := clientServer(t)
	ctx := t.Context()
	r := client.Reviews
	// Only the columns named are sent: id comes from its identity.
	added, err := user.Reviews().Insert(
		db.Review{BookID: 5, MemberID: 2, Stars: 3, Body: ptr("Good.")},
		db.Review{BookID: 4, MemberID: 1, Stars: 2},
	).Columns(r.BookID, r.MemberID, r.Stars, r.Body).Returning(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []db.Review{{ID: 4, BookID: 5, MemberID: 2, Stars: 3, Body: ptr("Good.")}, {ID: 5, BookID: 4, MemberID: 1, Stars: 2}}
	if d := cmp.Diff(want, added); d != "" {
		t.Fatalf("inserted (-want +got):\n%s", d)
	}
	updated, err := user.Reviews().Where(r.ID.Eq(5)).Update(r.Stars.Set(4), r.Body.Set("Funny.")).Returning(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(updated) != 1 || updated[0].Stars != 4 || *updated[0].Body != "Funny." {
		t.Errorf("updated: %+v", updated)
	}
	if err := user.Reviews().Where(r.ID.Eq(4)).Update(r.Body.SetNull()).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	deleted, err := user.Reviews().Select(r.ID, r.Body).Where(r.Body.IsNull()).Delete().Returning(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]db.Review{{ID: 2}, {ID: 4}}, sortedBy(deleted, func(x db.Review) int32 { return x.ID })); d != "" {
		t.Errorf("deleted (-want +got):\n%s", d)
	}
	if err := user.Reviews().Where(r.ID.Eq(5)).Delete().Exec(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := user.Reviews().Order(r.ID.Asc()).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(left, func(x db.Review) int32 { return x.ID }); !slices.Equal(got, []int32{1, 3}) {
		t.Errorf("reviews left: %v", got)
	}

	// Upserts on the primary key: merge updates id 3, ignore keeps id 2.
	g := client.Genres
	merged, err := user.Genres().Insert(db.Genre{ID: 3, Name: "satire and humour"}, db.Genre{ID: 4, Name: "horror"}).
		MergeDuplicates().Returning(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]db.Genre{{ID: 3, Name: "satire and humour"}, {ID: 4, Name: "horror"}}, merged); d != "" {
		t.Errorf("merged (-want +got):\n%s", d)
	}
	if err := user.Genres().Insert(db.Genre{ID: 2, Name: "not fantasy"}).OnConflict(g.ID).IgnoreDuplicates().Exec(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := user.Genres().Order(g.ID.Asc()).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantGenres := []db.Genre{{ID: 1, Name: "science fiction"}, {ID: 2, Name: "fantasy"}, {ID: 3, Name: "satire and humour"}, {ID: 4, Name: "horror"}}
	if d := cmp.Diff(wantGenres, all); d != "" {
		t.Errorf("genres after upserts (-want +got):\n%s", d)
	}
}

func sortedBy[R any](rows []R, key func(R) int32) []R {
	slices.SortFunc(rows, func(a, b R) int { return int(key(a) - key(b)) })
	return rows
}

// TestClientFunctions calls both functions with GET, with and without their
// optional argument.
func TestClientFunctions(t *testing.T) {
	anon, _ := clientServer(t)
	ctx := t.Context()
	books, err := anon.BooksByAuthor(ctx, db.BooksByAuthorArgs{AuthorName: "le guin"})
	if err != nil {
		t.Fatal(err)
	}
	if got := bookIDs(sortedBy(books, func(b db.Book) int32 { return b.ID })); !slices.Equal(got, []int32{1, 2}) || books[1].Title != "The Dispossessed" {
		t.Errorf("books_by_author: %+v", books)
	}
	all, err := anon.AveragePrice(ctx, db.AveragePriceArgs{})
	if err != nil {
		t.Fatal(err)
	}
	since, err := anon.AveragePrice(ctx, db.AveragePriceArgs{MinYear: ptr(int32(1970))})
	if err != nil {
		t.Fatal(err)
	}
	if all.String() != "13.95" || since.String() != "19.13" {
		t.Errorf("average_price: all %s, since 1970 %s", all, since)
	}
}

// TestClientErrors: the API's error objects come back as *client.Error,
// and the token decides the role.
func TestClientErrors(t *testing.T) {
	anon, user := clientServer(t)
	ctx := t.Context()
	_, err := anon.Members().List(ctx)
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Code != "42501" || apiErr.Message != "permission denied for table members" {
		t.Errorf("anonymous members: %#v", err)
	}
	// A check constraint, from a write.
	_, err = user.Reviews().Insert(db.Review{BookID: 1, MemberID: 1, Stars: 9}).Columns(client.Reviews.BookID, client.Reviews.MemberID, client.Reviews.Stars).Returning(ctx)
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != "23514" {
		t.Errorf("stars out of range: %#v", err)
	}
	// A foreign key.
	err = user.Reviews().Where(client.Reviews.ID.Eq(1)).Update(client.Reviews.BookID.Set(99)).Exec(ctx)
	if !errors.As(err, &apiErr) || apiErr.Status != 409 || apiErr.Code != "23503" || apiErr.Details == "" {
		t.Errorf("unknown book: %#v", err)
	}
	// A write the role may not do.
	err = user.Genres().Where(client.Genres.ID.Eq(1)).Delete().Exec(ctx)
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Code != "42501" {
		t.Errorf("delete without the privilege: %#v", err)
	}
	if !errors.As(err, &apiErr) || err.Error() == "" {
		t.Errorf("error text: %q", err)
	}
}
