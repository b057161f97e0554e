package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/pgrestgen/pgrestgen/generator"
)

const usage = `usage: pgrestgen <command> [flags]

commands:
  generate   introspect a schema and write the Go package serving it
  check      exit 1 with a diff when the generated package is stale
  init       write a runnable server module (main.go, generate.go, Dockerfile, go.mod) and its package

schema source (exactly one):
  --db URI            a live database
  --schema FILE       SQL file applied to a throwaway PostgreSQL (repeatable)
  --migrations DIR    *.sql files of DIR applied in name order to a throwaway PostgreSQL

Run 'pgrestgen <command> -h' for a command's flags.
`

// run is the whole CLI; main only passes the process's arguments and streams.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "generate":
		err = runGenerate(ctx, args[1:], stdout, stderr)
	case "check":
		err = runCheck(ctx, args[1:], stdout, stderr)
	case "init":
		err = runInit(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "--version":
		fmt.Fprintln(stdout, "pgrestgen", generator.Version)
		return 0
	default:
		fmt.Fprintf(stderr, "pgrestgen: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var (
		exit exitError
		uerr usageError
	)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &exit):
		return int(exit)
	case errors.As(err, &uerr):
		fmt.Fprintf(stderr, "pgrestgen %s: %v\nRun 'pgrestgen %s -h' for its flags.\n", args[0], uerr.err, args[0])
		return 2
	default:
		fmt.Fprintf(stderr, "pgrestgen %s: %v\n", args[0], err)
		return 1
	}
}

// printWarnings writes the generator's warnings to stderr, one a line.
func printWarnings(stderr io.Writer, cmd string, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(stderr, "pgrestgen %s: warning: %s\n", cmd, w)
	}
}

// exitError ends the command with a status after it printed its own output.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// usageError is a mistake in the command line: exit status 2, like a flag
// the flag package rejects.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// parseFlags parses a command's flags. The flag package has already printed
// a parse error and the flags to stderr, so that error only sets the exit
// status. Arguments left after the flags are a usage error: flag parsing
// stops at the first one, so they would silently drop the flags after it.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return exitError(2)
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q (flags come as --name value)", fs.Arg(0))}
	}
	return nil
}

// sourceFlags are the flags every command shares.
type sourceFlags struct {
	db         string
	schemas    string
	files      multiFlag
	migrations string
	out        string
	pkg        string
	verbose    bool
	client     bool
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (s *sourceFlags) register(fs *flag.FlagSet, outDefault string) {
	fs.StringVar(&s.db, "db", "", "connection URI of the database to introspect")
	fs.Var(&s.files, "schema", "SQL file to apply to a throwaway PostgreSQL (repeatable)")
	fs.StringVar(&s.migrations, "migrations", "", "directory of *.sql migrations to apply in name order to a throwaway PostgreSQL")
	fs.StringVar(&s.schemas, "schemas", "public", "exposed schemas, comma-separated; the first is the default (db-schemas)")
	fs.StringVar(&s.out, "out", outDefault, "output directory")
	fs.StringVar(&s.pkg, "package", "", "Go package name (default: the output directory's name)")
	fs.BoolVar(&s.verbose, "v", false, "log the throwaway cluster's progress")
	fs.BoolVar(&s.client, "client", false, "also generate a typed Go client of the API in the client sub-directory")
}

// options returns the generator's options for outDir; a problem with them is
// a usageError.
func (s *sourceFlags) options(stderr io.Writer, outDir string) (generator.Options, error) {
	var schemas []string
	for _, sc := range strings.Split(s.schemas, ",") {
		if sc = strings.TrimSpace(sc); sc != "" {
			schemas = append(schemas, sc)
		}
	}
	pkg := s.pkg
	if pkg == "" {
		pkg = packageName(outDir)
	}
	log := slog.New(slog.DiscardHandler)
	if s.verbose {
		log = slog.New(slog.NewTextHandler(stderr, nil))
	}
	opts := generator.Options{
		DBURI: s.db, SchemaFiles: s.files, MigrationsDir: s.migrations,
		Schemas: schemas, Package: pkg, Log: log,
	}
	if err := opts.Validate(); err != nil {
		return opts, usageError{err}
	}
	if s.client {
		imp, err := generator.ImportPath(outDir)
		if err != nil {
			return opts, fmt.Errorf("--client: %w", err)
		}
		opts.ClientImport = imp
	}
	return opts, nil
}

// packageName derives a package name from a directory: its base name, lower
// case, letters and digits only ("db" when none are left). "." and ".."
// name the directory they stand for.
func packageName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	base := filepath.Base(dir)
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' && b.Len() > 0 {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "db"
	}
	return b.String()
}
