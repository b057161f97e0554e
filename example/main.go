// Command example serves the library API generated into ./db.
//
// With PGRST_DB_URI set it is an ordinary pgrestgen server configured like
// PostgREST. Without it, it is the README's demo: it starts a throwaway
// PostgreSQL from the local binaries, applies ./migrations, and serves the
// API on it as the authenticator role with anon as the anonymous role.
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
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	var configPath string
	if len(args) > 0 {
		configPath = args[0]
	}
	environ := os.Environ()
	ready := func(net.Addr) {}
	if os.Getenv("PGRST_DB_URI") == "" && configPath == "" {
		uri, stopDB, err := startDemoDatabase(ctx)
		if err != nil {
			return err
		}
		defer stopDB()
		environ = append(environ, "PGRST_DB_URI="+uri)
		if os.Getenv("PGRST_DB_ANON_ROLE") == "" {
			environ = append(environ, "PGRST_DB_ANON_ROLE=anon")
		}
		ready = printTryLines
	}
	return serve.Run(ctx, serve.Options{
		ConfigPath: configPath,
		Environ:    environ,
		Schema:     db.Schema(),
		Register:   register,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Ready:      ready,
	})
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
