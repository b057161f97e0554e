// Command pgrestgen generates a PostgREST-compatible Go API from a PostgreSQL
// schema: `pgrestgen generate`, `pgrestgen check` and `pgrestgen init`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// main cancels the run's context on the first interrupt, so a throwaway
// cluster of --schema or --migrations is stopped and its directory removed.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
