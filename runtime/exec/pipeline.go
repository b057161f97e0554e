package exec

import (
	"context"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/jackc/pgx/v5/pgconn"
)

// pipe is one request's transaction on the wire: every statement sent in
// one pipeline and one flush, then its results read in order. A read runs
// in the transaction PostgreSQL opens for the statements up to the Sync; a
// write between BEGIN and COMMIT (see send). Each statement is prepared by
// name on the connection the first time it runs there — inside the
// pipeline, so the main statement is parsed after set_config('role', …), as
// the request's role, as PostgREST prepares — and after that only bound and
// executed with the description PostgreSQL gave when preparing it:
// PostgreSQL neither parses nor plans nor describes it again. A prepared
// statement serves any role and settings safely: PostgreSQL checks
// privileges when it executes, and re-plans a statement whose row-level
// security or search_path differ from when it was planned.
type pipe struct {
	p *pgconn.Pipeline
	// begun is set once the first statement ran; committed once COMMIT
	// (or the implicit transaction's Sync) was confirmed.
	begun, committed bool
	// implicit is set when the transaction is the one PostgreSQL opens for
	// the batch and commits at its Sync.
	implicit bool
	// cache is the connection's prepared statements (nil: unnamed);
	// pending are those prepared in this pipeline, recorded in cache once
	// PostgreSQL confirmed them.
	cache   *stmtCache
	pending []*statement
	// steps counts the results before the main statement's.
	steps int
	// ended is set when the batch holds the transaction's end.
	ended bool
	// rider is set for a transaction carried in another's pipeline (see
	// ride.go): it prepares nothing. shared is set for every transaction
	// of such a pipeline: it reads up to its own Sync and leaves the
	// pipeline open.
	rider, shared bool
}

// send sends tx on pc in a pipeline of its own (see queue) and flushes it.
func (r *Runner) send(ctx context.Context, pc *pgconn.PgConn, tx *Tx, withEnd bool) (*pipe, error) {
	p := pc.StartPipeline(ctx)
	pp, err := r.queue(p, pc, tx, withEnd, false)
	if err == nil {
		err = p.Flush()
	}
	if err != nil {
		p.Close()
		return nil, err
	}
	return pp, nil
}

// queue queues tx in p, pc's pipeline: BEGIN (not for a read that ends
// with the batch), the settings, the pre-request function, the main
// statement, the EXPLAIN and, unless tx.Check decides it later (or withEnd
// is false), the end; then Sync. A rider (see ride.go) shares p with the
// transactions before it and prepares nothing, so that no statement is
// prepared twice in one pipeline: it uses what the connection has
// prepared and sends the rest unnamed. On error nothing of tx is queued
// unless it has an EXPLAIN, which riders have not.
func (r *Runner) queue(p *pgconn.Pipeline, pc *pgconn.PgConn, tx *Tx, withEnd, rider bool) (*pipe, error) {
	binds := r.bindValues()
	defer r.recycle(binds)
	var args [][]byte
	var formats []int16
	var err error
	if binds.b, args, formats, err = encode(binds.b, tx.Args); err != nil {
		return nil, err
	}
	// A read-only transaction that ends with the batch at the session's
	// default isolation level is the implicit one PostgreSQL opens for the
	// statements up to the Sync: no BEGIN and no COMMIT to send, parse and
	// run. Writes keep their COMMIT, whose confirmation tells a stored
	// write from a lost one when the session dies at the end (see
	// docs/failure-modes.md).
	implicit := tx.ReadOnly && withEnd && tx.Check == nil && !tx.Rollback && tx.Isolation == "" && implicitOK(pc)
	begin := ""
	if !implicit {
		begin = beginSQL(tx.Isolation, tx.ReadOnly)
	}
	// The implicit transaction is made read-only by the settings'
	// statement, before anything else runs in it.
	setConfig := ""
	var gucs [][]byte
	if len(tx.GUCs) > 0 || implicit {
		setConfig = setConfigSQL(len(tx.GUCs), implicit)
		start := len(binds.b)
		binds.b = gucArgs(binds.b, tx.GUCs)
		gucs = binds.b[start:len(binds.b):len(binds.b)]
	}
	// The end, when this batch holds it: SET CONSTRAINTS before a dry
	// run's ROLLBACK, so it answers what a commit would have.
	var ends []string
	if withEnd && tx.Check == nil && !implicit {
		switch {
		case !tx.Rollback:
			ends = commitEnd
		case tx.ReadOnly:
			ends = rollbackEnd
		default:
			ends = dryRunEnd
		}
	}
	pp := &pipe{p: p, implicit: implicit, rider: rider, shared: rider}
	if r.Prepared {
		pp.cache = statements(pc)
		// Room for this request's statements (at most six), evicting none
		// of them; the list is only made when the cache is nearly full.
		if pp.cache.nearlyFull() && !rider {
			pp.evict(append([]string{begin, setConfig, r.PreRequest, tx.Main}, ends...)...)
		}
		// The end's statements are prepared up front, so the prelude reads
		// every preparation.
		for _, sql := range ends {
			pp.prepare(sql)
		}
	}
	if begin != "" {
		pp.statement(begin, nil, nil, nil)
	}
	if setConfig != "" {
		pp.statement(setConfig, gucs, nil, nil)
	}
	if r.PreRequest != "" {
		pp.statement(r.PreRequest, nil, nil, nil)
	}
	if tx.Plan {
		// Unnamed: a diagnostic statement takes no room in the cache.
		pp.p.SendQueryParams(tx.Main, args, nil, formats, binaryResults)
	} else {
		pp.statement(tx.Main, args, formats, binaryResults)
		pp.steps-- // the main statement's result is not the prelude's
	}
	if tx.Explain != "" {
		var eargs [][]byte
		var eformats []int16
		binds.b, eargs, eformats, err = encode(binds.b, tx.ExplainArgs)
		if err != nil {
			return nil, err
		}
		pp.p.SendQueryParams(tx.Explain, eargs, nil, eformats, nil)
	}
	for _, sql := range ends {
		pp.statement(sql, nil, nil, nil)
		pp.steps-- // read by end, not by the prelude
		pp.ended = true
	}
	p.SendPipelineSync()
	return pp, nil
}

// statement queues one statement: executed by name with the result
// description PostgreSQL gave when it was prepared (so it is not described
// again), prepared first if new on this connection (a rider uses only what
// the connection has), or unnamed without a statement.
func (pp *pipe) statement(sql string, args [][]byte, formats, results []int16) {
	pp.steps++
	var st *statement
	switch {
	case pp.cache == nil:
	case pp.rider:
		st = pp.cache.get(sql)
	default:
		st = pp.prepare(sql)
	}
	switch {
	case st == nil:
		pp.p.SendQueryParams(sql, args, nil, formats, results)
	case st.desc != nil:
		pp.p.SendQueryStatement(st.desc, args, formats, results)
	default:
		pp.p.SendQueryPrepared(st.name, args, formats, results)
	}
}

// prepare queues the preparation of sql unless the connection has it or
// this pipeline prepares it already, and returns its statement.
func (pp *pipe) prepare(sql string) *statement {
	if st := pp.cache.get(sql); st != nil {
		return st
	}
	for _, st := range pp.pending {
		if st.sql == sql {
			return st
		}
	}
	st := pp.cache.newStatement(sql)
	pp.p.SendPrepare(st.name, sql, nil)
	pp.pending = append(pp.pending, st)
	pp.steps++
	return st
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
			pp.begun = true // the first statement's is the first result
		case *pgconn.StatementDescription:
			st := pp.pending[0]
			res.Name, res.SQL = st.name, st.sql // the pipeline leaves them unset
			st.desc = res
			pp.cache.add(st)
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
			} else if pp.implicit {
				pp.committed = true
			}
		}
	}
	if pp.shared {
		return err
	}
	if cerr := pp.p.Close(); err == nil {
		err = cerr
	}
	return err
}

// fail closes the pipeline after err, reading what PostgreSQL still sends
// (it skips the rest until the Sync); a rider's reads only to its own
// Sync. It returns err.
func (pp *pipe) fail(err error) error {
	if pp.shared {
		pp.skip()
		return err
	}
	_ = pp.p.Close()
	return err
}

// skip reads a rider's results up to its Sync, which ends its
// transaction: after an error PostgreSQL skips to it, and a result that
// failed to decode leaves the statements after it to read.
func (pp *pipe) skip() {
	for {
		res, err := pp.p.GetResults()
		var pe *pgconn.PgError
		switch {
		case err != nil && !errors.As(err, &pe):
			return // the pipeline is broken; the rest fail alike
		case res == nil && err == nil:
			return // nothing left
		}
		switch res := res.(type) {
		case *pgconn.ResultReader:
			_, _ = res.Close()
		case *pgconn.PipelineSync:
			return
		}
	}
}

// beginSQL is the BEGIN of a transaction at isolation level iso ("" for
// read committed), read-only or not: one of the texts made once.
func beginSQL(iso string, readOnly bool) string {
	if iso == "" {
		iso = "READ COMMITTED"
	}
	for i, level := range isolationLevels {
		if iso == level {
			if readOnly {
				return beginSQLs[i][1]
			}
			return beginSQLs[i][0]
		}
	}
	return buildBeginSQL(iso, readOnly)
}

// isolationLevels are PostgreSQL's, as a role's setting names them.
var isolationLevels = [...]string{"READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE", "READ UNCOMMITTED"}

// beginSQLs are beginSQL's texts for each level, read-write then
// read-only. Read-only after initialisation.
var beginSQLs = func() (out [len(isolationLevels)][2]string) {
	for i, level := range isolationLevels {
		out[i] = [2]string{buildBeginSQL(level, false), buildBeginSQL(level, true)}
	}
	return out
}()

func buildBeginSQL(iso string, readOnly bool) string {
	if readOnly {
		return "BEGIN ISOLATION LEVEL " + iso + " READ ONLY"
	}
	return "BEGIN ISOLATION LEVEL " + iso + " READ WRITE"
}

// setConfigSQL sets n settings in one statement, and first makes the
// transaction read-only when readOnly is set. The texts of the usual counts
// are made once: a request only picks one.
func setConfigSQL(n int, readOnly bool) string {
	if n >= len(setConfigSQLs[0]) {
		return buildSetConfigSQL(n, readOnly)
	}
	if readOnly {
		return setConfigSQLs[1][n]
	}
	return setConfigSQLs[0][n]
}

// setConfigSQLs are setConfigSQL's texts for up to 31 settings (method,
// path, headers, cookies, claims, role, search_path and app settings),
// read-write and read-only.
var setConfigSQLs = func() (out [2][32]string) {
	for n := range out[0] {
		out[0][n] = buildSetConfigSQL(n, false)
		out[1][n] = buildSetConfigSQL(n, true)
	}
	return out
}()

func buildSetConfigSQL(n int, readOnly bool) string {
	var sb strings.Builder
	sb.WriteString("SELECT ")
	if readOnly {
		sb.WriteString("set_config('transaction_read_only', 'on', true)")
	}
	for i := range n {
		if i > 0 || readOnly {
			sb.WriteString(", ")
		}
		sb.WriteString("set_config($" + strconv.Itoa(2*i+1) + ", $" + strconv.Itoa(2*i+2) + ", true)")
	}
	return sb.String()
}

// implicitKey marks, in a connection's CustomData, a session whose
// default transaction is read committed, so a read's transaction can be
// the implicit one (NewPool checks it on connecting).
const implicitKey = "pgrestgen.implicit"

func implicitOK(pc *pgconn.PgConn) bool {
	ok, _ := pc.CustomData()[implicitKey].(bool)
	return ok
}

// gucArgs appends the settings' names and values to dst as set_config's
// bind values, lent (see lend).
func gucArgs(dst [][]byte, gucs [][2]string) [][]byte {
	for _, g := range gucs {
		dst = append(dst, lend(g[0]), lend(g[1]))
	}
	return dst
}

// bindValues is send's scratch for bind values, recycled once pgconn has
// copied them into its messages. Its slices reference the Tx's strings,
// so they are cleared before it goes back.
type bindValues struct{ b [][]byte }

func (r *Runner) bindValues() *bindValues {
	if v, ok := r.binds.Get().(*bindValues); ok {
		return v
	}
	return &bindValues{b: make([][]byte, 0, 32)}
}

func (r *Runner) recycle(v *bindValues) {
	clear(v.b)
	v.b = v.b[:0]
	r.binds.Put(v)
}

// lend is s as a bind value without copying it: pgconn copies each value
// into its Bind message as the statement is queued and never writes to
// it. The empty string's data may be nil, which pgconn would send as NULL,
// so it gets an empty, non-nil slice.
func lend(s string) []byte {
	if s == "" {
		return []byte{}
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// encode appends bind values to dst in the wire's form: text for strings
// and integers (PostgreSQL parses them as the types it infers), binary for
// bytea bodies. vals are the values appended, out is dst with them.
func encode(dst [][]byte, args []any) (out, vals [][]byte, formats []int16, err error) {
	start := len(dst)
	for i, a := range args {
		var val []byte
		switch v := a.(type) {
		case nil:
		case string:
			val = lend(v)
		case int64:
			val = strconv.AppendInt(nil, v, 10)
		case int:
			val = strconv.AppendInt(nil, int64(v), 10)
		case []byte:
			if formats == nil {
				formats = make([]int16, len(args))
			}
			val, formats[i] = v, 1
		case encoding.TextMarshaler:
			if val, err = v.MarshalText(); err != nil {
				return dst, nil, nil, fmt.Errorf("exec: bind value: %w", err)
			}
		default:
			return dst, nil, nil, fmt.Errorf("exec: bind value of type %T", a)
		}
		dst = append(dst, val)
	}
	return dst, dst[start:len(dst):len(dst)], formats, nil
}

// binaryResults asks for the main statement's columns in binary: its
// counts are bigint (8 bytes), its texts the same bytes as in text format,
// and a handler's bytea body its raw bytes, undecoded.
var binaryResults = []int16{1}

// decodeResult reads the main statement's row (binary format): total, page
// total, body, response.headers, response.status and, for upserts, the
// inserted count. The body is copied, into a buffer of res's pool when it
// has one: the reader's buffer is reused.
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
		res.body(len(vals[2]))
		res.Body = append(res.Body, vals[2]...)
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
	// prefix starts the connection's statement names: random, so a
	// statement's name means nothing on another server connection. Behind
	// a transaction-mode pooler that does not track prepared statements
	// (PgBouncer before 1.21), a session's next transaction may run on a
	// server connection where another session prepared statements: a
	// bare counter's "pgrst_1" there could be a different statement, run
	// with this request's arguments; a name of this connection's only is
	// absent there, an error (26000) instead of a wrong answer.
	prefix string
	byText map[string]*statement
	// byData finds a statement by where its text is stored. The texts a
	// server sends are strings it keeps (fixed ones, or interned by the
	// renderer), so most lookups find theirs without hashing the whole
	// text: a text of the same length at the same address is the same
	// text, as the statement holding it keeps its storage from reuse.
	byData map[*byte]*statement
	order  []string // statement texts, oldest first
	next   int
}

// statement is one prepared statement: its name on the connection and the
// description PostgreSQL gave of its parameters and result columns (nil
// until PostgreSQL confirmed the preparation).
type statement struct {
	sql, name string
	desc      *pgconn.StatementDescription
}

// The ends of transactions the batch ends, fixed texts.
var (
	commitEnd   = []string{"COMMIT"}
	rollbackEnd = []string{"ROLLBACK"}
	dryRunEnd   = []string{immediateConstraints, "ROLLBACK"}
)

// nearlyFull says whether a request's statements might not fit.
func (c *stmtCache) nearlyFull() bool { return len(c.order)+6 > stmtCacheSize }

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
	c := newStmtCache()
	data[stmtCacheKey] = c
	return c
}

// get is sql's prepared statement, nil when it is not prepared.
func (c *stmtCache) get(sql string) *statement {
	if st := c.byData[unsafe.StringData(sql)]; st != nil && len(st.sql) == len(sql) {
		return st
	}
	return c.byText[sql]
}

// newStmtCache is an empty cache with a fresh name prefix.
func newStmtCache() *stmtCache {
	return &stmtCache{prefix: "pgrst_" + strconv.FormatUint(rand.Uint64(), 36) + "_", byText: map[string]*statement{},
		byData: map[*byte]*statement{}}
}

// newStatement names a statement to prepare; it is cached once confirmed
// (add).
func (c *stmtCache) newStatement(sql string) *statement {
	c.next++
	return &statement{sql: sql, name: c.prefix + strconv.Itoa(c.next)}
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
		st := c.byText[sql]
		out = append(out, st.name)
		delete(c.byText, sql)
		if p := unsafe.StringData(st.sql); c.byData[p] == st {
			delete(c.byData, p)
		}
	}
	return out
}

// add records a statement PostgreSQL confirmed.
func (c *stmtCache) add(st *statement) {
	c.byText[st.sql] = st
	c.byData[unsafe.StringData(st.sql)] = st
	c.order = append(c.order, st.sql)
}
