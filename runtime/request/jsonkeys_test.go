package request

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// decodedPayload is what jsonPayload answered when it decoded bodies into
// maps: the reference the in-place key scanner must agree with.
func decodedPayload(body []byte) (columns []string, code string) {
	keysOf := func(raw []byte) ([]string, bool) {
		var o map[string]json.RawMessage
		if raw[0] != '{' || json.Unmarshal(raw, &o) != nil {
			return nil, false
		}
		keys := make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return keys, true
	}
	// Validity as before, except a bare number past float64 (1E700): it
	// is valid JSON, and PostgREST takes it as no rows like other scalars.
	if !json.Valid(body) {
		return nil, "Empty or invalid json"
	}
	switch bytes.TrimSpace(body)[0] {
	case '{':
		var raw json.RawMessage
		_ = json.Unmarshal(body, &raw)
		keys, _ := keysOf(raw)
		return keys, ""
	case '[':
		var elems []json.RawMessage
		_ = json.Unmarshal(body, &elems)
		for i, e := range elems {
			keys, ok := keysOf(e)
			if !ok || (i > 0 && !slices.Equal(keys, columns)) {
				return nil, "All object keys must match"
			}
			if i == 0 {
				columns = keys
			}
		}
	}
	return columns, ""
}

func scannedPayload(body []byte) (columns []string, code string) {
	p, aerr := jsonPayload(body, nil, nil)
	if aerr != nil {
		return nil, aerr.Message
	}
	return p.Columns, ""
}

var payloadSeeds = []string{
	`{"a": 1, "b": [1, {"c": "}"}], "d": "\"x"}`,
	`{}`, `[]`, ` [ ] `, `[{}]`, `[{}, {}]`, `null`, `3`, `"s"`, ``, `{`, `{"a":1}x`,
	`[{"a":1,"b":2},{"b":3,"a":4}]`, `[{"a":1},{"b":1}]`, `[{"a":1},{"a":1,"b":2}]`, `[{"a":1}, 2]`,
	`{"a":1,"a":2}`, `[{"a":1,"a":2},{"a":3}]`, `{"\u0061":1,"a":2}`, `[{"\u0061":1},{"a":2}]`,
	`{"é":1, "x\ny": true, "k": null, "n": -1.5e3}`, "{\"\xff\":1}", `[{"a":[[]]}, {"a":{"b":[{}]}}]`,
	` { "a" : { "b" : 1 } , "c" : [ ] } `, `[{"a":"]"},{"a":"["}]`, `{"a":"\\"}`,
}

// TestJSONKeys: the key scanner gives the columns and errors decoding gave.
func TestJSONKeys(t *testing.T) {
	for _, body := range payloadSeeds {
		wantCols, wantErr := decodedPayload([]byte(body))
		gotCols, gotErr := scannedPayload([]byte(body))
		if gotErr != wantErr || !slices.Equal(gotCols, wantCols) {
			t.Errorf("%q: scanned %q %q, decoded %q %q", body, gotCols, gotErr, wantCols, wantErr)
		}
	}
}

func FuzzJSONKeys(f *testing.F) {
	for _, s := range payloadSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		wantCols, wantErr := decodedPayload(body)
		gotCols, gotErr := scannedPayload(body)
		if gotErr != wantErr || !slices.Equal(gotCols, wantCols) {
			t.Errorf("%q: scanned %q %q, decoded %q %q", body, gotCols, gotErr, wantCols, wantErr)
		}
	})
}

// TestJSONKeysLongStrings: keys and values longer than the eight bytes
// skipString skips at once, with an escape at each offset.
func TestJSONKeysLongStrings(t *testing.T) {
	for pos := range 20 {
		a := strings.Repeat("a", pos)
		for _, body := range []string{
			`{"` + a + `\"x` + a + `": "` + a + `\\` + a + `", "k": 1}`,
			`[{"` + a + `":"` + a + `\"}"}, {"` + a + `":"}` + a + `"}]`,
		} {
			wantCols, wantErr := decodedPayload([]byte(body))
			gotCols, gotErr := scannedPayload([]byte(body))
			if gotErr != wantErr || !slices.Equal(gotCols, wantCols) {
				t.Errorf("%q: scanned %q %q, decoded %q %q", body, gotCols, gotErr, wantCols, wantErr)
			}
		}
	}
}

// knownColumns knows the names "title" and "year".
type knownColumns []string

func (k knownColumns) ColumnName(b []byte) (string, bool) {
	for _, n := range k {
		if n == string(b) {
			return n, true
		}
	}
	return "", false
}

// TestKnownKeys: a body's keys that are known names are those strings,
// others new ones; either way the columns are the body's keys.
func TestKnownKeys(t *testing.T) {
	known := knownColumns{"title", "year"}
	p, aerr := jsonPayload([]byte(`{"year":1,"title":"x","other":2}`), nil, known)
	if aerr != nil {
		t.Fatal(aerr)
	}
	if !slices.Equal(p.Columns, []string{"other", "title", "year"}) {
		t.Fatalf("columns %q", p.Columns)
	}
	if unsafe.StringData(p.Columns[1]) != unsafe.StringData(known[0]) || unsafe.StringData(p.Columns[2]) != unsafe.StringData(known[1]) {
		t.Error("a known key is a new string")
	}
}
