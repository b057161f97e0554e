package testapi

import (
	"context"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/testapi/db"
)

// TestRowTypesDecodeResponses: every relation's GET response, in both
// profiles, decodes into its generated row struct with no key left over and
// holds the database's values: composites, domains, enums, arrays, json,
// ranges and the other types of the test bed.
func TestRowTypesDecodeResponses(t *testing.T) {
	uri := env.NewDatabase(t, template)
	// Rows for the tables the schema leaves empty, and secrets readable.
	if err := pgcluster.ApplySQL(t.Context(), uri, `INSERT INTO test.notes VALUES (1, 'quiet');
		INSERT INTO test.call_log (msg) VALUES ('hello');
		GRANT SELECT ON test.secrets TO web_user`); err != nil {
		t.Fatal(err)
	}
	srv := e2e.Serve(t, db.Schema(), db.Register, append(suite(t).Environ, "PGRST_DB_URI="+e2e.AsAuthenticator(uri))...)
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	src := e2e.RowSource{Base: srv.URL, Conn: conn,
		Token: e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()})}
	checks := map[string]e2e.RowCheck{
		"test.Order Items": e2e.RowsMatch[db.OrderItem], "test.active_items": e2e.RowsMatch[db.ActiveItem],
		"test.actors": e2e.RowsMatch[db.Actor], "test.addresses": e2e.RowsMatch[db.Address],
		"test.bags": e2e.RowsMatch[db.Bag], "test.call_log": e2e.RowsMatch[db.CallLog],
		"test.category_counts": e2e.RowsMatch[db.CategoryCount], "test.category_stats": e2e.RowsMatch[db.CategoryStat],
		"test.coins": e2e.RowsMatch[db.Coin], "test.dice": e2e.RowsMatch[db.Dice], "test.shapes": e2e.RowsMatch[db.Shape],
		"test.contracts": e2e.RowsMatch[db.Contract], "test.cpes": e2e.RowsMatch[db.Cpe],
		"test.director_stats": e2e.RowsMatch[db.DirectorStat], "test.directors": e2e.RowsMatch[db.Director],
		"test.documents": e2e.RowsMatch[db.Document], "test.edition_releases": e2e.RowsMatch[db.EditionRelease],
		"test.editions": e2e.RowsMatch[db.Edition], "test.film_details": e2e.RowsMatch[db.FilmDetail],
		"test.films": e2e.RowsMatch[db.Film], "test.films_ext": e2e.RowsMatch[db.FilmsExt],
		"test.films_v1": e2e.RowsMatch[db.FilmsV1], "test.films_v2": e2e.RowsMatch[db.FilmsV2],
		"test.films_via_v2": e2e.RowsMatch[db.FilmsViaV2], "test.genres": e2e.RowsMatch[db.Genre],
		"test.items": e2e.RowsMatch[db.Item], "test.kinds": e2e.RowsMatch[db.Kind], "test.json_docs": e2e.RowsMatch[db.JSONDoc],
		"test.labels": e2e.RowsMatch[db.Label], "test.loud_notes": e2e.RowsMatch[db.LoudNote],
		"test.nominations": e2e.RowsMatch[db.Nomination], "test.notes": e2e.RowsMatch[db.Note],
		"test.paints": e2e.RowsMatch[db.Paint], "test.palettes": e2e.RowsMatch[db.Palette],
		"test.swatches": e2e.RowsMatch[db.Swatch], "test.swatch_shades": e2e.RowsMatch[db.SwatchShade], "test.swatch_codes": e2e.RowsMatch[db.SwatchCode], "test.people": e2e.RowsMatch[db.Person],
		"test.places": e2e.RowsMatch[db.Place], "test.premieres": e2e.RowsMatch[db.Premiere],
		"test.roles": e2e.RowsMatch[db.Role], "test.screenings": e2e.RowsMatch[db.Screening],
		"test.secrets": e2e.RowsMatch[db.Secret], "test.spans": e2e.RowsMatch[db.Span],
		"test.studios": e2e.RowsMatch[db.Studio], "test.writable_items": e2e.RowsMatch[db.WritableItem],
		"test.ñandú": e2e.RowsMatch[db.Ñandú], "v2.films_mid": e2e.RowsMatch[db.V2FilmsMid],
		"v2.items": e2e.RowsMatch[db.V2Item], "v2.only_in_v2": e2e.RowsMatch[db.V2OnlyInV2],
	}
	for _, rel := range db.Schema().Relations {
		check := checks[rel.Schema+"."+rel.Name]
		if check == nil {
			t.Errorf("no row check for %s.%s: add its row type to the list", rel.Schema, rel.Name)
			continue
		}
		if err := check(t.Context(), src, rel); err != nil {
			t.Errorf("%s.%s: %v", rel.Schema, rel.Name, err)
		}
	}
}
