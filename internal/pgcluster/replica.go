package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// StartReplica starts a streaming replica of primary on a free 127.0.0.1
// port: pg_basebackup -R of the primary (as its superuser, which initdb
// made a replication role; initdb's pg_hba.conf trusts local replication
// connections), then a hot standby on the copy. Stop removes it; Halt and
// Resume stop and start it as they do a primary.
func StartReplica(ctx context.Context, primary *Cluster, opts Options) (*Cluster, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	dir, err := os.MkdirTemp(tempBase(primary.usr), "pgreplica-")
	if err != nil {
		return nil, fmt.Errorf("create replica directory: %w", err)
	}
	c := &Cluster{dir: dir, binDir: primary.binDir, usr: primary.usr}
	ok := false
	defer func() {
		if !ok {
			_ = c.Stop()
		}
	}()
	if err := c.usr.own(dir); err != nil {
		return nil, err
	}
	c.out = &tailBuffer{max: 8 << 10}
	c.logw = c.out
	if opts.Log != nil {
		c.logw = io.MultiWriter(opts.Log, c.out)
	}
	bb := exec.CommandContext(ctx, siblingProgram(c.binDir, "pg_basebackup"),
		"-R", "-D", c.dataDir(), "-h", "127.0.0.1", "-p", strconv.Itoa(primary.port),
		"-U", "postgres", "-X", "stream", "-c", "fast", "--no-sync")
	bb.Dir = dir
	bb.Stdout, bb.Stderr = c.logw, c.logw
	c.usr.apply(bb, false)
	if err := bb.Run(); err != nil {
		return nil, fmt.Errorf("pg_basebackup: %w\n%s", err, c.out)
	}
	for attempt := 1; ; attempt++ {
		err = c.startServer(ctx, c.binDir, c.usr, c.logw, c.out)
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

// siblingProgram is the path of a client program of the server binaries in
// binDir: next to them, else next to what postgres links to (binDir may
// hold links to three server programs only), else on PATH.
func siblingProgram(binDir, name string) string {
	dirs := []string{binDir}
	if real, err := filepath.EvalSymlinks(filepath.Join(binDir, "postgres")); err == nil {
		dirs = append(dirs, filepath.Dir(real))
	}
	for _, d := range dirs {
		if p := filepath.Join(d, name); isExecutable(p) {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return filepath.Join(binDir, name)
}

// WaitReplayed waits until c, a replica, is in recovery and has replayed
// everything primary had written when it was called.
func (c *Cluster) WaitReplayed(ctx context.Context, primary *Cluster) error {
	lsn, err := flushedLSN(ctx, primary.URI("postgres"))
	if err != nil {
		return fmt.Errorf("read the primary's WAL position: %w", err)
	}
	for {
		var caught bool
		err := queryRow(ctx, c.URI("postgres"), `SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= $1::pg_lsn`, &caught, lsn)
		if err == nil && caught {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("replica has not replayed up to %s: %w (last error: %v)", lsn, ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// flushedLSN flushes the WAL written so far and returns its end: the
// clusters run with synchronous_commit off, so a commit's WAL may still be
// in memory, not sent to replicas; a synchronous commit writes it out.
func flushedLSN(ctx context.Context, uri string) (string, error) {
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "SET synchronous_commit = on"); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "SELECT txid_current()"); err != nil {
		return "", err
	}
	var lsn string
	err = conn.QueryRow(ctx, "SELECT pg_current_wal_flush_lsn()::text").Scan(&lsn)
	return lsn, err
}

// queryRow scans one row of sql on a new connection to uri.
func queryRow(ctx context.Context, uri, sql string, dest any, args ...any) error {
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.QueryRow(ctx, sql, args...).Scan(dest)
}
