package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// syncBuffer lets the server's output goroutines and the test share a buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL; skipped under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var log syncBuffer
	c, err := Start(ctx, Options{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if c.Port() <= 0 {
		t.Fatalf("Port() = %d", c.Port())
	}
	if _, err := os.Stat(filepath.Join(c.SocketDir(), ".s.PGSQL."+strconv.Itoa(c.Port()))); err != nil {
		t.Errorf("unix socket: %v", err)
	}

	// Template database with schema and data, then a clone of it.
	if err := c.CreateDatabase(ctx, "tmpl", ""); err != nil {
		t.Fatal(err)
	}
	err = ApplySQL(ctx, c.URI("tmpl"), `
		CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL);
		INSERT INTO item VALUES (1, 'één'), (2, 'two');
	`)
	if err != nil {
		t.Fatal(err)
	}
	const clone = `Clone "DB"` // needs identifier quoting and URI escaping
	if err := c.CreateDatabase(ctx, clone, "tmpl"); err != nil {
		t.Fatal(err)
	}
	if got := queryInt(t, c.URI(clone), "SELECT count(*) FROM item"); got != 2 {
		t.Errorf("clone has %d rows, want 2", got)
	}

	t.Run("syntax error names line", func(t *testing.T) {
		err := ApplySQL(ctx, c.URI(clone), "SELECT 'ä';\n-- comment\n  CREATE TABL foo (id int);\n")
		if err == nil {
			t.Fatal("no error")
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42601" {
			t.Errorf("want wrapped syntax error, got %v", err)
		}
		for _, want := range []string{"apply SQL: ", "line 3, column 10", `syntax error at or near "TABL"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
	})
	t.Run("runtime error rolls back script", func(t *testing.T) {
		err := ApplySQL(ctx, c.URI(clone), "INSERT INTO item VALUES (3, 'x');\nINSERT INTO item VALUES (1, 'dup');")
		if err == nil || !strings.Contains(err.Error(), "statement 2") || !strings.Contains(err.Error(), "item_pkey") {
			t.Fatalf("got %v", err)
		}
		if got := queryInt(t, c.URI(clone), "SELECT count(*) FROM item"); got != 2 {
			t.Errorf("after failed script %d rows, want 2", got)
		}
	})

	t.Run("migrations", func(t *testing.T) {
		dir := t.TempDir()
		write := func(name, body string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("010_c.sql", "ALTER TABLE b ADD COLUMN c int;")
		write("002_b.sql", "CREATE TABLE b (a int REFERENCES a);")
		write("001_a.up.sql", "CREATE TABLE a (id int PRIMARY KEY);")
		write("001_a.down.sql", "DROP TABLE a;")
		write("README.txt", "not sql")
		if err := os.Mkdir(filepath.Join(dir, "sub.sql"), 0o755); err != nil {
			t.Fatal(err)
		}
		files, err := MigrationFiles(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range files {
			names = append(names, filepath.Base(f))
		}
		if want := []string{"001_a.up.sql", "002_b.sql", "010_c.sql"}; !slices.Equal(names, want) {
			t.Fatalf("MigrationFiles = %v, want %v", names, want)
		}

		if err := c.CreateDatabase(ctx, "mig", ""); err != nil {
			t.Fatal(err)
		}
		if err := ApplyFiles(ctx, c.URI("mig"), files); err != nil {
			t.Fatal(err)
		}
		if got := queryInt(t, c.URI("mig"), "SELECT count(*) FROM information_schema.columns WHERE table_name = 'b'"); got != 2 {
			t.Errorf("table b has %d columns, want 2", got)
		}

		write("020_bad.sql", "SELECT 1;\nSELECT * FROM missing;")
		err = ApplyFiles(ctx, c.URI("mig"), []string{filepath.Join(dir, "020_bad.sql")})
		if err == nil || !strings.Contains(err.Error(), "020_bad.sql: line 2, column 15") ||
			!strings.Contains(err.Error(), `relation "missing" does not exist`) {
			t.Fatalf("got %v", err)
		}
	})

	// DropDatabase must win against an open connection.
	conn, err := pgx.Connect(ctx, c.URI(clone))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := c.DropDatabase(ctx, clone); err != nil {
		t.Fatal(err)
	}
	if err := c.DropDatabase(ctx, clone); err != nil {
		t.Errorf("second drop: %v", err)
	}

	dir := c.SocketDir()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory still exists: %v", err)
	}
	if err := ApplySQL(ctx, c.URI("postgres"), "SELECT 1"); err == nil {
		t.Error("server still accepts connections after Stop")
	}
	if !strings.Contains(log.String(), "database system is ready to accept connections") {
		t.Errorf("server log not captured:\n%s", log.String())
	}
}

func TestStartMissingBinaries(t *testing.T) {
	_, err := Start(context.Background(), Options{BinDir: t.TempDir()})
	if !errors.Is(err, ErrNoBinaries) || !strings.Contains(err.Error(), "apt-get install postgresql") {
		t.Fatalf("got %v", err)
	}
}

func TestLineCol(t *testing.T) {
	for _, tc := range []struct {
		s              string
		pos, line, col int
	}{
		{"abc", 1, 1, 1},
		{"abc", 3, 1, 3},
		{"a\nbc", 3, 2, 1},
		{"ää\nxyz", 5, 2, 2}, // positions count characters, not bytes
	} {
		if l, c := lineCol(tc.s, tc.pos); l != tc.line || c != tc.col {
			t.Errorf("lineCol(%q, %d) = %d:%d, want %d:%d", tc.s, tc.pos, l, c, tc.line, tc.col)
		}
	}
}

func TestParseVersion(t *testing.T) {
	a, _ := parseVersion("9.6")
	b, _ := parseVersion("16")
	if slices.Compare(a, b) >= 0 {
		t.Errorf("9.6 should sort below 16")
	}
	if _, ok := parseVersion("16beta1"); ok {
		t.Error("16beta1 accepted")
	}
}

func queryInt(t *testing.T, uri, sql string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
