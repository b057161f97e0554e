package admit

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// model is a database with cores CPUs under a closed loop of clients: a
// transaction's round trip is its statement's cost, stretched in
// proportion to the transactions in at its start past the cores, with
// jitter. Time is simulated, so a run is exact and instant.
type model struct {
	cores   int
	clients int
	stmts   []stmt
	jitter  float64 // a round trip is up to this much longer, at random
}

type stmt struct {
	sql  string
	cost time.Duration
}

// run drives l through n round trips and returns the limit it ends at.
func (m model) run(l *Limiter, n int) int {
	rng := rand.New(rand.NewPCG(1, 2))
	clock := time.Unix(1_000_000, 0)
	l.now = func() time.Time { return clock }
	type tx struct {
		sql        string
		start, end time.Time
	}
	var in []tx
	fill := func() {
		for len(in) < m.clients && l.TryEnter() {
			st := m.stmts[rng.IntN(len(m.stmts))]
			stretch := max(1, float64(len(in)+1)/float64(m.cores))
			rtt := time.Duration(float64(st.cost) * stretch * (1 + m.jitter*rng.Float64()))
			in = append(in, tx{sql: st.sql, start: clock, end: clock.Add(rtt)})
		}
	}
	fill()
	for range n {
		first := 0
		for i := range in {
			if in[i].end.Before(in[first].end) {
				first = i
			}
		}
		done := in[first]
		in = append(in[:first], in[first+1:]...)
		clock = done.end
		l.Leave(done.sql, done.end.Sub(done.start))
		fill()
	}
	for range in { // the rest end without a say
		l.Leave("", 0)
	}
	return l.Limit()
}

var (
	lookup = stmt{"select by key", 100 * time.Microsecond}
	report = stmt{"select a report", 50 * time.Millisecond}
)

func TestLimiterSettlesAboveTheKnee(t *testing.T) {
	for _, cores := range []int{2, 4, 8} {
		m := model{cores: cores, clients: 64, stmts: []stmt{lookup}, jitter: 0.5}
		got := m.run(New(64), 20000)
		t.Logf("%d cores: limit %d", cores, got)
		// Past the knee a round trip grows with the transactions in: the
		// limit settles where round trips are about tolerance times their
		// best, a few times the cores, far below the 64 clients.
		if got < cores || got > 4*cores+floor {
			t.Errorf("%d cores: limit %d, want between %d and %d", cores, got, cores, 4*cores+floor)
		}
	}
}

func TestLimiterComesDownWhenTheDatabaseTires(t *testing.T) {
	// Room first: the limit grows to the pool. Then the database has two
	// cores left for these clients (another tenant, a vacuum): the limit
	// comes back down near the knee.
	l := New(64)
	if got := (model{cores: 128, clients: 64, stmts: []stmt{lookup}, jitter: 0.5}).run(l, 5000); got != 64 {
		t.Fatalf("with room: limit %d, want 64", got)
	}
	got := (model{cores: 2, clients: 64, stmts: []stmt{lookup}, jitter: 0.5}).run(l, 5000)
	if got > 4*2+floor {
		t.Errorf("with two cores left: limit %d, want at most %d", got, 4*2+floor)
	}
}

func TestLimiterGrowsToThePoolWithoutAQueue(t *testing.T) {
	for name, stmts := range map[string][]stmt{
		"one statement": {lookup},
		// A report is slow by itself, not because the database is busy:
		// the quick lookups beside it must not make it look like a queue.
		"quick and slow statements": {lookup, report},
	} {
		m := model{cores: 128, clients: 64, stmts: stmts, jitter: 0.5}
		if got := m.run(New(32), 20000); got != 32 {
			t.Errorf("%s: limit %d, want the pool's size, 32", name, got)
		}
	}
}

func TestLimiterHoldsWithoutDemand(t *testing.T) {
	// Two clients on a pool of 64 say nothing of room for more: the
	// limit stays where it started.
	m := model{cores: 128, clients: 2, stmts: []stmt{lookup}, jitter: 0.5}
	if got := m.run(New(64), 5000); got != floor {
		t.Errorf("limit %d, want the floor, %d", got, floor)
	}
}

func TestLimiterFloorIsThePoolWhenSmaller(t *testing.T) {
	if got := New(2).Limit(); got != 2 {
		t.Errorf("limit %d, want 2", got)
	}
	if got := New(0).Limit(); got != 1 {
		t.Errorf("limit %d, want 1", got)
	}
}

func TestLimiterQueueInOrder(t *testing.T) {
	l := New(floor)
	for range floor {
		if !l.TryEnter() {
			t.Fatal("the first transactions must get in")
		}
	}
	if l.TryEnter() {
		t.Fatal("a transaction past the limit got in")
	}
	// Three wait; the first gives up; two places free up: the second and
	// the third get in, in order.
	ctx1, cancel1 := context.WithCancel(context.Background())
	results := make(chan int, 3)
	enter := func(ctx context.Context, i int) {
		if l.Wait(ctx, time.Now().Add(time.Minute)) == nil {
			results <- i
		} else {
			results <- -i
		}
	}
	go enter(ctx1, 1)
	waitQueue(t, l, 1)
	go enter(context.Background(), 2)
	waitQueue(t, l, 2)
	go enter(context.Background(), 3)
	waitQueue(t, l, 3)
	cancel1()
	if got := <-results; got != -1 {
		t.Fatalf("got %d, want the first waiter giving up (-1)", got)
	}
	l.Leave("", 0)
	if got := <-results; got != 2 {
		t.Fatalf("got %d, want the second waiter (2)", got)
	}
	l.Leave("", 0)
	if got := <-results; got != 3 {
		t.Fatalf("got %d, want the third waiter (3)", got)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight != floor || len(l.queue) != 0 {
		t.Errorf("in %d, queued %d; want %d and 0", l.inflight, len(l.queue), floor)
	}
}

// waitQueue waits until n transactions wait in l's queue.
func waitQueue(t *testing.T, l *Limiter, n int) {
	t.Helper()
	for range 10000 {
		l.mu.Lock()
		q := len(l.queue)
		l.mu.Unlock()
		if q >= n {
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
	t.Fatalf("the queue never reached %d", n)
}

func TestLimiterStallLetsOneMoreIn(t *testing.T) {
	// The transactions in never end (long ones): one waiting is let in
	// past the limit all the same, and only up to the pool's size.
	l := New(floor + 1)
	for range floor {
		l.TryEnter()
	}
	if err := l.Wait(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatalf("a waiter behind long transactions was not let in: %v", err)
	}
	if err := l.Wait(context.Background(), time.Now().Add(100*time.Millisecond)); !errors.Is(err, ErrTimeout) {
		t.Fatalf("a waiter past the pool's size: %v, want ErrTimeout", err)
	}
	if err := l.Wait(context.Background(), time.Now()); !errors.Is(err, ErrTimeout) {
		t.Fatalf("a waiter whose deadline passed: %v, want ErrTimeout", err)
	}
}

func TestLimiterNil(t *testing.T) {
	var l *Limiter
	if !l.TryEnter() || l.Wait(context.Background(), time.Time{}) != nil {
		t.Fatal("a nil Limiter must let everything in")
	}
	l.Leave("select 1", time.Millisecond)
}

// TestBest: a statement's best round trip is the least seen in this epoch
// and the last, and unknown (0) for one not seen or seen too long ago.
func TestBest(t *testing.T) {
	now := time.Unix(0, 0)
	l := New(8)
	l.now = func() time.Time { return now }
	run := func(sql string, rtt time.Duration) {
		if !l.TryEnter() {
			t.Fatal("no room in an idle limiter")
		}
		l.Leave(sql, rtt)
	}
	run("q", 2*time.Millisecond)
	run("q", time.Millisecond)
	run("q", 3*time.Millisecond)
	if got := l.Best("q"); got != time.Millisecond {
		t.Errorf("Best = %v, want 1ms", got)
	}
	if got := l.Best("other"); got != 0 {
		t.Errorf("Best of a statement not seen = %v, want 0", got)
	}
	now = now.Add(epoch)
	run("q", 5*time.Millisecond)
	if got := l.Best("q"); got != time.Millisecond {
		t.Errorf("Best in the next epoch = %v, want the last epoch's 1ms", got)
	}
	now = now.Add(3 * epoch)
	if got := l.Best("q"); got != 0 {
		t.Errorf("Best two epochs later = %v, want 0", got)
	}
	var none *Limiter
	if none.Best("q") != 0 {
		t.Error("a nil limiter's Best is not 0")
	}
}
