package exec

import (
	"fmt"
	"slices"
	"testing"
)

// TestStmtCacheEvict: a full cache deallocates its oldest statements, never
// one the request is about to run, and stays bounded.
func TestStmtCacheEvict(t *testing.T) {
	c := &stmtCache{byText: map[string]*statement{}}
	for i := range stmtCacheSize {
		sql := fmt.Sprintf("SELECT %d", i)
		if c.get(sql) != nil {
			t.Fatalf("%s known before it was added", sql)
		}
		c.add(c.newStatement(sql))
	}
	oldestName := c.get("SELECT 0").name
	keep := []string{"SELECT 0", "SELECT new"}
	got := c.evict(keep)
	if len(got) != 2 || slices.Contains(got, oldestName) {
		t.Fatalf("evicted %v: want the two oldest statements but the kept SELECT 0 (%s)", got, oldestName)
	}
	if len(c.order)+len(keep) != stmtCacheSize {
		t.Errorf("cache holds %d statements, want room for %d more", len(c.order), len(keep))
	}
	if c.get("SELECT 0") == nil {
		t.Error("the kept statement was dropped")
	}
	if c.get("SELECT 1") != nil {
		t.Error("the oldest statement not kept is still cached")
	}
}
