package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// testKeys are real keys generated for one test.
type testKeys struct {
	rsa, rsa2                *rsa.PrivateKey
	p256, p384, p521, p256b  *ecdsa.PrivateKey
	ed, ed2                  ed25519.PrivateKey
	rsaPub, p256Pub, edPub   string // public JWKs without kid/alg/use
	p384Pub, p521Pub, rsa2Pb string
}

func genKeys(t testing.TB) testKeys {
	t.Helper()
	var k testKeys
	var err error
	must := func(e error) {
		if e != nil {
			t.Fatal(e)
		}
	}
	k.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsa2, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	for _, c := range []struct {
		dst   **ecdsa.PrivateKey
		curve elliptic.Curve
	}{{&k.p256, elliptic.P256()}, {&k.p256b, elliptic.P256()}, {&k.p384, elliptic.P384()}, {&k.p521, elliptic.P521()}} {
		*c.dst, err = ecdsa.GenerateKey(c.curve, rand.Reader)
		must(err)
	}
	_, k.ed, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	_, k.ed2, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	k.rsaPub = jwkOf(t, k.rsa.Public(), "", "", "")
	k.rsa2Pb = jwkOf(t, k.rsa2.Public(), "", "", "")
	k.p256Pub = jwkOf(t, k.p256.Public(), "", "", "")
	k.p384Pub = jwkOf(t, k.p384.Public(), "", "", "")
	k.p521Pub = jwkOf(t, k.p521.Public(), "", "", "")
	k.edPub = jwkOf(t, k.ed.Public(), "", "", "")
	return k
}

// jwkOf marshals key as a JWK with go-jose, adding kid, alg and use if set.
func jwkOf(t testing.TB, key any, kid, alg, use string) string {
	t.Helper()
	b, err := jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: use}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withMembers adds members (a JSON object's inner text) to a JWK.
func withMembers(jwk, members string) string {
	return strings.TrimSuffix(jwk, "}") + "," + members + "}"
}

func jwks(keys ...string) string { return `{"keys":[` + strings.Join(keys, ",") + `]}` }

func TestAsymmetricKeys(t *testing.T) {
	k := genKeys(t)
	claims := jwt.MapClaims{"role": "author"}
	kid := func(id string) map[string]any { return map[string]any{"kid": id} }
	noKey := invalid("PGRST301", "No suitable key or wrong key type", "No suitable key was found to decode the JWT")
	noneWorked := invalid("PGRST301", "No suitable key or wrong key type", "None of the keys was able to decode the JWT")
	mixed := jwks(
		jwkOf(t, k.rsa.Public(), "rsa-1", "", "sig"),
		jwkOf(t, k.p256.Public(), "ec-1", "", ""),
		jwkOf(t, k.ed.Public(), "ed-1", "", ""),
	)
	hmacOfPublic := sign(t, jwt.SigningMethodHS256, []byte(k.rsaPub), claims, nil)

	tests := []struct {
		name   string
		secret string
		token  string
		err    *wantErr
	}{
		{name: "RS256 JWK", secret: k.rsaPub, token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, nil)},
		{name: "RS384 JWK", secret: k.rsaPub, token: sign(t, jwt.SigningMethodRS384, k.rsa, claims, nil)},
		{name: "RS512 JWK", secret: k.rsaPub, token: sign(t, jwt.SigningMethodRS512, k.rsa, claims, nil)},
		{name: "ES256 P-256", secret: k.p256Pub, token: sign(t, jwt.SigningMethodES256, k.p256, claims, nil)},
		{name: "ES384 P-384", secret: k.p384Pub, token: sign(t, jwt.SigningMethodES384, k.p384, claims, nil)},
		{name: "ES512 P-521", secret: k.p521Pub, token: sign(t, jwt.SigningMethodES512, k.p521, claims, nil)},
		{name: "EdDSA Ed25519", secret: k.edPub, token: sign(t, jwt.SigningMethodEdDSA, k.ed, claims, nil)},
		{name: "JWKS of one", secret: jwks(k.rsaPub), token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, nil)},
		{name: "private RSA JWK verifies with its public half", secret: jwkOf(t, k.rsa, "", "", ""),
			token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, nil)},
		{name: "private EC JWK", secret: jwkOf(t, k.p384, "", "", ""), token: sign(t, jwt.SigningMethodES384, k.p384, claims, nil)},
		{name: "private Ed25519 JWK", secret: jwkOf(t, k.ed, "", "", ""), token: sign(t, jwt.SigningMethodEdDSA, k.ed, claims, nil)},

		// Without kid every suitable key is tried.
		{name: "no kid: RSA key of a mixed set", secret: mixed, token: sign(t, jwt.SigningMethodRS512, k.rsa, claims, nil)},
		{name: "no kid: EC key of a mixed set", secret: mixed, token: sign(t, jwt.SigningMethodES256, k.p256, claims, nil)},
		{name: "no kid: Ed25519 key of a mixed set", secret: mixed, token: sign(t, jwt.SigningMethodEdDSA, k.ed, claims, nil)},
		{name: "no kid: second of two RSA keys", secret: jwks(k.rsa2Pb, k.rsaPub), token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, nil)},
		{name: "no kid: unknown signer", secret: mixed, token: sign(t, jwt.SigningMethodRS256, k.rsa2, claims, nil), err: noneWorked},
		// With kid only keys with that kid count.
		{name: "kid matches", secret: mixed, token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, kid("rsa-1"))},
		{name: "kid matches EC", secret: mixed, token: sign(t, jwt.SigningMethodES256, k.p256, claims, kid("ec-1"))},
		{name: "kid unknown", secret: mixed, token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, kid("rsa-2")), err: noKey},
		{name: "kid is case-sensitive", secret: mixed, token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, kid("RSA-1")), err: noKey},
		{name: "kid of a key of another type", secret: mixed, token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, kid("ec-1")), err: noKey},
		{name: "kid matches but another key signed", secret: mixed, token: sign(t, jwt.SigningMethodRS256, k.rsa2, claims, kid("rsa-1")), err: noneWorked},
		{name: "token kid against key without kid", secret: k.rsaPub, token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, kid("x")), err: noKey},
		{name: "null kid is no kid", secret: mixed,
			token: sign(t, jwt.SigningMethodEdDSA, k.ed, claims, map[string]any{"kid": nil})},
		// Key alg and use.
		{name: "key alg allows", secret: jwkOf(t, k.rsa.Public(), "", "RS384", ""), token: sign(t, jwt.SigningMethodRS384, k.rsa, claims, nil)},
		{name: "key alg restricts", secret: jwkOf(t, k.rsa.Public(), "", "RS256", ""),
			token: sign(t, jwt.SigningMethodRS512, k.rsa, claims, nil), err: noKey},
		{name: "enc key never verifies", secret: jwkOf(t, k.rsa.Public(), "", "", "enc"),
			token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, nil), err: noKey},
		{name: "JWE alg key never verifies", secret: jwkOf(t, k.rsa.Public(), "", "RSA-OAEP", ""),
			token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, nil), err: noKey},
		{name: "enc OKP key never verifies", secret: withMembers(k.edPub, `"use":"enc"`),
			token: sign(t, jwt.SigningMethodEdDSA, k.ed, claims, nil), err: noKey},
		// Wrong algorithm for the key type: no confusion.
		{name: "HS256 signed with the public JWK text", secret: k.rsaPub, token: hmacOfPublic, err: noKey},
		{name: "HS256 against EC key", secret: k.p256Pub, token: sign(t, jwt.SigningMethodHS256, []byte(k.p256Pub), claims, nil), err: noKey},
		{name: "RS256 against EC key", secret: k.p256Pub, token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, nil), err: noKey},
		{name: "ES256 against RSA key", secret: k.rsaPub, token: sign(t, jwt.SigningMethodES256, k.p256, claims, nil), err: noKey},
		{name: "EdDSA against RSA key", secret: k.rsaPub, token: sign(t, jwt.SigningMethodEdDSA, k.ed, claims, nil), err: noKey},
		{name: "RS256 against Ed25519 key", secret: k.edPub, token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, nil), err: noKey},
		{name: "RS256 against oct key", secret: `{"kty":"oct","k":"a2V5"}`, token: sign(t, jwt.SigningMethodRS256, k.rsa, claims, nil), err: noKey},
		{name: "ES384 against P-256 key", secret: k.p256Pub, token: sign(t, jwt.SigningMethodES384, k.p384, claims, nil), err: noneWorked},
		{name: "ES256 header on a P-384 signature", secret: k.p384Pub, token: esWithCurve(t, "ES256", k.p384, crypto.SHA256), err: noneWorked},
		{name: "alg none", secret: k.rsaPub, token: signNone(`{"role":"postgres"}`),
			err: invalid("PGRST301", "Wrong or unsupported encoding algorithm", "JWT is unsecured but expected 'alg' was not 'none'")},
		{name: "PS256 is not an algorithm PostgREST reads", secret: k.rsaPub, token: sign(t, jwt.SigningMethodPS256, k.rsa, claims, nil),
			err: invalid("PGRST301", "JWT cryptographic operation failed", "")},
		{name: "tampered RSA payload", secret: k.rsaPub, token: tamper(sign(t, jwt.SigningMethodRS256, k.rsa, claims, nil), `{"role":"postgres"}`), err: noneWorked},
		{name: "Ed25519 signature by another key", secret: k.edPub, token: sign(t, jwt.SigningMethodEdDSA, k.ed2, claims, nil), err: noneWorked},
		// Keys PostgREST keeps but cannot use.
		{name: "Ed448 key is tried and fails", secret: `{"kty":"OKP","crv":"Ed448","x":"` + strings.Repeat("A", 76) + `"}`,
			token: sign(t, jwt.SigningMethodEdDSA, k.ed, claims, nil), err: noneWorked},
		{name: "unknown kty and curve are skipped", secret: jwks(`{"kty":"AKP","alg":"ML-DSA-44","pub":"AA"}`,
			`{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}`, `{"kty":"OKP","crv":"X25519","x":"AA"}`, `{"kty":"RSA","alg":"PS256"}`, k.edPub),
			token: sign(t, jwt.SigningMethodEdDSA, k.ed, claims, nil)},
		{name: "only unusable keys", secret: jwks(`{"kty":"EC","crv":"secp256k1"}`),
			token: sign(t, jwt.SigningMethodES256, k.p256, claims, nil), err: noKey},
		{name: "empty JWKS", secret: `{"keys":[]}`, token: sign(t, jwt.SigningMethodES256, k.p256, claims, nil), err: noKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, Options{Secret: []byte(tt.secret), AnonRole: "anon"})
			res, aerr := v.Authenticate("Bearer " + tt.token)
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
			if res.Role != "author" || string(res.Claims) != `{"role":"author"}` || !res.Authenticated {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

// esWithCurve signs an ES token whose header alg does not match the curve,
// which jwt/v5 refuses to produce.
func esWithCurve(t testing.TB, alg string, key *ecdsa.PrivateKey, h crypto.Hash) string {
	t.Helper()
	enc := base64.RawURLEncoding
	in := enc.EncodeToString([]byte(`{"alg":"`+alg+`"}`)) + "." + enc.EncodeToString([]byte(`{"role":"author"}`))
	hh := h.New()
	hh.Write([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, key, hh.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	size := (key.Curve.Params().BitSize + 7) / 8
	sig := append(r.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...)
	return in + "." + enc.EncodeToString(sig)
}

func signNone(payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString([]byte(payload)) + "."
}

// TestPostgRESTAsymmetricVector checks the RS256 JWK and token of
// PostgREST's test/spec/Feature/Auth/AsymmetricJwtSpec.hs, so our reading
// of a JWK and its signature agrees with PostgREST's on real data.
func TestPostgRESTAsymmetricVector(t *testing.T) {
	const jwk = `{"alg":"RS256","e":"AQAB","key_ops":["verify"],"kty":"RSA","n":"0etQ2Tg187jb04MWfpuogYGV75IFrQQBxQaGH75eq_FpbkyoLcEpRUEWSbECP2eeFya2yZ9vIO5ScD-lPmovePk4Aa4SzZ8jdjhmAbNykleRPCxMg0481kz6PQhnHRUv3nF5WP479CnObJKqTVdEagVL66oxnX9VhZG9IZA7k0Th5PfKQwrKGyUeTGczpOjaPqbxlunP73j9AfnAt4XCS8epa-n3WGz1j-wfpr_ys57Aq-zBCfqP67UYzNpeI1AoXsJhD9xSDOzvJgFRvc3vm2wjAW4LEMwi48rCplamOpZToIHEPIaPzpveYQwDnB1HFTR1ove9bpKJsHmi-e2uzQ","use":"sig"}`
	const token = "eyJhbGciOiJSUzI1NiJ9.eyJyb2xlIjogInBvc3RncmVzdF90ZXN0X2F1dGhvciJ9Cg.CBOYWDvqgAR0YYnZnyDGTQi6AJLc2Pds6_eV3YuBG6I36mj_h05eLhkEKNEDA5ZteMzCiY83P60rC_xtxVd7B6vo3BeF5uoanPS3rrbuHzKPwzsrgrD_CqvEuJ4n7Q9epkQiLsNkcexneENZDRqFjbwZx3DrXiCWwlK3Ytr5NAIGxmy0od-0xNpb2U1nXQyO_Q3mumWFViRt4tmFn_3goDHNKG3Ha_AzImfUNvHnWL78kAc4rbn15vLtWXD8PwtSnZaB4lY4V6RfsaW937srQsmRetvytM1i_bHBnjkjQLAqGbXPyItjtlXPs0uGNBadE8-wgkLtfmSCC4v2DjUthw"
	for _, secret := range []string{jwk, jwks(jwk)} {
		v := newVerifier(t, Options{Secret: []byte(secret), AnonRole: "anon"})
		res, err := v.Authenticate("Bearer " + token)
		if err != nil {
			t.Fatalf("%v (details %v)", err, deref(err.Details))
		}
		if res.Role != "postgrest_test_author" {
			t.Fatalf("role %q", res.Role)
		}
	}
}

// TestShortECCoordinate: a coordinate whose leading zero byte was dropped
// still works, since PostgREST reads coordinates as integers.
func TestShortECCoordinate(t *testing.T) {
	var key *ecdsa.PrivateKey
	for key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if pub := k.Public().(*ecdsa.PublicKey); pub.X.BitLen() <= 248 {
			key = k
		}
	}
	pub := key.Public().(*ecdsa.PublicKey)
	b64 := func(i *big.Int) string { return base64.RawURLEncoding.EncodeToString(i.Bytes()) }
	secret := `{"kty":"EC","crv":"P-256","x":"` + b64(pub.X) + `","y":"` + b64(pub.Y) + `"}`
	v := newVerifier(t, Options{Secret: []byte(secret)})
	if _, err := v.Authenticate("Bearer " + sign(t, jwt.SigningMethodES256, key, jwt.MapClaims{"role": "a"}, nil)); err != nil {
		t.Fatalf("%v (details %v)", err, deref(err.Details))
	}
}

func TestSecretErrors(t *testing.T) {
	k := genKeys(t)
	enc := base64.RawURLEncoding
	n512 := make([]byte, 64) // crypto/rsa no longer generates such keys
	if _, err := rand.Read(n512); err != nil {
		t.Fatal(err)
	}
	n512[0] |= 0x80
	n512[63] |= 1
	n4104 := append(append([]byte{0x80}, n512...), make([]byte, 448)...) // over go-jose's 4096-bit limit
	var rsaObj, ecObj map[string]string
	if err := json.Unmarshal([]byte(k.rsaPub), &rsaObj); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(k.p256Pub), &ecObj); err != nil {
		t.Fatal(err)
	}
	y, _ := enc.DecodeString(ecObj["y"])
	y[31] ^= 1
	offCurve := `{"kty":"EC","crv":"P-256","x":"` + ecObj["x"] + `","y":"` + enc.EncodeToString(y) + `"}`
	tests := []struct {
		name, secret, want string
	}{
		{"RSA without e", `{"kty":"RSA","n":"` + rsaObj["n"] + `"}`, `invalid JWK: RSA key: "e" is required`},
		{"RSA n not base64url", `{"kty":"RSA","n":"x","e":"AQAB"}`, "invalid JWK: RSA key:"},
		{"RSA n padded", `{"kty":"RSA","n":"` + rsaObj["n"] + `==","e":"AQAB"}`, "invalid JWK: RSA key:"},
		{"RSA 512 bits", `{"kty":"RSA","n":"` + enc.EncodeToString(n512) + `","e":"AQAB"}`, "the RSA key has 512 bits; at least 1024 are needed"},
		{"RSA over 4096 bits", `{"kty":"RSA","n":"` + enc.EncodeToString(n4104) + `","e":"AQAB"}`, "RSA keys over 4096 bits are not supported"},
		{"RSA n a number", `{"kty":"RSA","n":5,"e":"AQAB"}`, `"n" must be a string`},
		{"EC without crv", `{"kty":"EC","x":"AA","y":"AA"}`, `EC key: "crv" is required`},
		{"EC without y", `{"kty":"EC","crv":"P-256","x":"AA"}`, `EC key: "y" is required`},
		{"EC off the curve", offCurve, "invalid JWK: EC key:"},
		{"OKP without crv", `{"kty":"OKP","x":"AA"}`, `OKP key: "crv" is required`},
		{"OKP without x", `{"kty":"OKP","crv":"Ed25519"}`, `OKP key: "x" is required`},
		{"Ed25519 x of wrong size", `{"kty":"OKP","crv":"Ed25519","x":"AAAA"}`, "invalid JWK: OKP key:"},
		{"oct without k", `{"kty":"oct"}`, `oct key: "k" is required`},
		{"oct with empty k", `{"kty":"oct","k":""}`, `oct key: "k" must not be empty`},
		{"use not sig or enc", withMembers(k.rsaPub, `"use":"verify"`), `"use" must be "sig" or "enc"`},
		{"use empty", withMembers(k.rsaPub, `"use":""`), `"use" must be "sig" or "enc"`},
		{"kid a number", withMembers(k.rsaPub, `"kid":1`), `"kid" must be a string`},
		{"crv a number", `{"kty":"EC","crv":256}`, `"crv" must be a string`},
		{"kty null", `{"kty":null}`, `"kty" is required`},
		{"keys not an array", `{"keys":{"kty":"oct","k":"AA"}}`, `invalid JWKS: "keys" must be an array of JWKs`},
		{"keys null", `{"keys":null}`, `invalid JWKS: "keys" must be an array of JWKs`},
		{"key not an object", `{"keys":[1]}`, "invalid JWKS: key 0 is not a JSON object"},
		{"key without kty", jwks(k.rsaPub, `{"k":"AA"}`), `invalid JWKS: key 1: "kty" is required`},
		{"bad key in a set", jwks(k.rsaPub, `{"kty":"RSA","n":"AQAB"}`), `invalid JWKS: key 1: RSA key: "e" is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{Secret: []byte(tt.secret)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if err := ValidateSecret([]byte(tt.secret)); err == nil {
				t.Fatal("ValidateSecret accepted it")
			}
		})
	}
	// Unknown kty or alg values (and non-string ones) make unusable keys,
	// not errors, as in PostgREST.
	for _, ok := range []string{`{"kty":"xyz"}`, `{"kty":5}`, `{"kty":"RSA","alg":"PS256"}`, `{"kty":"RSA","alg":7}`,
		`{"keys":[{"kty":"EC","crv":"P-256K"}]}`, `{"a":"not a JWK, but a 32-byte passphrase"}`} {
		if err := ValidateSecret([]byte(ok)); err != nil {
			t.Errorf("ValidateSecret(%s): %v", ok, err)
		}
	}
}
