//go:build unix

package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// serverUser is the OS account the server processes run as; nil means the
// current user.
type serverUser struct {
	name     string
	uid, gid uint32
}

// lookupServerUser returns nil for ordinary users. PostgreSQL refuses to run
// as root, so under root (CI containers, sandboxes) it returns the "postgres"
// account, creating it when missing.
func lookupServerUser() (*serverUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	const name = "postgres"
	u, err := user.Lookup(name)
	var unknown user.UnknownUserError
	if errors.As(err, &unknown) {
		out, cerr := exec.Command("useradd", "--system", "--no-create-home", name).CombinedOutput()
		if cerr != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs an unprivileged OS user; useradd %s: %w: %s", name, cerr, out)
		}
		u, err = user.Lookup(name)
	}
	if err != nil {
		return nil, fmt.Errorf("look up OS user %s: %w", name, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("OS user %s: uid %q: %w", name, u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("OS user %s: gid %q: %w", name, u.Gid, err)
	}
	return &serverUser{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
}

// apply makes cmd run as u (no-op for nil u) and ties the server's lifetime
// to ours where the platform allows it.
func (u *serverUser) apply(cmd *exec.Cmd, server bool) {
	attr := &syscall.SysProcAttr{}
	if u != nil {
		// Groups stays empty: root's supplementary groups must not leak.
		attr.Credential = &syscall.Credential{Uid: u.uid, Gid: u.gid}
	}
	if server {
		setParentDeathSignal(attr)
	}
	cmd.SysProcAttr = attr
}

// own hands dir to u so initdb can create the data directory in it.
func (u *serverUser) own(dir string) error {
	if u == nil {
		return nil
	}
	if err := os.Chown(dir, int(u.uid), int(u.gid)); err != nil {
		return fmt.Errorf("chown %s to %s: %w", dir, u.name, err)
	}
	return nil
}

// canTraverse reports whether u may reach entries below dir, i.e. it has
// search permission on dir and every ancestor. A root-only TMPDIR (such as
// /root/tmp) fails this.
func (u *serverUser) canTraverse(dir string) bool {
	if u == nil {
		return true
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		fi, err := os.Stat(dir)
		if err != nil {
			return false
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return false
		}
		mode := fi.Mode().Perm()
		switch {
		case st.Uid == u.uid:
			if mode&0o100 == 0 {
				return false
			}
		case st.Gid == u.gid:
			if mode&0o010 == 0 {
				return false
			}
		default:
			if mode&0o001 == 0 {
				return false
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}

// stopSignal asks the postmaster for an immediate shutdown: the data is
// thrown away anyway, so there is no point in a shutdown checkpoint.
func stopSignal(p *os.Process) error { return p.Signal(syscall.SIGQUIT) }

// fastStopSignal asks the postmaster for a fast shutdown: sessions are
// terminated (57P01) and the data is checkpointed.
func fastStopSignal(p *os.Process) error { return p.Signal(syscall.SIGINT) }
