package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ApplySQL runs a multi-statement SQL script (plain SQL, no psql
// meta-commands) over one connection with the simple query protocol.
// PostgreSQL runs such a script as one implicit transaction unless it contains
// its own BEGIN/COMMIT, so a failing script leaves nothing behind; statements
// that refuse transaction blocks (CREATE DATABASE, ... CONCURRENTLY) fail.
// Errors carry the line and column PostgreSQL points at.
func ApplySQL(ctx context.Context, uri, sql string) error {
	conn, err := pgconn.Connect(ctx, uri)
	if err != nil {
		return fmt.Errorf("apply SQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := execScript(ctx, conn, sql); err != nil {
		return fmt.Errorf("apply SQL: %w", err)
	}
	return nil
}

// ApplyFiles applies each file as one script (see ApplySQL), in the given
// order, over a single connection. It stops at the first failure, whose error
// names the file; earlier files stay applied.
func ApplyFiles(ctx context.Context, uri string, files []string) error {
	conn, err := pgconn.Connect(ctx, uri)
	if err != nil {
		return fmt.Errorf("apply SQL files: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("apply SQL files: %w", err)
		}
		if err := execScript(ctx, conn, string(b)); err != nil {
			return fmt.Errorf("apply %s: %w", f, err)
		}
	}
	return nil
}

// MigrationFiles lists the migrations in dir: its *.sql files (including
// *.up.sql, excluding *.down.sql) sorted by file name, so the usual
// zero-padded "0001_init.sql" naming gives the apply order. Subdirectories
// are ignored; an empty result is not an error.
func MigrationFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") || strings.HasSuffix(name, ".down.sql") {
			continue
		}
		files = append(files, name)
	}
	slices.Sort(files)
	for i, name := range files {
		files[i] = filepath.Join(dir, name)
	}
	return files, nil
}

// execScript sends sql as one simple-protocol query and turns a server error
// into one that says where in sql it happened.
func execScript(ctx context.Context, conn *pgconn.PgConn, sql string) error {
	results, err := conn.Exec(ctx, sql).ReadAll()
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	var where string
	if pgErr.Position > 0 {
		line, col := lineCol(sql, int(pgErr.Position))
		where = fmt.Sprintf("line %d, column %d: ", line, col)
	} else {
		// Runtime errors (constraint violations, RAISE) carry no position;
		// the count of completed statements still narrows it down.
		done := 0
		for _, r := range results {
			if r.Err == nil {
				done++
			}
		}
		where = fmt.Sprintf("statement %d: ", done+1)
	}
	var extra []string
	if pgErr.Detail != "" {
		extra = append(extra, "DETAIL: "+pgErr.Detail)
	}
	if pgErr.Hint != "" {
		extra = append(extra, "HINT: "+pgErr.Hint)
	}
	if pgErr.InternalQuery != "" {
		extra = append(extra, fmt.Sprintf("QUERY: %s (position %d)", pgErr.InternalQuery, pgErr.InternalPosition))
	}
	if pgErr.Where != "" {
		extra = append(extra, "CONTEXT: "+pgErr.Where)
	}
	if len(extra) == 0 {
		return fmt.Errorf("%s%w", where, err)
	}
	return fmt.Errorf("%s%w; %s", where, err, strings.Join(extra, "; "))
}

// lineCol converts PostgreSQL's 1-based character (not byte) position in s
// into a 1-based line and column.
func lineCol(s string, pos int) (line, col int) {
	line, col = 1, 1
	i := 1
	for _, r := range s {
		if i == pos {
			break
		}
		i++
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
