package deploy

import (
	"bytes"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/pgrestgen/pgrestgen"
	"github.com/pgrestgen/pgrestgen/templates"
)

var update = flag.Bool("update", false, "rewrite deploy/Dockerfile from templates/Dockerfile.tmpl")

// mainPackage is what deploy/Dockerfile builds: the example's server,
// from pgrestgen's checkout (compose's build context is the repository).
const mainPackage = "./example"

// TestDockerfileIsTheTemplates checks that deploy/Dockerfile is what
// `pgrestgen init` writes, built for the example's package.
func TestDockerfileIsTheTemplates(t *testing.T) {
	want, err := templates.RenderFile("Dockerfile", templates.Scaffold{GoVersion: goDirective(t), Main: mainPackage})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	if *update {
		if err := os.WriteFile("Dockerfile", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("deploy/Dockerfile is not templates/Dockerfile.tmpl's output; run go test ./deploy -run TestDockerfileIsTheTemplates -update. Want:\n%s", want)
}

// goDirective is the go directive of pgrestgen's go.mod, the tag of the
// build image (as `pgrestgen init` writes it).
func goDirective(t *testing.T) string {
	t.Helper()
	for line := range strings.Lines(string(pgrestgen.GoMod)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
			return v
		}
	}
	t.Fatal("go.mod has no go directive")
	return ""
}

// compose is the part of a compose file the tests read.
type compose struct {
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

type service struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

func loadCompose(t *testing.T) *compose {
	t.Helper()
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return &c
}

// bindMount is a "host:container[:ro]" volume whose host side is a path.
type bindMount struct{ Host, Target string }

// bindMounts lists s's bind mounts (named volumes left out), host paths
// relative to deploy/ as compose reads them.
func bindMounts(s service) []bindMount {
	var out []bindMount
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || !strings.HasPrefix(parts[0], ".") {
			continue
		}
		out = append(out, bindMount{Host: parts[0], Target: parts[1]})
	}
	return out
}

const initDir = "/docker-entrypoint-initdb.d/"

// initScripts returns the host files postgres runs at its first start, in
// the order the image's entrypoint runs them (by name).
func initScripts(t *testing.T, c *compose) []bindMount {
	t.Helper()
	var out []bindMount
	for _, m := range bindMounts(c.Services["postgres"]) {
		if strings.HasPrefix(m.Target, initDir) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b bindMount) int { return strings.Compare(a.Target, b.Target) })
	return out
}

// interpolate expands compose's ${VAR}, ${VAR:?msg} and ${VAR:-default}
// from vars; a ${VAR:?…} without a value fails the test, as compose fails.
func interpolate(t *testing.T, s string, vars map[string]string) string {
	t.Helper()
	re := regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([?-])([^}]*))?\}`)
	return re.ReplaceAllStringFunc(s, func(m string) string {
		sub := re.FindStringSubmatch(m)
		if v := vars[sub[1]]; v != "" {
			return v
		}
		if sub[2] == "-" {
			return sub[3]
		}
		if sub[2] == "?" {
			t.Fatalf("compose would refuse to start: %s is not set (%s)", sub[1], sub[3])
		}
		return ""
	})
}

func TestCompose(t *testing.T) {
	c := loadCompose(t)
	var names []string
	for n := range c.Services {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"caddy", "postgres", "server"}; !slices.Equal(names, want) {
		t.Fatalf("services %v, want %v", names, want)
	}
	pg, srv, caddy := c.Services["postgres"], c.Services["server"], c.Services["caddy"]

	t.Run("postgres", func(t *testing.T) {
		if !regexp.MustCompile(`^postgres:1[5-9]`).MatchString(pg.Image) {
			t.Errorf("postgres image %q: 00-init_postgrest.sql needs psql 15 or later (\\getenv)", pg.Image)
		}
		if got := pg.Environment["PGRST_AUTHENTICATOR_PASS"]; !strings.HasPrefix(got, "${PGRST_AUTHENTICATOR_PASS:?") {
			t.Errorf("postgres gets PGRST_AUTHENTICATOR_PASS=%q, want it required from the environment", got)
		}
		if pg.Healthcheck == nil || !strings.Contains(strings.Join(pg.Healthcheck.Test, " "), "pg_isready -h 127.0.0.1") {
			// Over the socket pg_isready also answers during the init
			// scripts, when the entrypoint's temporary server runs.
			t.Errorf("postgres healthcheck %+v, want pg_isready over TCP", pg.Healthcheck)
		}
		scripts := initScripts(t, c)
		var got []string
		for _, m := range scripts {
			got = append(got, m.Host+" → "+path.Base(m.Target))
			if _, err := os.Stat(m.Host); err != nil {
				t.Errorf("mounted init script: %v", err)
			}
		}
		want := []string{"./00-init_postgrest.sql → 00-init_postgrest.sql"}
		migrations, err := filepath.Glob("../example/migrations/*.sql")
		if err != nil || len(migrations) == 0 {
			t.Fatalf("example migrations: %v", err)
		}
		for _, m := range migrations {
			want = append(want, filepath.ToSlash(m)+" → "+filepath.Base(m))
		}
		if !slices.Equal(got, want) {
			t.Errorf("init scripts, in the order postgres runs them:\n got %q\nwant %q (00-init_postgrest.sql first, then every example migration)", got, want)
		}
	})

	t.Run("server", func(t *testing.T) {
		if srv.Build == nil {
			t.Fatal("server has no build section")
		}
		// Compose reads both relative to this directory.
		if df := filepath.Join(srv.Build.Context, srv.Build.Dockerfile); df != filepath.Join("..", "deploy", "Dockerfile") {
			t.Errorf("server builds %s, want deploy/Dockerfile", df)
		}
		if got := filepath.Clean(srv.Build.Context); got != ".." {
			t.Errorf("build context %s, want the repository (..): the Dockerfile builds %s", got, mainPackage)
		}
		env := srv.Environment
		for k, want := range map[string]string{
			"PGRST_DB_ANON_ROLE":      "anon",
			"PGRST_DB_URI":            "postgres://authenticator:${PGRST_AUTHENTICATOR_PASS:?}@postgres:5432/" + pg.Environment["POSTGRES_DB"],
			"PGRST_DB_SCHEMAS":        "public",
			"PGRST_SERVER_PORT":       "3000",
			"PGRST_ADMIN_SERVER_PORT": "3001",
		} {
			if env[k] != want {
				t.Errorf("server env %s=%q, want %q", k, env[k], want)
			}
		}
		if pg.Environment["POSTGRES_DB"] != "app" {
			t.Errorf("POSTGRES_DB=%q, want app", pg.Environment["POSTGRES_DB"])
		}
		if !strings.HasPrefix(env["PGRST_JWT_SECRET"], "${PGRST_JWT_SECRET:?") {
			t.Errorf("PGRST_JWT_SECRET=%q, want it required from the environment", env["PGRST_JWT_SECRET"])
		}
		if d := srv.DependsOn["postgres"].Condition; d != "service_healthy" {
			t.Errorf("server depends on postgres with condition %q, want service_healthy", d)
		}
		ready := fmt.Sprintf("http://127.0.0.1:%s/ready", env["PGRST_ADMIN_SERVER_PORT"])
		if srv.Healthcheck == nil || !slices.Contains(srv.Healthcheck.Test, ready) {
			t.Errorf("server healthcheck %+v, want a GET of %s", srv.Healthcheck, ready)
		}
	})

	t.Run("caddy", func(t *testing.T) {
		if caddy.Image != "caddy:2" {
			t.Errorf("caddy image %q, want caddy:2", caddy.Image)
		}
		if !slices.Contains(bindMounts(caddy), bindMount{"./Caddyfile", "/etc/caddy/Caddyfile"}) {
			t.Errorf("caddy mounts %v, want ./Caddyfile at /etc/caddy/Caddyfile", bindMounts(caddy))
		}
		if want := "server:" + srv.Environment["PGRST_SERVER_PORT"]; caddy.Environment["UPSTREAM"] != want {
			t.Errorf("caddy UPSTREAM=%q, want %q (the server's API port)", caddy.Environment["UPSTREAM"], want)
		}
		if d := caddy.DependsOn["server"].Condition; d != "service_healthy" {
			t.Errorf("caddy depends on server with condition %q, want service_healthy", d)
		}
		if len(caddy.Ports) != 1 || !strings.HasSuffix(caddy.Ports[0], ":80") {
			t.Errorf("caddy ports %v, want its port 80 published", caddy.Ports)
		}
		if len(srv.Ports) != 0 || len(pg.Ports) != 0 {
			t.Errorf("only caddy is published; server ports %v, postgres ports %v", srv.Ports, pg.Ports)
		}
	})

	t.Run("interpolated", func(t *testing.T) {
		uri := interpolate(t, srv.Environment["PGRST_DB_URI"], map[string]string{"PGRST_AUTHENTICATOR_PASS": "s3cret"})
		u, err := url.Parse(uri)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := u.User.Password(); u.User.Username() != "authenticator" || p != "s3cret" || u.Host != "postgres:5432" || u.Path != "/app" {
			t.Errorf("PGRST_DB_URI becomes %s", uri)
		}
	})
}

// TestCaddyfileRoutes checks the routes the issue names are there; the
// stack test runs them.
func TestCaddyfileRoutes(t *testing.T) {
	b, err := os.ReadFile("Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"handle_path /rest/* {", "handle /rpc/* {", "reverse_proxy {$UPSTREAM:server:3000}"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("Caddyfile has no %q", want)
		}
	}
}
