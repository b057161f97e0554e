package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestCacheHitAndExpiry(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := testNow
	v := newVerifier(t, Options{
		Secret:          []byte(jwkOf(t, key.Public(), "", "", "")),
		AnonRole:        "anon",
		CacheMaxEntries: 10,
		Now:             func() time.Time { return now },
	})
	tok := "Bearer " + sign(t, jwt.SigningMethodES256, key, jwt.MapClaims{"role": "author", "exp": testNow.Unix() + 60}, nil)
	for i := range 3 {
		res, aerr := v.Authenticate(tok)
		if aerr != nil || res.Role != "author" {
			t.Fatalf("request %d: %+v %v", i, res, aerr)
		}
	}
	if got, want := v.CacheStats(), (CacheStats{Requests: 3, Hits: 2}); got != want {
		t.Fatalf("stats %+v, want %+v", got, want)
	}
	// The cached token still expires: exp is checked on every hit.
	now = testNow.Add(91 * time.Second)
	if _, aerr := v.Authenticate(tok); aerr == nil || aerr.Code != "PGRST303" || aerr.Message != "JWT expired" {
		t.Fatalf("after expiry: %v", aerr)
	}
	if got := v.CacheStats().Hits; got != 3 {
		t.Fatalf("expired token should still hit the cache (PostgREST caches regardless of claims); hits %d", got)
	}
	// Likewise nbf: a token not yet valid becomes valid without re-verifying.
	nbf := "Bearer " + sign(t, jwt.SigningMethodES256, key, jwt.MapClaims{"role": "author", "nbf": now.Unix() + 100}, nil)
	if _, aerr := v.Authenticate(nbf); aerr == nil || aerr.Message != "JWT not yet valid" {
		t.Fatalf("nbf: %v", aerr)
	}
	now = now.Add(71 * time.Second)
	if _, aerr := v.Authenticate(nbf); aerr != nil {
		t.Fatalf("nbf later: %v", aerr)
	}
}

func TestCacheSkipsErrorsAndKeepsClaims(t *testing.T) {
	v := newVerifier(t, Options{Secret: []byte(testSecret), AnonRole: "anon", CacheMaxEntries: 10})
	bad := "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("wrong secret wrong secret wrong!"), jwt.MapClaims{}, nil)
	for range 2 {
		if _, aerr := v.Authenticate(bad); aerr == nil {
			t.Fatal("bad signature accepted")
		}
	}
	if v.cache.size() != 0 || v.CacheStats().Hits != 0 {
		t.Fatalf("a failed decode was cached: %+v", v.CacheStats())
	}
	// Authenticate adds "role" to its output, never to the cached claims.
	tok := hs256(t, jwt.MapClaims{"id": 1})
	for range 2 {
		res, aerr := v.Authenticate("Bearer " + tok)
		if aerr != nil || string(res.Claims) != `{"id":1,"role":"anon"}` {
			t.Fatalf("%s %v", res.Claims, aerr)
		}
	}
	if c, ok := v.cache.get(tok); !ok || len(c) != 1 {
		t.Fatalf("cached claims %v, %v", c, ok)
	}
}

func TestCacheDisabled(t *testing.T) {
	for _, n := range []int{0, -1} {
		v := newVerifier(t, Options{Secret: []byte(testSecret), AnonRole: "anon", CacheMaxEntries: n})
		tok := "Bearer " + hs256(t, jwt.MapClaims{"role": "a"})
		for range 2 {
			if _, aerr := v.Authenticate(tok); aerr != nil {
				t.Fatal(aerr)
			}
		}
		if v.cache != nil || v.CacheStats() != (CacheStats{}) {
			t.Fatalf("max %d: cache %+v", n, v.CacheStats())
		}
	}
}

// TestSieveEviction follows SIEVE: a visited entry survives one pass of
// the hand, an unvisited one is evicted, and new entries go to the head.
func TestSieveEviction(t *testing.T) {
	c := newClaimsCache(3)
	put := func(k string) { c.put(k, map[string]any{"k": k}) }
	has := func(k string) bool {
		c.mu.RLock()
		defer c.mu.RUnlock()
		_, ok := c.items[k]
		return ok
	}
	put("a")
	put("b")
	put("c")
	c.get("a") // visited
	put("d")   // hand at tail "a": visited, cleared; next "b" is evicted
	if !has("a") || has("b") || !has("c") || !has("d") {
		t.Fatalf("after d: %v", c.keys())
	}
	put("e") // hand continues at "c": unvisited, evicted
	if !has("a") || has("c") || !has("d") || !has("e") {
		t.Fatalf("after e: %v", c.keys())
	}
	c.get("d")
	c.get("e")
	put("f") // hand wraps to tail "a" (cleared earlier): evicted
	if has("a") || !has("d") || !has("e") || !has("f") {
		t.Fatalf("after f: %v", c.keys())
	}
	put("f") // already there: no eviction
	if got := c.stats(); got.Evictions != 3 || c.size() != 3 {
		t.Fatalf("stats %+v size %d", got, c.size())
	}
	put("g") // hand at "d", whose visit was spent on the last pass: evicted
	if has("d") || !has("e") || !has("f") || !has("g") {
		t.Fatalf("after g: %v", c.keys())
	}
}

// keys lists the entries from head (newest) to tail, for failure messages.
func (c *claimsCache) keys() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var ks []string
	for e := c.head; e != nil; e = e.next {
		ks = append(ks, e.key)
	}
	return ks
}

func TestCacheBoundedUnderConcurrency(t *testing.T) {
	const capacity = 8
	v := newVerifier(t, Options{Secret: []byte(testSecret), AnonRole: "anon", CacheMaxEntries: capacity})
	toks := make([]string, 40)
	for i := range toks {
		toks[i] = "Bearer " + hs256(t, jwt.MapClaims{"role": fmt.Sprint("r", i)})
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := range 400 {
				n := (i*7 + w) % len(toks)
				res, aerr := v.Authenticate(toks[n])
				if aerr != nil || res.Role != fmt.Sprint("r", n) {
					select {
					case errs <- fmt.Sprintf("token %d: %+v %v", n, res, aerr):
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := v.cache.size(); n > capacity {
		t.Fatalf("cache holds %d > %d entries", n, capacity)
	}
	st := v.CacheStats()
	if st.Requests != 8*400 || st.Hits == 0 || st.Evictions == 0 {
		t.Fatalf("stats %+v", st)
	}
	if got := len(v.cache.keys()); got != v.cache.size() {
		t.Fatalf("list has %d entries, map %d", got, v.cache.size())
	}
}
