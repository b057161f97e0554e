package exec

import (
	"context"
	"errors"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/dbwatch"
)

// monitor is a dbwatch monitor whose database is up or away.
func monitor(t *testing.T, up bool) *dbwatch.Monitor {
	probe := func(context.Context) error { return nil }
	if !up {
		probe = func(context.Context) error { return errors.New("away") }
	}
	m := dbwatch.New(dbwatch.Options{Probe: probe, Ready: func(context.Context) error { return nil }})
	m.Connect(t.Context())
	return m
}

// TestReplicaChoice: the least busy available replica, ties in turn, none
// when every replica is away.
func TestReplicaChoice(t *testing.T) {
	a, b, away := &Replica{Availability: monitor(t, true)}, &Replica{Availability: monitor(t, true)}, &Replica{Availability: monitor(t, false)}
	r := &Runner{Replicas: []*Replica{away, a, b}}
	seen := map[*Replica]int{}
	for range 10 {
		seen[r.replica()]++
	}
	if seen[a] != 5 || seen[b] != 5 {
		t.Errorf("idle replicas chosen %d and %d times of 10 (away: %d), want 5 and 5", seen[a], seen[b], seen[away])
	}
	a.busy.Add(2)
	b.busy.Add(1)
	for range 4 {
		if got := r.replica(); got != b {
			t.Fatalf("chose the replica with %d transactions over one with %d", got.busy.Load(), b.busy.Load())
		}
	}
	r.Replicas = []*Replica{away}
	if got := r.replica(); got != nil {
		t.Errorf("chose a replica that is away")
	}
}
