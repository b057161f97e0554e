package request

import (
	"net/http"
	"testing"
)

// TestParsePrefer covers F-PREFER-04…06, 11, 12, 15 parsing.
func TestParsePrefer(t *testing.T) {
	h := http.Header{}
	h.Add("Prefer", "count=planned, handling=strict, foo=bar")
	h.Add("Prefer", "count=exact, timezone=America/Los_Angeles, tx=rollback, return=minimal, max-affected=5")
	p := ParsePrefer(h, false)
	if p.Count != "planned" || p.Handling != "strict" || p.Timezone != "America/Los_Angeles" || p.Tx != "" {
		t.Errorf("parsed %+v", p)
	}
	if e := p.StrictError(); e == nil || e.Code != "PGRST122" || *e.Details != "Invalid preferences: foo=bar" {
		t.Errorf("strict error = %+v", e)
	}
	if got := p.AppliedForRead(); got != "count=planned, handling=strict, timezone=America/Los_Angeles" {
		t.Errorf("applied = %q", got)
	}
	if p := ParsePrefer(h, true); p.Tx != "rollback" {
		t.Errorf("tx with override allowed = %q", p.Tx)
	}
	lenient := http.Header{"Prefer": {"foo, handling=lenient"}}
	if e := ParsePrefer(lenient, false).StrictError(); e != nil {
		t.Errorf("lenient gave %v", e)
	}
}

// TestAppliedForWrite: resolution only for POST, missing for all but
// DELETE, max-affected only where it binds, the read's preferences between.
func TestAppliedForWrite(t *testing.T) {
	h := http.Header{"Prefer": {"max-affected=5, resolution=merge-duplicates, missing=default, return=representation, count=exact, handling=strict"}}
	p := ParsePrefer(h, false)
	for method, want := range map[string]string{
		http.MethodPost:   "resolution=merge-duplicates, missing=default, return=representation, count=exact, handling=strict",
		http.MethodPatch:  "missing=default, return=representation, count=exact, handling=strict, max-affected=5",
		http.MethodDelete: "return=representation, count=exact, handling=strict, max-affected=5",
	} {
		if got := p.AppliedForWrite(method); got != want {
			t.Errorf("%s: %q, want %q", method, got, want)
		}
	}
	if got := ParsePrefer(http.Header{"Prefer": {"max-affected=5"}}, false).AppliedForWrite(http.MethodPatch); got != "" {
		t.Errorf("max-affected without handling=strict: %q", got)
	}
}
