// Package pgcluster starts throwaway PostgreSQL clusters from the locally
// installed server binaries, so tests and offline code generation get a real
// database without a running server, Docker or credentials.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Options configures Start.
type Options struct {
	// BinDir holds initdb and postgres; "" means FindBinDir.
	BinDir string
	// Log receives initdb and server output; nil discards it. Failures
	// during Start include the last lines regardless.
	Log io.Writer
	// HBA lines are put before initdb's pg_hba.conf entries (which trust
	// every connection), so the first that matches wins: for example
	// "host app authenticator 127.0.0.1/32 scram-sha-256" makes that role
	// log in with its password over TCP.
	HBA []string
}

// Cluster is a running throwaway server. Its data lives in a temporary
// directory that Stop removes.
type Cluster struct {
	dir  string // temp root: socket lives here, data in dir/data
	port int
	proc *os.Process
	// exited is closed once the postmaster has exited; waitErr is set before.
	exited  <-chan struct{}
	waitErr error

	// What Resume needs to start the server again.
	binDir string
	usr    *serverUser
	logw   io.Writer
	out    *tailBuffer

	stopOnce sync.Once
	stopErr  error
}

// serverSettings favour speed over durability: the data is disposable.
var serverSettings = []string{
	"fsync=off",
	"synchronous_commit=off",
	"full_page_writes=off",
	"max_connections=200",
	"shared_buffers=128MB",
	"huge_pages=off", // avoids SIGBUS surprises in containers with hugepages
	"jit=off",        // JIT compile time dwarfs tiny test queries
	"listen_addresses=127.0.0.1",
}

const (
	startAttempts  = 3                // retries when another process grabs the port
	defaultTimeout = 60 * time.Second // startup limit when ctx has no deadline
)

// errPortInUse marks a start failure worth retrying on another port.
var errPortInUse = errors.New("port already in use")

// Start initialises a fresh cluster in a temporary directory and starts a
// server on a free 127.0.0.1 port and on a unix socket in that directory.
// The superuser is "postgres" with trust authentication. Under root the
// server runs as the "postgres" OS user, because PostgreSQL refuses root.
//
// ctx bounds only the startup; the server runs until Stop.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	binDir := opts.BinDir
	if binDir == "" {
		var err error
		if binDir, err = FindBinDir(); err != nil {
			return nil, err
		}
	} else if !hasServerBinaries(binDir) {
		return nil, fmt.Errorf("%w in %s; %s", ErrNoBinaries, binDir, installHint)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}

	usr, err := lookupServerUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tempBase(usr), "pgcluster-")
	if err != nil {
		return nil, fmt.Errorf("create cluster directory: %w", err)
	}
	c := &Cluster{dir: dir}
	ok := false
	defer func() {
		if !ok {
			_ = c.Stop()
		}
	}()
	if err := usr.own(dir); err != nil {
		return nil, err
	}

	out := &tailBuffer{max: 8 << 10}
	var logw io.Writer = out
	if opts.Log != nil {
		logw = io.MultiWriter(opts.Log, out)
	}

	initdb := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"),
		"-D", c.dataDir(), "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Dir = dir
	initdb.Stdout, initdb.Stderr = logw, logw
	usr.apply(initdb, false)
	if err := initdb.Run(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	if len(opts.HBA) > 0 {
		if err := prependHBA(filepath.Join(c.dataDir(), "pg_hba.conf"), opts.HBA); err != nil {
			return nil, err
		}
	}

	c.binDir, c.usr, c.logw, c.out = binDir, usr, logw, out
	for attempt := 1; ; attempt++ {
		err = c.startServer(ctx, binDir, usr, logw, out)
		if err == nil {
			break
		}
		if !errors.Is(err, errPortInUse) || attempt == startAttempts {
			return nil, err
		}
	}
	ok = true
	return c, nil
}

// tempBase picks the parent of the cluster directory. The unix socket path
// must stay under ~100 bytes and, under root, the postgres user must be able
// to reach it; /tmp satisfies both when TMPDIR does not.
func tempBase(usr *serverUser) string {
	base := os.TempDir()
	if len(base) > 64 || !usr.canTraverse(base) {
		return "/tmp"
	}
	return base
}

func (c *Cluster) dataDir() string { return filepath.Join(c.dir, "data") }

// prependHBA writes lines at the top of the pg_hba.conf at path. Writing
// into the existing file keeps its owner (the server's OS user under root).
func prependHBA(path string, lines []string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read pg_hba.conf: %w", err)
	}
	b := []byte(strings.Join(lines, "\n") + "\n")
	if err := os.WriteFile(path, append(b, old...), 0o600); err != nil {
		return fmt.Errorf("write pg_hba.conf: %w", err)
	}
	return nil
}

// startServer runs postgres directly (not via pg_ctl, whose detached server
// would keep our log pipe open) and waits until it accepts connections.
func (c *Cluster) startServer(ctx context.Context, binDir string, usr *serverUser, logw io.Writer, out *tailBuffer) error {
	port := c.port
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return err
		}
	}
	args := []string{"-D", c.dataDir(), "-p", strconv.Itoa(port), "-k", c.dir}
	for _, s := range serverSettings {
		args = append(args, "-c", s)
	}
	cmd := exec.Command(filepath.Join(binDir, "postgres"), args...)
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = logw, logw
	usr.apply(cmd, true)

	exited, err := startPinned(cmd, &c.waitErr)
	if err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.proc, c.exited, c.port = cmd.Process, exited, port

	if err := c.waitReady(ctx); err != nil {
		select {
		case <-exited:
			err = fmt.Errorf("postgres exited during startup (%v): %w\n%s", c.waitErr, err, out)
			if strings.Contains(out.String(), "could not bind") {
				err = fmt.Errorf("%w: %w", errPortInUse, err)
			}
			c.proc, c.exited, c.port = nil, nil, 0
		default:
			err = fmt.Errorf("postgres did not accept connections: %w\n%s", err, out)
		}
		return err
	}
	return nil
}

// waitReady polls until a connection succeeds; PostgreSQL has no readiness
// notification and "connection refused" / "starting up" come back instantly.
func (c *Cluster) waitReady(ctx context.Context) error {
	cfg, err := pgconn.ParseConfig(c.URI("postgres"))
	if err != nil {
		return err
	}
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgconn.ConnectConfig(attemptCtx, cfg)
		cancel()
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.exited:
			return err
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// freePort asks the kernel for an unused port. Another process may take it
// before postgres binds, which Start handles by retrying.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// URI returns a superuser connection URI for database dbname over TCP.
func (c *Cluster) URI(dbname string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, url.PathEscape(dbname))
}

// Port returns the TCP port the server listens on at 127.0.0.1.
func (c *Cluster) Port() int { return c.port }

// SocketDir returns the directory holding the server's unix socket, for
// clients that prefer host=SocketDir() over TCP.
func (c *Cluster) SocketDir() string { return c.dir }

// Stop shuts the server down immediately and removes its directory. It is
// safe to call more than once (and on a nil Cluster); later calls return the
// first result.
func (c *Cluster) Stop() error {
	if c == nil {
		return nil
	}
	c.stopOnce.Do(func() { c.stopErr = c.stop() })
	return c.stopErr
}

func (c *Cluster) stop() error {
	var errs []error
	if c.proc != nil {
		select {
		case <-c.exited:
		default:
			if err := stopSignal(c.proc); err != nil {
				errs = append(errs, fmt.Errorf("signal postgres: %w", err))
			}
			select {
			case <-c.exited:
			case <-time.After(10 * time.Second):
				// Immediate shutdown should take milliseconds; don't hang.
				_ = c.proc.Kill()
				<-c.exited
			}
		}
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, fmt.Errorf("remove cluster directory: %w", err))
	}
	return errors.Join(errs...)
}

// Halt shuts the server down as `pg_ctl stop -m fast` does (SIGINT: open
// sessions are terminated with 57P01, the data is kept) and waits for it to
// exit; Resume starts it again on the same port. Fault tests use the pair
// for a database that goes away and comes back.
func (c *Cluster) Halt() error {
	if err := fastStopSignal(c.proc); err != nil {
		return fmt.Errorf("signal postgres: %w", err)
	}
	select {
	case <-c.exited:
		return nil
	case <-time.After(30 * time.Second):
		return errors.New("postgres did not shut down within 30s")
	}
}

// Resume starts a halted server again on its port, with its data.
func (c *Cluster) Resume(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	port := c.port
	if err := c.startServer(ctx, c.binDir, c.usr, c.logw, c.out); err != nil {
		c.port = port
		return err
	}
	return nil
}

// CreateDatabase creates database name, cloned from template when template
// is not "" (the template must have no open connections).
func (c *Cluster) CreateDatabase(ctx context.Context, name, template string) error {
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		sql += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	if err := c.adminExec(ctx, sql); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// DropDatabase drops database name if it exists, terminating its open
// connections first (WITH (FORCE), PostgreSQL 13+) so leaked test
// connections cannot block cleanup.
func (c *Cluster) DropDatabase(ctx context.Context, name string) error {
	sql := "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)"
	if err := c.adminExec(ctx, sql); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// adminExec runs one statement in the maintenance database "postgres".
func (c *Cluster) adminExec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.URI("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// tailBuffer keeps the last max bytes written, so startup errors can show
// the server's own explanation even when Options.Log discards output.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}

// startPinned starts cmd from a goroutine pinned to its OS thread until cmd
// has exited: the parent-death signal (Pdeathsig) fires when the starting
// *thread* exits, not the process. The returned channel is closed once cmd
// was waited for, with Wait's error in *waitErr.
func startPinned(cmd *exec.Cmd, waitErr *error) (<-chan struct{}, error) {
	exited := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		*waitErr = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return exited, nil
}
