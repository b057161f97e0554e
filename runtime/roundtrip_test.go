package runtime

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/runtime/config"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

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
	s, err := New(Options{Config: cfg, Schema: &Schema{Schemas: []string{"public"}}, DB: pool})
	if err != nil {
		t.Fatal(err)
	}
	rel := &Relation{Schema: "public", Name: "t", SQLName: `"public"."t"`, SelectStar: `"id"`,
		Columns: []Column{{Name: "id", SQLName: `"id"`, Type: "integer"}}}
	stmt, aerr := renderRead(rel, &query.Request{}, readShape{count: "exact", rng: rows(0, 9)})
	if aerr != nil {
		t.Fatal(aerr)
	}
	req := &txRequest{readOnly: true, gucs: [][2]string{{"role", "postgres"}, {"request.method", "GET"}}, main: stmt.sql, args: stmt.args}
	if _, err := s.run(t.Context(), req); err != nil { // connects
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		before := writes.Load()
		res, err := s.run(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		if res.pageTotal != 2 || res.total == nil || *res.total != 2 {
			t.Fatalf("result %+v", res)
		}
		if n := writes.Load() - before; n != 1 {
			t.Errorf("request %d took %d client writes, want 1", i, n)
		}
	}
}
