// Command benchdb starts a throwaway PostgreSQL for scripts/bench-rss.sh, as
// the example's demo mode does: a fresh cluster from the local binaries,
// the example's migrations applied to database "library", then the SQL
// files named as arguments (as the superuser). It prints the
// authenticator's URI and the postmaster's PID on one line, then runs until
// its standard input closes or it is signalled, and stops the cluster.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchdb:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, extra []string) error {
	cl, err := pgcluster.Start(ctx, pgcluster.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = cl.Stop() }()
	files, err := pgcluster.MigrationFiles("example/migrations")
	if err != nil {
		return err
	}
	if err := cl.CreateDatabase(ctx, "library", ""); err != nil {
		return err
	}
	if err := pgcluster.ApplyFiles(ctx, cl.URI("library"), append(files, extra...)); err != nil {
		return err
	}
	pid, err := postmasterPID(ctx, cl.URI("library"))
	if err != nil {
		return err
	}
	fmt.Printf("postgres://authenticator@127.0.0.1:%d/library?sslmode=disable %d\n", cl.Port(), pid)
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	select {
	case <-ctx.Done():
	case <-done:
	}
	return nil
}

// postmasterPID reads the first line of the data directory's postmaster.pid.
func postmasterPID(ctx context.Context, uri string) (int, error) {
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var dir string
	if err := conn.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dir); err != nil {
		return 0, err
	}
	b, err := os.ReadFile(dir + "/postmaster.pid")
	if err != nil {
		return 0, err
	}
	var pid int
	_, err = fmt.Sscan(strings.SplitN(string(b), "\n", 2)[0], &pid)
	return pid, err
}
