package request

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/header"
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
	for _, line := range header.Values(h, header.Prefer) {
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
	var b applied
	p.appendRead(&b)
	return string(b)
}

func (p Preferences) appendRead(b *applied) {
	b.add("count=", p.Count)
	b.add("tx=", p.Tx)
	b.add("handling=", p.Handling)
	b.add("timezone=", p.Timezone)
}

// AppliedForWrite is Preference-Applied for a write, in PostgREST's order:
// resolution only for POST, missing for all but DELETE, max-affected only
// where it binds (handling=strict, not POST).
func (p Preferences) AppliedForWrite(method string) string {
	var b applied
	if method == http.MethodPost {
		b.add("resolution=", p.Resolution)
	}
	if method != http.MethodDelete {
		b.add("missing=", p.Missing)
	}
	b.add("return=", p.Return)
	p.appendRead(&b)
	if p.Handling == "strict" && p.MaxAffected != nil && method != http.MethodPost {
		b.add("max-affected=", strconv.FormatInt(*p.MaxAffected, 10))
	}
	return string(b)
}

// applied is a Preference-Applied value being written: one buffer rather
// than a string per preference, on every write's path.
type applied []byte

// add appends key and value, comma-separated, unless value is empty.
func (b *applied) add(key, value string) {
	if value == "" {
		return
	}
	if len(*b) > 0 {
		*b = append(*b, ", "...)
	} else {
		*b = make([]byte, 0, 64)
	}
	*b = append(*b, key...)
	*b = append(*b, value...)
}
