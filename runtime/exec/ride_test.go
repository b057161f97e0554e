package exec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// TestRidersKeepTheirOwn runs many reads at once through a pool of one
// connection, so that most wait for the limiter and ride in another's
// pipeline: each must get its own answer — its own settings and role, its
// own error — whatever it rode with, and an error must end only its own
// transaction. Two rounds: the second's riders find the statements
// prepared by the first's carriers.
func TestRidersKeepTheirOwn(t *testing.T) {
	r, _, _ := newTestRunner(t, rideSetup, "PGRST_DB_POOL=1")
	counting(r)
	rideMany(t, r)
}

// TestRidingThroughPgBouncer: the same through PgBouncer in transaction
// mode, as docs/operations.md sets it up for PgBouncer before 1.21
// (statements unnamed), with more connections than PgBouncer's server
// connections, so that a batch's transactions land on different ones.
func TestRidingThroughPgBouncer(t *testing.T) {
	b, err := env.Cluster.StartBouncer(t.Context(), pgcluster.BouncerOptions{PoolSize: 2})
	if errors.Is(err, pgcluster.ErrNoPgBouncer) {
		t.Skipf("skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Logf("pgbouncer's output:\n%s", b.Output())
		}
		if err := b.Stop(); err != nil {
			t.Error(err)
		}
	}()
	uri := env.NewDatabase(t, "")
	if err := pgcluster.ApplySQL(t.Context(), uri, rideSetup); err != nil {
		t.Fatal(err)
	}
	routed, err := b.Route(uri)
	if err != nil {
		t.Fatal(err)
	}
	r, _, _ := newTestRunnerOn(t, routed, "PGRST_DB_POOL=3", "PGRST_DB_PREPARED_STATEMENTS=false")
	counting(r)
	rideMany(t, r)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Settle(ctx, dbName(t, uri)); err != nil {
		t.Error(err)
	}
}

// rideSetup makes the role some reads take (roles are the cluster's, so
// once).
const rideSetup = `DO $$ BEGIN CREATE ROLE ride_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT ride_reader TO postgres`

// rideMany sends two rounds of 300 reads at once through r and checks each
// answer, and that reads rode.
func rideMany(t *testing.T, r *Runner) {
	t.Helper()
	ctx := t.Context()
	const main = `SELECT NULL::bigint, 1::bigint, (current_setting('request.n') || ':' || current_user || ':' || (10 / $1::int))::text, NULL::text, NULL::text`
	for round := range 2 {
		const n = 300
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				role, divisor := "postgres", 1
				if i%3 == 0 {
					role = "ride_reader"
				}
				if i%7 == 0 {
					divisor = 0
				}
				tx := &Tx{ReadOnly: true, Main: main, Args: []any{divisor},
					GUCs: [][2]string{{"request.n", fmt.Sprint(i)}, {"role", role}}}
				res, err := r.Run(ctx, tx)
				if divisor == 0 {
					var pe *pgconn.PgError
					if !errors.As(err, &pe) || pe.Code != "22012" {
						errs <- fmt.Errorf("round %d, read %d: error %v, want division by zero", round, i, err)
					}
					return
				}
				if err != nil {
					errs <- fmt.Errorf("round %d, read %d: %w", round, i, err)
					return
				}
				want := fmt.Sprintf("%d:%s:10", i, role)
				if got := string(res.Body); got != want {
					errs <- fmt.Errorf("round %d, read %d: body %q, want %q", round, i, got, want)
				}
				res.Release()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	if carriedOf(r) == 0 {
		t.Error("no read rode in another's pipeline; the test did not test riding")
	}
	if n := r.admission.of(r.DB, r.Adaptive).inUse.Load(); n != 0 {
		t.Errorf("%d still in the gate", n)
	}
	if _, queued := r.Admission(); queued != 0 {
		t.Errorf("%d still queued", queued)
	}
	if n := r.admission.of(r.DB, r.Adaptive).waiting.n.Load(); n != 0 {
		t.Errorf("%d riders still queued", n)
	}
}

// TestRidingOff: without the limiter nobody waits for it, so nobody rides.
func TestRidingOff(t *testing.T) {
	r, _, _ := newTestRunner(t, `SELECT 1`, "PGRST_DB_POOL=1", "PGRST_DB_POOL_ADAPTIVE=false")
	counting(r)
	row := `SELECT NULL::bigint, 1::bigint, '[]'::text, NULL::text, NULL::text`
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.Run(context.Background(), &Tx{ReadOnly: true, Main: row}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := carriedOf(r); n != 0 {
		t.Errorf("%d reads rode with db-pool-adaptive off", n)
	}
}

// TestTakeWithinBudget: a carrier takes the oldest waiting riders whose
// statements fit in what is left of the budget, skipping (and leaving
// queued) the ones too long or not yet timed, and not those that left.
func TestTakeWithinBudget(t *testing.T) {
	costs := map[string]time.Duration{"cheap": 300 * time.Microsecond, "long": 2 * time.Millisecond}
	cost := func(sql string) time.Duration { return costs[sql] }
	var q riders
	add := func(sql string) *rider {
		rd := &rider{tx: &Tx{Main: sql}, stop: func() {}}
		q.add(rd)
		return rd
	}
	c1, long, unknown, gone, c2, c3, c4 := add("cheap"), add("long"), add("unknown"), add("cheap"), add("cheap"), add("cheap"), add("cheap")
	gone.state.Store(riderLeft)
	got := q.take(100*time.Microsecond, cost)
	if want := []*rider{c1, c2, c3}; !slices.Equal(got, want) {
		t.Fatalf("took %d riders, want the first three cheap ones still waiting", len(got))
	}
	for _, rd := range got {
		if rd.state.Load() != riderTaken {
			t.Error("a rider taken is not marked so")
		}
	}
	if want := []*rider{long, unknown, c4}; !slices.Equal(q.q, want) || q.n.Load() != 3 {
		t.Errorf("queue left with %d riders (n %d), want the long, the untimed and the last cheap one", len(q.q), q.n.Load())
	}
	if got := q.take(rideBudget, cost); len(got) != 0 {
		t.Errorf("a carrier whose own statement fills the budget took %d riders", len(got))
	}
}

// TestRidersRunAgainWhenTheConnectionBreaks: the connection of a batch
// in flight is terminated while its carrier's statement waits for a lock
// the test holds. The carrier, whose statement was running, gets the
// lost connection's 503 as a read alone would; its riders, none of whose
// results came back, run again and get their answers.
func TestRidersRunAgainWhenTheConnectionBreaks(t *testing.T) {
	r, _, uri := newTestRunner(t, `SELECT 1`, "PGRST_DB_POOL=1")
	counting(r)
	ctx := t.Context()
	const main = `SELECT NULL::bigint, 1::bigint, current_setting('request.n')::text, NULL::text, NULL::text FROM (SELECT pg_advisory_xact_lock_shared(42)) AS held`
	read := func(n int) (*Result, error) {
		return r.Run(ctx, &Tx{ReadOnly: true, Main: main, GUCs: [][2]string{{"request.n", fmt.Sprint(n)}}})
	}
	// Timed, so that it may carry and ride (see rideBudget).
	for range 20 {
		if _, err := read(0); err != nil {
			t.Fatal(err)
		}
	}
	locker := holdLock(t, uri)
	blocked := func() int {
		var pid int
		err := locker.QueryRow(ctx, `SELECT coalesce(min(pid), 0) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).Scan(&pid)
		if err != nil {
			t.Fatal(err)
		}
		return pid
	}
	// until polls cond; a guard against a hang, not a measure.
	until := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting for %s", what)
			}
		}
	}
	waitBlocked := func(not int) (pid int) {
		until("a blocked read", func() bool { pid = blocked(); return pid != 0 && pid != not })
		return pid
	}
	type outcome struct {
		n   int
		res *Result
		err error
	}
	out := make(chan outcome, 10)
	start := func(n int) {
		go func() {
			res, err := read(n)
			out <- outcome{n, res, err}
		}()
	}
	// The first read holds the one connection, blocked; the others queue.
	start(1)
	first := waitBlocked(0)
	for n := 2; n <= 10; n++ {
		start(n)
	}
	until("nine queued reads", func() bool { _, q := r.Admission(); return q == 9 })
	carried := carriedOf(r)
	// Its connection terminated, the first read fails; the next let in
	// carries riders and blocks in turn. Terminate that batch's connection.
	if _, err := locker.Exec(ctx, `SELECT pg_terminate_backend($1)`, first); err != nil {
		t.Fatal(err)
	}
	until("a batch", func() bool { return carriedOf(r) > carried })
	second := waitBlocked(first)
	if _, err := locker.Exec(ctx, `SELECT pg_terminate_backend($1)`, second); err != nil {
		t.Fatal(err)
	}
	if _, err := locker.Exec(ctx, `SELECT pg_advisory_unlock(42)`); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for range 10 {
		o := <-out
		if o.err != nil {
			var ae *apierr.Error
			if !errors.As(o.err, &ae) || ae.Status != 503 {
				t.Errorf("read %d: %v, want its answer or a lost connection's 503", o.n, o.err)
			}
			lost++
			continue
		}
		if got, want := string(o.res.Body), fmt.Sprint(o.n); got != want {
			t.Errorf("read %d: body %q, want %q", o.n, got, want)
		}
	}
	if lost != 2 {
		t.Errorf("%d reads lost their connection, want 2: the first and the carrier, not its riders", lost)
	}
}

// countingDB is a pool that counts the reads carried, as a server's
// metered pool does.
type countingDB struct {
	*pgxpool.Pool
	carried atomic.Int64
}

func (db *countingDB) Carried(n int) { db.carried.Add(int64(n)) }

// counting makes r's pool count the reads carried; before r's first Run.
func counting(r *Runner) *Runner {
	r.DB = &countingDB{Pool: r.DB.(*pgxpool.Pool)}
	return r
}

func carriedOf(r *Runner) int64 { return r.DB.(*countingDB).carried.Load() }
