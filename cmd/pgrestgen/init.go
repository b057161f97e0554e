package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen"
	"github.com/pgrestgen/pgrestgen/generator"
	"github.com/pgrestgen/pgrestgen/templates"
)

func runInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var src sourceFlags
	src.register(fs, "")
	module := fs.String("module", "", "module path of the new server (required)")
	replace := fs.String("replace", "", "pgrestgen checkout to build against, written into go.mod as a replace directive (default: the checkout this pgrestgen was built from, if any; \"\" for none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	replaceSet := false
	fs.Visit(func(f *flag.Flag) { replaceSet = replaceSet || f.Name == "replace" })
	checkout := *replace
	switch {
	case !replaceSet:
		checkout = sourceCheckout()
	case checkout != "":
		abs, err := checkoutRoot(checkout)
		if err != nil {
			return usageError{fmt.Errorf("--replace: %w", err)}
		}
		checkout = abs
	}
	if *module == "" || src.out == "" {
		return usageError{errors.New("--module and --out are required")}
	}
	if src.pkg == "" {
		src.pkg = "db"
	}
	if src.pkg != "db" {
		return usageError{errors.New("--package is always db for init (main.go imports ./db)")}
	}
	dbDir := filepath.Join(src.out, "db")
	// The module's go.mod is not written yet: the client's import of the
	// package is the module's db.
	client := src.client
	src.client = false
	opts, err := src.options(stderr, dbDir)
	if err != nil {
		return err
	}
	if src.client = client; client {
		opts.ClientImport = *module + "/db"
	}
	res, err := generator.Generate(ctx, opts)
	if err != nil {
		return err
	}
	goVersion, requires := moduleRequirements(pgrestgen.GoMod)
	files, err := templates.Render(templates.Scaffold{
		Module:      *module,
		GoVersion:   goVersion,
		SourceFlags: scaffoldSourceFlags(&src),
		Schemas:     strings.Join(opts.Schemas, ","),
		Requires:    requires,
		Replace:     modQuote(checkout),
	})
	if err != nil {
		return err
	}
	files["go.sum"] = pgrestgen.GoSum
	if err := os.MkdirAll(src.out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", src.out, err)
	}
	for _, name := range append(templates.Names(), "go.sum") {
		path := filepath.Join(src.out, name)
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%s exists; init writes a new module and overwrites nothing", path)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if _, err := res.Files.WriteDir(dbDir); err != nil {
		return err
	}
	printWarnings(stderr, "init", res.Warnings)
	out := filepath.Clean(src.out)
	fmt.Fprintf(stdout, "pgrestgen init: module %s in %s: %d relations, %d functions\n",
		*module, out, len(res.Catalog.Relations), len(res.Catalog.Functions))
	build := "go build -o server ."
	if checkout == "" {
		// Nothing to require yet: the user names a checkout in the command.
		build = "go mod edit -replace " + modulePath + "=/path/to/pgrestgen && " + build
		fmt.Fprintf(stdout, "pgrestgen is not published: point %s at a checkout of it (or run init with --replace DIR)\n", out)
	} else {
		fmt.Fprintf(stdout, "pgrestgen: %s (replace directive in go.mod)\n", checkout)
	}
	fmt.Fprintf(stdout, "build:  cd %s && %s\n", out, build)
	fmt.Fprintf(stdout, "run:    PGRST_DB_URI=... PGRST_DB_ANON_ROLE=anon ./server\n")
	fmt.Fprintf(stdout, "regenerate after a schema change: go generate ./...\n")
	return nil
}

// modulePath is pgrestgen's module path.
const modulePath = "github.com/pgrestgen/pgrestgen"

// sourceCheckout returns the root of the pgrestgen checkout this binary was
// compiled from, or "". A build from source (go build or go run in a
// checkout, go tool through a replace directive) records its files' absolute
// paths; a -trimpath build records none, and a published version's sources
// are in the module cache (a path element name@version), which needs no
// replace directive.
func sourceCheckout() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	file = filepath.FromSlash(file)
	if !filepath.IsAbs(file) || strings.Contains(file, "@") {
		return ""
	}
	root, err := checkoutRoot(filepath.Join(filepath.Dir(file), "..", ".."))
	if err != nil {
		return ""
	}
	return root
}

// checkoutRoot returns dir as an absolute path if it is the root of a
// pgrestgen checkout: its go.mod declares pgrestgen's module path.
func checkoutRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("%s is not a pgrestgen checkout: %w", dir, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == modulePath {
			return abs, nil
		}
	}
	return "", fmt.Errorf("%s is not a pgrestgen checkout: its go.mod is not module %s", dir, modulePath)
}

// modQuote quotes a path for go.mod when it holds a character that would
// end or break an unquoted token there.
func modQuote(s string) string {
	if strings.ContainsAny(s, " \t\"'`\\(){}[],;") {
		return strconv.Quote(s)
	}
	return s
}

// scaffoldSourceFlags writes the generate flags for generate.go. A database
// URI is not written into the file (it may hold a password): go generate
// expands $PGRST_DB_URI from the environment instead.
func scaffoldSourceFlags(src *sourceFlags) string {
	if src.client {
		cp := *src
		cp.client = false
		return scaffoldSourceFlags(&cp) + " --client"
	}
	switch {
	case src.db != "":
		return "--db $PGRST_DB_URI"
	case src.migrations != "":
		return "--migrations " + relTo(src.out, src.migrations)
	default:
		var parts []string
		for _, f := range src.files {
			parts = append(parts, "--schema "+relTo(src.out, f))
		}
		return strings.Join(parts, " ")
	}
}

func relTo(base, path string) string {
	absBase, err1 := filepath.Abs(base)
	absPath, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return path
	}
	if rel, err := filepath.Rel(absBase, absPath); err == nil {
		return filepath.ToSlash(rel)
	}
	return absPath
}

// moduleRequirements reads the go directive and the require lines of
// pgrestgen's own go.mod.
func moduleRequirements(gomod []byte) (goVersion string, requires []string) {
	goVersion = "1.26"
	in := false
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "go "):
			goVersion = strings.TrimPrefix(line, "go ")
		case line == "require (":
			in = true
		case in && line == ")":
			in = false
		case in && line != "":
			requires = append(requires, line)
		case strings.HasPrefix(line, "require "):
			requires = append(requires, strings.TrimPrefix(line, "require "))
		}
	}
	return goVersion, requires
}
