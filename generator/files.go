package generator

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/pgrestgen/pgrestgen/generator/emit"
	"github.com/pgrestgen/pgrestgen/generator/plan"
)

// Files are the generated files, sorted by name: emit's, written and
// compared here.
type Files []emit.File

// header is line 1 of every generated file; only files bearing it are ever
// replaced or removed.
const header = "// " + emit.Header

// WriteDir writes the files into dir, creating it, each through a temporary
// file and a rename so a reader never sees half a file. Files in dir that
// carry pgrestgen's header but are no longer generated are removed; other
// files are left alone. It returns how many files changed.
func (fs Files) WriteDir(dir string) (changed int, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("create output directory: %w", err)
	}
	for _, f := range fs {
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, f.Content) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return changed, fmt.Errorf("write %s: %w", path, err)
		}
		tmp, err := os.CreateTemp(filepath.Dir(path), ".pgrestgen-*.tmp")
		if err != nil {
			return changed, fmt.Errorf("write %s: %w", path, err)
		}
		_, werr := tmp.Write(f.Content)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr); err != nil {
			os.Remove(tmp.Name())
			return changed, fmt.Errorf("write %s: %w", path, err)
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			os.Remove(tmp.Name())
			return changed, fmt.Errorf("write %s: %w", path, err)
		}
		if err := os.Rename(tmp.Name(), path); err != nil {
			os.Remove(tmp.Name())
			return changed, fmt.Errorf("write %s: %w", path, err)
		}
		changed++
	}
	stale, err := fs.stale(dir)
	if err != nil {
		return changed, err
	}
	for _, name := range stale {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil && !errors.Is(err, iofs.ErrNotExist) {
			return changed, fmt.Errorf("remove stale %s: %w", name, err)
		}
		changed++
	}
	if len(stale) > 0 {
		// The client's directory goes with its last file; a directory
		// holding anything else stays.
		_ = os.Remove(filepath.Join(dir, plan.ClientDir))
	}
	return changed, nil
}

// stale lists .go files in dir, and in its client sub-directory, that bear
// the generated header but are not among fs: the client's files go when it
// is no longer generated.
func (fs Files) stale(dir string) ([]string, error) {
	want := map[string]bool{}
	for _, f := range fs {
		want[f.Name] = true
	}
	var out []string
	for _, sub := range []string{"", plan.ClientDir} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read output directory: %w", err)
		}
		for _, e := range entries {
			name := path.Join(sub, e.Name())
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || want[name] {
				continue
			}
			generated, err := isGenerated(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				return nil, err
			}
			if generated {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// isGenerated reports whether the file at path bears our header. A file
// gone since the directory was listed is simply not ours to clean up.
func isGenerated(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, iofs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	return strings.TrimRight(line, "\r\n") == header, nil
}

// Diff compares the files with dir: a unified diff of every file that
// differs, is missing, or is a stale generated file. Empty means in step.
func (fs Files) Diff(dir string) (string, error) {
	var out strings.Builder
	for _, f := range fs {
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		old, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			return "", fmt.Errorf("read %s: %w", path, err)
		}
		if bytes.Equal(old, f.Content) {
			continue
		}
		out.WriteString(udiff.Unified(path, path, string(old), string(f.Content)))
	}
	stale, err := fs.stale(dir)
	if err != nil {
		return "", err
	}
	for _, name := range stale {
		path := filepath.Join(dir, filepath.FromSlash(name))
		old, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", path, err)
		}
		out.WriteString(udiff.Unified(path, "/dev/null", string(old), ""))
	}
	return out.String(), nil
}
