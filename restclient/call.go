package restclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Function names a function for Call; generated code fills it.
type Function struct {
	Name string
	// Schema is set outside the default schema (the profile).
	Schema string
	// Get calls with GET and the arguments in the query string, as
	// PostgREST allows for stable and immutable functions; otherwise POST
	// with a JSON body.
	Get bool
	// Variadic names the VARIADIC parameter, whose elements a GET repeats.
	Variadic string
	// Optional name the parameters with defaults: a null (nil) argument
	// is left out, so the default applies rather than NULL.
	Optional []string
}

// Call calls fn with args (a generated argument struct) and decodes its
// result into a T; a void function's T is struct{}.
func Call[T any](ctx context.Context, c *Client, fn Function, args any) (T, error) {
	var out T
	fields, err := argFields(args, fn.Optional)
	if err != nil {
		return out, fmt.Errorf("call %s: %w", fn.Name, err)
	}
	r := request{method: http.MethodPost, path: "/rpc/" + url.PathEscape(fn.Name), profile: fn.Schema, body: fields}
	if fn.Get {
		r.method, r.params, r.body = http.MethodGet, queryArgs(fields, fn.Variadic), nil
	}
	resp, err := c.do(ctx, r)
	if err != nil || len(bytes.TrimSpace(resp.body)) == 0 {
		return out, err
	}
	return out, decode(r, resp.body, &out)
}

// argFields are the JSON fields of an argument struct, without the null
// ones of optional parameters.
func argFields(args any, optional []string) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	for _, name := range optional {
		if v, ok := fields[name]; ok && string(bytes.TrimSpace(v)) == "null" {
			delete(fields, name)
		}
	}
	return fields, nil
}

// queryArgs writes arguments as query parameters, in name order, with
// values as PostgreSQL reads them from text. GET cannot pass a null, so
// one is left out.
func queryArgs(fields map[string]json.RawMessage, variadic string) []param {
	var ps []param
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v := fields[k]
		var elems []json.RawMessage
		if k == variadic && json.Unmarshal(v, &elems) == nil {
			for _, e := range elems {
				s, _ := textValue(e, false)
				ps = append(ps, param{k, s})
			}
			continue
		}
		if s, ok := textValue(v, false); ok {
			ps = append(ps, param{k, s})
		}
	}
	return ps
}

// textValue is a JSON value as PostgreSQL's text input reads it: strings
// bare (quoted inside an array), arrays as array literals, objects as JSON.
// ok is false for null.
func textValue(v json.RawMessage, inArray bool) (s string, ok bool) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || string(v) == "null":
		if inArray {
			return "NULL", true
		}
		return "", false
	case v[0] == '"':
		var str string
		_ = json.Unmarshal(v, &str)
		if inArray {
			return quote(str), true
		}
		return str, true
	case v[0] == '[':
		var elems []json.RawMessage
		_ = json.Unmarshal(v, &elems)
		items := make([]string, len(elems))
		for i, e := range elems {
			items[i], _ = textValue(e, true)
		}
		return "{" + strings.Join(items, ",") + "}", true
	case v[0] == '{' && inArray:
		return quote(string(v)), true
	}
	return string(v), true
}
