package exec

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/runtime/config"
)

// readT is the read runtime renders for GET /t with Prefer: count=exact
// and Range: 0-9 (renderRead).
const readT = `WITH pgrst_source AS (SELECT "id" FROM "public"."t" LIMIT $1 OFFSET $2), ` +
	`pgrst_source_count AS (SELECT 1 FROM "public"."t") ` +
	`SELECT (SELECT pg_catalog.count(*) FROM pgrst_source_count), pg_catalog.count(_postgrest_t), ` +
	`coalesce(json_agg(_postgrest_t), '[]')::text, nullif(current_setting('response.headers', true), ''), ` +
	`nullif(current_setting('response.status', true), '') FROM (SELECT * FROM pgrst_source) _postgrest_t`

// countingConn counts the writes a client makes: with the protocol's
// request/response pattern, each write that is answered is a round trip.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestReadIsOneRoundTrip checks the design's budget: a read's whole
// transaction (BEGIN, settings, pre-request, statement, COMMIT) leaves the
// client in one write.
func TestReadIsOneRoundTrip(t *testing.T) {
	uri := env.NewDatabase(t, "")
	if err := pgcluster.ApplySQL(t.Context(), uri, `CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);
		CREATE FUNCTION pre() RETURNS void LANGUAGE sql AS 'SELECT'`); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load("", []string{"PGRST_DB_URI=" + uri, "PGRST_DB_ANON_ROLE=postgres", "PGRST_DB_PRE_REQUEST=public.pre", "PGRST_DB_POOL=1"})
	if err != nil {
		t.Fatal(err)
	}
	var writes atomic.Int64
	pc, err := pgxpool.ParseConfig(uri)
	if err != nil {
		t.Fatal(err)
	}
	pc.MaxConns = 1
	dial := pc.ConnConfig.DialFunc
	pc.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, &writes}, nil
	}
	pool, err := pgxpool.NewWithConfig(t.Context(), pc)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := New(cfg, pool, nil, nil)
	req := &Tx{ReadOnly: true, GUCs: [][2]string{{"role", "postgres"}, {"request.method", "GET"}}, Main: readT, Args: []any{"10", "0"}}
	if _, err := s.Run(t.Context(), req); err != nil { // connects
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		before := writes.Load()
		res, err := s.Run(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		if res.PageTotal != 2 || res.Total == nil || *res.Total != 2 {
			t.Fatalf("result %+v", res)
		}
		if n := writes.Load() - before; n != 1 {
			t.Errorf("request %d took %d client writes, want 1", i, n)
		}
	}
}
