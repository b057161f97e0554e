package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pgrestgen/pgrestgen/generator"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
	"github.com/pgrestgen/pgrestgen/runtime"
)

// Suite is a generated API under test: the template database its schema is
// in, the generated package, and the server settings it runs with.
type Suite struct {
	Env      *pgtest.Env
	Template string
	// Schemas are the exposed schemas the package was generated for.
	Schemas  []string
	Schema   *runtime.Schema
	Register func(runtime.Router, *runtime.Server)
	// GeneratedDir is the generated package's directory, relative to the test.
	GeneratedDir string
	// ClientImport is the generated package's import path when its typed
	// client is generated too (pgrestgen generate --client).
	ClientImport string
	// Environ are PGRST_* settings besides PGRST_DB_URI, which points at
	// each group's fresh database as the authenticator role.
	Environ []string
	// RouteURI, when set, rewrites each group's PGRST_DB_URI (the
	// authenticator's URI of its database) before the server gets it: to
	// serve the cases through a connection pooler (pgcluster.Bouncer.Route).
	RouteURI func(t testing.TB, uri string) string
	// Tokens replace placeholders ("{{web_user_token}}") in case headers.
	Tokens map[string]string
}

// AsAuthenticator turns a superuser URI into the authenticator role's, as a
// PostgREST deployment connects.
func AsAuthenticator(uri string) string {
	return strings.Replace(uri, "postgres://postgres@", "postgres://authenticator@", 1)
}

// SignHS256 signs claims with secret, for tests' JWTs.
func SignHS256(t testing.TB, secret string, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// CheckGenerated fails when the generated package is not what the
// template's schema generates now (the committed code is stale).
func (s Suite) CheckGenerated(t *testing.T) {
	uri := s.Env.NewDatabase(t, s.Template)
	res, err := generator.Generate(t.Context(), generator.Options{DBURI: uri, Schemas: s.Schemas, Package: filepath.Base(s.GeneratedDir), ClientImport: s.ClientImport})
	if err != nil {
		t.Fatal(err)
	}
	diff, err := res.Files.Diff(s.GeneratedDir)
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("%s is stale; run go generate ./...\n%s", s.GeneratedDir, diff)
	}
}

// RunCases runs every case file of dir, each group in parallel on a fresh
// database and server. A group may prepare its database in <group>.sql and
// add server settings in <group>.env (KEY=VALUE lines).
func (s Suite) RunCases(t *testing.T, dir string) {
	for group, cases := range LoadCases(t, dir) {
		t.Run(group, func(t *testing.T) {
			t.Parallel()
			uri := s.Env.NewDatabase(t, s.Template)
			if setup, err := os.ReadFile(filepath.Join(dir, group+".sql")); err == nil {
				if err := pgcluster.ApplySQL(t.Context(), uri, string(setup)); err != nil {
					t.Fatal(err)
				}
			}
			dbURI := AsAuthenticator(uri)
			if s.RouteURI != nil {
				dbURI = s.RouteURI(t, dbURI)
			}
			environ := append([]string{"PGRST_DB_URI=" + dbURI}, s.Environ...)
			environ = append(environ, groupEnv(t, filepath.Join(dir, group+".env"))...)
			srv := Serve(t, s.Schema, s.Register, environ...)
			for _, c := range cases {
				for k, v := range c.Headers {
					for tok, val := range s.Tokens {
						v = strings.ReplaceAll(v, tok, val)
					}
					if strings.Contains(v, "{{") {
						t.Fatalf("case %q: header %s has an unknown placeholder: %s", c.Name, k, v)
					}
					c.Headers[k] = v
				}
				t.Run(c.Name, func(t *testing.T) { c.Run(t, srv.URL) })
			}
		})
	}
}

// groupEnv reads a group's extra server settings: KEY=VALUE lines; blank
// lines and lines starting with # are skipped. A missing file is no settings.
func groupEnv(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, _, ok := strings.Cut(line, "="); !ok || k == "" {
			t.Fatalf("%s:%d: want KEY=VALUE, got %q", path, n, line)
		}
		out = append(out, line)
	}
	return out
}
