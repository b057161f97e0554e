package runtime

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// preferences is the Prefer header as PostgREST reads it: the values of all
// Prefer headers split at commas, the first valid value of each kind wins.
type preferences struct {
	count    string // exact, planned, estimated
	tx       string // commit, rollback; only when db-tx-end allows overrides
	handling string // strict, lenient
	timezone string
	// maxAffected is max-affected=n; it binds only with handling=strict.
	maxAffected *int64
	// ret, missing and resolution are honoured by writes only.
	ret        string // representation, minimal, headers-only
	missing    string // default, null
	resolution string // merge-duplicates, ignore-duplicates
	invalid    []string
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

func parsePrefer(h http.Header, allowTxOverride bool) preferences {
	var p preferences
	for _, line := range h.Values("Prefer") {
		for _, item := range strings.Split(line, ",") {
			item = strings.TrimSpace(item)
			if kv, ok := acceptedPrefs[item]; ok {
				switch kv[0] {
				case "count":
					p.count = first(p.count, kv[1])
				case "tx":
					if allowTxOverride {
						p.tx = first(p.tx, kv[1])
					}
				case "handling":
					p.handling = first(p.handling, kv[1])
				case "return":
					p.ret = first(p.ret, kv[1])
				case "missing":
					p.missing = first(p.missing, kv[1])
				case "resolution":
					p.resolution = first(p.resolution, kv[1])
				}
				continue
			}
			if tz, ok := strings.CutPrefix(item, "timezone="); ok {
				p.timezone = first(p.timezone, tz)
				continue
			}
			if v, ok := strings.CutPrefix(item, "max-affected="); ok {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil && p.maxAffected == nil {
					p.maxAffected = &n
				}
				continue
			}
			p.invalid = append(p.invalid, item)
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

// strictError is PGRST122 when handling=strict meets invalid preferences.
func (p preferences) strictError() *apierr.Error {
	if p.handling != "strict" || len(p.invalid) == 0 {
		return nil
	}
	return apierr.New(http.StatusBadRequest, "PGRST122", "Invalid preferences given with handling=strict",
		"Invalid preferences: "+strings.Join(p.invalid, ", "), "")
}

// appliedForRead is Preference-Applied for a read, in PostgREST's order.
func (p preferences) appliedForRead() string {
	var out []string
	if p.count != "" {
		out = append(out, "count="+p.count)
	}
	if p.tx != "" {
		out = append(out, "tx="+p.tx)
	}
	if p.handling != "" {
		out = append(out, "handling="+p.handling)
	}
	if p.timezone != "" {
		out = append(out, "timezone="+p.timezone)
	}
	return strings.Join(out, ", ")
}
