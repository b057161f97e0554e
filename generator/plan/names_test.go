package plan

import (
	"go/build"
	"go/token"
	"os"
	"path/filepath"
	"testing"
)

func TestExportedName(t *testing.T) {
	cases := map[string]string{
		"films":        "Films",
		"user_id":      "UserID",
		"userId":       "UserID",
		"User ID":      "UserID",
		"api_url":      "APIURL",
		"1st table":    "X1stTable",
		"_leading":     "Leading",
		"__double":     "Double",
		"type":         "Type",
		"名前":           "X名前",
		"Größe":        "Größe",
		"?!":           "X3F21",
		"":             "X",
		"line\nbreak":  "LineBreak",
		`with "quote"`: "WithQuote",
		"HTTPServer":   "HTTPServer",
		"getHTTPUrl":   "GetHTTPURL",
	}
	for in, want := range cases {
		got := exportedName(in)
		if got != want {
			t.Errorf("exportedName(%q) = %q, want %q", in, got, want)
		}
		if !token.IsIdentifier(got) || !token.IsExported(got) {
			t.Errorf("exportedName(%q) = %q is not an exported identifier", in, got)
		}
	}
}

// TestNamerDistinct: clashing names, case-only clashes included, get
// distinct names in request order, and digits never run into suffixes.
func TestNamerDistinct(t *testing.T) {
	n := newNamer("Schema")
	got := []string{n.name("Films"), n.name("FILMS"), n.name("Films"), n.name("Schema"), n.name("V1"), n.name("V1")}
	want := []string{"Films", "FILMS2", "Films3", "Schema2", "V1", "V1_2"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("name #%d = %q, want %q (all: %v)", i, got[i], want[i], got)
		}
	}
}

// TestFileStemIsPlainForGoBuild: whatever the name, the generated file
// name is one go/build compiles on every platform.
func TestFileStemIsPlainForGoBuild(t *testing.T) {
	ctx := build.Default
	for _, goName := range []string{"EventsLinux", "ThingTest", "XAmd64", "Windows386", "X名前", "Leading", "Größe"} {
		for _, kind := range []string{"_table.go", "_view.go", "_func.go"} {
			name := fileStem(goName) + kind
			if name[0] == '_' || name[0] == '.' {
				t.Errorf("%s starts with %q", name, name[0])
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, name), []byte("package x\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, goos := range []string{"linux", "windows", "darwin", "plan9"} {
				ctx.GOOS = goos
				ok, err := ctx.MatchFile(dir, name)
				if err != nil || !ok {
					t.Errorf("%s on %s: match=%v err=%v", name, goos, ok, err)
				}
			}
			// The control: a name go/build does exclude is caught.
			if ctx.GOOS = "windows"; goName == "EventsLinux" {
				bad := fileStem(goName) + ".go"
				if err := os.WriteFile(filepath.Join(dir, bad), []byte("package x\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				if ok, _ := ctx.MatchFile(dir, bad); ok {
					t.Errorf("control %s should be excluded on windows", bad)
				}
			}
		}
	}
}

func TestSingular(t *testing.T) {
	cases := map[string]string{
		"books":            "book",
		"book_ratings":     "book_rating",
		"BookRatings":      "BookRating",
		"bookRatings":      "bookRating",
		"FILMS":            "FILM",
		"Films":            "Film",
		"HTTPServers":      "HTTPServer",
		"categories":       "category",
		"people":           "person",
		"addresses":        "address",
		"boxes":            "box",
		"matches":          "match",
		"responses":        "response",
		"status":           "status",
		"statuses":         "status",
		"class":            "class",
		"analysis":         "analysis",
		"series":           "series",
		"news":             "news",
		"ties":             "tie",
		"Order Items":      "Order Item",
		"films_v1":         "films_v1",
		"ñandú":            "ñandú",
		"名前":               "名前",
		"s":                "s",
		"":                 "",
		"edition_releases": "edition_release",
	}
	for in, want := range cases {
		if got := singular(in); got != want {
			t.Errorf("singular(%q) = %q, want %q", in, got, want)
		}
	}
}
