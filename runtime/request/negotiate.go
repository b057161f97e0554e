package request

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// Media is what a response's body is rendered as.
type Media int

const (
	MediaJSON Media = iota
	MediaArrayStripped
	MediaObject
	MediaObjectStripped
	MediaCSV
	// MediaCustom is a handler's media type: a handler function's own
	// (Function.MediaType) or a handler aggregate's (Choice.Own, Index).
	MediaCustom
	// MediaGeoJSON is PostgREST's application/geo+json, a FeatureCollection
	// of the rows (PostGIS).
	MediaGeoJSON
)

// ContentType is the Content-Type PostgREST sends for each built-in media
// type.
func (m Media) ContentType() string {
	switch m {
	case MediaArrayStripped:
		return "application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8"
	case MediaObject:
		return "application/vnd.pgrst.object+json; charset=utf-8"
	case MediaObjectStripped:
		return "application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8"
	case MediaCSV:
		return "text/csv; charset=utf-8"
	case MediaGeoJSON:
		return "application/geo+json; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

// Singular reports whether the body is one object, which needs exactly one
// row (PGRST116 otherwise).
func (m Media) Singular() bool { return m == MediaObject || m == MediaObjectStripped }

// acceptEntry is one media range of an Accept header.
type acceptEntry struct {
	raw         string // without spaces and without its q parameter
	q           float64
	specificity int // parameters minus wildcards: more specific wins a tie
}

// parseAccept splits an Accept header the way PostgREST's server library
// does: spaces dropped, entries ordered by q (default 1) and then by
// specificity, both descending, ties kept in header order.
func parseAccept(h string) []acceptEntry {
	var out []acceptEntry
	for _, part := range strings.Split(strings.ReplaceAll(h, " ", ""), ",") {
		e := acceptEntry{raw: part, q: 1}
		if i := strings.Index(part, ";q="); i >= 0 {
			e.raw = part[:i]
			qs := part[i+3:]
			if j := strings.IndexByte(qs, ';'); j >= 0 {
				qs = qs[:j]
			}
			if q, err := strconv.ParseFloat(qs, 64); err == nil {
				e.q = q
			}
		}
		e.specificity = strings.Count(e.raw, ";") - strings.Count(e.raw, "*")
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b acceptEntry) int {
		if a.q != b.q {
			if a.q > b.q {
				return -1
			}
			return 1
		}
		return b.specificity - a.specificity
	})
	return out
}

// decodeMedia maps a media range to what tables and views can produce, and
// gives the name PostgREST shows for it in PGRST107.
func decodeMedia(raw string) (m Media, ok bool, name string) {
	typ, params, _ := strings.Cut(raw, ";")
	typ = strings.ToLower(typ)
	stripped := false
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.ToLower(k) == "nulls" && strings.Trim(v, `"`) == "stripped" {
			stripped = true
		}
	}
	switch typ {
	case "application/json":
		return MediaJSON, true, "application/json"
	case "*/*":
		return MediaJSON, true, "*/*"
	case "text/csv":
		return MediaCSV, true, "text/csv"
	case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object":
		if stripped {
			return MediaObjectStripped, true, "application/vnd.pgrst.object+json;nulls=stripped"
		}
		return MediaObject, true, "application/vnd.pgrst.object+json"
	case "application/vnd.pgrst.array+json", "application/vnd.pgrst.array":
		if stripped {
			return MediaArrayStripped, true, "application/vnd.pgrst.array+json;nulls=stripped"
		}
		return MediaJSON, true, "application/json"
	}
	known := map[string]string{
		"application/geo+json": "application/geo+json", "text/plain": "text/plain", "text/xml": "text/xml",
		"application/openapi+json": "application/openapi+json", "application/x-www-form-urlencoded": "application/x-www-form-urlencoded",
		"application/octet-stream": "application/octet-stream",
	}
	if n, found := known[typ]; found {
		return 0, false, n
	}
	return 0, false, raw
}

// HandlerContentType is the Content-Type of a handler's answers, from the
// name of its domain: "*/*" answers application/octet-stream; the media
// types PostgREST knows get its spelling and, but for octet-stream, its
// "; charset=utf-8"; others are sent as named.
func HandlerContentType(domain string) string {
	if domain == "*/*" {
		return "application/octet-stream"
	}
	switch t := strings.ToLower(domain); t {
	case "application/octet-stream":
		return t
	case "application/json", "application/geo+json", "text/csv", "text/plain", "text/xml",
		"application/openapi+json", "application/x-www-form-urlencoded":
		return t + "; charset=utf-8"
	}
	return domain
}

// Offer is what a response can be rendered in besides the built-in JSON
// and CSV, as lower-case media types ("*/*" for a handler of any).
type Offer struct {
	// Own are the handlers of the relation itself (aggregates of its row
	// type, or a handler function's own media type). PostgREST offers them
	// only when the request selects the default columns, and an own "*/*"
	// wins over every other media type.
	Own []string
	// Any are the handler aggregates over anyelement: they replace the
	// built-in handler of their media type.
	Any []string
	// GeoJSON offers application/geo+json (a relation with PostGIS columns).
	GeoJSON bool
}

// Choice is a negotiated media type: for MediaCustom, the handler is
// Offer.Own[Index] when Own, else Offer.Any[Index].
type Choice struct {
	Media Media
	Own   bool
	Index int
	// Explain, when set, asks for the plan of the statement of Media.
	Explain *Explain
}

// Negotiate picks the response media type from the Accept header: the first
// entry, in its order of preference, that a relation can produce (PGRST107
// when none). No Accept means JSON. plans is db-plan-enabled: with it, an
// application/vnd.pgrst.plan entry is accepted and gives the Explain of
// its for= media type (nil otherwise), which is then the Media.
func Negotiate(accept string, plans bool) (Media, *Explain, *apierr.Error) {
	c, aerr := NegotiateOffer(accept, Offer{}, plans)
	return c.Media, c.Explain, aerr
}

// NegotiateOffer picks the response media type from the Accept header
// among the built-in ones and those of o, as PostgREST does: entries in
// their order of preference; for each, the vendor types (object, stripped
// array), which cannot be overridden, then the relation's own "*/*" and
// own handler of that type, then an anyelement one, then the built-in one.
// PGRST107 when no entry is available. No Accept means "*/*". A plan entry
// is negotiated as its for= media type, only when plans is set.
func NegotiateOffer(accept string, o Offer, plans bool) (Choice, *apierr.Error) {
	entries := []acceptEntry{{raw: "*/*", q: 1}}
	if strings.TrimSpace(accept) != "" {
		entries = parseAccept(accept)
	}
	var names []string
	for _, e := range entries {
		raw := e.raw
		var ex *Explain
		if isPlan(raw) {
			ex, raw = decodePlan(raw)
			if !plans || isPlan(raw) {
				names = append(names, ex.Name)
				continue
			}
		}
		m, ok, name := decodeMedia(raw)
		typ := name
		if !ok {
			typ, _, _ = strings.Cut(strings.ToLower(raw), ";")
		}
		if ex != nil {
			name = ex.Name
		}
		if ok && m != MediaJSON && m != MediaCSV {
			return Choice{Media: m, Explain: ex}, nil
		}
		if i := slices.Index(o.Own, "*/*"); i >= 0 {
			return Choice{Media: MediaCustom, Own: true, Index: i, Explain: ex}, nil
		}
		if i := slices.Index(o.Own, typ); i >= 0 {
			return Choice{Media: MediaCustom, Own: true, Index: i, Explain: ex}, nil
		}
		if i := slices.Index(o.Any, typ); i >= 0 {
			return Choice{Media: MediaCustom, Index: i, Explain: ex}, nil
		}
		switch {
		case ok:
			return Choice{Media: m, Explain: ex}, nil
		case typ == "application/geo+json" && o.GeoJSON:
			return Choice{Media: MediaGeoJSON, Explain: ex}, nil
		}
		names = append(names, name)
	}
	return Choice{}, apierr.New(http.StatusNotAcceptable, "PGRST107",
		"None of these media types are available: "+strings.Join(names, ", "), "", "")
}
