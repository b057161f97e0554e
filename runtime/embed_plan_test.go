package runtime

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// A film database big enough for the planner to prefer indexes: 2,000
// directors, 40,000 films, 10,000 actors, 160,000 roles, FK columns indexed.
const embedPlanSchema = `
CREATE TABLE directors (id int PRIMARY KEY, last_name text NOT NULL);
CREATE TABLE films (id int PRIMARY KEY, title text NOT NULL, director_id int REFERENCES directors);
CREATE INDEX films_director_id_idx ON films (director_id);
CREATE TABLE actors (id int PRIMARY KEY, last_name text NOT NULL);
CREATE TABLE roles (actor_id int REFERENCES actors, film_id int REFERENCES films, PRIMARY KEY (actor_id, film_id));
CREATE INDEX roles_film_id_idx ON roles (film_id);
INSERT INTO directors SELECT i, 'director ' || i FROM generate_series(1, 2000) i;
INSERT INTO films SELECT i, 'film ' || i, 1 + i % 2000 FROM generate_series(1, 40000) i;
INSERT INTO actors SELECT i, 'actor ' || i FROM generate_series(1, 10000) i;
INSERT INTO roles SELECT DISTINCT 1 + (f * 7 + k * 13) % 10000, f FROM generate_series(1, 40000) f, generate_series(1, 4) k;
ANALYZE;`

// embedPlanQuery is a three-level embed: directors → films (one-to-many)
// → actors (many-to-many through roles).
const embedPlanQuery = "select=last_name,films(title,actors(last_name))&id=lt.20"

// handWrittenPlanQuery is how one would write that by hand: correlated
// subqueries, the same JSON.
const handWrittenPlanQuery = `SELECT coalesce(json_agg(t), '[]')::text FROM (
  SELECT d.last_name, (SELECT coalesce(json_agg(f2), '[]') FROM (
    SELECT f.title, (SELECT coalesce(json_agg(a2), '[]') FROM (
      SELECT a.last_name FROM actors a JOIN roles r ON r.actor_id = a.id WHERE r.film_id = f.id) a2) AS actors
    FROM films f WHERE f.director_id = d.id) f2) AS films
  FROM directors d WHERE d.id < 20) t`

func embedPlanRelations() map[string]map[string]*Relation {
	col := func(name, typ string) Column { return Column{Name: name, SQLName: sqlgen.QuoteIdent(name), Type: typ} }
	rel := func(name string, cols ...Column) *Relation {
		var star []string
		for _, c := range cols {
			star = append(star, c.SQLName)
		}
		return &Relation{Schema: "public", Name: name, Kind: "table", SQLName: `"public".` + sqlgen.QuoteIdent(name),
			SelectStar: strings.Join(star, ", "), Columns: cols}
	}
	directors := rel("directors", col("id", "integer"), col("last_name", "text"))
	directors.Relationships = []Relationship{{Target: "films", Cardinality: OneToMany, Constraint: "films_director_id_fkey",
		Columns: []ColumnPair{{From: "id", To: "director_id"}}}}
	films := rel("films", col("id", "integer"), col("title", "text"), col("director_id", "integer"))
	films.Relationships = []Relationship{{Target: "actors", Cardinality: ManyToMany, Junction: &Junction{
		Name: "roles", SQLName: `"public"."roles"`, Constraint1: "roles_film_id_fkey", Constraint2: "roles_actor_id_fkey",
		Source: []ColumnPair{{From: "film_id", To: "id"}}, Target: []ColumnPair{{From: "actor_id", To: "id"}}}}}
	actors := rel("actors", col("id", "integer"), col("last_name", "text"))
	out := map[string]map[string]*Relation{}
	for _, r := range []*Relation{directors, films, actors} {
		out[r.Name] = map[string]*Relation{"public": r}
	}
	return out
}

// setupEmbedPlan makes the database and renders the embed's statement.
func setupEmbedPlan(tb testing.TB) (*pgx.Conn, *readStatement) {
	uri := env.NewDatabase(tb, "")
	ctx := context.Background()
	if err := pgcluster.ApplySQL(ctx, uri, embedPlanSchema); err != nil {
		tb.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	byName := embedPlanRelations()
	q, err := query.ParseRaw(embedPlanQuery)
	if err != nil {
		tb.Fatal(err)
	}
	st, aerr := renderRead(byName["directors"]["public"], q, readShape{related: &plan.Relations{Schema: "public", ByName: byName}})
	if aerr != nil {
		tb.Fatal(aerr)
	}
	return conn, st
}

// planNodes lists "Node Type on relation using index" for every node of
// an EXPLAIN (FORMAT JSON) plan.
func planNodes(tb testing.TB, conn *pgx.Conn, sql string, args ...any) []string {
	var raw []byte
	if err := conn.QueryRow(context.Background(), "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&raw); err != nil {
		tb.Fatalf("explain %s: %v", sql, err)
	}
	var plans []struct{ Plan map[string]any }
	if err := json.Unmarshal(raw, &plans); err != nil {
		tb.Fatal(err)
	}
	var out []string
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		s, _ := n["Node Type"].(string)
		if r, ok := n["Relation Name"].(string); ok {
			s += " on " + r
		}
		if i, ok := n["Index Name"].(string); ok {
			s += " using " + i
		}
		out = append(out, s)
		children, _ := n["Plans"].([]any)
		for _, c := range children {
			if m, ok := c.(map[string]any); ok {
				walk(m)
			}
		}
	}
	walk(plans[0].Plan)
	return out
}

// TestEmbedPlanUsesForeignKeyIndexes checks the shape of a three-level
// embed's plan: the join conditions are sargable on the embedded side's FK
// columns, so films are found through films_director_id_idx and roles
// through roles_film_id_idx, never by scanning the tables; it logs the
// plans of the generated and of the hand-written query side by side.
func TestEmbedPlanUsesForeignKeyIndexes(t *testing.T) {
	conn, st := setupEmbedPlan(t)
	generated := planNodes(t, conn, st.sql, st.args...)
	hand := planNodes(t, conn, handWrittenPlanQuery)
	t.Logf("statement: %s", st.sql)
	t.Logf("generated:\n  %s", strings.Join(generated, "\n  "))
	t.Logf("hand-written:\n  %s", strings.Join(hand, "\n  "))
	joined := strings.Join(generated, "\n")
	for _, want := range []string{"using films_director_id_idx", "using roles_film_id_idx", "using actors_pkey"} {
		if !strings.Contains(joined, want) {
			t.Errorf("generated plan does not use %s:\n%s", strings.TrimPrefix(want, "using "), joined)
		}
	}
	for _, table := range []string{"films", "roles", "actors"} {
		if strings.Contains(joined, "Seq Scan on "+table) {
			t.Errorf("generated plan scans %s:\n%s", table, joined)
		}
	}
}

// BenchmarkEmbedThreeLevels runs the generated statement and the
// hand-written one on the same data.
func BenchmarkEmbedThreeLevels(b *testing.B) {
	conn, st := setupEmbedPlan(b)
	ctx := context.Background()
	b.Run("generated", func(b *testing.B) {
		for b.Loop() {
			var total, n *int64
			var body, h, s *string
			if err := conn.QueryRow(ctx, st.sql, st.args...).Scan(&total, &n, &body, &h, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same statement with json instead of jsonb for the embedded
	// values: what PostgREST's ::jsonb (sorted, de-duplicated keys in
	// embedded objects) costs.
	asJSON := strings.ReplaceAll(st.sql, "::jsonb", "::json")
	b.Run("generated-json", func(b *testing.B) {
		for b.Loop() {
			var total, n *int64
			var body, h, s *string
			if err := conn.QueryRow(ctx, asJSON, st.args...).Scan(&total, &n, &body, &h, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hand-written", func(b *testing.B) {
		for b.Loop() {
			var body string
			if err := conn.QueryRow(ctx, handWrittenPlanQuery).Scan(&body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
