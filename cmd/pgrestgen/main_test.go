package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
)

// The CLI is tested with testscript: testdata/script/*.txtar are shell-like
// scripts that run `pgrestgen ...` (this test binary re-executed as the
// command, so run is exercised exactly as main calls it) and check its exit
// status, output and files.
//
// One throwaway PostgreSQL cluster serves the whole test process; each script
// gets a fresh database whose superuser URI is $DB_URI.
//
//	go test ./cmd/pgrestgen -run TestScript/init -v     # one script, with its log
//	go test ./cmd/pgrestgen -update                     # rewrite cmp golden sections

var update = flag.Bool("update", false, "rewrite the scripts' cmp golden sections with the actual output")

var pg pgtest.Env

// clusterM starts the cluster only in the test process proper, not in the
// re-executed pgrestgen commands (testscript.Main runs those before M.Run).
type clusterM struct{ m *testing.M }

func (c clusterM) Run() int { return pgtest.Run(c.m, &pg, nil) }

func TestMain(m *testing.M) {
	testscript.Main(clusterM{m}, map[string]func(){
		"pgrestgen": main,
	})
}

func TestScript(t *testing.T) {
	pgtest.NeedsDatabase(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root: %v", err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                "testdata/script",
		RequireUniqueNames: true,
		UpdateScripts:      *update,
		Setup:              func(env *testscript.Env) error { return setupScript(env, root) },
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sql":       cmdSQL,
			"sql-file":  cmdSQLFile,
			"http-get":  cmdHTTPGet,
			"exitcode":  cmdExitCode,
			"generated": cmdGenerated,
			"ls":        cmdLs,
		},
	})
}

// goEnv are passed through to scripts so that `exec go build` uses the real
// toolchain configuration, build cache and module cache (offline builds).
var goEnv = []string{
	"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
	"GOENV", "GOFLAGS", "GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT", "GOTOOLCHAIN",
	"GOPROXY", "GOSUMDB", "GONOSUMDB", "GONOPROXY", "GOPRIVATE", "GOINSECURE", "GOVCS",
	"CGO_ENABLED",
}

// setupScript gives each script its own database and a free port:
//
//	DB_URI       superuser URI of the script's fresh database
//	DB_HOST      127.0.0.1:port of the cluster, DB_NAME the database's name
//	             (for URIs with another role: postgres://anon@$DB_HOST/$DB_NAME)
//	SERVER_PORT  a currently free TCP port on 127.0.0.1
//	REPO_ROOT    this repository's root (for go mod edit -replace)
func setupScript(env *testscript.Env, root string) error {
	c := pg.Cluster
	name := fmt.Sprintf("script_%s_%08x", sanitize(strings.TrimPrefix(filepath.Base(env.WorkDir), "script-")), rand.Uint32())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.CreateDatabase(ctx, name, ""); err != nil {
		return err
	}
	env.Defer(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.DropDatabase(ctx, name); err != nil {
			env.T().Log(err)
		}
	})
	port, err := freePort()
	if err != nil {
		return err
	}
	env.Setenv("DB_URI", c.URI(name))
	env.Setenv("DB_HOST", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port())))
	env.Setenv("DB_NAME", name)
	env.Setenv("SERVER_PORT", strconv.Itoa(port))
	env.Setenv("REPO_ROOT", root)
	for _, k := range goEnv {
		if v, ok := os.LookupEnv(k); ok {
			env.Setenv(k, v)
		}
	}
	return nil
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if b.Len() >= 30 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// sql URI STATEMENT... runs each argument as a SQL script (several
// statements allowed) on the database. With !, the first must fail; its
// error goes to stderr.
func cmdSQL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: sql URI STATEMENT...")
	}
	applySQL(ts, neg, args[0], args[1:], func(s string) (string, string) { return s, "sql" })
}

// sql-file URI FILE... applies each file (relative to the script's current
// directory) as one SQL script, in order.
func cmdSQLFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: sql-file URI FILE...")
	}
	applySQL(ts, neg, args[0], args[1:], func(f string) (string, string) { return ts.ReadFile(f), f })
}

func applySQL(ts *testscript.TestScript, neg bool, uri string, items []string, load func(string) (sql, name string)) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, it := range items {
		sql, name := load(it)
		err := pgcluster.ApplySQL(ctx, uri, sql)
		switch {
		case err != nil && neg:
			fmt.Fprintf(ts.Stderr(), "%s: %v\n", name, err)
			return
		case err != nil:
			ts.Fatalf("%s: %v", name, err)
		}
	}
	if neg {
		ts.Fatalf("SQL unexpectedly succeeded")
	}
}

// http-get URL [Header:value...] GETs URL, retrying while the connection is
// refused (a server still starting) for up to 15 seconds, and prints the
// status code on the first line of stdout, then the body (with a final
// newline added if missing). Any HTTP status is a success; ! http-get
// expects no answer at all.
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: http-get URL [Header:value...]")
	}
	req, err := http.NewRequest(http.MethodGet, args[0], nil)
	ts.Check(err)
	for _, h := range args[1:] {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			ts.Fatalf("header %q: want Name:value", h)
		}
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(15 * time.Second)
	var resp *http.Response
	for {
		resp, err = client.Do(req)
		if err == nil || time.Now().After(deadline) || !isConnRefused(err) || backgroundExited(ts) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		if neg {
			fmt.Fprintln(ts.Stderr(), err)
			return
		}
		ts.Fatalf("GET %s: %v", args[0], err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	if neg {
		ts.Fatalf("GET %s: unexpected answer %s", args[0], resp.Status)
	}
	if len(body) > 0 && body[len(body)-1] != '\n' {
		body = append(body, '\n')
	}
	fmt.Fprintf(ts.Stdout(), "%d\n%s", resp.StatusCode, body)
}

// backgroundExited reports whether a command started with & has exited
// (a server that failed to start: no point in waiting for it).
func backgroundExited(ts *testscript.TestScript) bool {
	for _, cmd := range ts.BackgroundCmds() {
		if cmd.Process != nil && errors.Is(cmd.Process.Signal(syscall.Signal(0)), os.ErrProcessDone) {
			return true
		}
	}
	return false
}

func isConnRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// exitcode N PROGRAM [ARGS...] runs PROGRAM like exec and fails unless it
// exits with status N; stdout and stderr are kept for later checks.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// generated FILE... checks that each file's first line is pgrestgen's
// header; with !, that none's is.
func cmdGenerated(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: generated FILE...")
	}
	const header = "// Code generated by pgrestgen. DO NOT EDIT."
	for _, f := range args {
		first, _, _ := strings.Cut(ts.ReadFile(f), "\n")
		switch {
		case first == header && neg:
			ts.Fatalf("%s is a generated file", f)
		case first != header && !neg:
			ts.Fatalf("%s: first line is %q, want %q", f, first, header)
		}
	}
}

// ls DIR prints the names in DIR, one a line, directories with a final /.
func cmdLs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: ls DIR")
	}
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			name += "/"
		}
		fmt.Fprintln(ts.Stdout(), name)
	}
}
