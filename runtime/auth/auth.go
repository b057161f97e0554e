// Package auth turns a request's Authorization header into the database role
// and the request.jwt.claims value, with PostgREST's (v13+) rules and error
// objects, so clients see the same 401s, codes and WWW-Authenticate headers.
//
// Keys: a plain jwt-secret verifies HS256 only (as in PostgREST); a JWK or
// JWKS verifies HS256/384/512 ("oct"), RS256/384/512 ("RSA"), ES256/384/512
// ("EC", each on its own curve) and EdDSA ("OKP" Ed25519). Verified claims
// are cached per token (jwt-cache-max-entries); time claims are rechecked on
// every request.
package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// DefaultRoleClaimKey is PostgREST's default jwt-role-claim-key.
const DefaultRoleClaimKey = "$.role"

// clockSkew is the leeway PostgREST allows on exp, nbf and iat.
const clockSkew = 30

// Options configures a Verifier; the fields are the PostgREST settings of
// the same names (jwt-secret, jwt-aud, jwt-role-claim-key, db-anon-role).
type Options struct {
	// Secret is jwt-secret after @file and base64 handling; nil means no
	// secret, so every token is refused with PGRST300.
	Secret []byte
	// Audience is jwt-aud; "" accepts any aud.
	Audience string
	// RoleClaimKey is jwt-role-claim-key; "" means DefaultRoleClaimKey.
	RoleClaimKey string
	// AnonRole is db-anon-role; "" disables anonymous access (PGRST302).
	AnonRole string
	// CacheMaxEntries is jwt-cache-max-entries: how many verified tokens
	// to remember; 0 (the zero value) or less disables the cache, so pass
	// the configured value (PostgREST's default is 1000).
	CacheMaxEntries int
	// Now is the clock for exp/nbf/iat; nil means time.Now.
	Now func() time.Time
}

// Verifier authenticates requests. Its settings are fixed by New and it is
// safe for concurrent use; build a new one when the configuration is
// reloaded, which also starts an empty JWT cache, as PostgREST does when
// the secret changes.
type Verifier struct {
	keys      []verifyKey
	hasSecret bool
	audience  string
	rolePath  ClaimPath
	anonRole  string
	// anon is every anonymous request's result, made once: its claims
	// are only the role. nil without an anon role.
	anon  *Result
	now   func() time.Time
	cache *claimsCache // nil: caching disabled
}

// Result is who a request runs as.
type Result struct {
	// Role is the role to SET: the token's role claim, else the anon role.
	Role string
	// Claims is the JSON object for request.jwt.claims: the token's claims
	// (or {} without a token) with "role" set to Role, as PostgREST does.
	// Keys are sorted and numbers keep their original text.
	Claims []byte
	// Authenticated is PostgREST's test for 42501 → 403 instead of 401: the
	// request runs as a role other than the anon role. Pass it to apierr.From.
	Authenticated bool
}

// New validates opts and builds a Verifier.
func New(opts Options) (*Verifier, error) {
	v := &Verifier{audience: opts.Audience, anonRole: opts.AnonRole, now: opts.Now}
	if v.now == nil {
		v.now = time.Now
	}
	if opts.Secret != nil {
		keys, err := parseSecret(opts.Secret)
		if err != nil {
			return nil, fmt.Errorf("jwt secret: %w", err)
		}
		v.keys, v.hasSecret = keys, true
	}
	key := opts.RoleClaimKey
	if key == "" {
		key = DefaultRoleClaimKey
	}
	p, err := ParseClaimPath(key)
	if err != nil {
		return nil, err
	}
	v.rolePath = p
	v.cache = newClaimsCache(opts.CacheMaxEntries)
	if v.anonRole != "" {
		b, err := encodeJSON(map[string]any{"role": v.anonRole})
		if err != nil {
			return nil, fmt.Errorf("encode the anon role's claims: %w", err)
		}
		v.anon = &Result{Role: v.anonRole, Claims: b}
	}
	return v, nil
}

// CacheStats reports the JWT cache counters; all zero when it is disabled.
func (v *Verifier) CacheStats() CacheStats { return v.cache.stats() }

// Authenticate checks the Authorization header value ("" when absent) and
// returns the role and claims, or the PostgREST error to send (PGRST300–303).
func (v *Verifier) Authenticate(authorizationHeader string) (Result, *apierr.Error) {
	token, ok := bearerToken(authorizationHeader)
	if !ok && v.anon != nil {
		return *v.anon, nil
	}
	claims := map[string]any{} // may be shared with the cache: read only
	if ok {
		if !v.hasSecret {
			return Result{}, apierr.New(http.StatusInternalServerError, "PGRST300", "Server lacks JWT secret", "", "")
		}
		c, aerr := v.cachedDecode(token)
		if aerr != nil {
			return Result{}, aerr
		}
		claims = c
	}
	if msg := v.checkClaims(claims); msg != "" {
		return Result{}, invalidToken("PGRST303", msg, "")
	}
	role := v.anonRole
	if r, found := v.rolePath.Lookup(claims); found {
		role = roleName(r)
	} else if v.anonRole == "" {
		e := apierr.New(http.StatusUnauthorized, "PGRST302", "Anonymous access is disabled", "", "")
		e.Headers = http.Header{}
		e.Headers.Set("WWW-Authenticate", "Bearer")
		return Result{}, e
	}
	out := make(map[string]any, len(claims)+1)
	maps.Copy(out, claims)
	out["role"] = role
	b, err := encodeJSON(out)
	if err != nil {
		// Unreachable: claims came from JSON and hold only JSON values.
		return Result{}, apierr.New(http.StatusInternalServerError, "PGRSTX00", "Internal server error", "", "")
	}
	return Result{
		Role:          role,
		Claims:        b,
		Authenticated: role != v.anonRole,
	}, nil
}

// roleName turns the value the role claim key selected into a role name as
// PostgREST does: a string as is, anything else (number, bool, null, object,
// array) as its JSON text, which then fails as an unknown role rather than
// silently falling back to the anonymous role.
func roleName(r any) string {
	if s, ok := r.(string); ok {
		return s
	}
	b, err := encodeJSON(r)
	if err != nil {
		return fmt.Sprint(r) // unreachable for decoded JSON
	}
	return string(b)
}

// encodeJSON encodes without HTML escaping and without the trailing newline.
func encodeJSON(x any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, fmt.Errorf("encoding claims: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// cachedDecode is decode behind the JWT cache. Only successful decodes are
// cached; the returned map is shared and must not be modified.
func (v *Verifier) cachedDecode(token string) (map[string]any, *apierr.Error) {
	if v.cache == nil || token == "" {
		return v.decode(token)
	}
	if c, ok := v.cache.get(token); ok {
		return c, nil
	}
	c, aerr := v.decode(token)
	if aerr == nil {
		v.cache.put(token, c)
	}
	return c, aerr
}

// bearerToken reads "Bearer <token>" the way PostgREST (wai-extra's
// extractBearerAuth) does: the scheme is case-insensitive and ends at the
// first space; leading spaces of the token are dropped. ok is false when
// there is no bearer credential, which PostgREST treats as no token at all.
func bearerToken(h string) (token string, ok bool) {
	i := 0
	for i < len(h) && !isSpace(h[i]) {
		i++
	}
	if !strings.EqualFold(h[:i], "bearer") {
		return "", false
	}
	for i < len(h) && isSpace(h[i]) {
		i++
	}
	return h[i:], true
}

// isSpace is Data.Word8.isSpace: ASCII white space and Latin-1 NBSP.
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0
}

// Messages and details of PostgREST's JWT decode errors (Error.hs and the
// jose library it uses).
const (
	msgCrypto        = "JWT cryptographic operation failed"
	msgBadAlgorithm  = "Wrong or unsupported encoding algorithm"
	msgNoKey         = "No suitable key or wrong key type"
	detailUnsecured  = "JWT is unsecured but expected 'alg' was not 'none'"
	detailNoKey      = "No suitable key was found to decode the JWT"
	detailNoneWorked = "None of the keys was able to decode the JWT"
)

// decode verifies token and returns its claims, classifying failures as
// PostgREST does: shape and encoding problems first, then key selection,
// then the signature, and only then the claims JSON (PGRST303).
func (v *Verifier) decode(token string) (map[string]any, *apierr.Error) {
	if token == "" {
		return nil, invalidToken("PGRST301", "Empty JWT is sent in Authorization header", "")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, invalidToken("PGRST301", "Expected 3 parts in JWT; got "+strconv.Itoa(len(parts)), "")
	}
	crypto := invalidToken("PGRST301", msgCrypto, "")
	hdrJSON, ok := b64(parts[0])
	if !ok {
		return nil, crypto
	}
	hdr, ok := parseHeader(hdrJSON)
	if !ok {
		return nil, crypto
	}
	payload, ok := b64(parts[1])
	if !ok {
		return nil, crypto
	}
	if hdr.unsecured {
		return nil, invalidToken("PGRST301", msgBadAlgorithm, detailUnsecured)
	}
	sig, ok := b64(parts[2])
	if !ok {
		return nil, crypto
	}
	signingInput := token[:len(parts[0])+1+len(parts[1])]
	found, verified := false, false
	for _, k := range v.keys {
		if !k.usableFor(hdr.alg, hdr.kid) {
			continue
		}
		found = true
		if k.verify(hdr.alg, signingInput, sig) {
			verified = true
			break
		}
	}
	switch {
	case !found:
		return nil, invalidToken("PGRST301", msgNoKey, detailNoKey)
	case !verified:
		return nil, invalidToken("PGRST301", msgNoKey, detailNoneWorked)
	}
	claims, ok := parseObject(payload)
	if !ok {
		return nil, invalidToken("PGRST303", "Parsing claims failed", "")
	}
	return claims, nil
}

// b64 decodes unpadded base64url, rejecting the line breaks Go would skip.
func b64(s string) ([]byte, bool) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return b, err == nil
}

// jwsHeader is what key selection needs from the JOSE header.
type jwsHeader struct {
	unsecured bool
	alg       string
	kid       *string
}

// parseHeader accepts what PostgREST's jose library accepts: a JSON object
// whose alg is "none" (refused later) or a known JWS algorithm, with string
// (or null) typ, cty and kid. A JWE header ("enc") cannot have 3 parts.
func parseHeader(b []byte) (jwsHeader, bool) {
	var h map[string]json.RawMessage
	if !utf8.Valid(b) || json.Unmarshal(b, &h) != nil || h == nil {
		return jwsHeader{}, false
	}
	str := func(name string) (*string, bool) {
		raw, ok := h[name]
		if !ok || string(raw) == "null" {
			return nil, true
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return &s, true
	}
	alg, ok := str("alg")
	if !ok || alg == nil {
		return jwsHeader{}, false
	}
	if *alg == "none" {
		return jwsHeader{unsecured: true}, true
	}
	if _, isJWE := h["enc"]; isJWE || !knownJWSAlg(*alg) {
		return jwsHeader{}, false
	}
	kid, ok := str("kid")
	if !ok {
		return jwsHeader{}, false
	}
	for _, name := range []string{"typ", "cty"} {
		if _, ok := str(name); !ok {
			return jwsHeader{}, false
		}
	}
	return jwsHeader{alg: *alg, kid: kid}, true
}

// knownJWSAlg lists the JWS algorithms PostgREST parses; a token with any
// other alg fails to decode rather than finding no key.
func knownJWSAlg(alg string) bool {
	switch alg {
	case "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA":
		return true
	}
	return false
}

// parseObject decodes a JSON object keeping numbers as json.Number, so the
// claims reach PostgreSQL with their original digits.
func parseObject(b []byte) (map[string]any, bool) {
	if !utf8.Valid(b) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if dec.Decode(&obj) != nil || obj == nil {
		return nil, false
	}
	if _, err := dec.Token(); err == nil {
		return nil, false // trailing data after the object
	}
	return obj, true
}

// checkClaims validates exp, nbf, iat and aud in PostgREST's order and
// returns the first failure's message, or "".
func (v *Verifier) checkClaims(claims map[string]any) string {
	now := v.now().Unix()
	checks := []struct {
		name    string
		invalid func(int64) bool
		msg     string
	}{
		{"exp", func(t int64) bool { return now-clockSkew > t }, "JWT expired"},
		{"nbf", func(t int64) bool { return now+clockSkew < t }, "JWT not yet valid"},
		{"iat", func(t int64) bool { return now+clockSkew < t }, "JWT issued at future"},
	}
	for _, c := range checks {
		raw, ok := claims[c.name]
		if !ok || raw == nil {
			continue
		}
		n, isNum := raw.(json.Number)
		if !isNum {
			return "The JWT '" + c.name + "' claim must be a number"
		}
		if c.invalid(numericDate(n)) {
			return c.msg
		}
	}
	switch aud := claims["aud"].(type) {
	case nil:
	case string:
		if !v.audMatches(aud) {
			return "JWT not in audience"
		}
	case []any:
		matched := len(aud) == 0
		for _, a := range aud {
			s, ok := a.(string)
			if !ok {
				return "The JWT 'aud' claim must be a string or an array of strings"
			}
			matched = matched || v.audMatches(s)
		}
		if !matched {
			return "JWT not in audience"
		}
	default:
		return "The JWT 'aud' claim must be a string or an array of strings"
	}
	return ""
}

func (v *Verifier) audMatches(aud string) bool {
	return v.audience == "" || aud == v.audience
}

// numericDate reads a NumericDate in whole seconds. Fractions are floored
// and out-of-range values clamped (RFC 7519 allows non-integers; PostgREST
// reads them as 0, which rejects a fractional exp as expired).
func numericDate(n json.Number) int64 {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i
	}
	f, _ := strconv.ParseFloat(string(n), 64) // ±Inf on overflow
	switch f = math.Floor(f); {
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// invalidToken builds a PGRST301/303 error with PostgREST's header:
// Bearer error="invalid_token", error_description=<message as a quoted string>.
func invalidToken(code, message, details string) *apierr.Error {
	e := apierr.New(http.StatusUnauthorized, code, message, details, "")
	e.Headers = http.Header{}
	e.Headers.Set("WWW-Authenticate", `Bearer error="invalid_token", error_description=`+strconv.Quote(message))
	return e
}
