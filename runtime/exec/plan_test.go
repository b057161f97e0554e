package exec

import (
	"strings"
	"testing"
)

// TestPlanTx: a Tx.Plan statement's rows are the body, each followed by a
// newline (FORMAT TEXT gives several); it runs unnamed, taking no slot of
// the prepared statements' cache; an analyzed write rolled back is not
// stored.
func TestPlanTx(t *testing.T) {
	s, _, uri := newTestRunner(t, "CREATE TABLE written (v text)", "PGRST_DB_POOL=1", "PGRST_DB_PREPARED_STATEMENTS=true")
	res, err := s.Run(t.Context(), &Tx{Rollback: true, Plan: true, Main: "EXPLAIN (FORMAT TEXT, ANALYZE) " + insertRow, Args: []any{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	body := string(res.Body)
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if !strings.HasSuffix(body, "\n") || len(lines) < 3 || !strings.Contains(body, "Insert on written") || !strings.Contains(body, "actual time=") {
		t.Errorf("text plan body %q", body)
	}
	if n := countRows(t, uri); n != 0 {
		t.Errorf("rows after an analyzed plan rolled back = %d, want 0", n)
	}
	res, err = s.Run(t.Context(), &Tx{ReadOnly: true, Plan: true, Main: "EXPLAIN (FORMAT JSON) SELECT v FROM written WHERE v = $1", Args: []any{"y"}})
	if err != nil {
		t.Fatal(err)
	}
	if body := string(res.Body); !strings.HasPrefix(body, "[") || !strings.HasSuffix(body, "]\n") || strings.Count(body, "\n]") != 1 ||
		!strings.Contains(body, `"Filter": "(v = 'y'::text)"`) {
		t.Errorf("JSON plan body %q", body)
	}
	conn, err := s.DB.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var explains, others int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FILTER (WHERE statement LIKE 'EXPLAIN%'), count(*) FILTER (WHERE statement LIKE 'BEGIN%') FROM pg_prepared_statements").Scan(&explains, &others); err != nil {
		t.Fatal(err)
	}
	if explains != 0 || others == 0 {
		t.Errorf("prepared EXPLAIN statements = %d, want 0 (and the BEGIN prepared: %d)", explains, others)
	}
}
