package exec

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// pipe is one request's transaction on the wire: every statement sent in
// one pipeline and one flush, then its results read in order. The
// statements before the end (BEGIN, the settings, the pre-request function,
// the main statement) are prepared by name on the connection the first time
// they run there — inside the pipeline, so the main statement is parsed
// after BEGIN and set_config('role', …), as the request's role, as PostgREST
// prepares — and only bound and executed after that: PostgreSQL neither
// parses nor plans them again. A prepared statement serves any role and
// settings safely: PostgreSQL checks privileges when it executes, and
// re-plans a statement whose row-level security or search_path differ from
// when it was planned.
type pipe struct {
	p *pgconn.Pipeline
	// begun is set once BEGIN ran; committed once COMMIT was confirmed.
	begun, committed bool
	// cache is the connection's prepared statements (nil: unnamed);
	// pending are those prepared in this pipeline, recorded in cache once
	// PostgreSQL confirmed them.
	cache   *stmtCache
	pending []prepared
	// steps counts the results before the main statement's.
	steps int
	// ended is set when the batch holds the transaction's end.
	ended bool
}

type prepared struct{ sql, name string }

// send queues tx on pc: BEGIN, the settings, the pre-request function, the
// main statement, the EXPLAIN and, unless tx.Check decides it later (or
// withEnd is false), the end; then Sync.
func (r *Runner) send(ctx context.Context, pc *pgconn.PgConn, tx *Tx, withEnd bool) (*pipe, error) {
	args, formats, err := encode(tx.Args)
	if err != nil {
		return nil, err
	}
	iso := tx.Isolation
	if iso == "" {
		iso = "READ COMMITTED"
	}
	mode := "READ WRITE"
	if tx.ReadOnly {
		mode = "READ ONLY"
	}
	begin := "BEGIN ISOLATION LEVEL " + iso + " " + mode
	setConfig := ""
	var gucs [][]byte
	if len(tx.GUCs) > 0 {
		setConfig = setConfigSQL(len(tx.GUCs))
		gucs = make([][]byte, 0, 2*len(tx.GUCs))
		for _, g := range tx.GUCs {
			gucs = append(gucs, []byte(g[0]), []byte(g[1]))
		}
	}
	pp := &pipe{p: pc.StartPipeline(ctx)}
	if r.Prepared {
		pp.cache = statements(pc)
		// Room for this request's statements, evicting none of them.
		pp.evict(begin, setConfig, r.PreRequest, tx.Main)
	}
	pp.statement(begin, nil, nil, nil)
	if setConfig != "" {
		pp.statement(setConfig, gucs, nil, nil)
	}
	if r.PreRequest != "" {
		pp.statement(r.PreRequest, nil, nil, nil)
	}
	pp.statement(tx.Main, args, formats, binaryResults)
	pp.steps-- // the main statement's result is not the prelude's
	if tx.Explain != "" {
		eargs, eformats, err := encode(tx.ExplainArgs)
		if err != nil {
			pp.p.Close()
			return nil, err
		}
		pp.p.SendQueryParams(tx.Explain, eargs, nil, eformats, nil)
	}
	if withEnd && tx.Check == nil {
		if tx.Rollback && !tx.ReadOnly {
			// Deferred constraints are checked now, so a dry run answers
			// what a commit would have.
			pp.p.SendQueryParams(immediateConstraints, nil, nil, nil, nil)
		}
		end := "COMMIT"
		if tx.Rollback {
			end = "ROLLBACK"
		}
		pp.p.SendQueryParams(end, nil, nil, nil, nil)
		pp.ended = true
	}
	if err := pp.p.Sync(); err != nil {
		pp.p.Close()
		return nil, err
	}
	return pp, nil
}

// statement queues one statement: prepared (first, if new on this
// connection) and executed by name, or unnamed without a cache.
func (pp *pipe) statement(sql string, args [][]byte, formats, results []int16) {
	pp.steps++
	if pp.cache == nil {
		pp.p.SendQueryParams(sql, args, nil, formats, results)
		return
	}
	name, known := pp.cache.name(sql)
	if !known {
		pp.p.SendPrepare(name, sql, nil)
		pp.pending = append(pp.pending, prepared{sql, name})
		pp.steps++
	}
	pp.p.SendQueryPrepared(name, args, formats, results)
}

// evict deallocates the connection's oldest statements, none of keep, until
// there is room for keep.
func (pp *pipe) evict(keep ...string) {
	for _, name := range pp.cache.evict(keep) {
		pp.p.SendDeallocate(name)
		pp.steps++
	}
}

// prelude reads the results before the main statement's: deallocations,
// prepares, BEGIN, the settings, the pre-request function.
func (pp *pipe) prelude() error {
	for range pp.steps {
		res, err := pp.p.GetResults()
		if err != nil {
			return err
		}
		switch res := res.(type) {
		case *pgconn.ResultReader:
			if _, err := res.Close(); err != nil {
				return err
			}
			pp.begun = true // BEGIN's is the first result
		case *pgconn.StatementDescription:
			pp.cache.add(pp.pending[0].sql, pp.pending[0].name)
			pp.pending = pp.pending[1:]
		}
	}
	return nil
}

// next is the next statement's result reader (the main statement's, the
// EXPLAIN's, the end's).
func (pp *pipe) next() (*pgconn.ResultReader, error) {
	res, err := pp.p.GetResults()
	if err != nil {
		return nil, err
	}
	rr, ok := res.(*pgconn.ResultReader)
	if !ok {
		return nil, fmt.Errorf("pipeline: expected a result, got %T", res)
	}
	return rr, nil
}

// end reads what is left after the main statement (and the EXPLAIN): the
// end of the transaction — SET CONSTRAINTS before a dry run's ROLLBACK, and
// committed is set on COMMIT's confirmation — then the Sync. It closes the
// pipeline either way.
func (pp *pipe) end() error {
	var err error
	for pp.ended && err == nil {
		var rr *pgconn.ResultReader
		if rr, err = pp.next(); err != nil {
			break
		}
		var tag pgconn.CommandTag
		tag, err = rr.Close()
		pp.committed = err == nil && tag.String() == "COMMIT"
		if tag.String() != "SET CONSTRAINTS" {
			break
		}
	}
	if err == nil {
		var res any
		if res, err = pp.p.GetResults(); err == nil {
			if _, ok := res.(*pgconn.PipelineSync); !ok {
				err = fmt.Errorf("pipeline: expected the sync, got %T", res)
			}
		}
	}
	if cerr := pp.p.Close(); err == nil {
		err = cerr
	}
	return err
}

// fail closes the pipeline after err, reading what PostgreSQL still sends
// (it skips the rest until the Sync). It returns err.
func (pp *pipe) fail(err error) error {
	_ = pp.p.Close()
	return err
}

// setConfigSQL sets n settings in one statement.
func setConfigSQL(n int) string {
	var sb strings.Builder
	sb.WriteString("SELECT ")
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("set_config($" + strconv.Itoa(2*i+1) + ", $" + strconv.Itoa(2*i+2) + ", true)")
	}
	return sb.String()
}

// encode turns bind values into the wire's: text for strings and integers
// (PostgreSQL parses them as the types it infers), binary for bytea bodies.
func encode(args []any) ([][]byte, []int16, error) {
	vals := make([][]byte, len(args))
	var formats []int16
	for i, a := range args {
		switch v := a.(type) {
		case nil:
		case string:
			vals[i] = []byte(v)
		case int64:
			vals[i] = strconv.AppendInt(nil, v, 10)
		case int:
			vals[i] = strconv.AppendInt(nil, int64(v), 10)
		case []byte:
			if formats == nil {
				formats = make([]int16, len(args))
			}
			vals[i], formats[i] = v, 1
		default:
			return nil, nil, fmt.Errorf("exec: bind value of type %T", a)
		}
	}
	return vals, formats, nil
}

// binaryResults asks for the main statement's columns in binary: its
// counts are bigint (8 bytes), its texts the same bytes as in text format,
// and a handler's bytea body its raw bytes, undecoded.
var binaryResults = []int16{1}

// decodeResult reads the main statement's row (binary format): total, page
// total, body, response.headers, response.status and, for upserts, the
// inserted count. The body is copied: the reader's buffer is reused.
func decodeResult(vals [][]byte, res *Result, inserted bool) error {
	if len(vals) < 5 || inserted && len(vals) < 6 {
		return errors.New("exec: the statement's row has too few columns")
	}
	var err error
	if res.Total, err = optInt(vals[0]); err != nil {
		return err
	}
	if vals[1] != nil {
		n, err := optInt(vals[1])
		if err != nil {
			return err
		}
		res.PageTotal = *n
	}
	if vals[2] != nil {
		res.Body = append([]byte{}, vals[2]...)
	}
	res.RespHeader, res.RespStatus = optString(vals[3]), optString(vals[4])
	if inserted {
		if res.Inserted, err = optInt(vals[5]); err != nil {
			return err
		}
	}
	return nil
}

// optInt reads a binary bigint, nil for NULL.
func optInt(v []byte) (*int64, error) {
	if v == nil {
		return nil, nil
	}
	if len(v) != 8 {
		return nil, fmt.Errorf("exec: a bigint column of %d bytes", len(v))
	}
	n := int64(binary.BigEndian.Uint64(v))
	return &n, nil
}

func optString(v []byte) *string {
	if v == nil {
		return nil
	}
	s := string(v)
	return &s
}

// stmtCache is a connection's prepared statements, by text: a bounded
// set, the oldest deallocated first.
type stmtCache struct {
	names map[string]string
	order []string // statement texts, oldest first
	next  int
}

// stmtCacheSize bounds each connection's prepared statements: enough for
// an API's hot statements, few enough for PostgreSQL's memory.
const stmtCacheSize = 512

const stmtCacheKey = "pgrestgen.statements"

// statements is pc's cache, made on first use.
func statements(pc *pgconn.PgConn) *stmtCache {
	data := pc.CustomData()
	if c, ok := data[stmtCacheKey].(*stmtCache); ok {
		return c
	}
	c := &stmtCache{names: map[string]string{}}
	data[stmtCacheKey] = c
	return c
}

// name is sql's statement name, and whether it is prepared already.
func (c *stmtCache) name(sql string) (string, bool) {
	if n, ok := c.names[sql]; ok {
		return n, true
	}
	c.next++
	return "pgrst_" + strconv.Itoa(c.next), false
}

// evict makes room for keep's statements: the names of the oldest others
// to deallocate.
func (c *stmtCache) evict(keep []string) []string {
	var out []string
	for len(c.order)+len(keep) > stmtCacheSize && len(c.order) > 0 {
		i := slices.IndexFunc(c.order, func(sql string) bool { return !slices.Contains(keep, sql) })
		if i < 0 {
			break
		}
		sql := c.order[i]
		c.order = slices.Delete(c.order, i, i+1)
		out = append(out, c.names[sql])
		delete(c.names, sql)
	}
	return out
}

// add records a statement PostgreSQL confirmed.
func (c *stmtCache) add(sql, name string) {
	c.names[sql] = name
	c.order = append(c.order, sql)
}
