package plan

import (
	"net/http"
	"slices"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/fuzzy"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// Functions are the callable functions of the exposed schemas: per name,
// the overloads of each schema.
type Functions map[string]map[string][]*contract.Function

// FindFunction picks the function a call means, as PostgREST's findProc:
// among the overloads of schema.name, the one whose parameters the given
// argument names fit (every required one given, nothing unknown); failing
// that, one with a single unnamed parameter of the body's type.
func (fs Functions) FindFunction(schema, name string, keys []string, body *request.CallBody) (*contract.Function, *apierr.Error) {
	overloads := fs[name][schema]
	media := "application/json"
	post := body != nil
	if post {
		switch {
		case body.Media != "":
			media = body.Media
		case body.IsForm:
			media = "application/x-www-form-urlencoded"
		case body.IsCSV:
			media = "text/csv"
		}
	}
	var matches, fallbacks []*contract.Function
	for _, fn := range overloads {
		switch {
		case paramsMatch(fn, keys, post, media):
			matches = append(matches, fn)
		case post && singleUnnamed(fn, media):
			fallbacks = append(fallbacks, fn)
		}
	}
	switch {
	case len(matches) == 1:
		return matches[0], nil
	case len(matches) > 1:
		return nil, ambiguousFunction(matches)
	case len(fallbacks) == 1:
		return fallbacks[0], nil
	case len(fallbacks) > 1:
		return nil, ambiguousFunction(fallbacks)
	}
	return nil, fs.functionNotFound(schema, name, keys, post, media, overloads)
}

func paramsMatch(fn *contract.Function, keys []string, post bool, media string) bool {
	if len(fn.Params) == 0 {
		raw := request.RawParamType(media) != ""
		return len(keys) == 0 && !(post && raw)
	}
	for _, p := range fn.Params {
		if p.Required && !slices.Contains(keys, p.Name) {
			return false
		}
	}
	for _, k := range keys {
		if !slices.ContainsFunc(fn.Params, func(p contract.Param) bool { return p.Name == k }) {
			return false
		}
	}
	return true
}

// singleUnnamed reports whether fn takes the whole body of this media type
// through its one unnamed parameter.
func singleUnnamed(fn *contract.Function, media string) bool {
	if len(fn.Params) != 1 || fn.Params[0].Name != "" {
		return false
	}
	t := fn.Params[0].Type
	if media == "application/json" {
		return t == "json" || t == "jsonb"
	}
	return request.RawParamType(media) == t
}

func ambiguousFunction(fns []*contract.Function) *apierr.Error {
	var cands []string
	for _, fn := range fns {
		var ps []string
		for _, p := range fn.Params {
			ps = append(ps, p.Name+" => "+p.Type)
		}
		cands = append(cands, fn.Schema+"."+fn.Name+"("+strings.Join(ps, ", ")+")")
	}
	return apierr.New(http.StatusMultipleChoices, "PGRST203",
		"Could not choose the best candidate function between: "+strings.Join(cands, ", "), "",
		"Try renaming the parameters or the function itself in the database so function overloading can be resolved")
}

// functionNotFound is PGRST202 with PostgREST's message, details and hint.
func (fs Functions) functionNotFound(schema, name string, keys []string, post bool, media string, overloads []*contract.Function) *apierr.Error {
	fq := schema + "." + name
	raw := request.RawParamType(media) != ""
	onlySingle := post && raw
	withParams := " without parameters"
	detailParams := withParams
	if len(keys) > 0 {
		withParams = "(" + strings.Join(keys, ", ") + ")"
		detailParams = " with parameter "
		if len(keys) > 1 {
			detailParams = " with parameters "
		}
		detailParams += strings.Join(keys, ", ")
	}
	msg := "Could not find the function " + fq
	if !onlySingle {
		msg += withParams
	}
	msg += " in the schema cache"
	details := "Searched for the function " + fq
	switch {
	case post && raw:
		details += " with a single unnamed " + request.RawParamType(media) + " parameter"
	case post && media == "application/json":
		details += detailParams + " or with a single unnamed json/jsonb parameter"
	default:
		details += detailParams
	}
	details += ", but no matches were found in the schema cache."
	hint := ""
	if !onlySingle {
		hint = fs.functionHint(schema, name, keys, overloads)
	}
	return apierr.New(http.StatusNotFound, "PGRST202", msg, details, hint)
}

// functionHint is PostgREST's "Perhaps you meant" for a call: the closest
// function name of the schema, or when the name exists, the closest
// parameter list of its overloads.
func (fs Functions) functionHint(schema, name string, keys []string, overloads []*contract.Function) string {
	prefix := "Perhaps you meant to call the function " + schema + "."
	if len(overloads) == 0 {
		var names []string
		for n, bySchema := range fs {
			if len(bySchema[schema]) > 0 {
				names = append(names, n)
			}
		}
		if best, ok := fuzzy.GetOne(name, names, fuzzy.NameScore); ok {
			return prefix + best
		}
		return ""
	}
	paramList := func(names []string) string {
		names = slices.Clone(names)
		slices.Sort(names)
		return "(" + strings.Join(names, ", ") + ")"
	}
	var lists []string
	for _, fn := range overloads {
		var ps []string
		for _, p := range fn.Params {
			ps = append(ps, p.Name)
		}
		lists = append(lists, paramList(ps))
	}
	if best, ok := fuzzy.GetOne(paramList(keys), lists, fuzzy.DefaultScore); ok {
		return prefix + name + best
	}
	return ""
}
