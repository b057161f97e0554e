package request

import "testing"

// TestNegotiateRoot (F-MEDIA-03, F-MEDIA-08): the root's documents by
// Accept, in its order of preference; PGRST107 naming what was asked.
func TestNegotiateRoot(t *testing.T) {
	for _, c := range []struct {
		accept string
		want   RootMedia
		err    string
	}{
		{"", RootSwagger, ""},
		{"*/*", RootSwagger, ""},
		{"application/json", RootSwagger, ""},
		{"application/openapi+json", RootSwagger, ""},
		{"application/vnd.oai.openapi+json;version=3.1", RootOpenAPI31, ""},
		{"application/vnd.oai.openapi+json; version=\"3.1.0\"", RootOpenAPI31, ""},
		{"application/vnd.oai.openapi+json", RootOpenAPI31, ""},
		{"application/openapi+json;q=0.5, application/vnd.oai.openapi+json;version=3.1", RootOpenAPI31, ""},
		{"application/vnd.oai.openapi+json;version=3.1;q=0.1, */*", RootSwagger, ""},
		{"application/vnd.oai.openapi+json;version=2.0, text/csv", 0, "None of these media types are available: application/vnd.oai.openapi+json;version=2.0, text/csv"},
		{"text/csv", 0, "None of these media types are available: text/csv"},
	} {
		got, aerr := NegotiateRoot(c.accept)
		switch {
		case c.err != "" && (aerr == nil || aerr.Message != c.err || aerr.Code != "PGRST107" || aerr.Status != 406):
			t.Errorf("NegotiateRoot(%q) = %v, %v; want PGRST107 %q", c.accept, got, aerr, c.err)
		case c.err == "" && (aerr != nil || got != c.want):
			t.Errorf("NegotiateRoot(%q) = %v, %v; want %v", c.accept, got, aerr, c.want)
		}
	}
}
