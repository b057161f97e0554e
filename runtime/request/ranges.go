package request

import (
	"math"
	"math/big"
	"net/http"
	"regexp"
	"strconv"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/header"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// Range is the rows a request asks for, positions lower ≤ n ≤ upper; upper
// nil means unbounded, and the zero Range is all rows. Bounds are unbounded integers as PostgREST's (Haskell Integer):
// a Range header or limit/offset beyond int64 is a value, not junk, and the
// LIMIT or OFFSET it leads to goes to PostgreSQL as written, which refuses
// one beyond bigint with its own 22003, as it does for PostgREST.
type Range struct {
	lower *big.Int
	upper *big.Int
	// empty is Data.Ranged's emptyRange, the result of intersecting with an
	// empty range, whose bounds mean nothing.
	empty bool
}

var (
	bigZero     = big.NewInt(0)
	bigOne      = big.NewInt(1)
	bigMinusOne = big.NewInt(-1)
)

// lo is the lower bound, 0 for the zero Range.
func (r Range) lo() *big.Int {
	if r.lower == nil {
		return bigZero
	}
	return r.lower
}

// allRows is PostgREST's allRange: from row 0, unbounded.
func allRows() Range { return Range{lower: bigZero} }

// limitZero is PostgREST's limitZeroRange, 0 ≤ n ≤ -1: no rows, on purpose.
func limitZero() Range { return Range{lower: bigZero, upper: bigMinusOne} }

// All reports whether the range is every row: no LIMIT or OFFSET.
func (r Range) All() bool {
	return !r.empty && r.lo().Sign() == 0 && r.upper == nil
}

// isEmpty is rangeIsEmpty: no row fits.
func (r Range) isEmpty() bool {
	return r.empty || r.upper != nil && r.upper.Cmp(r.lo()) < 0
}

// limitZero is hasLimitZero: the upper bound is -1, which only limit=0
// (with no offset, or limit and offset summing to 0) produces.
func (r Range) limitZero() bool {
	return !r.empty && r.upper != nil && r.upper.Cmp(bigMinusOne) == 0
}

// SQLLimit and SQLOffset are the LIMIT and OFFSET of a range that is not
// All, as decimal text for PostgreSQL to read as bigint (PostgREST sends
// them as untyped text); SQLLimit is "" for LIMIT ALL.
func (r Range) SQLLimit() string {
	if r.upper == nil {
		return ""
	}
	// Bounds within int64 (all but absurd requests) without big.Int's
	// allocations; the upper bound short of MaxInt64 keeps n from overflowing.
	if lo := r.lo(); r.upper.IsInt64() && lo.IsInt64() && r.upper.Int64() < math.MaxInt64 {
		return strconv.FormatInt(max(r.upper.Int64()-lo.Int64()+1, 0), 10)
	}
	n := new(big.Int).Sub(r.upper, r.lo())
	n.Add(n, bigOne)
	if n.Sign() < 0 {
		n.SetInt64(0)
	}
	return n.String()
}

func (r Range) SQLOffset() string {
	if lo := r.lo(); lo.IsInt64() {
		return strconv.FormatInt(lo.Int64(), 10)
	}
	return r.lo().String()
}

// Offset is the first row, for Content-Range: it fits an int64 whenever a
// statement succeeded, since PostgreSQL took it as OFFSET.
func (r Range) Offset() int64 { return r.lo().Int64() }

// intersect is Data.Ranged's rangeIntersection: either side empty gives the
// empty range, else the larger lower and smaller upper, which may cross.
func intersect(a, b Range) Range {
	if a.isEmpty() || b.isEmpty() {
		return Range{lower: bigZero, empty: true}
	}
	out := Range{lower: maxBig(a.lo(), b.lo()), upper: a.upper}
	if b.upper != nil && (out.upper == nil || b.upper.Cmp(out.upper) < 0) {
		out.upper = b.upper
	}
	return out
}

// capAt is PostgREST's restrictRange on a range that is not empty: no row
// past n.
func capAt(r Range, n *big.Int) Range {
	if r.upper == nil || n.Cmp(r.upper) < 0 {
		r.upper = n
	}
	return r
}

func maxBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

func sum(ns ...*big.Int) *big.Int {
	out := new(big.Int)
	for _, n := range ns {
		out.Add(out, n)
	}
	return out
}

// rangeHeader matches the Range header PostgREST honours: "first-[last]".
var rangeHeader = regexp.MustCompile(`^([0-9]+)-([0-9]*)$`)

// headerRange is PostgREST's rangeRequested: the Range header of a GET, all
// rows when absent or not of the form first-[last].
func headerRange(req *http.Request) Range {
	if req.Method != http.MethodGet {
		return allRows()
	}
	v := header.Get(req.Header, header.Range)
	if v == "" {
		return allRows()
	}
	m := rangeHeader.FindStringSubmatch(v)
	if m == nil {
		return allRows()
	}
	lo, _ := new(big.Int).SetString(m[1], 10) // digits: always an integer
	r := Range{lower: lo}
	if m[2] != "" {
		r.upper, _ = new(big.Int).SetString(m[2], 10)
	}
	return r
}

// paramRange is the range limit= and offset= ask for, as PostgREST's query
// parameter parsing combines them: with both, offset o and limit l give
// o ≤ n ≤ o+l-1, a value that is not an integer counting as 0; alone, a
// limit l gives 0 ≤ n ≤ l-1 and an offset o gives n ≥ o, and a value that
// is not an integer gives all rows.
func paramRange(limit, offset *query.RangeParam) Range {
	value := func(p *query.RangeParam) *big.Int {
		if p == nil || p.Int == "" {
			return nil
		}
		if n, err := strconv.ParseInt(p.Int, 10, 64); err == nil {
			return big.NewInt(n) // the common case, without SetString's scanner
		}
		n, _ := new(big.Int).SetString(p.Int, 10) // canonical decimal from the parser
		return n
	}
	l, o := value(limit), value(offset)
	switch {
	case limit != nil && offset != nil:
		if l == nil {
			l = bigZero
		}
		if o == nil {
			o = bigZero
		}
		return Range{lower: o, upper: sum(o, l, bigMinusOne)}
	case l != nil:
		return Range{lower: bigZero, upper: sum(l, bigMinusOne)}
	case o != nil:
		return Range{lower: o}
	}
	return allRows()
}

// ReadRange is the top-level range of a request, PostgREST's getRanges: the
// Range header (GET only) intersected with limit/offset, limit=0 kept as the
// deliberate empty page; then capped by db-max-rows. An empty range is
// PGRST103 (416) and a PUT with any range PGRST114.
func ReadRange(req *http.Request, q *query.Request, maxRows *int64) (Range, *apierr.Error) {
	header := headerRange(req)
	params := paramRange(q.Limit, q.Offset)
	top := intersect(header, params)
	if params.limitZero() {
		top = limitZero()
	} else if top.isEmpty() {
		details := "Limit should be greater than or equal to zero."
		if header.isEmpty() {
			details = "The lower boundary must be lower than or equal to the upper boundary in the Range header."
		}
		return Range{}, apierr.New(http.StatusRequestedRangeNotSatisfiable, "PGRST103", "Requested range not satisfiable", details, "")
	}
	if req.Method == http.MethodPut && !top.All() {
		return Range{}, apierr.New(http.StatusBadRequest, "PGRST114", "limit/offset querystring parameters are not allowed for PUT", "", "")
	}
	if maxRows != nil && !top.limitZero() {
		top = capAt(top, sum(top.lo(), big.NewInt(*maxRows), bigMinusOne))
	}
	return top, nil
}
