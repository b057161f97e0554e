package serve

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/pgrestgen/pgrestgen/runtime/dbwatch"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
)

// metrics are one server's: its own registry, never the global one, so
// several servers in a process (tests) each count their own.
type metrics struct {
	reg      *prometheus.Registry
	http     *httpmw.Metrics
	timeouts prometheus.Counter
	carried  prometheus.Counter
	// loads and loadTime stand for PostgREST's schema-cache metrics: the
	// schema is compiled in, and what the server reads from the database
	// each time it (re)connects is the roles' settings.
	loads    *prometheus.CounterVec
	loadTime prometheus.Gauge
}

// newMetrics registers PostgREST's pool and schema-cache metrics, the
// request metrics, the database's availability and Go's process metrics.
func newMetrics(pool *meteredPool, mon *dbwatch.Monitor, admission func() (limit, queued int)) (*metrics, error) {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		timeouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pgrst_db_pool_timeouts_total", Help: "The total number of pool connection timeouts",
		}),
		carried: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "pgrestgen_db_reads_carried_total",
			Help: "Reads run in another read's pipeline while they waited for db-pool-adaptive's limit",
		}),
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pgrst_schema_cache_loads_total",
			Help: "The total number of times the schema cache was loaded (pgrestgen: the roles' settings, read on each (re)connection)",
		}, []string{"status"}),
		loadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "pgrst_schema_cache_query_time_seconds",
			Help: "The query time in seconds of the last schema cache load (pgrestgen: of the roles' settings)",
		}),
	}
	pool.timeouts, pool.carried = m.timeouts, m.carried
	stat := func(f func(*pgxpool.Stat) int32) func() float64 {
		return func() float64 { return float64(f(pool.Stat())) }
	}
	cs := []prometheus.Collector{
		m.timeouts, m.carried, m.loads, m.loadTime,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pgrst_db_pool_available", Help: "Available connections in the pool"},
			stat((*pgxpool.Stat).IdleConns)),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pgrst_db_pool_waiting", Help: "Requests waiting to acquire a pool connection"},
			func() float64 { _, q := admission(); return float64(pool.waiting.Load() + int64(q)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pgrestgen_db_pool_limit",
			Help: "Transactions let run at once on the primary (db-pool-adaptive), 0 when off"},
			func() float64 { l, _ := admission(); return float64(l) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pgrst_db_pool_max", Help: "Max pool connections"},
			stat((*pgxpool.Stat).MaxConns)),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pgrestgen_db_available",
			Help: "1 while the database is reachable and the server has read what it needs from it, else 0"},
			func() float64 {
				if mon.Available() {
					return 1
				}
				return 0
			}),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	// Both statuses from the start, so a dashboard's rate() has a series.
	m.loads.WithLabelValues("SUCCESS")
	m.loads.WithLabelValues("FAIL")
	var err error
	m.http, err = httpmw.NewMetrics(reg)
	return m, err
}

// replica adds pgrestgen_db_replica_available{replica="host:port"} for a
// read replica watched by mon.
func (m *metrics) replica(name string, mon *dbwatch.Monitor) error {
	return m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "pgrestgen_db_replica_available",
		Help:        "1 while the read replica (db-replica-uris) is reachable and takes reads, else 0",
		ConstLabels: prometheus.Labels{"replica": name},
	}, func() float64 {
		if mon.Available() {
			return 1
		}
		return 0
	}))
}

// meteredPool is the pool as requests use it (runtime.DB), counting the
// requests waiting for a connection, those that gave up and the reads
// carried in another's pipeline.
type meteredPool struct {
	*pgxpool.Pool
	waiting   atomic.Int64
	timeouts  prometheus.Counter
	carried   prometheus.Counter
	onTimeout func()
}

// Carried counts n reads carried in another's pipeline (riding, see
// runtime/exec).
func (p *meteredPool) Carried(n int) {
	if p.carried != nil {
		p.carried.Add(float64(n))
	}
}

// Acquire is pgxpool's, counted. The runtime bounds it with
// db-pool-acquisition-timeout, so a deadline here is PGRST003; a request
// cancelled by its client ends with context.Canceled instead.
func (p *meteredPool) Acquire(ctx context.Context) (*pgxpool.Conn, error) {
	p.waiting.Add(1)
	conn, err := p.Pool.Acquire(ctx)
	p.waiting.Add(-1)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		p.TimedOut()
	}
	return conn, err
}

// TimedOut counts and logs a request that waited
// db-pool-acquisition-timeout in vain, in the pool or before it (the
// runtime's limiter, db-pool-adaptive).
func (p *meteredPool) TimedOut() {
	if p.timeouts != nil {
		p.timeouts.Inc()
	}
	if p.onTimeout != nil {
		p.onTimeout()
	}
}
