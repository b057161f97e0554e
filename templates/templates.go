// Package templates holds the text/template files of the server scaffold
// that `pgrestgen init` writes: main.go, generate.go, Dockerfile and go.mod.
// Per-table code is not here: it is emitted with jennifer by generator/emit.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// Scaffold is the data every template sees.
type Scaffold struct {
	// Module is the new server's module path.
	Module string
	// GoVersion is the go directive (and the Docker build image's tag).
	GoVersion string
	// Main is the package the Dockerfile builds, relative to the build
	// context: "." (the default) for a new module; deploy/'s Dockerfile
	// builds ./example from pgrestgen's checkout.
	Main string
	// SourceFlags are the generate flags naming the schema source.
	SourceFlags string
	// Schemas is the comma-separated list of exposed schemas.
	Schemas string
	// Requires are pgrestgen's own requirements ("module version" lines),
	// so the new module builds against the versions pgrestgen was tested with.
	Requires []string
	// Replace, when set, is the go.mod replace target for pgrestgen (a
	// checkout's directory, already quoted for go.mod if it needs to be).
	Replace string
}

// Outputs maps each template to the file it writes.
var outputs = [][2]string{
	{"main.go.tmpl", "main.go"},
	{"generate.go.tmpl", "generate.go"},
	{"Dockerfile.tmpl", "Dockerfile"},
	{"go.mod.tmpl", "go.mod"},
}

// Render executes every template and returns file name → content. Go files
// are gofmt'd.
func Render(data Scaffold) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, o := range outputs {
		b, err := render(o[0], o[1], data)
		if err != nil {
			return nil, err
		}
		out[o[1]] = b
	}
	return out, nil
}

// RenderFile renders the one template that writes name (one of Names).
func RenderFile(name string, data Scaffold) ([]byte, error) {
	for _, o := range outputs {
		if o[1] == name {
			return render(o[0], o[1], data)
		}
	}
	return nil, fmt.Errorf("no template writes %s", name)
}

func render(tmpl, name string, data Scaffold) ([]byte, error) {
	if data.Main == "" {
		data.Main = "."
	}
	t, err := template.ParseFS(files, tmpl)
	if err != nil {
		return nil, fmt.Errorf("parse template %s: %w", tmpl, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("execute template %q: %w", tmpl, err)
	}
	b := buf.Bytes()
	if strings.HasSuffix(name, ".go") {
		if b, err = format.Source(b); err != nil {
			return nil, fmt.Errorf("format %s: %w", name, err)
		}
	}
	return b, nil
}

// Names lists the files Render writes, in a fixed order.
func Names() []string {
	names := make([]string, len(outputs))
	for i, o := range outputs {
		names[i] = o[1]
	}
	return names
}
