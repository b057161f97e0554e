package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/generator"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
	"github.com/pgrestgen/pgrestgen/runtime"
	"github.com/pgrestgen/pgrestgen/runtime/drift"
)

var env pgtest.Env

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, &env, nil)) }

// logRecord is a line of slog's JSON handler.
type logRecord struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
}

// driftBed is a database, the schema the generator makes of it, and a
// logger whose last record each check can read.
type driftBed struct {
	t      *testing.T
	uri    string
	pool   *pgxpool.Pool
	schema *runtime.Schema
	logs   bytes.Buffer
	log    *slog.Logger
}

func newDriftBed(t *testing.T, sql string) *driftBed {
	t.Helper()
	b := &driftBed{t: t, uri: env.NewDatabase(t, "")}
	b.log = slog.New(slog.NewJSONHandler(&b.logs, nil))
	b.apply(sql)
	// What generated code would carry: the generator's own list.
	res, err := generator.Generate(t.Context(), generator.Options{DBURI: b.uri, Schemas: []string{"public"}, Package: "db"})
	if err != nil {
		t.Fatal(err)
	}
	objs := generator.Objects(res.Catalog)
	b.schema = &runtime.Schema{Schemas: []string{"public"}, Fingerprint: drift.Fingerprint(objs), Objects: objs}
	if b.pool, err = pgxpool.New(t.Context(), b.uri); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.pool.Close)
	return b
}

func (b *driftBed) apply(sql string) {
	b.t.Helper()
	if err := pgcluster.ApplySQL(b.t.Context(), b.uri, sql); err != nil {
		b.t.Fatal(err)
	}
}

// check runs the drift check and returns its log record.
func (b *driftBed) check(wantStale bool) logRecord {
	b.t.Helper()
	b.logs.Reset()
	stale, err := checkDrift(b.t.Context(), b.pool, b.schema, b.log)
	if err != nil {
		b.t.Fatal(err)
	}
	if stale != wantStale {
		b.t.Errorf("stale = %v, want %v", stale, wantStale)
	}
	lines := strings.Split(strings.TrimSpace(b.logs.String()), "\n")
	if len(lines) != 1 {
		b.t.Fatalf("want one log line, got:\n%s", b.logs.String())
	}
	var r logRecord
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		b.t.Fatal(err)
	}
	return r
}

const driftSchema = `
CREATE TABLE authors (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors, title text);
CREATE FUNCTION foo(n integer) RETURNS integer LANGUAGE sql AS 'SELECT n';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
`

// TestCheckDrift: the check reports a match while the database is what the
// code was generated from and after changes generated code does not rely
// on; after changes it relies on, it logs one error naming exactly the
// objects that differ.
func TestCheckDrift(t *testing.T) {
	b := newDriftBed(t, driftSchema)
	const matches = "database schema matches the generated code"
	if r := b.check(false); r.Level != "INFO" || r.Msg != matches {
		t.Errorf("fresh code: %+v", r)
	}

	b.apply(`
		CREATE INDEX ON books (title);
		CREATE TRIGGER books_touch BEFORE UPDATE ON books FOR EACH ROW EXECUTE FUNCTION touch();
		COMMENT ON TABLE books IS 'Books we have';
		COMMENT ON COLUMN authors.name IS 'Full name';
		COMMENT ON FUNCTION foo(integer) IS 'Identity';
	`)
	if r := b.check(false); r.Level != "INFO" || r.Msg != matches {
		t.Errorf("after an index, a trigger and comments: %+v", r)
	}

	b.apply(`
		ALTER TABLE books ADD COLUMN isbn text;
		ALTER TABLE authors ALTER COLUMN name TYPE varchar(200);
		DROP FUNCTION foo(integer);
		CREATE VIEW book_titles AS SELECT id, title FROM books;
	`)
	r := b.check(true)
	want := "generated code is stale: changed table public.authors, changed table public.books, " +
		"removed function public.foo(integer), added view public.book_titles; " +
		"run pgrestgen generate (pgrestgen check lists every difference)"
	if r.Level != "ERROR" || r.Msg != want {
		t.Errorf("after changes:\n got %s %q\nwant ERROR %q", r.Level, r.Msg, want)
	}
}

// TestCheckDriftLimit: a long report names driftLogLimit objects and counts
// the rest.
func TestCheckDriftLimit(t *testing.T) {
	b := newDriftBed(t, "CREATE TABLE t (id int)")
	var sql strings.Builder
	for i := range driftLogLimit + 5 {
		fmt.Fprintf(&sql, "CREATE VIEW v%02d AS SELECT 1 AS one;\n", i)
	}
	b.apply(sql.String())
	r := b.check(true)
	if !strings.Contains(r.Msg, "added view public.v19 and 5 more;") || strings.Contains(r.Msg, "v20") {
		t.Errorf("report not capped at %d: %q", driftLogLimit, r.Msg)
	}
}

// TestCheckDriftOldCode: code generated before the object list existed
// cannot be compared; the check says so instead of reporting everything as
// added.
func TestCheckDriftOldCode(t *testing.T) {
	b := newDriftBed(t, "CREATE TABLE t (id int)")
	b.schema.Objects = nil
	if r := b.check(false); r.Level != "WARN" || !strings.Contains(r.Msg, "regenerate") {
		t.Errorf("old code: %+v", r)
	}
}
