package query

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// parsecMessage is the shape of every PGRST100 message: the quoted source
// name and Parsec's position.
var parsecMessage = regexp.MustCompile(`(?s)^".*" \(line [0-9]+, column [0-9]+\)$`)

// FuzzParse checks that any input either parses or gives a PostgREST error
// object (never a panic), and that a parsed Request survives being encoded
// back into a query string and parsed again: the AST loses nothing the
// grammar can express.
func FuzzParse(f *testing.F) {
	for _, group := range [][]parseCase{selectCases, filterCases, logicCases, orderCases, rangeCases, embedCases} {
		for _, tc := range group {
			for k, vs := range tc.q {
				f.Add(k + "=" + vs[0])
			}
			f.Add(tc.in)
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkOutcome(t, in, values(in))
		raw, err := ParseRaw(in)
		checkError(t, raw, err)
		if raw != nil {
			checkRangeParams(t, in, raw)
		}
		call, err := ParseCall(in)
		checkError(t, call, err)
		if err == nil && raw != nil && len(call.Args) == 0 && len(raw.Where) != len(call.Where) {
			// Without arguments a call's query string means what a read's does.
			t.Errorf("ParseCall(%q) has %d conditions, ParseRaw %d", in, len(call.Where), len(raw.Where))
		}
	})
}

// canonicalInteger is a RangeParam's Int: an integer of any size, no
// leading zeros, no "-0".
var canonicalInteger = regexp.MustCompile(`^(0|-?[1-9][0-9]*)$`)

// checkRangeParams: limit= and offset= are never dropped for their size;
// what reads as an integer is kept exactly.
func checkRangeParams(t *testing.T, in string, r *Request) {
	t.Helper()
	for _, p := range []*RangeParam{r.Limit, r.Offset} {
		if p != nil && p.Int != "" && !canonicalInteger.MatchString(p.Int) {
			t.Fatalf("input %q: range param %q is not a canonical integer", in, p.Int)
		}
	}
}

func checkOutcome(t *testing.T, in string, q url.Values) {
	got, err := Parse(q)
	checkError(t, got, err)
	if err != nil {
		return
	}
	enc := encode(got)
	again, err := ParseRaw(enc)
	if err != nil {
		t.Fatalf("input %q encoded as %q fails: %v", in, enc, err)
	}
	if d := cmp.Diff(got, again); d != "" {
		t.Fatalf("input %q encoded as %q parses differently (-first +second):\n%s", in, enc, d)
	}
}

// checkError asserts exactly one of req and err, err being a well-formed
// *apierr.Error.
func checkError(t *testing.T, req *Request, err error) {
	t.Helper()
	if (req == nil) == (err == nil) {
		t.Fatalf("want exactly one of request and error, got %v and %v", req, err)
	}
	if err == nil {
		return
	}
	var ae *apierr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %T is not an *apierr.Error", err)
	}
	switch ae.Code {
	case "PGRST100":
		if ae.Status != 400 || !parsecMessage.MatchString(ae.Message) || ae.Details == nil || *ae.Details == "" {
			t.Fatalf("malformed PGRST100: %+v", ae)
		}
		if strings.HasPrefix(*ae.Details, " ") || strings.HasSuffix(*ae.Details, " ") {
			t.Fatalf("details not trimmed: %q", *ae.Details)
		}
	case "PGRST103":
		if ae.Status != 416 {
			t.Fatalf("PGRST103 with status %d", ae.Status)
		}
	case "PGRST123", "22003":
		if ae.Status != 400 {
			t.Fatalf("%s with status %d", ae.Code, ae.Status)
		}
	default:
		t.Fatalf("unexpected error %+v", ae)
	}
}

// FuzzStartsLikeOperator: the shortcut for values that do not start with
// a letter answers as the grammar does.
func FuzzStartsLikeOperator(f *testing.F) {
	for _, v := range []string{"", "123", "eq.1", "not.eq.1", "2024-01-01", "-1", " eq.1", ".eq", "(1,2)", "in.(1)", "é", "isdistinct.x"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		var p parser
		if got, want := p.startsLikeOperator(v), p.grammarStartsLikeOperator(v); got != want {
			t.Errorf("startsLikeOperator(%q) = %v, grammar %v", v, got, want)
		}
		if got, want := startsLikeOperator(v), p.startsLikeOperator(v); got != want {
			t.Errorf("startsLikeOperator(%q) = %v, the parser's %v", v, got, want)
		}
	})
}
