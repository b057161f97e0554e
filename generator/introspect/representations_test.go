package introspect

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
)

// representationsSQL's rules, as PostgREST's: implicit casts with a function
// the role may execute, between a domain of any schema and json (both ways)
// or from text.
const representationsSchema = `
CREATE SCHEMA reps;
CREATE SCHEMA other;
CREATE DOMAIN other.d AS int;
CREATE FUNCTION other.d_json(other.d) RETURNS json LANGUAGE sql AS 'SELECT to_json($1)';
CREATE FUNCTION other.d_parse(json) RETURNS other.d LANGUAGE sql AS 'SELECT ($1 #>> ''{}'')::int';
CREATE FUNCTION other.d_parse(text) RETURNS other.d LANGUAGE sql AS 'SELECT $1::int';
CREATE FUNCTION other.d_text(other.d) RETURNS text LANGUAGE sql AS 'SELECT $1::text';
CREATE CAST (other.d AS json) WITH FUNCTION other.d_json(other.d) AS IMPLICIT;
CREATE CAST (json AS other.d) WITH FUNCTION other.d_parse(json) AS IMPLICIT;
CREATE CAST (text AS other.d) WITH FUNCTION other.d_parse(text) AS IMPLICIT;
CREATE CAST (other.d AS text) WITH FUNCTION other.d_text(other.d) AS IMPLICIT;
CREATE DOMAIN reps.explicit AS int;
CREATE FUNCTION reps.explicit_json(reps.explicit) RETURNS json LANGUAGE sql AS 'SELECT to_json($1)';
CREATE CAST (reps.explicit AS json) WITH FUNCTION reps.explicit_json(reps.explicit);
CREATE DOMAIN reps.assigned AS int;
CREATE FUNCTION reps.assigned_json(reps.assigned) RETURNS json LANGUAGE sql AS 'SELECT to_json($1)';
CREATE CAST (reps.assigned AS json) WITH FUNCTION reps.assigned_json(reps.assigned) AS ASSIGNMENT;
CREATE DOMAIN reps.private AS int;
CREATE FUNCTION reps.private_json(reps.private) RETURNS json LANGUAGE sql AS 'SELECT to_json($1)';
REVOKE EXECUTE ON FUNCTION reps.private_json(reps.private) FROM PUBLIC;
CREATE CAST (reps.private AS json) WITH FUNCTION reps.private_json(reps.private) AS IMPLICIT;
DO $$ BEGIN CREATE ROLE reps_generator; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT USAGE ON SCHEMA reps, other TO reps_generator;
`

func TestLoadRepresentations(t *testing.T) {
	uri := env.NewDatabase(t, "")
	if err := pgcluster.ApplySQL(t.Context(), uri, representationsSchema); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	// As a role that may not execute reps.private_json.
	if _, err := conn.Exec(t.Context(), "SET ROLE reps_generator"); err != nil {
		t.Fatal(err)
	}
	cat, err := Load(t.Context(), conn, Options{Schemas: []string{"reps"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.Representation{
		{DomainSchema: "other", Domain: "d", Kind: catalog.FromJSON, FuncSchema: "other", Func: "d_parse"},
		{DomainSchema: "other", Domain: "d", Kind: catalog.FromText, FuncSchema: "other", Func: "d_parse"},
		{DomainSchema: "other", Domain: "d", Kind: catalog.ToJSON, FuncSchema: "other", Func: "d_json"},
	}
	if diff := cmp.Diff(want, cat.Representations); diff != "" {
		t.Errorf("Representations (-want +got):\n%s", diff)
	}
}
