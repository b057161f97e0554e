package request

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestProfile: Accept-Profile for reads, Content-Profile for writes, the
// first schema by default, PGRST106 for one not exposed.
func TestProfile(t *testing.T) {
	two := []string{"test", "v2"}
	cases := []struct {
		method, header, value string
		schemas               []string
		want                  string
		byProfile             bool
		err                   string
	}{
		{http.MethodGet, "", "", []string{"test"}, "test", false, ""},
		{http.MethodGet, "", "", two, "test", true, ""},
		{http.MethodGet, "Accept-Profile", "v2", two, "v2", true, ""},
		{http.MethodHead, "Accept-Profile", "test", two, "test", true, ""},
		{http.MethodPost, "Accept-Profile", "v2", two, "test", true, ""}, // writes read Content-Profile
		{http.MethodPatch, "Content-Profile", "v2", two, "v2", true, ""},
		{http.MethodDelete, "Content-Profile", "nope", two, "", false, "PGRST106"},
		{http.MethodGet, "Accept-Profile", "", two, "", false, "PGRST106"},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, "/t", nil)
		if c.header != "" {
			req.Header.Set(c.header, c.value)
		}
		schema, byProfile, aerr := Profile(req, c.schemas)
		switch {
		case c.err != "":
			if aerr == nil || aerr.Code != c.err || aerr.Status != http.StatusNotAcceptable ||
				aerr.Hint == nil || *aerr.Hint != "Only the following schemas are exposed: test, v2" {
				t.Errorf("%+v: error %+v, want %s", c, aerr, c.err)
			}
		case aerr != nil || schema != c.want || byProfile != c.byProfile:
			t.Errorf("%+v: %q %v %v", c, schema, byProfile, aerr)
		}
	}
}
