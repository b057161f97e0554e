package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// TestAsymmetricJWKS (F-AUTH-05): jwt-secret as a JWKS with an RSA and an
// EC key; tokens pick their key by kid, a kid without a key is PGRST301.
func TestAsymmetricJWKS(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pad := func(n *big.Int) []byte { b := make([]byte, 32); n.FillBytes(b); return b }
	jwks := fmt.Sprintf(`{"keys":[{"kty":"RSA","kid":"r1","alg":"RS256","n":%q,"e":%q},{"kty":"EC","kid":"e1","crv":"P-256","x":%q,"y":%q}]}`,
		b64(rsaKey.N.Bytes()), b64(big.NewInt(int64(rsaKey.E)).Bytes()), b64(pad(ecKey.X)), b64(pad(ecKey.Y)))

	uri := env.NewDatabase(t, template)
	srv := e2e.Serve(t, db.Schema(), db.Register,
		"PGRST_DB_URI="+e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET="+jwks)

	claims := jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()}
	sign := func(m jwt.SigningMethod, kid string, key any) string {
		tok := jwt.NewWithClaims(m, claims)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct {
		name, token string
		status      int
	}{
		{"RS256 with its kid", sign(jwt.SigningMethodRS256, "r1", rsaKey), 200},
		{"ES256 with its kid", sign(jwt.SigningMethodES256, "e1", ecKey), 200},
		{"RS256 under the EC key's kid", sign(jwt.SigningMethodRS256, "e1", rsaKey), 401},
		{"an unknown kid", sign(jwt.SigningMethodRS256, "nope", rsaKey), 401},
		{"HS256 with the public key as secret", sign(jwt.SigningMethodHS256, "r1", []byte(jwks)), 401},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/members?select=id&id=eq.1", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, resp.StatusCode, c.status, body)
		}
		if c.status == 200 && string(body) != `[{"id":1}]` {
			t.Errorf("%s: body %s", c.name, body)
		}
	}
}
