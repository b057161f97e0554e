package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// TestReadmeAppWorkflow keeps the README's app-repository steps the ones
// testdata/script/app_tool.txtar runs, so the documented snippets are the
// tested ones.
func TestReadmeAppWorkflow(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	ar, err := txtar.ParseFile(filepath.Join("testdata", "script", "app_tool.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	file := func(name string) string {
		for _, f := range ar.Files {
			if f.Name == name {
				return string(f.Data)
			}
		}
		t.Fatalf("app_tool.txtar has no %s", name)
		return ""
	}
	block := func(after string) string {
		m := regexp.MustCompile("(?s)" + regexp.QuoteMeta(after) + "\\s*```[a-z]*\n(.*?)```").FindSubmatch(readme)
		if m == nil {
			t.Fatalf("README has no code block after %q", after)
		}
		return string(m[1])
	}
	if got, want := block("Serve it from the module's `main.go`:"), file("main.go.txt"); got != want {
		t.Errorf("README's main.go is not app_tool.txtar's main.go.txt:\n%s\nwant:\n%s", got, want)
	}
	if got, want := block("`db/generate.go`:"), file("db/generate.go"); got != want {
		t.Errorf("README's generate.go is not app_tool.txtar's db/generate.go:\n%s\nwant:\n%s", got, want)
	}
	// The module set-up: the README's go mod edit (continued lines joined,
	// the checkout a placeholder) is the script's.
	setup := strings.ReplaceAll(block("cmd/pgrestgen@latest`):"), " \\\n  ", " ")
	script := strings.ReplaceAll(string(ar.Comment), "$REPO_ROOT", "/path/to/pgrestgen")
	for _, line := range strings.Split(strings.TrimSpace(setup), "\n") {
		if !strings.Contains(script, "exec "+line+"\n") {
			t.Errorf("README's %q is not a step of app_tool.txtar", line)
		}
	}
}
