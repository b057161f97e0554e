package request

import (
	"encoding/json"
	"strings"
	"testing"
)

var validSeeds = []string{
	``, ` `, `1`, `-`, `-0`, `01`, `-01`, `0.`, `0.5`, `.5`, `1e`, `1e+`, `1E-7`, `1.5e3x`, `1 2`,
	`true`, `tru`, `truex`, `false`, `null`, `nul`, ` null `, `"`, `""`, `"\"`, `"\u00e9"`, `"\u00g9"`,
	`"\uD83D"`, `"\x"`, "\"a\tb\"", "\"\xff\xfe\"", `"\/\b\f\n\r\t"`,
	`{}`, `{ }`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1 "b":2}`, `{1:2}`, `{"a":1}}`, `{"a":[1,2,{"b":null}]}`,
	`[]`, `[ ]`, `[,]`, `[1,]`, `[1 2]`, `[1]]`, `[[[]]]`, `[{}, []]`, `[1,{"a":[true,false]}]`, `{"a":1`,
	`[`, `]`, `}`, `{`, `{"a" : 1 , "b" : [ ] }`, "\n[\r1\t]\n",
}

// TestValidJSON: validJSON answers as json.Valid, up to encoding/json's
// nesting limit and past it.
func TestValidJSON(t *testing.T) {
	cases := append([]string{}, validSeeds...)
	for _, n := range []int{maxJSONDepth - 1, maxJSONDepth, maxJSONDepth + 1} {
		cases = append(cases, strings.Repeat("[", n)+strings.Repeat("]", n),
			strings.Repeat(`{"a":`, n-1)+"{}"+strings.Repeat("}", n-1))
	}
	// A special byte at every offset of a long string, where the
	// eight-byte skip (plainRun) must stop.
	for pos := range 20 {
		for _, special := range []string{`"`, `\\`, `\"`, `\u0041`, "\x01", "\x1f", " ", "\x7f", "\xff", "é"} {
			cases = append(cases, `["`+strings.Repeat("a", pos)+special+strings.Repeat("b", 10)+`"]`)
		}
	}
	for _, s := range cases {
		if got, want := validJSON([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("validJSON(%.40q) = %v, json.Valid %v", s, got, want)
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, s := range append(validSeeds, payloadSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := validJSON(data), json.Valid(data); got != want {
			t.Errorf("validJSON(%q) = %v, json.Valid %v", data, got, want)
		}
	})
}
