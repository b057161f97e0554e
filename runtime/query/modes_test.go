package query

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// modeGrammars are the entry points syntax runs, each returning what it
// parsed.
var modeGrammars = []struct {
	name string
	run  func(s *pstate) (bool, any)
}{
	{"select", func(s *pstate) (bool, any) {
		items := []SelectItem{}
		return s.fieldForest(&items), items
	}},
	{"order", func(s *pstate) (bool, any) {
		var terms []OrderTerm
		return s.order(&terms), terms
	}},
	{"logic tree", func(s *pstate) (bool, any) {
		var c Condition
		return s.logicTree(&c), c
	}},
	{"filter", func(s *pstate) (bool, any) {
		f := &Filter{}
		return s.opExpr(false, f), f
	}},
	{"tree path", func(s *pstate) (bool, any) {
		var path []string
		var f Field
		var last int
		ok := s.treePath(&path, &f, &last)
		return ok, []any{path, f, last}
	}},
	{"logic path", func(s *pstate) (bool, any) {
		var path []string
		var op string
		ok := s.logicPath(&path, &op)
		return ok, []any{path, op}
	}},
	{"integer", func(s *pstate) (bool, any) {
		var text string
		return s.integer(&text), text
	}},
}

// checkModes asserts that parsing in with and without error tracking takes
// the same course: same success, position, results and semantic findings.
// syntax relies on it to run the tracking parse only after a failure.
func checkModes(t *testing.T, in string) {
	t.Helper()
	for _, g := range modeGrammars {
		fast := &pstate{src: in}
		okFast, outFast := g.run(fast)
		full := &pstate{src: in, track: true}
		okFull, outFull := g.run(full)
		if okFast != okFull || fast.pos != full.pos || fast.bigIndex != full.bigIndex || fast.aggregate != full.aggregate {
			t.Fatalf("%s %q: fast mode gives ok %v pos %d (%q, %v), tracking gives ok %v pos %d (%q, %v)", g.name, in,
				okFast, fast.pos, fast.bigIndex, fast.aggregate, okFull, full.pos, full.bigIndex, full.aggregate)
		}
		if d := cmp.Diff(outFull, outFast); d != "" {
			t.Fatalf("%s %q: results differ (-tracking +fast):\n%s", g.name, in, d)
		}
		if fast.err.msgs != nil {
			t.Fatalf("%s %q: fast mode collected errors %v", g.name, in, fast.err.msgs)
		}
	}
}

func TestModes(t *testing.T) {
	for _, in := range modeSeeds() {
		checkModes(t, in)
	}
}

// FuzzModes checks the fast, untracked parse against the tracking one on
// any text, for every grammar.
func FuzzModes(f *testing.F) {
	for _, in := range modeSeeds() {
		f.Add(in)
	}
	f.Fuzz(checkModes)
}

// modeSeeds are the param keys and values of the table tests.
func modeSeeds() []string {
	var seeds []string
	for _, group := range [][]parseCase{selectCases, filterCases, logicCases, orderCases, rangeCases, embedCases} {
		for _, tc := range group {
			q := tc.q
			if q == nil {
				q = values(tc.in)
			}
			for k, vs := range q {
				seeds = append(seeds, k)
				for _, v := range vs {
					seeds = append(seeds, v, "or"+v, "and"+v)
				}
			}
		}
	}
	return seeds
}
