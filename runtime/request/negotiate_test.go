package request

import (
	"testing"
)

// TestNegotiate covers F-MEDIA-01…06, 10: q-values, specificity, case,
// parameters, and PostgREST's PGRST107 list.
func TestNegotiate(t *testing.T) {
	cases := []struct {
		accept string
		want   Media
		err    string
	}{
		{"", MediaJSON, ""},
		{"*/*", MediaJSON, ""},
		{"text/csv", MediaCSV, ""},
		{"TEXT/CSV", MediaCSV, ""},
		{"application/json; charset=utf-8", MediaJSON, ""},
		{"text/csv;q=0.5, application/json", MediaJSON, ""},
		{"application/json;q=0.5, text/csv", MediaCSV, ""},
		{"*/*, text/csv", MediaCSV, ""}, // equal q: the more specific first
		{"text/html, text/csv;q=0.1", MediaCSV, ""},
		{"application/vnd.pgrst.object+json", MediaObject, ""},
		{"application/vnd.pgrst.object+json;nulls=stripped", MediaObjectStripped, ""},
		{"application/vnd.pgrst.array+json;nulls=stripped", MediaArrayStripped, ""},
		{"application/vnd.pgrst.array+json", MediaJSON, ""},
		{"text/html", 0, "None of these media types are available: text/html"},
		{"text/html, text/plain;q=0.5", 0, "None of these media types are available: text/html, text/plain"},
		{"application/*", 0, "None of these media types are available: application/*"},
	}
	for _, c := range cases {
		got, err := Negotiate(c.accept)
		switch {
		case c.err != "" && (err == nil || err.Message != c.err || err.Status != 406):
			t.Errorf("negotiate(%q) error = %v, want 406 %q", c.accept, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("negotiate(%q) = %v, %v; want %v", c.accept, got, err, c.want)
		}
	}
}
