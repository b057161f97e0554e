package restclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Count asks for the total number of rows a read matches (Prefer: count=…).
type Count string

const (
	CountExact     Count = "exact"
	CountPlanned   Count = "planned"
	CountEstimated Count = "estimated"
)

// Query reads (or, through its Update, Delete and Insert, writes) rows of
// relation R. It is a value: each method returns a changed copy, so a
// partial query can be shared and extended.
type Query[R any] struct {
	c       *Client
	path    string
	profile string
	sel     []string
	filters []Filter[R]
	orders  []Order[R]
	limit   int // -1: none
	offset  int
	count   Count
}

// NewQuery is used by generated code: the relation's name and, outside the
// default schema, its schema.
func NewQuery[R any](c *Client, relation, schema string) Query[R] {
	return Query[R]{c: c, path: "/" + url.PathEscape(relation), profile: schema, limit: -1}
}

// Select names the columns and embeds to return; without it, all columns.
func (q Query[R]) Select(items ...Selection[R]) Query[R] {
	q.sel = slices.Clip(q.sel)
	for _, s := range items {
		q.sel = append(q.sel, s.selectItem(nil))
	}
	return q
}

// Where adds filters; all of them must hold.
func (q Query[R]) Where(filters ...Filter[R]) Query[R] {
	q.filters = append(slices.Clip(q.filters), filters...)
	return q
}

// Order adds ordering terms.
func (q Query[R]) Order(orders ...Order[R]) Query[R] {
	q.orders = append(slices.Clip(q.orders), orders...)
	return q
}

// Range returns rows from..to, counted from 0 and inclusive like an HTTP
// Range.
func (q Query[R]) Range(from, to int) Query[R] {
	q.offset, q.limit = from, max(to-from+1, 0)
	return q
}

// Limit returns at most n rows; Offset skips n rows.
func (q Query[R]) Limit(n int) Query[R]  { q.limit = n; return q }
func (q Query[R]) Offset(n int) Query[R] { q.offset = n; return q }

// Count asks for the total row count, which Page reports.
func (q Query[R]) Count(c Count) Query[R] { q.count = c; return q }

func (q Query[R]) params(read bool) ([]param, error) {
	var ps []param
	if len(q.sel) > 0 {
		ps = append(ps, param{"select", strings.Join(q.sel, ",")})
	}
	for _, f := range q.filters {
		p, err := f.param()
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	if !read {
		return ps, nil
	}
	if len(q.orders) > 0 {
		terms := make([]string, len(q.orders))
		for i, o := range q.orders {
			terms[i] = o.String()
		}
		ps = append(ps, param{"order", strings.Join(terms, ",")})
	}
	if q.limit >= 0 {
		ps = append(ps, param{"limit", strconv.Itoa(q.limit)})
	}
	if q.offset > 0 {
		ps = append(ps, param{"offset", strconv.Itoa(q.offset)})
	}
	return ps, nil
}

func (q Query[R]) read(ctx context.Context, accept string, dst any) (*response, error) {
	ps, err := q.params(true)
	if err != nil {
		return nil, err
	}
	r := request{method: http.MethodGet, path: q.path, params: ps, profile: q.profile, accept: accept}
	if q.count != "" {
		r.prefer = append(r.prefer, "count="+string(q.count))
	}
	resp, err := q.c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return resp, decode(r, resp.body, dst)
}

// List returns the rows.
func (q Query[R]) List(ctx context.Context) ([]R, error) {
	var rows []R
	_, err := q.read(ctx, "application/json", &rows)
	return rows, err
}

// ListInto decodes the rows into dst, a pointer to a slice of a caller's
// type: the shape to use when the select embeds other relations.
func (q Query[R]) ListInto(ctx context.Context, dst any) error {
	_, err := q.read(ctx, "application/json", dst)
	return err
}

// Page is a page of rows with the range the server reported.
type Page[R any] struct {
	Rows []R
	// First and Last are the rows' positions (Last < First when empty);
	// Total is the count asked for with Count, -1 when unknown.
	First, Last, Total int64
}

// Page returns the rows with their Content-Range.
func (q Query[R]) Page(ctx context.Context) (*Page[R], error) {
	p := &Page[R]{}
	resp, err := q.read(ctx, "application/json", &p.Rows)
	if err != nil {
		return nil, err
	}
	if err := p.parseRange(resp.header.Get("Content-Range")); err != nil {
		return nil, fmt.Errorf("GET %s: %w", q.path, err)
	}
	return p, nil
}

// parseRange reads "0-9/42", "*/0" or "0-9/*".
func (p *Page[R]) parseRange(h string) error {
	span, total, ok := strings.Cut(h, "/")
	if !ok {
		return fmt.Errorf("bad Content-Range %q", h)
	}
	p.Total, p.First, p.Last = -1, 0, -1
	var err error
	if total != "*" {
		if p.Total, err = strconv.ParseInt(total, 10, 64); err != nil {
			return fmt.Errorf("bad Content-Range %q: %w", h, err)
		}
	}
	if span == "*" {
		return nil
	}
	first, last, ok := strings.Cut(span, "-")
	var err2 error
	p.First, err = strconv.ParseInt(first, 10, 64)
	p.Last, err2 = strconv.ParseInt(last, 10, 64)
	if !ok || err != nil || err2 != nil {
		return fmt.Errorf("bad Content-Range %q", h)
	}
	return nil
}

// Single returns the one row the query matches; another number of rows is
// an *Error with status 406 (PGRST116).
func (q Query[R]) Single(ctx context.Context) (R, error) {
	var row R
	_, err := q.read(ctx, "application/vnd.pgrst.object+json", &row)
	return row, err
}

// Insert adds rows. Send only the columns you set with Columns, so that the
// others (serials, identities, DEFAULTs) take their defaults; without it every
// column of the rows is sent.
func (q Query[R]) Insert(rows ...R) Mutation[R] {
	if rows == nil {
		rows = []R{}
	}
	return Mutation[R]{q: q, method: http.MethodPost, body: rows}
}

// Update sets columns of the rows matching the query's filters.
func (q Query[R]) Update(sets ...Set[R]) Mutation[R] {
	body := make(map[string]any, len(sets))
	for _, s := range sets {
		body[s.col] = s.val
	}
	m := Mutation[R]{q: q, method: http.MethodPatch, body: body}
	if len(sets) == 0 {
		m.err = errors.New("update sets no column")
	}
	return m
}

// Delete removes the rows matching the query's filters.
func (q Query[R]) Delete() Mutation[R] {
	return Mutation[R]{q: q, method: http.MethodDelete}
}

// Mutation is an Insert, Update or Delete about to be sent: Exec sends it
// (Prefer: return=minimal), Returning sends it and returns the rows written
// (return=representation), with the query's Select.
type Mutation[R any] struct {
	q          Query[R]
	method     string
	body       any
	columns    []string
	onConflict []string
	resolution string
	err        error
}

// Columns names the columns an Insert sends (PostgREST's columns=).
func (m Mutation[R]) Columns(cols ...Selection[R]) Mutation[R] {
	m.columns = slices.Clip(m.columns)
	for _, c := range cols {
		m.columns = append(m.columns, c.selectItem(nil))
	}
	return m
}

// OnConflict names the unique columns an upsert resolves on (the primary key
// when not given).
func (m Mutation[R]) OnConflict(cols ...Selection[R]) Mutation[R] {
	m.onConflict = slices.Clip(m.onConflict)
	for _, c := range cols {
		m.onConflict = append(m.onConflict, c.selectItem(nil))
	}
	return m
}

// MergeDuplicates makes an Insert an upsert: a row whose key exists
// updates it (Prefer: resolution=merge-duplicates). IgnoreDuplicates keeps
// the existing row instead.
func (m Mutation[R]) MergeDuplicates() Mutation[R]  { m.resolution = "merge-duplicates"; return m }
func (m Mutation[R]) IgnoreDuplicates() Mutation[R] { m.resolution = "ignore-duplicates"; return m }

func (m Mutation[R]) send(ctx context.Context, ret string, dst any) error {
	if m.err != nil {
		return fmt.Errorf("%s %s: %w", m.method, m.q.path, m.err)
	}
	ps, err := m.q.params(false)
	if err != nil {
		return err
	}
	if len(m.columns) > 0 {
		ps = append(ps, param{"columns", strings.Join(m.columns, ",")})
	}
	if len(m.onConflict) > 0 {
		ps = append(ps, param{"on_conflict", strings.Join(m.onConflict, ",")})
	}
	if ret == "minimal" {
		// A select means nothing without a representation.
		ps = slices.DeleteFunc(ps, func(p param) bool { return p.key == "select" })
	}
	r := request{method: m.method, path: m.q.path, params: ps, profile: m.q.profile, body: m.body,
		prefer: []string{"return=" + ret}}
	if m.resolution != "" {
		r.prefer = append(r.prefer, "resolution="+m.resolution)
	}
	resp, err := m.q.c.do(ctx, r)
	if err != nil || dst == nil {
		return err
	}
	return decode(r, resp.body, dst)
}

// Exec sends the write without asking for the rows back.
func (m Mutation[R]) Exec(ctx context.Context) error { return m.send(ctx, "minimal", nil) }

// Returning sends the write and returns the rows it wrote.
func (m Mutation[R]) Returning(ctx context.Context) ([]R, error) {
	var rows []R
	err := m.send(ctx, "representation", &rows)
	return rows, err
}
