// Command example serves the library API generated into ./db.
//
// With PGRST_DB_URI set, or any argument (a config file, --help,
// --dump-config...), it is an ordinary pgrestgen server with PostgREST's
// command line (serve.Main). Without either, it is the README's demo: it
// starts a throwaway PostgreSQL from the local binaries, applies
// ./migrations, and serves the API on it as the authenticator role with anon
// as the anonymous role.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/runtime/serve"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	opts := serve.Options{
		Environ:  os.Environ(),
		Schema:   db.Schema(),
		Register: register,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
	}
	if os.Getenv("PGRST_DB_URI") == "" && len(args) == 0 {
		uri, stopDB, err := startDemoDatabase(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "example:", err)
			return 1
		}
		defer stopDB()
		opts.Environ = append(opts.Environ, "PGRST_DB_URI="+uri)
		if os.Getenv("PGRST_DB_ANON_ROLE") == "" {
			opts.Environ = append(opts.Environ, "PGRST_DB_ANON_ROLE=anon")
		}
		opts.Ready = printTryLines
	}
	return serve.Main(ctx, args, opts)
}

// startDemoDatabase starts a throwaway cluster with the example's migrations
// applied and returns the authenticator's URI.
func startDemoDatabase(ctx context.Context) (string, func(), error) {
	bin, err := pgcluster.FindBinDir()
	if err != nil {
		return "", nil, err
	}
	fmt.Fprintln(os.Stderr, "example: PGRST_DB_URI is not set; starting a throwaway PostgreSQL from", bin)
	cl, err := pgcluster.Start(ctx, pgcluster.Options{BinDir: bin})
	if err != nil {
		return "", nil, err
	}
	stopDB := func() { _ = cl.Stop() }
	files, err := pgcluster.MigrationFiles(migrationsDir())
	if err == nil {
		err = cl.CreateDatabase(ctx, "library", "")
	}
	if err == nil {
		err = pgcluster.ApplyFiles(ctx, cl.URI("library"), files)
	}
	if err != nil {
		stopDB()
		return "", nil, err
	}
	uri := fmt.Sprintf("postgres://authenticator@127.0.0.1:%d/library?sslmode=disable", cl.Port())
	return uri, stopDB, nil
}

// migrationsDir finds ./migrations whether run from the repository root
// (go run ./example) or from example/.
func migrationsDir() string {
	for _, d := range []string{"example/migrations", "migrations"} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return filepath.Join("example", "migrations")
}

func printTryLines(addr net.Addr) {
	port := addr.(*net.TCPAddr).Port
	base := fmt.Sprintf("http://localhost:%d", port)
	fmt.Printf(`
The library API is up on %[1]s. Try:

  curl '%[1]s/books?select=title,published&order=published.desc'
  curl '%[1]s/books?published=gte.1970&format=eq.paperback'
  curl -H 'Prefer: count=exact' '%[1]s/authors?limit=2'
  curl -H 'Accept: application/vnd.pgrst.object+json' '%[1]s/authors?id=eq.2'
  curl '%[1]s/books?select=title,authors(name),genres(name)'
  curl '%[1]s/rpc/books_by_author?author_name=lem&select=title'
  curl -X POST -H 'Content-Type: application/json' -d '{"min_year": 1970}' '%[1]s/rpc/average_price'
  curl '%[1]s/members'        # 401: anon may not read members

Stop it with Ctrl-C.
`, base)
}
