package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// minSecretLen is PostgREST's (v13+) minimum length of a plain jwt-secret.
const minSecretLen = 32

// verifyKey is one entry of the key set, with the JWK constraints PostgREST
// (through its jose library) applies when picking keys for a token: an
// "enc" key never verifies, a token kid must equal the key's kid, and a key
// alg must equal the token alg.
type verifyKey struct {
	kid *string // nil: the key has no kid, so it never matches a token kid
	alg string  // "": any algorithm the key type supports
	use string  // "sig", "enc" or ""
	kty string  // "oct"; asymmetric types come with the JWKS issue
	// secret is the HMAC key of an "oct" key.
	secret []byte
}

// hmacMethod is the allow-list of HMAC algorithms: anything else (none, RS*,
// ES*, ...) has no method, so no algorithm can be confused with another.
func hmacMethod(alg string) *jwt.SigningMethodHMAC {
	switch alg {
	case "HS256":
		return jwt.SigningMethodHS256
	case "HS384":
		return jwt.SigningMethodHS384
	case "HS512":
		return jwt.SigningMethodHS512
	}
	return nil
}

// usableFor reports whether k may verify a token signed with alg and
// carrying kid (nil when the token has none).
func (k verifyKey) usableFor(alg string, kid *string) bool {
	if k.use == "enc" {
		return false
	}
	if kid != nil && (k.kid == nil || *k.kid != *kid) {
		return false
	}
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch k.kty {
	case "oct":
		return hmacMethod(alg) != nil
	}
	return false
}

// verify checks sig over signingInput; only called when usableFor is true.
func (k verifyKey) verify(alg, signingInput string, sig []byte) bool {
	switch k.kty {
	case "oct":
		m := hmacMethod(alg)
		return m != nil && m.Verify(signingInput, sig, k.secret) == nil
	}
	return false
}

// ValidateSecret reports whether jwt-secret (already read from @file and
// base64-decoded) is usable: a JWK or JWKS, or a plain string of at least 32
// bytes, which PostgREST refuses to start without since v13.
func ValidateSecret(secret []byte) error {
	_, err := parseSecret(secret)
	return err
}

// parseSecret turns jwt-secret into keys the way PostgREST does: a JSON Web
// Key Set, else a single JSON Web Key, else a plain HMAC passphrase that
// verifies HS256 only (PostgREST gives it alg HS256 and no kid).
func parseSecret(secret []byte) ([]verifyKey, error) {
	if keys, ok, err := parseJWKS(secret); ok || err != nil {
		return keys, err
	}
	if key, ok, err := parseJWK(secret); ok || err != nil {
		return []verifyKey{key}, err
	}
	if len(secret) < minSecretLen {
		return nil, errors.New("The JWT secret must be at least 32 characters long.")
	}
	return []verifyKey{{alg: "HS256", use: "sig", kty: "oct", secret: bytes.Clone(secret)}}, nil
}

// parseJWKS reads {"keys":[jwk, ...]}; ok is false when secret is not one,
// so it is tried as a single JWK next.
func parseJWKS(secret []byte) ([]verifyKey, bool, error) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(secret, &obj) != nil {
		return nil, false, nil
	}
	var set []json.RawMessage
	if json.Unmarshal(obj["keys"], &set) != nil || set == nil {
		return nil, false, nil
	}
	keys := make([]verifyKey, 0, len(set))
	for _, raw := range set {
		k, ok, err := parseJWK(raw)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			return nil, false, nil
		}
		keys = append(keys, k)
	}
	return keys, true, nil
}

// knownJWKAlg reports whether a JWK "alg" is one PostgREST knows (JWS or
// JWE); a key with another alg, or an unknown kty, is kept but verifies
// nothing, as in PostgREST.
func knownJWKAlg(alg string) bool {
	switch alg {
	case "none", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
		"ES256", "ES384", "ES512", "EdDSA",
		"RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "A128KW", "A192KW", "A256KW":
		return true
	}
	return false
}

// parseJWK reads one JSON Web Key; ok is false when secret is not a JWK.
func parseJWK(secret []byte) (verifyKey, bool, error) {
	var raw map[string]json.RawMessage
	if json.Unmarshal(secret, &raw) != nil || raw == nil {
		return verifyKey{}, false, nil
	}
	str := func(name string) (string, bool, bool) { // value, present, valid
		v, ok := raw[name]
		if !ok || string(v) == "null" {
			return "", false, true
		}
		var s string
		err := json.Unmarshal(v, &s)
		return s, true, err == nil
	}
	kty, hasKty, ktyOK := str("kty")
	alg, hasAlg, algOK := str("alg")
	if !hasKty {
		return verifyKey{}, false, nil
	}
	knownKty := kty == "oct" || kty == "RSA" || kty == "EC" || kty == "OKP"
	if !ktyOK || !algOK || !knownKty || (hasAlg && !knownJWKAlg(alg)) {
		return verifyKey{kty: "unsupported"}, true, nil
	}
	k := verifyKey{kty: kty, alg: alg}
	use, hasUse, useOK := str("use")
	if !useOK || (hasUse && use != "sig" && use != "enc") {
		return verifyKey{}, false, nil
	}
	k.use = use
	kid, hasKid, kidOK := str("kid")
	if !kidOK {
		return verifyKey{}, false, nil
	}
	if hasKid {
		k.kid = &kid
	}
	if kty != "oct" {
		return verifyKey{}, true, fmt.Errorf("JWK key type %q is not supported yet (only symmetric \"oct\" keys)", kty)
	}
	kb, hasK, kOK := str("k")
	if !hasK || !kOK {
		return verifyKey{}, false, nil
	}
	secretBytes, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(kb, "="))
	if err != nil {
		return verifyKey{}, false, nil
	}
	k.secret = secretBytes
	return k, true, nil
}
