package runtime

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// streamCase is a read rendered in both shapes.
type streamCase struct {
	name, query string
	rng         string // Range header, "" for none
}

var streamCases = []streamCase{
	{"pk", "id=eq.1234", ""},
	{"page25", "order=id", "100-124"},
}

// setupStreamPlan makes the film database of the embed plan tests and a
// connection that runs statements as the server does (parsed unnamed in
// the extended protocol).
func setupStreamPlan(tb testing.TB) *pgx.Conn {
	uri := env.NewDatabase(tb, "")
	ctx := context.Background()
	if err := pgcluster.ApplySQL(ctx, uri, embedPlanSchema); err != nil {
		tb.Fatal(err)
	}
	cc, err := pgx.ParseConfig(uri)
	if err != nil {
		tb.Fatal(err)
	}
	cc.DefaultQueryExecMode = pgx.QueryExecModeExec
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// renderBoth renders c as json_agg's statement and as the streamed one.
func renderBoth(tb testing.TB, c streamCase) (buffered, streamed *readStatement) {
	q, err := query.ParseRaw(c.query)
	if err != nil {
		tb.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/films?"+c.query, nil)
	if c.rng != "" {
		req.Header.Set("Range", c.rng)
	}
	rng, aerr := request.ReadRange(req, q, nil)
	if aerr != nil {
		tb.Fatal(aerr)
	}
	byName := embedPlanRelations()
	shape := readShape{rng: rng, related: &plan.Relations{Schema: "public", ByName: byName}}
	films := byName["films"]["public"]
	if buffered, aerr = renderRead(films, q, shape); aerr != nil {
		tb.Fatal(aerr)
	}
	shape.stream = true
	if streamed, aerr = renderRead(films, q, shape); aerr != nil {
		tb.Fatal(aerr)
	}
	return buffered, streamed
}

// TestStreamedPlanUsesIndexes: the streamed statement reads the table as
// json_agg's does (a PK lookup through the primary key, a page through it
// in order), with the CTE materialized once for both branches.
func TestStreamedPlanUsesIndexes(t *testing.T) {
	conn := setupStreamPlan(t)
	for _, c := range streamCases {
		buffered, streamed := renderBoth(t, c)
		old := planNodes(t, conn, buffered.sql, buffered.args...)
		plan := planNodes(t, conn, streamed.sql, streamed.args...)
		t.Logf("%s buffered:\n  %s", c.name, strings.Join(old, "\n  "))
		t.Logf("%s streamed: %s\n  %s", c.name, streamed.sql, strings.Join(plan, "\n  "))
		joined := strings.Join(plan, "\n")
		if !strings.Contains(joined, "on films using films_pkey") || strings.Contains(joined, "Seq Scan on films") {
			t.Errorf("%s: the streamed plan does not read films through films_pkey:\n%s", c.name, joined)
		}
		if plan[0] != "Append" || strings.Count(joined, "CTE Scan") != 2 {
			t.Errorf("%s: want an Append of two scans of the CTE:\n%s", c.name, joined)
		}
	}
}

// BenchmarkStreamedStatement compares the two shapes on small reads, each
// run and read to its end the way its executor does (one row scanned; the
// meta row scanned, then raw values).
func BenchmarkStreamedStatement(b *testing.B) {
	conn := setupStreamPlan(b)
	ctx := context.Background()
	for _, c := range streamCases {
		buffered, streamed := renderBoth(b, c)
		b.Run(c.name+"/json_agg", func(b *testing.B) {
			for b.Loop() {
				var total, n *int64
				var body []byte
				var h, s *string
				if err := conn.QueryRow(ctx, buffered.sql, buffered.args...).Scan(&total, &n, &body, &h, &s); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/streamed", func(b *testing.B) {
			for b.Loop() {
				rows, err := conn.Query(ctx, streamed.sql, streamed.args...)
				if err != nil {
					b.Fatal(err)
				}
				var total, n *int64
				var prefix []byte
				var h, s *string
				if !rows.Next() {
					b.Fatal(rows.Err())
				}
				if err := rows.Scan(&total, &n, &prefix, &h, &s); err != nil {
					b.Fatal(err)
				}
				var body []byte
				for rows.Next() {
					body = append(body, rows.RawValues()[2]...)
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
