package request

import (
	"net/http"
	"slices"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// CallBody is what a POST to a function sends as its arguments.
type CallBody struct {
	// Keys are the argument names the body gives, sorted.
	Keys []string
	// JSON is a JSON object (or array of objects, the first used) of
	// named arguments; Form holds form-urlencoded ones instead.
	JSON   []byte
	Object bool
	Form   []query.Arg
	IsForm bool
	// IsCSV says the JSON was read from a text/csv body: its named
	// arguments are as JSON's, but it is no body for a single unnamed
	// json parameter (PostgREST's findProc matches that for
	// application/json only).
	IsCSV bool
	// Raw is the body for a single unnamed parameter of the type Media
	// names (text, xml, bytea; see RawParamType); Media is "" for JSON and
	// form bodies.
	Raw   []byte
	Media string
}

// rawParamTypes are the single unnamed parameter types each raw body media
// type can be passed to.
var rawParamTypes = map[string]string{
	"text/plain": "text", "text/xml": "xml", "application/octet-stream": "bytea",
}

// RawParamType is the type of the single unnamed parameter a raw body of
// this media type (CallBody.Media) is passed to, "" for a media type that
// is not a raw body's.
func RawParamType(media string) string { return rawParamTypes[media] }

// ReadCallBody reads a POST body as PostgREST reads a function call's:
// JSON (an empty body is {}), CSV (its first row), form-urlencoded (keys may
// repeat, for VARIADIC), or text, XML or binary for a single unnamed
// parameter. rawQuery is the query string, for ?columns=.
func ReadCallBody(req *http.Request, rawQuery string, maxBody int64) (*CallBody, *apierr.Error) {
	body, aerr := readBody(req, maxBody)
	if aerr != nil {
		return nil, aerr
	}
	ct := contentType(req)
	switch ct {
	case "", "application/json", "text/csv":
		if ct == "text/csv" {
			if body, aerr = csvToJSON(body); aerr != nil {
				return nil, aerr
			}
		} else if len(strings.TrimSpace(string(body))) == 0 {
			p := &CallBody{JSON: body, Object: true}
			if cols := ColumnsParam(rawQuery); cols != nil {
				p.Keys = sortedCopy(cols)
			}
			return p, nil
		}
		p, aerr := jsonPayload(body, ColumnsParam(rawQuery), nil)
		if aerr != nil {
			return nil, aerr
		}
		return &CallBody{Keys: sortedCopy(p.Columns), JSON: p.JSON, Object: p.Object, IsCSV: ct == "text/csv"}, nil
	case "application/x-www-form-urlencoded":
		p := &CallBody{IsForm: true}
		for _, prm := range query.Split(string(body)) {
			if prm.Key == "" && !prm.HasValue {
				continue
			}
			for _, t := range [2]string{prm.Key, prm.Value} {
				if aerr := checkUTF8String(t); aerr != nil {
					return nil, aerr
				}
			}
			p.Form = append(p.Form, query.Arg{Name: prm.Key, Value: prm.Value})
			if !slices.Contains(p.Keys, prm.Key) {
				p.Keys = append(p.Keys, prm.Key)
			}
		}
		slices.Sort(p.Keys)
		return p, nil
	}
	if _, ok := rawParamTypes[ct]; ok {
		return &CallBody{Raw: body, Media: ct}, nil
	}
	return nil, apierr.New(http.StatusBadRequest, "PGRST102", "Content-Type not acceptable: "+ct, "", "")
}

// sortedCopy is s sorted without duplicates, s untouched.
func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
