package runtime

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// rowRange is a range of row positions, lower ≤ n ≤ upper; upper nil means
// unbounded. PostgREST intersects the Range header with limit/offset.
type rowRange struct {
	lower int64
	upper *int64
}

func (r rowRange) all() bool   { return r.lower == 0 && r.upper == nil }
func (r rowRange) empty() bool { return r.upper != nil && *r.upper < r.lower }

// limit is the row count the range allows, nil for all.
func (r rowRange) limit() *int64 {
	if r.upper == nil {
		return nil
	}
	n := max(*r.upper-r.lower+1, 0)
	return &n
}

func intersect(a, b rowRange) rowRange {
	out := rowRange{lower: max(a.lower, b.lower), upper: a.upper}
	if b.upper != nil && (out.upper == nil || *b.upper < *out.upper) {
		out.upper = b.upper
	}
	return out
}

func ptr(n int64) *int64 { return &n }

// rangeHeader matches the Range header PostgREST honours: "first-[last]".
var rangeHeader = regexp.MustCompile(`^([0-9]+)-([0-9]*)$`)

// readRange is the top-level range of a read: the Range header (GET only)
// intersected with limit/offset, capped by db-max-rows.
func readRange(req *http.Request, q *query.Request, maxRows *int64) (rowRange, *apierr.Error) {
	header := rowRange{}
	if req.Method == http.MethodGet {
		if m := rangeHeader.FindStringSubmatch(req.Header.Get("Range")); m != nil {
			lo, err1 := strconv.ParseInt(m[1], 10, 64)
			if err1 == nil {
				header.lower = lo
				if m[2] != "" {
					if hi, err := strconv.ParseInt(m[2], 10, 64); err == nil {
						header.upper = &hi
					}
				}
			}
		}
	}
	params := rowRange{lower: q.Offset}
	limitZero := false
	if q.Limit != nil {
		if *q.Limit == 0 {
			limitZero = true
		}
		params.upper = ptr(q.Offset + *q.Limit - 1)
	}
	top := intersect(header, params)
	if limitZero {
		// limit=0 asks for no rows, wherever the offset is.
		top = rowRange{lower: 0, upper: ptr(-1)}
	} else if top.empty() {
		details := "Limit should be greater than or equal to zero."
		if header.empty() {
			details = "The lower boundary must be lower than or equal to the upper boundary in the Range header."
		}
		return rowRange{}, apierr.New(http.StatusRequestedRangeNotSatisfiable, "PGRST103", "Requested range not satisfiable", details, "")
	}
	if maxRows != nil {
		top = intersect(top, rowRange{upper: ptr(top.lower + *maxRows - 1)})
	}
	return top, nil
}
