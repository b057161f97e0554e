package query

import "encoding/binary"

// A read's shape is its query string with the values of its plain filters
// (and a function call's arguments) taken out. Reads of one shape parse,
// plan and render to one statement, but for those values, which are bind
// parameters: the server keeps what a shape renders to and binds a later
// read's values to it (runtime's shapes.go), without parsing, planning or
// rendering it again.

// AppendShape appends raw's shape to key, the filter values taken out of
// it to filters and, for a function call's query string (call), the
// arguments' values to args, each in query order. Only the params whose
// parse the fast path decides have a shape: select, order, limit and
// offset (top-level or on an embed path), kept whole; filters on a plain
// column name with eq, neq, gt, gte, lt, lte, like or ilike, negated or
// not, whose values are taken out as the parser reads them
// (Filter.Value); and a call's arguments with a plain name, whose values
// are taken out as they are (Arg.Value). ok is false for any other param,
// and what was appended is then of no use.
func AppendShape(key []byte, filters, args []string, raw string, call bool) (_ []byte, _, _ []string, ok bool) {
	ok = true
	eachParam(raw, func(k, v string, has bool) {
		if !ok {
			return
		}
		switch classify(param{key: k, value: v, hasValue: has}) {
		case kindSelect, kindOrder, kindLimit, kindOffset:
			tag := byte('p') // a bare key ("select") is not "select="
			if has {
				tag = 'P'
			}
			key = AppendShapeField(AppendShapeField(append(key, tag), k), v)
		case kindFilter:
			if ok = isPlainName(k); !ok {
				return
			}
			var f Filter
			switch {
			case fastFilter(v, &f):
				if ok = boundOperator(f.Operator); !ok {
					return
				}
				tag := byte('f')
				if f.Negated {
					tag = 'n'
				}
				key = AppendShapeField(AppendShapeField(append(key, tag), k), f.Operator)
				filters = append(filters, f.Value)
			case call && !startsLikeOperator(v):
				key = AppendShapeField(append(key, 'a'), k)
				args = append(args, v)
			default:
				ok = false
			}
		default:
			ok = false
		}
	})
	return key, filters, args, ok
}

// boundOperator reports whether a fast-path filter with operator op sends
// its value as a bind parameter and nothing else of it.
func boundOperator(op string) bool {
	switch op {
	case "eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike":
		return true
	}
	return false
}

// AppendShapeField appends s with its length first. Each param of a shape
// is a tag byte and such fields, so that no two different shapes are the
// same bytes, and the byte after them (the runtime's, none of these tags)
// starts what follows; the runtime encodes the rest of a shape's key, its
// headers and a POST's, with it too.
func AppendShapeField(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}
