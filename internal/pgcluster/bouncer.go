package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNoPgBouncer is wrapped by the error StartBouncer returns when the
// pgbouncer program is not installed, so tests can skip.
var ErrNoPgBouncer = errors.New(`pgbouncer not found on PATH or in /usr/sbin (Debian/Ubuntu: "apt-get install pgbouncer"; scripts/ensure-postgres.sh installs it)`)

// BouncerOptions configures StartBouncer.
type BouncerOptions struct {
	// PoolMode is pgbouncer's pool_mode: "transaction" (the default),
	// "session" or "statement".
	PoolMode string
	// MaxPreparedStatements is max_prepared_statements (pgbouncer 1.21 or
	// later): protocol-level prepared statements followed across server
	// connections; 0 leaves it out of the configuration.
	MaxPreparedStatements int
	// Users may connect (auth_type trust still needs them in auth_file);
	// nil: postgres and authenticator.
	Users []string
	// PoolSize is default_pool_size, server connections per user and
	// database; 0: 10.
	PoolSize int
	// Log receives pgbouncer's output; nil discards it.
	Log io.Writer
}

// Bouncer is a running pgbouncer in front of a Cluster, on a free 127.0.0.1
// port; every database of the cluster is reachable through it.
type Bouncer struct {
	dir    string
	port   int
	proc   *os.Process
	exited <-chan struct{}
	out    *tailBuffer

	stopOnce sync.Once
	stopErr  error
}

// FindPgBouncer locates the pgbouncer program: on PATH, else /usr/sbin
// (Debian's package puts it there, often off an ordinary user's PATH).
func FindPgBouncer() (string, error) {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	if p := "/usr/sbin/pgbouncer"; isExecutable(p) {
		return p, nil
	}
	return "", ErrNoPgBouncer
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// PgBouncerVersion is the installed pgbouncer's version ([1 18 0]).
func PgBouncerVersion() ([]int, error) {
	bin, err := FindPgBouncer()
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("pgbouncer --version: %w", err)
	}
	m := regexp.MustCompile(`PgBouncer (\d+(?:\.\d+)*)`).FindSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("pgbouncer --version: no version in %q", out)
	}
	v, ok := parseVersion(string(m[1]))
	if !ok {
		return nil, fmt.Errorf("pgbouncer --version: bad version %q", m[1])
	}
	return v, nil
}

// StartBouncer starts pgbouncer in front of c with auth_type trust and
// waits until it accepts connections. Under root it runs as the cluster's
// OS user, since pgbouncer refuses root too.
func (c *Cluster) StartBouncer(ctx context.Context, opts BouncerOptions) (*Bouncer, error) {
	bin, err := FindPgBouncer()
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	if opts.PoolMode == "" {
		opts.PoolMode = "transaction"
	}
	if opts.Users == nil {
		opts.Users = []string{"postgres", "authenticator"}
	}
	if opts.PoolSize == 0 {
		opts.PoolSize = 10
	}
	dir, err := os.MkdirTemp(tempBase(c.usr), "pgbouncer-")
	if err != nil {
		return nil, fmt.Errorf("create pgbouncer directory: %w", err)
	}
	b := &Bouncer{dir: dir, out: &tailBuffer{max: 8 << 10}}
	ok := false
	defer func() {
		if !ok {
			_ = b.Stop()
		}
	}()
	if err := c.usr.own(dir); err != nil {
		return nil, err
	}
	var users strings.Builder
	for _, u := range opts.Users {
		fmt.Fprintf(&users, "%q \"\"\n", u)
	}
	logw := io.Writer(b.out)
	if opts.Log != nil {
		logw = io.MultiWriter(opts.Log, b.out)
	}
	for attempt := 1; ; attempt++ {
		if b.port, err = freePort(); err != nil {
			return nil, err
		}
		conf := fmt.Sprintf(`[databases]
* = host=127.0.0.1 port=%d

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = %s
default_pool_size = %d
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
stats_users = postgres
`, c.port, b.port, filepath.Join(dir, "userlist.txt"), opts.PoolMode, opts.PoolSize)
		if opts.MaxPreparedStatements > 0 {
			conf += fmt.Sprintf("max_prepared_statements = %d\n", opts.MaxPreparedStatements)
		}
		for name, text := range map[string]string{"pgbouncer.ini": conf, "userlist.txt": users.String()} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				return nil, fmt.Errorf("write %s: %w", name, err)
			}
		}
		err = b.start(ctx, bin, c.usr, logw)
		if err == nil || !strings.Contains(b.out.String(), "Address already in use") || attempt == startAttempts {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	ok = true
	return b, nil
}

// start runs pgbouncer in the foreground (our child, killed with us) and
// waits until a connection through it reaches PostgreSQL.
func (b *Bouncer) start(ctx context.Context, bin string, usr *serverUser, logw io.Writer) error {
	cmd := exec.Command(bin, filepath.Join(b.dir, "pgbouncer.ini"))
	cmd.Dir = b.dir
	cmd.Stdout, cmd.Stderr = logw, logw
	usr.apply(cmd, true)
	var waitErr error
	exited, err := startPinned(cmd, &waitErr)
	if err != nil {
		return fmt.Errorf("start pgbouncer: %w", err)
	}
	b.proc, b.exited = cmd.Process, exited
	cfg, err := pgconn.ParseConfig(b.URI("postgres"))
	if err != nil {
		return err
	}
	for {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgconn.ConnectConfig(actx, cfg)
		cancel()
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-exited:
			b.proc = nil
			return fmt.Errorf("pgbouncer exited during startup: %w\n%s", err, b.out)
		case <-ctx.Done():
			return fmt.Errorf("pgbouncer did not accept connections: %w (last error: %w)\n%s", ctx.Err(), err, b.out)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Port is the port pgbouncer listens on at 127.0.0.1.
func (b *Bouncer) Port() int { return b.port }

// URI is a superuser connection URI for database dbname through pgbouncer.
func (b *Bouncer) URI(dbname string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", b.port, url.PathEscape(dbname))
}

// Route turns a URI of the cluster into the same one through pgbouncer:
// same user, database and parameters, pgbouncer's address.
func (b *Bouncer) Route(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", fmt.Errorf("route %q through pgbouncer: %w", uri, err)
	}
	u.Host = "127.0.0.1:" + strconv.Itoa(b.port)
	return u.String(), nil
}

// Output is pgbouncer's last lines of output.
func (b *Bouncer) Output() string { return b.out.String() }

// Settle waits, at most until ctx is done, until no server connection of
// pgbouncer to database dbname is busy (running a query or being
// cancelled), as read from its admin console's SHOW SERVERS. A test calls it
// before dropping a database pgbouncer served: PgBouncer 1.18 exits
// ("server in bad state") when the drop's FATAL reaches a server connection
// it is still cancelling a query on (one whose client went away).
func (b *Bouncer) Settle(ctx context.Context, dbname string) error {
	conn, err := pgconn.Connect(ctx, b.URI("pgbouncer"))
	if err != nil {
		return fmt.Errorf("pgbouncer admin console: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for {
		results, err := conn.Exec(ctx, "SHOW SERVERS").ReadAll()
		if err != nil {
			return fmt.Errorf("pgbouncer SHOW SERVERS: %w", err)
		}
		busy := false
		for _, r := range results {
			db, state := -1, -1
			for i, f := range r.FieldDescriptions {
				switch f.Name {
				case "database":
					db = i
				case "state":
					state = i
				}
			}
			for _, row := range r.Rows {
				if db >= 0 && state >= 0 && string(row[db]) == dbname && string(row[state]) != "idle" && string(row[state]) != "used" {
					busy = true
				}
			}
		}
		if !busy {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgbouncer: connections to %s still busy: %w", dbname, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop stops pgbouncer (SIGTERM: at once, closing its connections) and
// removes its directory. It is safe to call more than once and on nil.
func (b *Bouncer) Stop() error {
	if b == nil {
		return nil
	}
	b.stopOnce.Do(func() {
		var errs []error
		if b.proc != nil {
			if err := b.proc.Signal(syscall.SIGTERM); err != nil {
				errs = append(errs, fmt.Errorf("signal pgbouncer: %w", err))
			}
			select {
			case <-b.exited:
			case <-time.After(10 * time.Second):
				_ = b.proc.Kill()
				<-b.exited
			}
		}
		if err := os.RemoveAll(b.dir); err != nil {
			errs = append(errs, fmt.Errorf("remove pgbouncer directory: %w", err))
		}
		b.stopErr = errors.Join(errs...)
	})
	return b.stopErr
}
