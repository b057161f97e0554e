package dbwatch

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestCheck: Check is false until the first connection, probes while the
// database is believed up (once per checkInterval), and a failed probe
// makes the monitor unavailable at once.
func TestCheck(t *testing.T) {
	var probes atomic.Int32
	var down atomic.Bool
	m := New(Options{
		Probe: func(context.Context) error {
			probes.Add(1)
			if down.Load() {
				// What pgx.Connect returns when nothing listens.
				return &pgconn.ConnectError{}
			}
			return nil
		},
		Ready: func(context.Context) error { return nil },
	})
	ctx := t.Context()
	if m.Check(ctx) {
		t.Fatal("Check before the first connection")
	}
	m.Connect(ctx)
	probes.Store(0)
	if !m.Check(ctx) || !m.Check(ctx) {
		t.Fatal("Check false with the database up")
	}
	if n := probes.Load(); n != 1 {
		t.Errorf("%d probes for two checks within %s, want 1", n, checkInterval)
	}
	down.Store(true)
	time.Sleep(checkInterval + 10*time.Millisecond)
	if m.Check(ctx) {
		t.Error("Check true with the database down")
	}
	if m.Available() {
		t.Error("a failed check left the monitor available")
	}
}
