// Command pgrestgen generates a PostgREST-compatible Go API from a PostgreSQL
// schema: `pgrestgen generate`, `pgrestgen check` and `pgrestgen init`.
package main

import (
	"context"
	"os"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }
