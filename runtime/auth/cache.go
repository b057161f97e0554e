package auth

import (
	"strings"
	"sync"
	"sync/atomic"
)

// CacheStats counts JWT cache activity, for PostgREST's metrics
// pgrst_jwt_cache_requests_total, _hits_total and _evictions_total.
type CacheStats struct {
	Requests  uint64 // lookups of a bearer token
	Hits      uint64 // lookups that skipped signature verification
	Evictions uint64 // entries dropped to make room
}

// claimsCache maps a token to the claims it decoded to once its signature
// was verified, so a repeated token skips the (for RSA, slow) verification.
// It is bounded and evicts with SIEVE, as PostgREST does: a hit only sets a
// flag, so hits take a read lock and never reorder the list. Only claims are
// cached, never a verdict: exp, nbf, iat and aud are checked on every use,
// and errors are not cached (PostgREST caches successful decodes only).
type claimsCache struct {
	capacity int

	mu    sync.RWMutex
	items map[string]*cacheEntry
	// head is the newest entry, tail the oldest; hand is SIEVE's eviction
	// pointer, moving from tail towards head (nil: start at tail).
	head, tail, hand *cacheEntry

	requests, hits, evictions atomic.Uint64
}

// cacheEntry is a list node; prev points towards head (newer entries).
type cacheEntry struct {
	key        string
	claims     map[string]any // shared: never modified after insertion
	visited    atomic.Bool
	prev, next *cacheEntry
}

// newClaimsCache returns a cache of at most capacity entries, or nil (no caching)
// when capacity <= 0, which is how jwt-cache-max-entries = 0 disables it.
func newClaimsCache(capacity int) *claimsCache {
	if capacity <= 0 {
		return nil
	}
	return &claimsCache{capacity: capacity, items: make(map[string]*cacheEntry)}
}

// get returns the cached claims of token. The map must not be modified.
func (c *claimsCache) get(token string) (map[string]any, bool) {
	c.requests.Add(1)
	c.mu.RLock()
	e, ok := c.items[token]
	if ok {
		e.visited.Store(true)
	}
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	c.hits.Add(1)
	return e.claims, true
}

// put stores claims for token, evicting one entry when full. claims must
// not be modified afterwards.
func (c *claimsCache) put(token string, claims map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[token]; ok { // a concurrent miss got here first
		e.visited.Store(true)
		return
	}
	for len(c.items) >= c.capacity {
		c.evict()
	}
	// Clone: token may be a slice of a much larger header string.
	e := &cacheEntry{key: strings.Clone(token), claims: claims, next: c.head}
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
	c.items[e.key] = e
}

// evict removes the first unvisited entry from the hand towards the head,
// clearing visited flags on the way and wrapping to the tail (SIEVE).
func (c *claimsCache) evict() {
	e := c.hand
	if e == nil {
		e = c.tail
	}
	for e.visited.Load() {
		e.visited.Store(false)
		if e = e.prev; e == nil {
			e = c.tail
		}
	}
	c.hand = e.prev
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	delete(c.items, e.key)
	c.evictions.Add(1)
}

// stats returns the counters; a nil cache has none.
func (c *claimsCache) stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	return CacheStats{Requests: c.requests.Load(), Hits: c.hits.Load(), Evictions: c.evictions.Load()}
}

// size returns the number of entries, for tests.
func (c *claimsCache) size() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.items)
}
