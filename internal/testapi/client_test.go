package testapi

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/testapi/db"
	"github.com/pgrestgen/pgrestgen/internal/testapi/db/client"
	"github.com/pgrestgen/pgrestgen/restclient"
)

// clientOf serves the test bed on a fresh database and returns a typed
// client sending a web_user token.
func clientOf(t *testing.T) *client.Client {
	t.Helper()
	s := suite(t)
	uri := env.NewDatabase(t, template)
	srv := e2e.Serve(t, s.Schema, s.Register, append([]string{"PGRST_DB_URI=" + e2e.AsAuthenticator(uri)}, s.Environ...)...)
	tok := e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()})
	return client.New(srv.URL, client.WithToken(tok))
}

// TestClientListsEveryRelation reads every relation of both schemas
// through the typed client; each answers rows its row type decodes, or an
// error object for the few web_user may not read.
func TestClientListsEveryRelation(t *testing.T) {
	c := clientOf(t)
	ctx := t.Context()
	lists := map[string]func() (int, error){
		"ActiveItems":     func() (int, error) { r, err := c.ActiveItems().List(ctx); return len(r), err },
		"Actors":          func() (int, error) { r, err := c.Actors().List(ctx); return len(r), err },
		"Addresses":       func() (int, error) { r, err := c.Addresses().List(ctx); return len(r), err },
		"Bags":            func() (int, error) { r, err := c.Bags().List(ctx); return len(r), err },
		"CallLog":         func() (int, error) { r, err := c.CallLog().List(ctx); return len(r), err },
		"CategoryCounts":  func() (int, error) { r, err := c.CategoryCounts().List(ctx); return len(r), err },
		"CategoryStats":   func() (int, error) { r, err := c.CategoryStats().List(ctx); return len(r), err },
		"Contracts":       func() (int, error) { r, err := c.Contracts().List(ctx); return len(r), err },
		"Cpes":            func() (int, error) { r, err := c.Cpes().List(ctx); return len(r), err },
		"DirectorStats":   func() (int, error) { r, err := c.DirectorStats().List(ctx); return len(r), err },
		"Directors":       func() (int, error) { r, err := c.Directors().List(ctx); return len(r), err },
		"Documents":       func() (int, error) { r, err := c.Documents().List(ctx); return len(r), err },
		"EditionReleases": func() (int, error) { r, err := c.EditionReleases().List(ctx); return len(r), err },
		"Editions":        func() (int, error) { r, err := c.Editions().List(ctx); return len(r), err },
		"FilmDetails":     func() (int, error) { r, err := c.FilmDetails().List(ctx); return len(r), err },
		"Films":           func() (int, error) { r, err := c.Films().List(ctx); return len(r), err },
		"FilmsExt":        func() (int, error) { r, err := c.FilmsExt().List(ctx); return len(r), err },
		"FilmsV1":         func() (int, error) { r, err := c.FilmsV1().List(ctx); return len(r), err },
		"FilmsV2":         func() (int, error) { r, err := c.FilmsV2().List(ctx); return len(r), err },
		"FilmsViaV2":      func() (int, error) { r, err := c.FilmsViaV2().List(ctx); return len(r), err },
		"Genres":          func() (int, error) { r, err := c.Genres().List(ctx); return len(r), err },
		"Items":           func() (int, error) { r, err := c.Items().List(ctx); return len(r), err },
		"JSONDocs":        func() (int, error) { r, err := c.JSONDocs().List(ctx); return len(r), err },
		"Labels":          func() (int, error) { r, err := c.Labels().List(ctx); return len(r), err },
		"LoudNotes":       func() (int, error) { r, err := c.LoudNotes().List(ctx); return len(r), err },
		"Nominations":     func() (int, error) { r, err := c.Nominations().List(ctx); return len(r), err },
		"Notes":           func() (int, error) { r, err := c.Notes().List(ctx); return len(r), err },
		"OrderItems":      func() (int, error) { r, err := c.OrderItems().List(ctx); return len(r), err },
		"Paints":          func() (int, error) { r, err := c.Paints().List(ctx); return len(r), err },
		"Palettes":        func() (int, error) { r, err := c.Palettes().List(ctx); return len(r), err },
		"People":          func() (int, error) { r, err := c.People().List(ctx); return len(r), err },
		"Places":          func() (int, error) { r, err := c.Places().List(ctx); return len(r), err },
		"Premieres":       func() (int, error) { r, err := c.Premieres().List(ctx); return len(r), err },
		"Roles":           func() (int, error) { r, err := c.Roles().List(ctx); return len(r), err },
		"Screenings":      func() (int, error) { r, err := c.Screenings().List(ctx); return len(r), err },
		"Secrets":         func() (int, error) { r, err := c.Secrets().List(ctx); return len(r), err },
		"Spans":           func() (int, error) { r, err := c.Spans().List(ctx); return len(r), err },
		"Studios":         func() (int, error) { r, err := c.Studios().List(ctx); return len(r), err },
		"SwatchCodes":     func() (int, error) { r, err := c.SwatchCodes().List(ctx); return len(r), err },
		"SwatchShades":    func() (int, error) { r, err := c.SwatchShades().List(ctx); return len(r), err },
		"Swatches":        func() (int, error) { r, err := c.Swatches().List(ctx); return len(r), err },
		"V2FilmsMid":      func() (int, error) { r, err := c.V2FilmsMid().List(ctx); return len(r), err },
		"V2Items":         func() (int, error) { r, err := c.V2Items().List(ctx); return len(r), err },
		"V2OnlyInV2":      func() (int, error) { r, err := c.V2OnlyInV2().List(ctx); return len(r), err },
		"WritableItems":   func() (int, error) { r, err := c.WritableItems().List(ctx); return len(r), err },
		"Ñandú":           func() (int, error) { r, err := c.Ñandú().List(ctx); return len(r), err },
	}
	// Row counts of the seeded test bed; secrets is not web_user's to read.
	want := map[string]int{
		"ActiveItems":     13,
		"Actors":          6,
		"Addresses":       2,
		"Bags":            5,
		"CallLog":         0,
		"CategoryCounts":  5,
		"CategoryStats":   5,
		"Contracts":       1,
		"Cpes":            3,
		"DirectorStats":   3,
		"Directors":       4,
		"Documents":       5,
		"EditionReleases": 3,
		"Editions":        3,
		"FilmDetails":     3,
		"Films":           6,
		"FilmsExt":        6,
		"FilmsV1":         6,
		"FilmsV2":         4,
		"FilmsViaV2":      6,
		"Genres":          4,
		"Items":           25,
		"JSONDocs":        4,
		"Labels":          8,
		"LoudNotes":       0,
		"Nominations":     2,
		"Notes":           0,
		"OrderItems":      4,
		"Paints":          4,
		"Palettes":        2,
		"People":          2,
		"Places":          5,
		"Premieres":       2,
		"Roles":           6,
		"Screenings":      3,
		"Spans":           6,
		"Studios":         1,
		"SwatchCodes":     1,
		"SwatchShades":    4,
		"Swatches":        4,
		"V2FilmsMid":      6,
		"V2Items":         3,
		"V2OnlyInV2":      1,
		"WritableItems":   25,
		"Ñandú":           3,
	}
	for _, name := range slices.Sorted(maps.Keys(lists)) {
		n, err := lists[name]()
		var apiErr *client.Error
		if name == "Secrets" {
			if !errors.As(err, &apiErr) || apiErr.Code != "42501" || apiErr.Status != 403 {
				t.Errorf("secrets: %v, want permission denied", err)
			}
			continue
		}
		if err != nil || n != want[name] {
			t.Errorf("%s: %d rows, %v; want %d rows", name, n, err, want[name])
		}
	}
}

// TestClientProfilesHintsAndCalls: relations and functions of the v2 schema
// (Accept-Profile), embeds disambiguated by a constraint, and calls by GET
// (with an array, a VARIADIC and OUT arguments) and POST (volatile).
func TestClientProfilesHintsAndCalls(t *testing.T) {
	c := clientOf(t)
	ctx := t.Context()
	v2, err := c.V2OnlyInV2().List(ctx)
	if err != nil || len(v2) != 1 {
		t.Errorf("v2.only_in_v2: %+v %v", v2, err)
	}
	if s, err := c.V2NoArgs(ctx, db.V2NoArgsArgs{}); err != nil || s != "v2 has no arguments either" {
		t.Errorf("v2.no_args: %q %v", s, err)
	}
	var addrs []struct {
		City    string                  `json:"city"`
		Billed  []struct{ Name string } `json:"billed"`
		Shipped []struct{ Name string } `json:"shipped"`
	}
	a := client.Addresses
	err = c.Addresses().Select(a.City, a.StudiosViaBilling().As("billed"), a.StudiosViaShipping().As("shipped")).Order(a.ID.Asc()).ListInto(ctx, &addrs)
	if err != nil {
		t.Fatal(err)
	}
	if len(addrs) != 2 || addrs[0].City != "Lyon" || len(addrs[0].Billed) != 1 || len(addrs[0].Shipped) != 0 || len(addrs[1].Shipped) != 1 {
		t.Errorf("addresses with studios: %+v", addrs)
	}
	// Without the hint the embed is ambiguous: PostgREST's PGRST201.
	var apiErr *client.Error
	err = c.Addresses().Select(restclient.NewEmbed[db.Address, db.Studio]("studios", "")).ListInto(ctx, &addrs)
	if !errors.As(err, &apiErr) || apiErr.Code != "PGRST201" || apiErr.Status != 300 {
		t.Errorf("ambiguous embed: %v", err)
	}
	if n, err := c.SumArray(ctx, db.SumArrayArgs{Arr: []int32{1, 2, 39}}); err != nil || n != 42 {
		t.Errorf("sum_array: %d %v", n, err)
	}
	if s, err := c.JoinWords(ctx, db.JoinWordsArgs{Sep: ", ", Words: []string{"a b", `"q"`, "c,d"}}); err != nil || s != `a b, "q", c,d` {
		t.Errorf("join_words: %q %v", s, err)
	}
	if d, err := c.Divide(ctx, db.DivideArgs{A: 17, B: 5}); err != nil || *d.Quotient != 3 || *d.Remainder != 2 {
		t.Errorf("divide: %+v %v", d, err)
	}
	if err := c.LogCall(ctx, db.LogCallArgs{Msg: "one"}); err != nil {
		t.Fatal(err)
	}
	if n, err := c.LogAndCount(ctx, db.LogAndCountArgs{Msg: "two"}); err != nil || n != 2 {
		t.Errorf("log_and_count: %d %v", n, err)
	}
	logged, err := c.CallLog().Order(client.CallLog.ID.Asc()).List(ctx)
	if err != nil || len(logged) != 2 || logged[0].Msg != "one" {
		t.Errorf("call_log: %+v %v", logged, err)
	}
	if s, err := c.Greet(ctx, db.GreetArgs{}); err != nil || s != "Hello guest!" {
		t.Errorf("greet with its default: %q %v", s, err)
	}
	if _, err := c.Divide(ctx, db.DivideArgs{A: 1, B: 0}); !errors.As(err, &apiErr) || apiErr.Code != "22012" {
		t.Errorf("division by zero: %v", err)
	}
}

// TestClientDomainRepresentations: a column whose domain has casts to and
// from json and from text is its JSON in rows and its text form in filters
// and updates.
func TestClientDomainRepresentations(t *testing.T) {
	c := clientOf(t)
	ctx := t.Context()
	s := client.Swatches
	rows, err := c.Swatches().Select(s.ID, s.Hue, s.Price).Where(s.Hue.In("FF6347", "#000080")).Order(s.Hue.Desc()).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%d %s %s", r.ID, r.Hue, r.Price))
	}
	if want := []string{`1 "#FF6347" "12.50"`, `3 "#000080" "1000.00"`}; !slices.Equal(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	updated, err := c.Swatches().Where(s.Hue.Eq("00FF00")).Update(s.Hue.Set("#00FF01")).Returning(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(updated) != 1 || updated[0].ID != 2 || string(updated[0].Hue) != `"#00FF01"` {
		t.Errorf("updated = %+v, want swatch 2 with hue #00FF01", updated)
	}
}
