package request

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// Preferences is the Prefer header as PostgREST reads it: the values of all
// Prefer headers split at commas, the first valid value of each kind wins.
// An empty field is a preference not given.
type Preferences struct {
	Count    string // exact, planned, estimated
	Tx       string // commit, rollback; only when db-tx-end allows overrides
	Handling string // strict, lenient
	Timezone string
	// MaxAffected is max-affected=n; it binds only with handling=strict.
	MaxAffected *int64
	// Return, Missing and Resolution are honoured by writes only.
	Return     string // representation, minimal, headers-only
	Missing    string // default, null
	Resolution string // merge-duplicates, ignore-duplicates
	// Invalid are the tokens PostgREST does not know, for handling=strict.
	Invalid []string
}

// acceptedPrefs are the preference tokens PostgREST recognises; any other
// token (besides timezone= and max-affected=) is invalid under
// handling=strict.
var acceptedPrefs = map[string][2]string{
	"resolution=merge-duplicates": {"resolution", "merge-duplicates"}, "resolution=ignore-duplicates": {"resolution", "ignore-duplicates"},
	"return=representation": {"return", "representation"}, "return=minimal": {"return", "minimal"}, "return=headers-only": {"return", "headers-only"},
	"count=exact": {"count", "exact"}, "count=planned": {"count", "planned"}, "count=estimated": {"count", "estimated"},
	"tx=commit": {"tx", "commit"}, "tx=rollback": {"tx", "rollback"},
	"missing=default": {"missing", "default"}, "missing=null": {"missing", "null"},
	"handling=strict": {"handling", "strict"}, "handling=lenient": {"handling", "lenient"},
}

// ParsePrefer reads the Prefer headers; tx= counts only when
// allowTxOverride (db-tx-end ends in -allow-override).
func ParsePrefer(h http.Header, allowTxOverride bool) Preferences {
	var p Preferences
	for _, line := range h.Values("Prefer") {
		for item := range strings.SplitSeq(line, ",") {
			item = strings.TrimSpace(item)
			if kv, ok := acceptedPrefs[item]; ok {
				switch kv[0] {
				case "count":
					p.Count = first(p.Count, kv[1])
				case "tx":
					if allowTxOverride {
						p.Tx = first(p.Tx, kv[1])
					}
				case "handling":
					p.Handling = first(p.Handling, kv[1])
				case "return":
					p.Return = first(p.Return, kv[1])
				case "missing":
					p.Missing = first(p.Missing, kv[1])
				case "resolution":
					p.Resolution = first(p.Resolution, kv[1])
				}
				continue
			}
			if tz, ok := strings.CutPrefix(item, "timezone="); ok {
				p.Timezone = first(p.Timezone, tz)
				continue
			}
			if v, ok := strings.CutPrefix(item, "max-affected="); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil && p.MaxAffected == nil {
					p.MaxAffected = &n
				}
				continue
			}
			p.Invalid = append(p.Invalid, item)
		}
	}
	return p
}

func first(cur, v string) string {
	if cur != "" {
		return cur
	}
	return v
}

// StrictError is PGRST122 when handling=strict meets invalid preferences.
func (p Preferences) StrictError() *apierr.Error {
	if p.Handling != "strict" || len(p.Invalid) == 0 {
		return nil
	}
	return apierr.New(http.StatusBadRequest, "PGRST122", "Invalid preferences given with handling=strict",
		"Invalid preferences: "+strings.Join(p.Invalid, ", "), "")
}

// AppliedForRead is Preference-Applied for a read, in PostgREST's order.
func (p Preferences) AppliedForRead() string {
	var out []string
	if p.Count != "" {
		out = append(out, "count="+p.Count)
	}
	if p.Tx != "" {
		out = append(out, "tx="+p.Tx)
	}
	if p.Handling != "" {
		out = append(out, "handling="+p.Handling)
	}
	if p.Timezone != "" {
		out = append(out, "timezone="+p.Timezone)
	}
	return strings.Join(out, ", ")
}

// AppliedForWrite is Preference-Applied for a write, in PostgREST's order:
// resolution only for POST, missing for all but DELETE, max-affected only
// where it binds (handling=strict, not POST).
func (p Preferences) AppliedForWrite(method string) string {
	var out []string
	if p.Resolution != "" && method == http.MethodPost {
		out = append(out, "resolution="+p.Resolution)
	}
	if p.Missing != "" && method != http.MethodDelete {
		out = append(out, "missing="+p.Missing)
	}
	if p.Return != "" {
		out = append(out, "return="+p.Return)
	}
	if rest := p.AppliedForRead(); rest != "" {
		out = append(out, rest)
	}
	if p.Handling == "strict" && p.MaxAffected != nil && method != http.MethodPost {
		out = append(out, "max-affected="+strconv.FormatInt(*p.MaxAffected, 10))
	}
	return strings.Join(out, ", ")
}
