package query

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// splitByBytes is Split written the plain way, one byte at a time: every
// piece decoded, "&" and ";" both separators. Split's shortcuts (no
// decoding when nothing needs it, one separator when there is no ";")
// must give the same params.
func splitByBytes(raw string) []Param {
	var out []Param
	raw = strings.TrimPrefix(raw, "?")
	for raw != "" {
		piece := raw
		raw = ""
		for i := 0; i < len(piece); i++ {
			if piece[i] == '&' || piece[i] == ';' {
				piece, raw = piece[:i], piece[i+1:]
				break
			}
		}
		k, v, has := strings.Cut(piece, "=")
		out = append(out, Param{Key: urlDecode(k), Value: urlDecode(v), HasValue: has})
	}
	return out
}

var splitInputs = []string{
	"", "?", "a", "a=", "=b", "&&", ";;", "a=1&b=2", "a=1;b=2&c=3", "?select=id,name&id=eq.1",
	"a=x+y", "a=%2B%zz&b=%", "a=1;b=x+y&c=100%25", "a=b=c&d", "&a=1&", "a%3Db=c", "a=%e2%82%ac;b",
}

func TestSplitShortcuts(t *testing.T) {
	for _, raw := range splitInputs {
		if diff := cmp.Diff(splitByBytes(raw), Split(raw), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Split(%q) (-want +got):\n%s", raw, diff)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, raw := range splitInputs {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if diff := cmp.Diff(splitByBytes(raw), Split(raw), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Split(%q) (-want +got):\n%s", raw, diff)
		}
		if n := count(raw); n < len(Split(raw)) {
			t.Errorf("count(%q) = %d, below %d params", raw, n, len(Split(raw)))
		}
	})
}
