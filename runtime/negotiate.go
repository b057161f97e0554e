package runtime

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// media is what a read's body is rendered as.
type media int

const (
	mediaJSON media = iota
	mediaArrayStripped
	mediaObject
	mediaObjectStripped
	mediaCSV
	// mediaCustom is a function's own media type (Function.MediaType).
	mediaCustom
)

// contentType is the Content-Type PostgREST sends for each media type.
func (m media) contentType() string {
	switch m {
	case mediaArrayStripped:
		return "application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8"
	case mediaObject:
		return "application/vnd.pgrst.object+json; charset=utf-8"
	case mediaObjectStripped:
		return "application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8"
	case mediaCSV:
		return "text/csv; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

func (m media) singular() bool { return m == mediaObject || m == mediaObjectStripped }

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
func decodeMedia(raw string) (m media, ok bool, name string) {
	typ, params, _ := strings.Cut(raw, ";")
	typ = strings.ToLower(typ)
	stripped := false
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.ToLower(k) == "nulls" && strings.Trim(v, `"`) == "stripped" {
			stripped = true
		}
	}
	switch typ {
	case "application/json":
		return mediaJSON, true, "application/json"
	case "*/*":
		return mediaJSON, true, "*/*"
	case "text/csv":
		return mediaCSV, true, "text/csv"
	case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object":
		if stripped {
			return mediaObjectStripped, true, "application/vnd.pgrst.object+json;nulls=stripped"
		}
		return mediaObject, true, "application/vnd.pgrst.object+json"
	case "application/vnd.pgrst.array+json", "application/vnd.pgrst.array":
		if stripped {
			return mediaArrayStripped, true, "application/vnd.pgrst.array+json;nulls=stripped"
		}
		return mediaJSON, true, "application/json"
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

// negotiate picks the response media type: the first entry, in Accept's
// order of preference, that a relation can produce. No Accept means JSON.
func negotiate(accept string) (media, *apierr.Error) {
	m, _, aerr := negotiateWith(accept, "")
	return m, aerr
}

// negotiateCall is negotiate for a function call. A handler function
// (Function.MediaType) serves its media type, or every one for "*/*", when
// the call selects the default columns; it also gives the Content-Type of
// such a custom media type.
func negotiateCall(accept string, fn *Function, defaultSelect bool) (media, string, *apierr.Error) {
	if !defaultSelect {
		return negotiateWith(accept, "")
	}
	return negotiateWith(accept, fn.MediaType)
}

// negotiateWith picks the media type of a response, a handler's media type
// (handler, "" for none) ahead of the built-in ones except the vendor types
// (object, stripped array), which cannot be overridden, as in PostgREST.
func negotiateWith(accept, handler string) (media, string, *apierr.Error) {
	entries := []acceptEntry{{raw: "*/*", q: 1}}
	if strings.TrimSpace(accept) != "" {
		entries = parseAccept(accept)
	}
	var names []string
	for _, e := range entries {
		m, ok, name := decodeMedia(e.raw)
		if ok && m != mediaJSON && m != mediaCSV {
			return m, "", nil
		}
		typ, _, _ := strings.Cut(strings.ToLower(e.raw), ";")
		switch {
		case handler == "*/*":
			return mediaCustom, "application/octet-stream", nil
		case handler != "" && typ == handler:
			return mediaCustom, handler, nil
		case ok:
			return m, "", nil
		}
		names = append(names, name)
	}
	return 0, "", apierr.New(http.StatusNotAcceptable, "PGRST107",
		"None of these media types are available: "+strings.Join(names, ", "), "", "")
}
