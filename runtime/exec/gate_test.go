package exec

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/config"
)

// TestGate: a gate admits without a deadline only while fewer than its
// size are in, counts those that must wait too, and a nil gate (a pool
// that does not tell its size) admits nobody that way.
func TestGate(t *testing.T) {
	g := &gate{size: 2}
	if !g.enter() || !g.enter() {
		t.Fatal("a gate of 2 did not admit two")
	}
	if g.enter() {
		t.Fatal("a full gate admitted a third without a deadline")
	}
	g.leave() // the third gave up
	g.leave() // one of the first two is done
	if !g.enter() {
		t.Fatal("a gate with one in did not admit another")
	}
	var nilGate *gate
	if nilGate.enter() {
		t.Error("a nil gate admitted without a deadline")
	}
	nilGate.leave()

	// Concurrent entries never admit more than the size.
	g = &gate{size: 8}
	var wg sync.WaitGroup
	var mu sync.Mutex
	free := 0
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if g.enter() {
				mu.Lock()
				free++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if free != 8 || g.inUse.Load() != 64 {
		t.Errorf("%d admitted without a deadline, %d counted; want 8 and 64", free, g.inUse.Load())
	}
}

// TestGateOnPool: on a real pool every transaction leaves the gate it
// entered — committed, failed, streamed, timed out — and a request that
// finds every connection taken still waits only db-pool-acquisition-timeout
// (PGRST003), while one that finds a connection free takes it.
func TestGateOnPool(t *testing.T) {
	r, _, _ := newTestRunner(t, `SELECT 1`, "PGRST_DB_POOL=2", "PGRST_DB_POOL_ACQUISITION_TIMEOUT=1")
	ctx := t.Context()
	row := `SELECT NULL::bigint, 1::bigint, '[]'::text, NULL::text, NULL::text`
	if _, err := r.Run(ctx, &Tx{ReadOnly: true, Main: row}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, &Tx{ReadOnly: true, Main: `SELECT 1/0`}); err == nil {
		t.Fatal("division by zero ran")
	}
	st, _, err := r.StartStream(ctx, &Tx{ReadOnly: true, Main: `SELECT NULL::bigint, 1::bigint, '[]'::text, NULL::text, NULL::text`})
	if err == nil {
		_ = st.Finish()
	}
	if g := r.admission.of(r.DB, r.Adaptive); g == nil || g.size != 2 || g.inUse.Load() != 0 {
		t.Fatalf("gate %+v after the transactions, want size 2 and none in", g)
	}

	// Both connections held: the third request waits out the timeout.
	var held []lease
	for range 2 {
		l, _, err := r.acquire(ctx, false, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, l)
	}
	_, err = r.Run(ctx, &Tx{ReadOnly: true, Main: row})
	var aerr *apierr.Error
	if !errors.As(err, &aerr) || aerr.Code != "PGRST003" {
		t.Fatalf("with the pool taken: %v, want PGRST003", err)
	}
	held[0].Release()
	if _, err := r.Run(ctx, &Tx{ReadOnly: true, Main: row}); err != nil {
		t.Fatalf("with a connection free again: %v", err)
	}
	held[1].Release()
	if n := r.admission.of(r.DB, r.Adaptive).inUse.Load(); n != 0 {
		t.Errorf("%d still in the gate", n)
	}
}

// TestGateOpensWithinTimeout: a request admitted without a deadline that
// makes the pool open a connection to a server that never answers gets
// PGRST003 once db-pool-acquisition-timeout has passed, as a request that
// found no connection free does, instead of waiting as long as its client.
func TestGateOpensWithinTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepted, never answered
		}
	}()
	uri := "postgres://nobody@" + ln.Addr().String() + "/none?sslmode=disable"
	cfg, err := config.Load("", []string{"PGRST_DB_URI=" + uri, "PGRST_DB_ANON_ROLE=anon", "PGRST_DB_POOL_ACQUISITION_TIMEOUT=1"})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := NewPool(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	r := New(cfg, pool, nil, nil)
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(context.Background(), &Tx{ReadOnly: true, Main: "SELECT 1"})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a transaction ran on a server that never answers")
		}
		if aerr := apierr.From(err, false); aerr.Code != "PGRST003" {
			t.Errorf("got %v (%s), want 504 PGRST003, as when no connection is free", err, aerr.Code)
		}
	case <-time.After(30 * time.Second): // a guard, far beyond the 1 s bound
		t.Fatal("the request still waits for a connection that never opens")
	}
	if n := r.admission.of(r.DB, r.Adaptive).inUse.Load(); n != 0 {
		t.Errorf("%d still in the gate", n)
	}
}

// TestLimiterLetsQuickPastLong: with db-pool-adaptive on, transactions
// that hold every place the limiter gives (here: waiting on a lock the
// test holds) do not keep a quick one out until they end: the queue sees
// no transaction end and lets it in past them, within the pool's size.
// Once all are done, nothing is left in the gate or the queue.
func TestLimiterLetsQuickPastLong(t *testing.T) {
	r, _, uri := newTestRunner(t, `SELECT 1`, "PGRST_DB_POOL=12")
	ctx := t.Context()
	row := `SELECT NULL::bigint, 1::bigint, '[]'::text, NULL::text, NULL::text`
	if _, err := r.Run(ctx, &Tx{ReadOnly: true, Main: row}); err != nil {
		t.Fatal(err)
	}
	limit, _ := r.Admission()
	if limit < 1 || limit >= 12 {
		t.Fatalf("limit %d, want the limiter's floor, below the pool's 12", limit)
	}
	locker := holdLock(t, uri)
	long := `SELECT NULL::bigint, 1::bigint, '[]'::text, NULL::text, NULL::text FROM (SELECT pg_advisory_xact_lock_shared(42)) AS held`
	errs := make(chan error, limit)
	for range limit {
		go func() {
			_, err := r.Run(ctx, &Tx{ReadOnly: true, Main: long})
			errs <- err
		}()
	}
	waiting := func() int {
		var n int
		if err := locker.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for waiting() < limit {
		time.Sleep(10 * time.Millisecond)
	}
	quick, cancel := context.WithTimeout(ctx, 30*time.Second) // a guard, not a measure
	defer cancel()
	if _, err := r.Run(quick, &Tx{ReadOnly: true, Main: row}); err != nil {
		t.Fatalf("a quick transaction behind %d long ones: %v", limit, err)
	}
	if n := waiting(); n != limit {
		t.Fatalf("%d long transactions wait, want all %d still in while the quick one ran", n, limit)
	}
	if _, err := locker.Exec(ctx, `SELECT pg_advisory_unlock(42)`); err != nil {
		t.Fatal(err)
	}
	for range limit {
		if err := <-errs; err != nil {
			t.Errorf("a long transaction: %v", err)
		}
	}
	if n := r.admission.of(r.DB, r.Adaptive).inUse.Load(); n != 0 {
		t.Errorf("%d still in the gate", n)
	}
	if _, queued := r.Admission(); queued != 0 {
		t.Errorf("%d still queued", queued)
	}
}

// holdLock connects to uri and takes advisory lock 42, which the tests'
// long statements wait for (pg_advisory_xact_lock_shared(42)); the
// connection closes when the test ends.
func holdLock(t *testing.T, uri string) *pgx.Conn {
	t.Helper()
	locker, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { locker.Close(context.Background()) })
	if _, err := locker.Exec(t.Context(), `SELECT pg_advisory_lock(42)`); err != nil {
		t.Fatal(err)
	}
	return locker
}
