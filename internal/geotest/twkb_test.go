package geotest

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/geotest/db"
)

// TestTWKBAggregate: a bytea handler aggregate of a relation's row type
// answers its media type with the aggregate's bytes as they are: here
// PostGIS's TWKB of the filtered paths, compared with the same ST_AsTWKB
// run directly.
func TestTWKBAggregate(t *testing.T) {
	requirePostGIS(t)
	uri := env.NewDatabase(t, template)
	srv := e2e.Serve(t, db.Schema(), db.Register, "PGRST_DB_URI="+e2e.AsAuthenticator(uri),
		"PGRST_DB_ANON_ROLE=anon", "PGRST_DB_SCHEMAS=geo")
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	for _, tt := range []struct{ query, where string }{
		{"/paths", "true"},
		{"/paths?id=eq.1", "id = 1"},
	} {
		var want []byte
		if err := conn.QueryRow(t.Context(), "SELECT extensions.ST_AsTWKB(array_agg(line ORDER BY id), array_agg(id::bigint ORDER BY id)) FROM geo.paths WHERE "+tt.where).Scan(&want); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+tt.query, nil)
		req.Header.Set("Accept", "application/vnd.twkb")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
			t.Errorf("%s: %d %x, want 200 %x", tt.query, resp.StatusCode, got, want)
		}
		if ct, cl := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Length"); ct != "application/vnd.twkb" || cl != strconv.Itoa(len(want)) {
			t.Errorf("%s: Content-Type %q, Content-Length %q; want application/vnd.twkb, %d", tt.query, ct, cl, len(want))
		}
	}
}
