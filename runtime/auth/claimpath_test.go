package auth

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClaimPathLookup(t *testing.T) {
	const doc = `{
		"role": "r0",
		"postgrest": {"roles": ["other", "author"]},
		"https://www.example.com/role": {"key": "author"},
		"user": [{"real_role": "u0"}, {"real_role": "u1"}],
		"it's": "quote", "a\"b": "dq", "ünï": "unicode", "_x9": "underscore",
		"n": 5, "obj": {"a": {"b": [[1, "deep"]]}},
		"esc\b\f\n\r\t/\\": "escaped", "😀": "emoji"
	}`
	var claims any
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path       string
		want       any // nil: not found
		deprecated bool
	}{
		{path: "$.role", want: "r0"},
		{path: "$['role']", want: "r0"},
		{path: `$["role"]`, want: "r0"},
		{path: "$.postgrest.roles[1]", want: "author"},
		{path: "$.postgrest.roles[-1]", want: "author"},
		{path: "$.postgrest.roles[-2]", want: "other"},
		{path: "$.postgrest.roles[-3]"},
		{path: "$.postgrest.roles[2]"},
		{path: "$['https://www.example.com/role'].key", want: "author"},
		{path: `$["https://www.example.com/role"]["key"]`, want: "author"},
		{path: `$[ 'user' ][ 0 ] .real_role`, want: "u0"},
		{path: `$['it\'s']`, want: "quote"},
		{path: `$["it's"]`, want: "quote"},
		{path: `$['a"b']`, want: "dq"},
		{path: `$["a\"b"]`, want: "dq"},
		{path: `$['\u00fcn\u00ef']`, want: "unicode"},
		{path: `$.ünï`, want: "unicode"},
		{path: "$._x9", want: "underscore"},
		{path: `$['esc\b\f\n\r\t\/\\']`, want: "escaped"},
		{path: `$["\ud83d\ude00"]`, want: "emoji"},
		{path: `$['😀']`, want: "emoji"},
		{path: "$.user[1].real_role", want: "u1"},
		{path: "$.obj.a.b[0][1]", want: "deep"},
		{path: "$.n", want: json.Number("5")},
		{path: "$.missing"},
		{path: "$.role.x"},
		{path: "$.role[0]"},
		{path: "$.user.real_role"},
		{path: "$[0]"},
		{path: ".role", want: "r0", deprecated: true},
		{path: ".postgrest.roles[1]", want: "author", deprecated: true},
		{path: `."https://www.example.com/role".key`, want: "author", deprecated: true},
		{path: ".user[0].real_role", want: "u0", deprecated: true},
		{path: "._x9", want: "underscore", deprecated: true},
	}
	for _, tt := range tests {
		p, err := ParseClaimPath(tt.path)
		if err != nil {
			t.Errorf("ParseClaimPath(%q): %v", tt.path, err)
			continue
		}
		if p.Deprecated() != tt.deprecated {
			t.Errorf("ParseClaimPath(%q).Deprecated() = %v", tt.path, p.Deprecated())
		}
		if p.String() != tt.path {
			t.Errorf("String() = %q, want %q", p.String(), tt.path)
		}
		got, ok := p.Lookup(claims)
		if ok != (tt.want != nil) {
			t.Errorf("Lookup(%q) found = %v, want %v (value %v)", tt.path, ok, tt.want != nil, got)
			continue
		}
		if diff := cmp.Diff(tt.want, got); ok && diff != "" {
			t.Errorf("Lookup(%q) (-want +got):\n%s", tt.path, diff)
		}
	}
	if p, _ := ParseClaimPath("$"); p.String() != "$" {
		t.Errorf("root path")
	} else if got, ok := p.Lookup(claims); !ok || got == nil {
		t.Errorf("$ should select the whole document")
	}
}

func TestClaimPathErrors(t *testing.T) {
	tests := []struct{ path, want string }{
		{"", `must start with "$"`},
		{"role", `must start with "$"`},
		{"$.", "expected a member name"},
		{"$.1a", "expected a member name"},
		{"$role", "unexpected 'r'"},
		{"$.role ", "trailing blank space"},
		{"$[01]", "leading zero"},
		{"$[-0]", "leading zero or -0"},
		{"$[-]", "expected digits"},
		{"$[9007199254740992]", "out of range"},
		{"$[1", "expected ']'"},
		{"$['a'", "expected ']'"},
		{"$['a", "unterminated string"},
		{`$['\x']`, `invalid escape \x`},
		{`$['\ud800']`, "unpaired surrogate"},
		{`$['\udc00\ud800']`, "unpaired surrogate"},
		{`$['\ud800\u0041']`, "invalid surrogate pair"},
		{`$['\`, "unterminated escape"},
		{"$['\xff']", "invalid UTF-8"},
		{`$['\u12']`, "expected 4 hex digits"},
		{"$[a]", "expected a quoted name or an index"},
		{"$['a\tb']", "control character"},
		{`$["it\'s"]`, `invalid escape \'`},
		{"$..role", "descendant segment (..) not supported yet"},
		{"$.*", "wildcard (*) not supported yet"},
		{"$[*]", "wildcard selector ([*]) not supported yet"},
		{"$[0:2]", "slice selector ([start:end]) not supported yet"},
		{"$[:2]", "slice selector ([start:end]) not supported yet"},
		{"$[0,1]", "union of selectors ([a,b]) not supported yet"},
		{"$.roles[?(@ == 'author')]", "filter selector ([?...]) not supported yet"},
		{"$.roles[?search(@, '^au')]", "filter selector ([?...]) not supported yet"},
		{`.roles[?(@ == "author")]`, "filter expression ([?(@ ...)]) not supported yet"},
		{".", "expected a key"},
		{".a.", "expected a key"},
		{`."unterminated`, "unterminated quoted key"},
		{".a[x]", "expected an array index"},
		{".a[1", "expected ']'"},
		{".a b", "unexpected ' '"},
	}
	for _, tt := range tests {
		_, err := ParseClaimPath(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseClaimPath(%q) error = %v, want it to contain %q", tt.path, err, tt.want)
		}
	}
}
