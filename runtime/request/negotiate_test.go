package request

import (
	"strings"
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
		got, _, err := Negotiate(c.accept, false)
		switch {
		case c.err != "" && (err == nil || err.Message != c.err || err.Status != 406):
			t.Errorf("negotiate(%q) error = %v, want 406 %q", c.accept, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("negotiate(%q) = %v, %v; want %v", c.accept, got, err, c.want)
		}
	}
}

// TestNegotiatePlan covers F-MEDIA-09's negotiation: the format, for= (by
// default application/json), the options kept in PostgREST's order, and
// PGRST107 naming the plan when db-plan-enabled is off or for= is not
// producible.
func TestNegotiatePlan(t *testing.T) {
	cases := []struct {
		accept string
		plans  bool
		want   Media
		json   bool
		opts   string
		name   string
		err    string
	}{
		{"application/vnd.pgrst.plan", true, MediaJSON, false, "", `application/vnd.pgrst.plan+text; for="application/json"`, ""},
		{"application/vnd.pgrst.plan+json", true, MediaJSON, true, "", `application/vnd.pgrst.plan+json; for="application/json"`, ""},
		{"Application/Vnd.Pgrst.Plan+Text", true, MediaJSON, false, "", `application/vnd.pgrst.plan+text; for="application/json"`, ""},
		{`application/vnd.pgrst.plan+json; for="text/csv"`, true, MediaCSV, true, "", `application/vnd.pgrst.plan+json; for="text/csv"`, ""},
		{`application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object"`, true, MediaObject, true, "",
			`application/vnd.pgrst.plan+json; for="application/vnd.pgrst.object+json"`, ""},
		{`application/vnd.pgrst.plan+json; for="application/vnd.pgrst.array+json;nulls=stripped"; options=verbose`, true, MediaArrayStripped, true, "verbose",
			`application/vnd.pgrst.plan+json; for="application/vnd.pgrst.array+json;nulls=stripped"; options=verbose`, ""},
		{"application/vnd.pgrst.plan+json; options=wal|buffers|nonsense|analyze|verbose|settings|analyze", true, MediaJSON, true, "analyze|verbose|settings|buffers|wal",
			`application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose|settings|buffers|wal`, ""},
		{`application/vnd.pgrst.plan+json; options="analyze|wal"`, true, MediaJSON, true, "analyze|wal",
			`application/vnd.pgrst.plan+json; for="application/json"; options=analyze|wal`, ""},
		{"application/vnd.pgrst.plan+json; for=text/csv; options=analyze", true, MediaJSON, true, "",
			`application/vnd.pgrst.plan+json; for="application/json"`, ""},
		{"application/vnd.pgrst.plan+json; options=analyze; for=text/csv", true, MediaJSON, true, "analyze",
			`application/vnd.pgrst.plan+json; for="application/json"; options=analyze`, ""},
		{`application/vnd.pgrst.plan+json; for="application/json"; options=analyze;`, true, MediaJSON, true, "analyze",
			`application/vnd.pgrst.plan+json; for="application/json"; options=analyze`, ""},
		{"application/vnd.pgrst.plan+json; options=unknown", true, MediaJSON, true, "",
			`application/vnd.pgrst.plan+json; for="application/json"`, ""},
		{"application/vnd.pgrst.plan", false, 0, false, "", "",
			`None of these media types are available: application/vnd.pgrst.plan+text; for="application/json"`},
		{"application/vnd.pgrst.plan+json; options=analyze, text/html", false, 0, false, "", "",
			`None of these media types are available: application/vnd.pgrst.plan+json; for="application/json"; options=analyze, text/html`},
		{`application/vnd.pgrst.plan+json; for="text/xml"`, true, 0, false, "", "",
			`None of these media types are available: application/vnd.pgrst.plan+json; for="text/xml"`},
		{"application/vnd.pgrst.plan, application/json", false, MediaJSON, false, "", "", ""},
	}
	for _, c := range cases {
		got, ex, err := Negotiate(c.accept, c.plans)
		switch {
		case c.err != "":
			if err == nil || err.Message != c.err || err.Status != 406 || err.Code != "PGRST107" {
				t.Errorf("Negotiate(%q) error = %v, want 406 %q", c.accept, err, c.err)
			}
		case err != nil || got != c.want:
			t.Errorf("Negotiate(%q) = %v, %v; want %v", c.accept, got, err, c.want)
		case c.name == "" && ex != nil:
			t.Errorf("Negotiate(%q): a plan %+v, want none", c.accept, ex)
		case c.name != "" && (ex == nil || ex.Name != c.name || ex.JSON != c.json || strings.Join(ex.Options, "|") != c.opts):
			t.Errorf("Negotiate(%q) plan = %+v, want %s json=%v options=%q", c.accept, ex, c.name, c.json, c.opts)
		case ex != nil && ex.ContentType() != c.name+"; charset=utf-8":
			t.Errorf("Negotiate(%q) Content-Type %q", c.accept, ex.ContentType())
		}
	}
	// A handler function's media type is explained as well.
	c, err := NegotiateOffer(`application/vnd.pgrst.plan+json; for="text/xml"; options=verbose`, Offer{Own: []string{"text/xml"}}, true)
	if ex := c.Explain; err != nil || c.Media != MediaCustom || !c.Own || ex == nil || ex.Name != `application/vnd.pgrst.plan+json; for="text/xml"; options=verbose` {
		t.Errorf("NegotiateOffer(plan for text/xml) = %+v, %v", c, err)
	}
}

// TestNegotiateOffer covers F-MEDIA-07, 12-14: which handler answers, in
// PostgREST's order of lookup.
func TestNegotiateOffer(t *testing.T) {
	rel := Offer{Own: []string{"text/csv", "application/vnd.twkb"}, Any: []string{"application/vnd.geo2+json", "text/csv", "*/*"}}
	cases := []struct {
		name   string
		accept string
		offer  Offer
		want   Choice
		err    string
	}{
		{"own wins over anyelement", "text/csv", rel, Choice{Media: MediaCustom, Own: true, Index: 0}, ""},
		{"anyelement", "application/vnd.geo2+json", rel, Choice{Media: MediaCustom, Index: 0}, ""},
		{"anyelement */* takes */*", "", rel, Choice{Media: MediaCustom, Index: 2}, ""},
		{"anyelement */* takes no other type", "image/png", rel, Choice{}, "None of these media types are available: image/png"},
		{"own */* takes every type", "image/png", Offer{Own: []string{"text/plain", "*/*"}}, Choice{Media: MediaCustom, Own: true, Index: 1}, ""},
		{"own */* before own type", "text/plain", Offer{Own: []string{"text/plain", "*/*"}}, Choice{Media: MediaCustom, Own: true, Index: 1}, ""},
		{"vendor types are not overridden", "application/vnd.pgrst.object+json", Offer{Own: []string{"*/*"}}, Choice{Media: MediaObject}, ""},
		{"array+json is application/json", "application/vnd.pgrst.array+json", Offer{Any: []string{"application/json"}}, Choice{Media: MediaCustom}, ""},
		{"by preference", "application/vnd.twkb;q=0.5, text/csv", Offer{Own: []string{"application/vnd.twkb"}}, Choice{Media: MediaCSV}, ""},
		{"parameters ignored, case too", "Application/VND.twkb; v=1", Offer{Own: []string{"application/vnd.twkb"}}, Choice{Media: MediaCustom, Own: true}, ""},
		{"geojson with PostGIS", "application/geo+json", Offer{GeoJSON: true}, Choice{Media: MediaGeoJSON}, ""},
		{"geojson without PostGIS", "application/geo+json", Offer{}, Choice{}, "None of these media types are available: application/geo+json"},
	}
	for _, c := range cases {
		got, err := NegotiateOffer(c.accept, c.offer, false)
		switch {
		case c.err != "" && (err == nil || err.Message != c.err || err.Status != 406):
			t.Errorf("%s: error = %v, want 406 %q", c.name, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

// TestHandlerContentType: PostgREST's Content-Type of a handler's media
// type.
func TestHandlerContentType(t *testing.T) {
	for in, want := range map[string]string{
		"*/*":                      "application/octet-stream",
		"application/octet-stream": "application/octet-stream",
		"text/plain":               "text/plain; charset=utf-8",
		"Text/XML":                 "text/xml; charset=utf-8",
		"text/csv":                 "text/csv; charset=utf-8",
		"application/json":         "application/json; charset=utf-8",
		"application/geo+json":     "application/geo+json; charset=utf-8",
		"text/html":                "text/html",
		"application/vnd.twkb":     "application/vnd.twkb",
	} {
		if got := HandlerContentType(in); got != want {
			t.Errorf("HandlerContentType(%q) = %q, want %q", in, got, want)
		}
	}
}
