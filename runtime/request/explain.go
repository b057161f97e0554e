package request

import "strings"

// Explain is a request for the execution plan of the statement a request
// runs instead of its result: PostgREST's application/vnd.pgrst.plan media
// type (db-plan-enabled), whose for= parameter names the media type whose
// statement is explained.
type Explain struct {
	// JSON is EXPLAIN's FORMAT JSON (+json); FORMAT TEXT otherwise (+text,
	// or no suffix).
	JSON bool
	// Options are the EXPLAIN options asked for in options= (joined by
	// "|"), in PostgREST's order: analyze, verbose, settings, buffers, wal.
	// Other words are dropped, as PostgREST drops them.
	Options []string
	// Name is the media type as PostgREST names it, in the Content-Type
	// and in PGRST107: the format, for= and the options kept.
	Name string
}

// ContentType is the plan's Content-Type.
func (e *Explain) ContentType() string { return e.Name + "; charset=utf-8" }

// Analyze says whether the statement runs (EXPLAIN ANALYZE).
func (e *Explain) Analyze() bool { return len(e.Options) > 0 && e.Options[0] == "analyze" }

// planOptions are the EXPLAIN options PostgREST accepts, in its order.
var planOptions = [...]string{"analyze", "verbose", "settings", "buffers", "wal"}

// isPlan says whether a media range (spaces removed) is the plan media
// type: a prefix check first, so other types cost one comparison.
func isPlan(raw string) bool {
	const plan = "application/vnd.pgrst.plan"
	if len(raw) < len(plan) || !strings.EqualFold(raw[:len(plan)], plan) {
		return false
	}
	typ, _, _ := strings.Cut(strings.ToLower(raw), ";")
	return typ == plan || typ == plan+"+json" || typ == plan+"+text"
}

// decodePlan reads a plan media range (isPlan): its format and options, and
// the media range of its for= parameter (application/json by default).
func decodePlan(raw string) (*Explain, string) {
	typ, params, _ := strings.Cut(raw, ";")
	ex := &Explain{JSON: strings.HasSuffix(strings.ToLower(typ), "+json")}
	forRaw, opts := "application/json", ""
	for params != "" {
		var k, v string
		k, params, _ = strings.Cut(params, "=")
		if strings.HasPrefix(params, `"`) {
			// A quoted value may hold ";" (for="…;nulls=stripped").
			v, params, _ = strings.Cut(params[1:], `"`)
			_, params, _ = strings.Cut(params, ";")
		} else {
			v, params, _ = strings.Cut(params, ";")
			if !unquotedValue(v) {
				// PostgREST's parser stops at a value it cannot read
				// (for=text/csv unquoted): the rest is ignored.
				break
			}
		}
		switch strings.ToLower(k) {
		case "for":
			forRaw = v
		case "options":
			opts = v
		}
	}
	asked := strings.Split(opts, "|")
	for _, o := range planOptions {
		for _, a := range asked {
			if a == o {
				ex.Options = append(ex.Options, o)
				break
			}
		}
	}
	format := "text"
	if ex.JSON {
		format = "json"
	}
	forName := forRaw
	if isPlan(forRaw) {
		forName = "application/vnd.pgrst.plan"
	} else if _, _, n := decodeMedia(forRaw); n != "" {
		forName = n
	}
	ex.Name = "application/vnd.pgrst.plan+" + format + `; for="` + forName + `"`
	if len(ex.Options) > 0 {
		ex.Name += "; options=" + strings.Join(ex.Options, "|")
	}
	return ex, forRaw
}

// unquotedValue says whether v is a parameter value PostgREST reads
// unquoted: letters, digits, "|" and "-".
func unquotedValue(v string) bool {
	if v == "" {
		return false
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '|' || c == '-') {
			return false
		}
	}
	return true
}
