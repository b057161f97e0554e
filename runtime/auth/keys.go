package auth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// minSecretLen is PostgREST's (v13+) minimum length of a plain jwt-secret.
const minSecretLen = 32

// minRSABits is the smallest RSA modulus Go's crypto/rsa verifies with; a
// smaller key would silently verify nothing, so New refuses it.
const minRSABits = 1024

// verifyKey is one entry of the key set, with the JWK constraints PostgREST
// (through its jose library) applies when picking keys for a token: an
// "enc" key never verifies, a token kid must equal the key's kid, and a key
// alg must equal the token alg. Only the public half of a key is kept.
type verifyKey struct {
	kid *string // nil: the key has no kid, so it never matches a token kid
	alg string  // "": any algorithm the key type supports
	use string  // "sig", "enc" or ""
	// kty is "oct", "RSA", "EC" or "OKP"; "" marks a key PostgREST keeps
	// but that can verify nothing (unknown kty, alg or curve).
	kty string
	// pub is what jwt/v5 verifies with: []byte (oct), *rsa.PublicKey,
	// *ecdsa.PublicKey or ed25519.PublicKey; nil for an Ed448 key, which
	// PostgREST can use but Go cannot, so it is tried and always fails.
	pub any
}

// signingMethod is the per-key-type allow-list of algorithms: a token alg
// outside it ("none", or RS256 against an HMAC key and the reverse) finds no
// method, so no algorithm can be confused with another.
func signingMethod(kty, alg string) jwt.SigningMethod {
	switch kty + " " + alg {
	case "oct HS256":
		return jwt.SigningMethodHS256
	case "oct HS384":
		return jwt.SigningMethodHS384
	case "oct HS512":
		return jwt.SigningMethodHS512
	case "RSA RS256":
		return jwt.SigningMethodRS256
	case "RSA RS384":
		return jwt.SigningMethodRS384
	case "RSA RS512":
		return jwt.SigningMethodRS512
	case "EC ES256":
		return jwt.SigningMethodES256
	case "EC ES384":
		return jwt.SigningMethodES384
	case "EC ES512":
		return jwt.SigningMethodES512
	case "OKP EdDSA":
		return jwt.SigningMethodEdDSA
	}
	return nil
}

// esCurve is the only curve RFC 7518 pairs with each ES algorithm.
func esCurve(alg string) string {
	switch alg {
	case "ES256":
		return "P-256"
	case "ES384":
		return "P-384"
	case "ES512":
		return "P-521"
	}
	return ""
}

// usableFor reports whether k may verify a token signed with alg and
// carrying kid (nil when the token has none). An EC key counts for every
// ES algorithm, as in PostgREST; verify then insists on the matching curve.
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
	return signingMethod(k.kty, alg) != nil
}

// verify checks sig over signingInput; only called when usableFor is true.
func (k verifyKey) verify(alg, signingInput string, sig []byte) bool {
	m := signingMethod(k.kty, alg)
	if m == nil || k.pub == nil {
		return false
	}
	if pub, ok := k.pub.(*ecdsa.PublicKey); ok && pub.Curve.Params().Name != esCurve(alg) {
		return false
	}
	return m.Verify(signingInput, sig, k.pub) == nil
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
//
// Unlike PostgREST, a JSON object with "keys" or "kty" that is not a valid
// JWKS or JWK is an error rather than a passphrase: the text of a public
// key is public, so using it as an HMAC secret would let anyone sign.
func parseSecret(secret []byte) ([]verifyKey, error) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(secret, &obj) == nil && obj != nil {
		if raw, ok := obj["keys"]; ok {
			return parseJWKS(raw)
		}
		if _, ok := obj["kty"]; ok {
			k, err := parseJWK(obj)
			if err != nil {
				return nil, fmt.Errorf("invalid JWK: %w", err)
			}
			return []verifyKey{k}, nil
		}
	}
	if len(secret) < minSecretLen {
		return nil, errors.New("The JWT secret must be at least 32 characters long.")
	}
	return []verifyKey{{alg: "HS256", use: "sig", kty: "oct", pub: bytes.Clone(secret)}}, nil
}

// parseJWKS reads the "keys" member of a JSON Web Key Set.
func parseJWKS(raw json.RawMessage) ([]verifyKey, error) {
	var set []json.RawMessage
	if err := json.Unmarshal(raw, &set); err != nil || set == nil {
		return nil, errors.New(`invalid JWKS: "keys" must be an array of JWKs`)
	}
	keys := make([]verifyKey, 0, len(set))
	for i, rawKey := range set {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(rawKey, &obj); err != nil || obj == nil {
			return nil, fmt.Errorf("invalid JWKS: key %d is not a JSON object", i)
		}
		k, err := parseJWK(obj)
		if err != nil {
			return nil, fmt.Errorf("invalid JWKS: key %d: %w", i, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
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

// jwkFields reads optional string members of a JWK: null counts as absent,
// any other non-string value is an error (as in PostgREST's jose).
type jwkFields map[string]json.RawMessage

func (f jwkFields) str(name string) (value string, present bool, err error) {
	raw, ok := f[name]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	if json.Unmarshal(raw, &value) != nil {
		return "", false, fmt.Errorf("%q must be a string", name)
	}
	return value, true, nil
}

// parseJWK reads one JSON Web Key. As in PostgREST, a key whose kty or alg
// is not a known string is kept as a key that verifies nothing (so a JWKS
// from an identity provider may hold key types PostgREST does not use);
// malformed members of a known key type are errors. Key material is parsed
// by go-jose from the public members only, so a private JWK is reduced to
// its public key.
func parseJWK(obj jwkFields) (verifyKey, error) {
	kty, hasKty, ktyErr := obj.str("kty")
	alg, hasAlg, algErr := obj.str("alg")
	if !hasKty && ktyErr == nil {
		return verifyKey{}, errors.New(`"kty" is required`)
	}
	knownKty := kty == "oct" || kty == "RSA" || kty == "EC" || kty == "OKP"
	if ktyErr != nil || algErr != nil || !knownKty || (hasAlg && !knownJWKAlg(alg)) {
		return verifyKey{}, nil
	}
	k := verifyKey{kty: kty, alg: alg}
	use, hasUse, err := obj.str("use")
	if err != nil {
		return verifyKey{}, err
	}
	if hasUse && use != "sig" && use != "enc" {
		return verifyKey{}, errors.New(`"use" must be "sig" or "enc"`)
	}
	k.use = use
	kid, hasKid, err := obj.str("kid")
	if err != nil {
		return verifyKey{}, err
	}
	if hasKid {
		k.kid = &kid
	}
	crv, _, err := obj.str("crv")
	if err != nil {
		return verifyKey{}, err
	}
	var members []string
	switch kty {
	case "oct":
		members = []string{"k"}
	case "RSA":
		members = []string{"n", "e"}
	case "EC":
		if crv == "" {
			return verifyKey{}, errors.New(`EC key: "crv" is required`)
		}
		if ecCoordSize(crv) == 0 {
			return verifyKey{}, nil // unknown curve: unusable
		}
		members = []string{"x", "y"}
	case "OKP":
		switch crv {
		case "":
			return verifyKey{}, errors.New(`OKP key: "crv" is required`)
		case "Ed25519":
			members = []string{"x"}
		case "Ed448":
			return k, nil // PostgREST tries it; Go has no Ed448, so verify fails
		default:
			return verifyKey{}, nil // X25519 etc.: unusable
		}
	}
	pub, err := publicKey(kty, crv, members, obj)
	if err != nil {
		return verifyKey{}, err
	}
	k.pub = pub
	return k, nil
}

// ecCoordSize is the byte length of a coordinate on a supported curve, or 0.
func ecCoordSize(crv string) int {
	switch crv {
	case "P-256":
		return 32
	case "P-384":
		return 48
	case "P-521":
		return 66
	}
	return 0
}

// publicKey hands go-jose a JWK with only kty, crv and the public members,
// and returns the key jwt/v5 verifies with.
func publicKey(kty, crv string, members []string, obj jwkFields) (any, error) {
	clean := map[string]string{"kty": kty}
	if crv != "" {
		clean["crv"] = crv
	}
	for _, m := range members {
		v, ok, err := obj.str(m)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s key: %q is required", kty, m)
		}
		if kty == "EC" {
			// PostgREST reads coordinates as integers, so one whose leading
			// zero bytes were dropped still works; go-jose wants full size.
			v = padCoordinate(v, ecCoordSize(crv))
		}
		clean[m] = v
	}
	b, err := json.Marshal(clean)
	if err != nil {
		return nil, fmt.Errorf("encoding the key: %w", err)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(b); err != nil {
		if errors.Is(err, jose.ErrUnsupportedKeyType) && kty == "RSA" {
			return nil, fmt.Errorf("RSA keys over %d bits are not supported: %w", jose.MaxRSAModulusBits, err)
		}
		return nil, fmt.Errorf("%s key: %w", kty, err)
	}
	switch key := jwk.Key.(type) {
	case []byte:
		if len(key) == 0 {
			return nil, errors.New(`oct key: "k" must not be empty`)
		}
		return key, nil
	case *rsa.PublicKey:
		if key.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("the RSA key has %d bits; at least %d are needed", key.N.BitLen(), minRSABits)
		}
		return key, nil
	case *ecdsa.PublicKey:
		return key, nil
	case ed25519.PublicKey:
		return key, nil
	}
	return nil, fmt.Errorf("unexpected %s key type %T", kty, jwk.Key)
}

// padCoordinate left-pads a base64url EC coordinate with zero bytes to size;
// anything it cannot decode is returned unchanged for go-jose to reject.
func padCoordinate(v string, size int) string {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) >= size {
		return v
	}
	return base64.RawURLEncoding.EncodeToString(append(make([]byte, size-len(b)), b...))
}
