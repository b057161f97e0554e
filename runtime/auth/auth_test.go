package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

const testSecret = "reallyreallyreallyreallyverysafe"

var testNow = time.Unix(1_700_000_000, 0)

// sign makes a real token with jwt/v5; hdr entries are added to the header.
func sign(t testing.TB, m jwt.SigningMethod, key any, claims jwt.MapClaims, hdr map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	for k, v := range hdr {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signRaw signs an arbitrary header and payload with HS256, for payloads
// jwt/v5 would not produce.
func signRaw(header, payload string, key []byte) string {
	enc := base64.RawURLEncoding
	in := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(in))
	return in + "." + enc.EncodeToString(mac.Sum(nil))
}

func hs256(t testing.TB, claims jwt.MapClaims) string {
	return sign(t, jwt.SigningMethodHS256, []byte(testSecret), claims, nil)
}

func newVerifier(t testing.TB, o Options) *Verifier {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return testNow }
	}
	v, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantErr is the expected error; header "" means no WWW-Authenticate.
type wantErr struct {
	status  int
	code    string
	message string
	details string
	header  string
}

func invalid(code, msg, details string) *wantErr {
	return &wantErr{401, code, msg, details, `Bearer error="invalid_token", error_description="` + msg + `"`}
}

func TestAuthenticate(t *testing.T) {
	now := testNow.Unix()
	octJWK := `{"kty":"oct","k":"` + base64.RawURLEncoding.EncodeToString([]byte("any-length-key")) + `"}`
	jwks := `{"keys":[{"kty":"oct","kid":"k1","alg":"HS384","k":"` + base64.RawURLEncoding.EncodeToString([]byte("key-one")) +
		`"},{"kty":"oct","kid":"k2","use":"enc","k":"` + base64.RawURLEncoding.EncodeToString([]byte("key-two")) + `"}]}`
	base := Options{Secret: []byte(testSecret), AnonRole: "anon"}
	withAud := base
	withAud.Audience = "spec tests"
	noAnon := base
	noAnon.AnonRole = ""
	noSecret := Options{AnonRole: "anon"}
	nested := base
	nested.RoleClaimKey = "$.user[0].real_role"

	tests := []struct {
		name       string
		opts       Options
		header     string
		wantRole   string
		wantClaims string
		wantAuthed bool
		err        *wantErr
	}{
		{name: "no header: anon", opts: base, header: "", wantRole: "anon", wantClaims: `{"role":"anon"}`},
		{name: "no header, no anon role", opts: noAnon, header: "",
			err: &wantErr{401, "PGRST302", "Anonymous access is disabled", "", "Bearer"}},
		{name: "other scheme is no token", opts: base, header: "Basic dXNlcjpwYXNz", wantRole: "anon", wantClaims: `{"role":"anon"}`},
		{name: "scheme glued to token is no token", opts: base, header: "Bearerabc", wantRole: "anon", wantClaims: `{"role":"anon"}`},
		{name: "empty bearer", opts: base, header: "Bearer",
			err: invalid("PGRST301", "Empty JWT is sent in Authorization header", "")},
		{name: "blank bearer", opts: base, header: "Bearer   ",
			err: invalid("PGRST301", "Empty JWT is sent in Authorization header", "")},
		{name: "token without secret", opts: noSecret, header: "Bearer " + hs256(t, jwt.MapClaims{"role": "u"}),
			err: &wantErr{500, "PGRST300", "Server lacks JWT secret", "", ""}},
		{name: "empty token without secret", opts: noSecret, header: "Bearer ",
			err: &wantErr{500, "PGRST300", "Server lacks JWT secret", "", ""}},
		{name: "valid role", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"role": "author", "id": "jdoe"}),
			wantRole: "author", wantClaims: `{"id":"jdoe","role":"author"}`, wantAuthed: true},
		{name: "lower-case scheme and extra blanks", opts: base, header: "bearer \t " + hs256(t, jwt.MapClaims{"role": "author"}),
			wantRole: "author", wantClaims: `{"role":"author"}`, wantAuthed: true},
		{name: "upper-case scheme", opts: base, header: "BEARER " + hs256(t, jwt.MapClaims{"role": "author"}),
			wantRole: "author", wantClaims: `{"role":"author"}`, wantAuthed: true},
		{name: "no role claim: anon", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"id": 1}),
			wantRole: "anon", wantClaims: `{"id":1,"role":"anon"}`},
		{name: "no role claim, no anon role", opts: noAnon, header: "Bearer " + hs256(t, jwt.MapClaims{"id": 1}),
			err: &wantErr{401, "PGRST302", "Anonymous access is disabled", "", "Bearer"}},
		{name: "role equal to anon is not authenticated", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"role": "anon"}),
			wantRole: "anon", wantClaims: `{"role":"anon"}`},
		{name: "non-string role is its JSON text", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"role": 123}),
			wantRole: "123", wantClaims: `{"role":"123"}`, wantAuthed: true},
		{name: "null role is its JSON text", opts: base, header: "Bearer " + signRaw(`{"alg":"HS256"}`, `{"role":null}`, []byte(testSecret)),
			wantRole: "null", wantClaims: `{"role":"null"}`, wantAuthed: true},
		{name: "nested role claim key", opts: nested,
			header:   "Bearer " + hs256(t, jwt.MapClaims{"user": []any{map[string]any{"real_role": "editor"}}}),
			wantRole: "editor", wantClaims: `{"role":"editor","user":[{"real_role":"editor"}]}`, wantAuthed: true},
		{name: "claims keep numbers and characters", opts: base,
			header:   "Bearer " + signRaw(`{"alg":"HS256"}`, `{"z":1.50,"big":12345678901234567890,"a":"<&>","role":"r"}`, []byte(testSecret)),
			wantRole: "r", wantClaims: `{"a":"<&>","big":12345678901234567890,"role":"r","z":1.50}`, wantAuthed: true},
		{name: "two parts", opts: base,
			header: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGFuIG9iamVjdA",
			err:    invalid("PGRST301", "Expected 3 parts in JWT; got 2", "")},
		{name: "four parts", opts: base, header: "Bearer a.b.c.d",
			err: invalid("PGRST301", "Expected 3 parts in JWT; got 4", "")},
		{name: "random characters", opts: base, header: "Bearer quifquirndsjagnrgniur.fonvoienqhhdj.iuqvnvhojah",
			err: invalid("PGRST301", "JWT cryptographic operation failed", "")},
		{name: "header not an object", opts: base, header: "Bearer " + signRaw(`[1]`, `{}`, []byte(testSecret)),
			err: invalid("PGRST301", "JWT cryptographic operation failed", "")},
		{name: "unknown alg", opts: base, header: "Bearer " + signRaw(`{"alg":"PS256"}`, `{}`, []byte(testSecret)),
			err: invalid("PGRST301", "JWT cryptographic operation failed", "")},
		{name: "padded base64", opts: base, header: "Bearer " + strings.Replace(hs256(t, jwt.MapClaims{"a": "b"}), ".", "=.", 1),
			err: invalid("PGRST301", "JWT cryptographic operation failed", "")},
		{name: "alg none", opts: base,
			header: "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.yOBhlOIqn56T-4NvyEXCjfi3UmyQZ-BzXtePMO2NgRI",
			err:    invalid("PGRST301", "Wrong or unsupported encoding algorithm", "JWT is unsecured but expected 'alg' was not 'none'")},
		{name: "wrong secret", opts: base,
			header: "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("wrong secret wrong secret wrong!"), jwt.MapClaims{}, nil),
			err:    invalid("PGRST301", "No suitable key or wrong key type", "None of the keys was able to decode the JWT")},
		{name: "tampered payload", opts: base,
			header: "Bearer " + tamper(hs256(t, jwt.MapClaims{"role": "a"}), `{"role":"postgres"}`),
			err:    invalid("PGRST301", "No suitable key or wrong key type", "None of the keys was able to decode the JWT")},
		{name: "plain secret is HS256 only", opts: base,
			header: "Bearer " + sign(t, jwt.SigningMethodHS512, []byte(testSecret), jwt.MapClaims{"role": "a"}, nil),
			err:    invalid("PGRST301", "No suitable key or wrong key type", "No suitable key was found to decode the JWT")},
		{name: "algorithm confusion: HMAC-signed RS256", opts: base,
			header: "Bearer " + signRaw(`{"alg":"RS256"}`, `{"role":"a"}`, []byte(testSecret)),
			err:    invalid("PGRST301", "No suitable key or wrong key type", "No suitable key was found to decode the JWT")},
		{name: "token kid against plain secret", opts: base,
			header: "Bearer " + sign(t, jwt.SigningMethodHS256, []byte(testSecret), jwt.MapClaims{"role": "a"}, map[string]any{"kid": "k1"}),
			err:    invalid("PGRST301", "No suitable key or wrong key type", "No suitable key was found to decode the JWT")},
		{name: "oct JWK without alg takes HS512", opts: Options{Secret: []byte(octJWK)},
			header:   "Bearer " + sign(t, jwt.SigningMethodHS512, []byte("any-length-key"), jwt.MapClaims{"role": "a"}, nil),
			wantRole: "a", wantClaims: `{"role":"a"}`, wantAuthed: true},
		{name: "JWKS picks key by kid", opts: Options{Secret: []byte(jwks)},
			header:   "Bearer " + sign(t, jwt.SigningMethodHS384, []byte("key-one"), jwt.MapClaims{"role": "a"}, map[string]any{"kid": "k1"}),
			wantRole: "a", wantClaims: `{"role":"a"}`, wantAuthed: true},
		{name: "JWKS key alg restricts", opts: Options{Secret: []byte(jwks)},
			header: "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("key-one"), jwt.MapClaims{"role": "a"}, map[string]any{"kid": "k1"}),
			err:    invalid("PGRST301", "No suitable key or wrong key type", "No suitable key was found to decode the JWT")},
		{name: "JWKS enc key never verifies", opts: Options{Secret: []byte(jwks)},
			header: "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("key-two"), jwt.MapClaims{"role": "a"}, map[string]any{"kid": "k2"}),
			err:    invalid("PGRST301", "No suitable key or wrong key type", "No suitable key was found to decode the JWT")},
		{name: "payload not an object", opts: base, header: "Bearer " + signRaw(`{"alg":"HS256"}`, `"not an object"`, []byte(testSecret)),
			err: invalid("PGRST303", "Parsing claims failed", "")},
		{name: "payload with trailing data", opts: base, header: "Bearer " + signRaw(`{"alg":"HS256"}`, `{} {}`, []byte(testSecret)),
			err: invalid("PGRST303", "Parsing claims failed", "")},
		{name: "expired beyond skew", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"exp": now - 31, "role": "a"}),
			err: invalid("PGRST303", "JWT expired", "")},
		{name: "expired within skew", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"exp": now - 30, "role": "a"}),
			wantRole: "a", wantClaims: `{"exp":1699999970,"role":"a"}`, wantAuthed: true},
		{name: "fractional exp is floored", opts: base,
			header:   "Bearer " + signRaw(`{"alg":"HS256"}`, `{"exp":1700000100.5}`, []byte(testSecret)),
			wantRole: "anon", wantClaims: `{"exp":1700000100.5,"role":"anon"}`},
		{name: "huge exp", opts: base, header: "Bearer " + signRaw(`{"alg":"HS256"}`, `{"exp":1e400}`, []byte(testSecret)),
			wantRole: "anon", wantClaims: `{"exp":1e400,"role":"anon"}`},
		{name: "null exp is absent", opts: base, header: "Bearer " + signRaw(`{"alg":"HS256"}`, `{"exp":null}`, []byte(testSecret)),
			wantRole: "anon", wantClaims: `{"exp":null,"role":"anon"}`},
		{name: "nbf beyond skew", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"nbf": now + 31}),
			err: invalid("PGRST303", "JWT not yet valid", "")},
		{name: "nbf within skew", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"nbf": now + 30}),
			wantRole: "anon", wantClaims: `{"nbf":1700000030,"role":"anon"}`},
		{name: "iat in future", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"iat": now + 35}),
			err: invalid("PGRST303", "JWT issued at future", "")},
		{name: "exp checked before nbf", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"nbf": now + 100, "exp": now - 100}),
			err: invalid("PGRST303", "JWT expired", "")},
		{name: "exp not a number", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"exp": "invalid"}),
			err: invalid("PGRST303", "The JWT 'exp' claim must be a number", "")},
		{name: "nbf not a number", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"nbf": true}),
			err: invalid("PGRST303", "The JWT 'nbf' claim must be a number", "")},
		{name: "iat not a number", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"iat": "invalid"}),
			err: invalid("PGRST303", "The JWT 'iat' claim must be a number", "")},
		{name: "aud not in audience", opts: withAud, header: "Bearer " + hs256(t, jwt.MapClaims{"aud": "not set"}),
			err: invalid("PGRST303", "JWT not in audience", "")},
		{name: "aud matches", opts: withAud, header: "Bearer " + hs256(t, jwt.MapClaims{"aud": "spec tests", "role": "a"}),
			wantRole: "a", wantClaims: `{"aud":"spec tests","role":"a"}`, wantAuthed: true},
		{name: "aud array contains", opts: withAud, header: "Bearer " + hs256(t, jwt.MapClaims{"aud": []string{"x", "spec tests"}}),
			wantRole: "anon", wantClaims: `{"aud":["x","spec tests"],"role":"anon"}`},
		{name: "aud array without match", opts: withAud, header: "Bearer " + hs256(t, jwt.MapClaims{"aud": []string{"x", "y"}}),
			err: invalid("PGRST303", "JWT not in audience", "")},
		{name: "empty aud array is any audience", opts: withAud, header: "Bearer " + hs256(t, jwt.MapClaims{"aud": []string{}}),
			wantRole: "anon", wantClaims: `{"aud":[],"role":"anon"}`},
		{name: "absent aud is any audience", opts: withAud, header: "Bearer " + hs256(t, jwt.MapClaims{"role": "a"}),
			wantRole: "a", wantClaims: `{"role":"a"}`, wantAuthed: true},
		{name: "any aud without jwt-aud", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"aud": "whatever"}),
			wantRole: "anon", wantClaims: `{"aud":"whatever","role":"anon"}`},
		{name: "aud object", opts: base, header: "Bearer " + hs256(t, jwt.MapClaims{"aud": map[string]any{"invalid": "value"}}),
			err: invalid("PGRST303", "The JWT 'aud' claim must be a string or an array of strings", "")},
		{name: "aud array with non-string", opts: withAud,
			header: "Bearer " + hs256(t, jwt.MapClaims{"aud": []any{map[string]any{"invalid": "value"}, "spec tests"}}),
			err:    invalid("PGRST303", "The JWT 'aud' claim must be a string or an array of strings", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, tt.opts)
			res, aerr := v.Authenticate(tt.header)
			if tt.err != nil {
				if aerr == nil {
					t.Fatalf("got success %+v, want %s", res, tt.err.code)
				}
				checkErr(t, aerr, tt.err)
				return
			}
			if aerr != nil {
				t.Fatalf("unexpected error %v (details %v)", aerr, deref(aerr.Details))
			}
			got := struct {
				Role, Claims string
				Authed       bool
			}{res.Role, string(res.Claims), res.Authenticated}
			want := struct {
				Role, Claims string
				Authed       bool
			}{tt.wantRole, tt.wantClaims, tt.wantAuthed}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func checkErr(t *testing.T, got *apierr.Error, want *wantErr) {
	t.Helper()
	type view struct {
		Status                 int
		Code, Message, Details string
		Header                 string
		HasHeader              bool
	}
	g := view{got.Status, got.Code, got.Message, deref(got.Details), got.Headers.Get("WWW-Authenticate"), len(got.Headers.Values("WWW-Authenticate")) > 0}
	w := view{want.status, want.code, want.message, want.details, want.header, want.header != ""}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if got.Hint != nil {
		t.Errorf("hint = %q, want null", *got.Hint)
	}
	if got.Status == http.StatusUnauthorized && !g.HasHeader {
		t.Errorf("401 without WWW-Authenticate")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// tamper replaces a token's payload, keeping header and signature.
func tamper(token, payload string) string {
	p := strings.Split(token, ".")
	return p[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + p[2]
}

func TestAuthenticateUsesClock(t *testing.T) {
	now := testNow
	v := newVerifier(t, Options{Secret: []byte(testSecret), AnonRole: "anon", Now: func() time.Time { return now }})
	tok := "Bearer " + hs256(t, jwt.MapClaims{"exp": testNow.Unix() + 60})
	if _, err := v.Authenticate(tok); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	now = testNow.Add(91 * time.Second)
	if _, err := v.Authenticate(tok); err == nil || err.Message != "JWT expired" {
		t.Fatalf("after expiry: got %v, want JWT expired", err)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{name: "no secret", opts: Options{}},
		{name: "plain secret", opts: Options{Secret: []byte(testSecret)}},
		{name: "short secret", opts: Options{Secret: []byte("short")}, wantErr: "The JWT secret must be at least 32 characters long."},
		{name: "31 bytes", opts: Options{Secret: []byte(testSecret[:31])}, wantErr: "at least 32 characters"},
		{name: "short oct JWK is fine", opts: Options{Secret: []byte(`{"kty":"oct","k":"YQ"}`)}},
		{name: "JSON that is no JWK is a plain secret", opts: Options{Secret: []byte(`{"a":1}`)}, wantErr: "at least 32 characters"},
		{name: "tiny RSA JWK", opts: Options{Secret: []byte(`{"kty":"RSA","n":"AQAB","e":"AQAB"}`)}, wantErr: "invalid JWK: the RSA key has 17 bits; at least 1024 are needed"},
		{name: "EC in JWKS without crv", opts: Options{Secret: []byte(`{"keys":[{"kty":"EC"}]}`)}, wantErr: `invalid JWKS: key 0: EC key: "crv" is required`},
		{name: "unknown kty is an unusable key", opts: Options{Secret: []byte(`{"kty":"xyz"}`)}},
		{name: "role claim key", opts: Options{RoleClaimKey: "$['https://x/role'].key"}},
		{name: "legacy role claim key", opts: Options{RoleClaimKey: ".role"}},
		{name: "filter role claim key", opts: Options{RoleClaimKey: "$.roles[?(@ == 'a')]"}},
		{name: "unknown function", opts: Options{RoleClaimKey: "$.roles[?match(@, 'a')]"}, wantErr: "unknown function match(): only search() is available"},
		{name: "bad role claim key", opts: Options{RoleClaimKey: "role"}, wantErr: `must start with "$"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidateSecret(t *testing.T) {
	if err := ValidateSecret([]byte(testSecret)); err != nil {
		t.Errorf("32-byte secret: %v", err)
	}
	if err := ValidateSecret([]byte(testSecret[1:])); err == nil {
		t.Error("31-byte secret accepted")
	}
}

func TestUnusableKeyFindsNoKey(t *testing.T) {
	v := newVerifier(t, Options{Secret: []byte(`{"kty":"xyz"}`)})
	_, err := v.Authenticate("Bearer " + hs256(t, jwt.MapClaims{}))
	if err == nil || deref(err.Details) != "No suitable key was found to decode the JWT" {
		t.Fatalf("got %v, want no suitable key", err)
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		in, token string
		ok        bool
	}{
		{"", "", false},
		{"Bearer", "", true},
		{"Bearer abc", "abc", true},
		{"bEaReR\tabc ", "abc ", true},
		{"Bearer \xa0abc", "abc", true},
		{"Basic abc", "", false},
		{" Bearer abc", "", false},
		{"Bearerabc", "", false},
	}
	for _, tt := range tests {
		token, ok := bearerToken(tt.in)
		if token != tt.token || ok != tt.ok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", tt.in, token, ok, tt.token, tt.ok)
		}
	}
}

func FuzzAuthenticate(f *testing.F) {
	k := genKeys(f)
	claims := jwt.MapClaims{"role": "a", "exp": 1, "aud": []string{"x"}, "roles": []string{"b", "author"}}
	set := jwks(jwkOf(f, k.rsa.Public(), "rsa", "RS256", "sig"), jwkOf(f, k.p256.Public(), "ec", "", ""),
		jwkOf(f, k.ed.Public(), "", "", ""), `{"kty":"oct","kid":"oct","k":"a2V5"}`, `{"kty":"OKP","crv":"Ed448","x":"AA"}`)
	f.Add("")
	f.Add("Bearer")
	f.Add("Bearer a.b.c")
	f.Add("Bearer " + hs256(f, claims))
	f.Add("Bearer " + signRaw(`{"alg":"HS256","kid":"k1"}`, `{"user":[{"real_role":"x"}]}`, []byte(testSecret)))
	f.Add("Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.yOBhlOIqn56T-4NvyEXCjfi3UmyQZ-BzXtePMO2NgRI")
	f.Add("Bearer " + sign(f, jwt.SigningMethodRS256, k.rsa, claims, map[string]any{"kid": "rsa"}))
	f.Add("Bearer " + sign(f, jwt.SigningMethodRS512, k.rsa, claims, nil))
	f.Add("Bearer " + sign(f, jwt.SigningMethodES256, k.p256, claims, map[string]any{"kid": "ec"}))
	f.Add("Bearer " + sign(f, jwt.SigningMethodES384, k.p384, claims, nil))
	f.Add("Bearer " + sign(f, jwt.SigningMethodEdDSA, k.ed, claims, nil))
	f.Add("Bearer " + sign(f, jwt.SigningMethodHS256, []byte("key"), claims, map[string]any{"kid": "oct"}))
	f.Add("Bearer " + sign(f, jwt.SigningMethodHS256, []byte(k.rsaPub), claims, nil))
	verifiers := []*Verifier{
		newVerifier(f, Options{Secret: []byte(testSecret), AnonRole: "anon", Audience: "x", RoleClaimKey: "$.user[-1]['real_role']"}),
		newVerifier(f, Options{Secret: []byte(`{"keys":[{"kty":"oct","kid":"k1","k":"a2V5"}]}`)}),
		newVerifier(f, Options{AnonRole: "anon"}),
		newVerifier(f, Options{Secret: []byte(set), AnonRole: "anon", RoleClaimKey: "$.roles[?search(@, '^au')]", CacheMaxEntries: 4}),
		newVerifier(f, Options{Secret: []byte(k.rsaPub), RoleClaimKey: `.roles[?(@ ^== "a")]`, CacheMaxEntries: 1}),
		newVerifier(f, Options{Secret: []byte(k.edPub), AnonRole: "anon", RoleClaimKey: "$..[?@ == 'a' || @ == 1]"}),
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, v := range verifiers {
			res, err := v.Authenticate(header)
			// A second call goes through the cache when there is one and
			// must give the same answer.
			res2, err2 := v.Authenticate(header)
			if (err == nil) != (err2 == nil) || (err == nil && (res.Role != res2.Role || string(res.Claims) != string(res2.Claims))) ||
				(err != nil && (err.Code != err2.Code || err.Message != err2.Message)) {
				t.Fatalf("second call differs: %+v %v / %+v %v", res, err, res2, err2)
			}
			if err != nil {
				if err.Status == http.StatusUnauthorized && err.Headers.Get("WWW-Authenticate") == "" {
					t.Fatalf("401 without WWW-Authenticate: %v", err)
				}
				continue
			}
			if res.Role == "" && v.anonRole == "" {
				t.Fatalf("success without a role: %+v", res)
			}
		}
	})
}
