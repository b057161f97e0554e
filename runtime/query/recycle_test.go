package query

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParsersRecycle: one Parsers parses every test and corpus query string
// in turn, releasing each before the next, and must answer as a new parser
// does: nothing of one parse may show in the next.
func TestParsersRecycle(t *testing.T) {
	raws := corpus(t)
	for _, group := range [][]parseCase{selectCases, filterCases, logicCases, orderCases, rangeCases, embedCases} {
		for _, tc := range group {
			raws = append(raws, tc.in)
		}
	}
	raws = append(raws, "select=id,sku,name,category_id,price,stock&category_id=eq.3&price=lt.500&order=price.desc&limit=25",
		"a=eq.1", "select=a,b,c,d,e,f,g,h,i,j,k&a=eq.1&b=eq.2&c=eq.3&d=eq.4", "select=a", "")
	var ps Parsers
	for _, o := range []Options{{}, {Aggregates: true}} {
		for _, raw := range raws {
			for _, call := range []bool{false, true} {
				want, wantErr := ParseRawWith(raw, o)
				got, lease, err := ps.ParseRaw(raw, o)
				if call {
					want, wantErr = ParseCallWith(raw, o)
					got, lease, err = ps.ParseCall(raw, o)
				}
				sameAsNew(t, fmt.Sprintf("%q (call %v)", raw, call), want, wantErr, got, err)
				ps.Release(lease)
			}
		}
	}
	ps.Release(Lease{}) // a zero lease is ignored
}

// TestParsersAllocate: a recycled parser allocates less than a new one
// for a page's query string.
func TestParsersAllocate(t *testing.T) {
	raw := "select=id,sku,name,category_id,price,stock&category_id=eq.3&price=lt.500&order=price.desc&limit=25"
	var ps Parsers
	recycled := testing.AllocsPerRun(100, func() {
		_, lease, err := ps.ParseRaw(raw, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ps.Release(lease)
	})
	fresh := testing.AllocsPerRun(100, func() {
		if _, err := ParseRawWith(raw, Options{}); err != nil {
			t.Fatal(err)
		}
	})
	// 2 against 7; under -race sync.Pool drops a quarter of what it is
	// given, so the test asks for 3 fewer.
	if recycled > fresh-3 {
		t.Errorf("recycled parser: %v allocations, new parser %v: want at least 3 fewer", recycled, fresh)
	}
}

// FuzzParsersRecycle: a parser recycled after one query string answers a
// second as a new parser does, whatever the first left in its buffers
// (which Release clears only as far as that parse could write).
func FuzzParsersRecycle(f *testing.F) {
	f.Add("select=a,b,c,d,e,f,g,h&a=eq.1&b=eq.2&c=eq.3&or=(a.eq.1,b.eq.2)", "select=a&a=eq.1")
	f.Add("select=id,rel(a,b),other(*)&rel.a=eq.1&order=id", "id=eq.42")
	f.Add("a=eq.1", "select=x:a,b::text&b=in.(1,2)&limit=2")
	var ps Parsers
	f.Fuzz(func(t *testing.T, first, second string) {
		for _, call := range []bool{false, true} {
			parse, fresh := ps.ParseRaw, ParseRawWith
			if call {
				parse, fresh = ps.ParseCall, ParseCallWith
			}
			_, lease, _ := parse(first, Options{})
			ps.Release(lease)
			want, wantErr := fresh(second, Options{})
			got, lease, err := parse(second, Options{})
			sameAsNew(t, fmt.Sprintf("%q after %q (call %v)", second, first, call), want, wantErr, got, err)
			ps.Release(lease)
		}
	})
}

// sameAsNew reports where a recycled parser's answer (got, err) to what
// differs from a new parser's (want, wantErr).
func sameAsNew(t *testing.T, what string, want *Request, wantErr error, got *Request, err error) {
	t.Helper()
	switch {
	case (wantErr == nil) != (err == nil):
		t.Errorf("%s: error %v, new parser's %v", what, err, wantErr)
	case err != nil:
		if d := cmp.Diff(visible(wantErr), visible(err)); d != "" {
			t.Errorf("%s: error (-new parser +recycled):\n%s", what, d)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s: request (-new parser +recycled):\n%s", what, d)
	}
}
