package introspect

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
)

// mediaSQL has handler aggregates and look-alikes that are not handlers.
const mediaSQL = `
CREATE SCHEMA api;
CREATE SCHEMA hidden;
CREATE TABLE api.t (id int);
CREATE TABLE hidden.h (id int);
CREATE DOMAIN api."text/csv" AS text;
CREATE DOMAIN api."application/vnd.bin" AS bytea;
CREATE DOMAIN api."*/*" AS bytea;
CREATE DOMAIN api.plain AS text;
CREATE FUNCTION hidden.step(s text, r anyelement) RETURNS text LANGUAGE sql AS $$ SELECT s $$;
CREATE FUNCTION hidden.step2(s text, r anyelement, x int) RETURNS text LANGUAGE sql AS $$ SELECT s $$;
CREATE FUNCTION hidden.csv(s text) RETURNS api."text/csv" LANGUAGE sql AS $$ SELECT s $$;
CREATE FUNCTION hidden.bin(s text) RETURNS api."application/vnd.bin" LANGUAGE sql AS $$ SELECT s::bytea $$;
CREATE FUNCTION hidden.any(s text) RETURNS api."*/*" LANGUAGE sql AS $$ SELECT s::bytea $$;
CREATE FUNCTION hidden.plain(s text) RETURNS api.plain LANGUAGE sql AS $$ SELECT s $$;
-- Handlers: over anyelement, over a relation of the schema or of another.
CREATE AGGREGATE api.csv_any(anyelement) (SFUNC = hidden.step, STYPE = text, FINALFUNC = hidden.csv);
CREATE AGGREGATE api.bin_t(api.t) (SFUNC = hidden.step, STYPE = text, FINALFUNC = hidden.bin);
CREATE AGGREGATE api.any_h(hidden.h) (SFUNC = hidden.step, STYPE = text, FINALFUNC = hidden.any);
-- Not handlers: a domain not named like a media type, two arguments, an
-- argument that is no row type, a hidden schema, a plain function.
CREATE AGGREGATE api.plain_any(anyelement) (SFUNC = hidden.step, STYPE = text, FINALFUNC = hidden.plain);
CREATE AGGREGATE api.two(anyelement, int) (SFUNC = hidden.step2, STYPE = text, FINALFUNC = hidden.csv);
CREATE AGGREGATE api.of_int(int) (SFUNC = hidden.step, STYPE = text, FINALFUNC = hidden.csv);
CREATE AGGREGATE hidden.csv_hidden(anyelement) (SFUNC = hidden.step, STYPE = text, FINALFUNC = hidden.csv);
CREATE FUNCTION api.page() RETURNS api."text/csv" LANGUAGE sql AS $$ SELECT 'x' $$;
`

// TestLoadMediaHandlers: the handler aggregates of the exposed schemas, as
// PostgREST finds them, with their media type, binary-ness and target.
func TestLoadMediaHandlers(t *testing.T) {
	uri := env.NewDatabase(t, "")
	if err := pgcluster.ApplySQL(t.Context(), uri, mediaSQL); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	got, err := Load(t.Context(), conn, Options{Schemas: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.MediaHandler{
		{Schema: "api", Name: "any_h", MediaType: "*/*", Binary: true, TargetSchema: "hidden", TargetName: "h"},
		{Schema: "api", Name: "bin_t", MediaType: "application/vnd.bin", Binary: true, TargetSchema: "api", TargetName: "t"},
		{Schema: "api", Name: "csv_any", MediaType: "text/csv"},
	}
	if diff := cmp.Diff(want, got.MediaHandlers); diff != "" {
		t.Errorf("MediaHandlers (-want +got):\n%s", diff)
	}
	if got.PostGIS != "" {
		t.Errorf("PostGIS = %q without the extension", got.PostGIS)
	}
}
