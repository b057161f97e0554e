package pgcluster

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNoBinaries is wrapped by every error caused by missing PostgreSQL server
// binaries, so callers can tell "install PostgreSQL" apart from real failures.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")

// installHint is appended to ErrNoBinaries so the user knows what to install.
const installHint = `install them: Debian/Ubuntu "apt-get install postgresql", ` +
	`Fedora/RHEL "dnf install postgresql-server", macOS "brew install postgresql@16"`

// serverBinaries are the programs a bin directory must hold to be usable.
var serverBinaries = []string{"initdb", "pg_ctl", "postgres"}

// FindBinDir locates the directory holding initdb, pg_ctl and postgres.
//
// Distributions rarely put the server binaries on PATH (Debian hides them in
// /usr/lib/postgresql/N/bin, Homebrew's postgresql@N is keg-only), so it looks
// in order at: initdb on PATH, pg_config --bindir, the highest-versioned
// /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin (PGDG RPMs) and Homebrew's
// opt/postgresql@*/bin. The error wraps ErrNoBinaries and says what to install.
func FindBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		// A PATH entry may hold only a symlink to initdb; the real
		// directory next to its target then holds the rest.
		dirs := []string{filepath.Dir(p)}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
		for _, d := range dirs {
			if hasServerBinaries(d) {
				return d, nil
			}
		}
	}
	if p, err := exec.LookPath("pg_config"); err == nil {
		if out, err := exec.Command(p, "--bindir").Output(); err == nil {
			if d := strings.TrimSpace(string(out)); d != "" && hasServerBinaries(d) {
				return d, nil
			}
		}
	}
	for _, pattern := range []string{
		"/usr/lib/postgresql/*/bin",
		"/usr/pgsql-*/bin",
		"/opt/homebrew/opt/postgresql@*/bin",
		"/usr/local/opt/postgresql@*/bin",
	} {
		if d := highestVersionDir(pattern); d != "" {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w on PATH, via pg_config --bindir, or in /usr/lib/postgresql/*/bin "+
		"(nor /usr/pgsql-*/bin, Homebrew opt/postgresql@*/bin); %s",
		ErrNoBinaries, installHint)
}

// hasServerBinaries reports whether dir holds all of serverBinaries as
// executables (LookPath on a path with a separator only checks that file).
func hasServerBinaries(dir string) bool {
	for _, name := range serverBinaries {
		if _, err := exec.LookPath(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// highestVersionDir returns the usable directory matching pattern (whose one
// "*" is a version such as "15" or "9.6") with the numerically highest version.
func highestVersionDir(pattern string) string {
	matches, _ := filepath.Glob(pattern)
	prefix, suffix, _ := strings.Cut(pattern, "*")
	type cand struct {
		dir     string
		version []int
	}
	var cands []cand
	for _, m := range matches {
		v, ok := parseVersion(strings.TrimSuffix(strings.TrimPrefix(m, prefix), suffix))
		if ok && hasServerBinaries(m) {
			cands = append(cands, cand{m, v})
		}
	}
	if len(cands) == 0 {
		return ""
	}
	best := slices.MaxFunc(cands, func(a, b cand) int { return slices.Compare(a.version, b.version) })
	return best.dir
}

// parseVersion turns "9.6" into [9 6]; it rejects anything non-numeric.
func parseVersion(s string) ([]int, bool) {
	var v []int
	for part := range strings.SplitSeq(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, false
		}
		v = append(v, n)
	}
	return v, len(v) > 0
}
