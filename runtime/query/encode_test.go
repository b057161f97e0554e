package query

import (
	"net/url"
	"strings"
)

// encode renders a Request back into an ordered query string, quoting every
// name and logic value so that parsing it gives the same Request. It is the
// inverse the fuzzer checks Parse against.
func encode(r *Request) string {
	var pairs []string
	add := func(k, v string) { pairs = append(pairs, url.QueryEscape(k)+"="+url.QueryEscape(v)) }
	if r.Select != nil {
		add("select", encodeSelect(r.Select))
	}
	for _, c := range r.Where {
		if c.Filter != nil {
			add(encodeField(c.Filter.Field), encodeOp(c.Filter, false))
			continue
		}
		key := c.Logic.Op
		if c.Logic.Negated {
			key = "not." + key
		}
		add(key, "("+encodeChildren(c.Logic.Children)+")")
	}
	if r.Order != nil {
		add("order", encodeOrder(r.Order))
	}
	// A value that is not an integer reads back as "": any non-integer will do.
	for _, kv := range []struct {
		k string
		v *RangeParam
	}{{"limit", r.Limit}, {"offset", r.Offset}} {
		switch {
		case kv.v == nil:
		case kv.v.Int == "":
			add(kv.k, "x")
		default:
			add(kv.k, kv.v.Int)
		}
	}
	for _, e := range r.EmbedParams {
		var path []string
		for _, p := range e.Path {
			path = append(path, quote(p))
		}
		add(strings.Join(path, ".")+"."+embedKey(e), e.Value)
	}
	return strings.Join(pairs, "&")
}

// embedKey renders an EmbedParam's key after its path. A logic operator
// other than and/or came from a key PostgREST's path parser stopped early
// in (0!.and gives operator 0): recreate that with a "!.or" tail.
func embedKey(e EmbedParam) string {
	if e.Kind != "logic" {
		return e.Key
	}
	op, negated := strings.CutPrefix(e.Key, "not.")
	prefix := ""
	if negated {
		prefix = "not."
	}
	if op == "and" || op == "or" {
		return prefix + op
	}
	return prefix + quote(op) + "!.or"
}

// quote makes any text a quoted name or value: only " and \ need escaping.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func encodeField(f Field) string {
	var b strings.Builder
	b.WriteString(quote(f.Name))
	for _, st := range f.Path {
		b.WriteString(st.Arrow)
		if st.Index != nil {
			b.WriteString(st.Key)
		} else {
			b.WriteString(quote(st.Key))
		}
	}
	return b.String()
}

func encodeSelect(items []SelectItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = encodeItem(it)
	}
	return strings.Join(parts, ",")
}

func encodeItem(it SelectItem) string {
	if e := it.Embed; e != nil {
		head := quote(e.Name)
		if e.Spread {
			head = "..." + head
		} else if e.Alias != "" {
			head = quote(e.Alias) + ":" + head
		}
		if e.Hint != "" {
			head += "!" + quote(e.Hint)
		}
		if e.Inner {
			head += "!inner"
		}
		return head + "(" + encodeSelect(e.Select) + ")"
	}
	if it.Star && it.Alias == "" && it.Cast == "" && it.Aggregate == "" && it.AggregateCast == "" {
		return "*"
	}
	var b strings.Builder
	if it.Alias != "" {
		b.WriteString(quote(it.Alias) + ":")
	}
	switch {
	case it.Star && it.Aggregate == "count":
		b.WriteString("count()") // bare count(): a star with its aggregate
	case it.Star:
		b.WriteString(`"*"`)
	default:
		b.WriteString(encodeField(it.Field))
	}
	if it.Cast != "" {
		b.WriteString("::" + it.Cast)
	}
	if it.Aggregate != "" && !it.Star {
		b.WriteString("." + it.Aggregate + "()")
	}
	// The grammar reads a second cast as the aggregate's, with or without
	// an aggregate (a::int::text).
	if it.AggregateCast != "" {
		b.WriteString("::" + it.AggregateCast)
	}
	return b.String()
}

// encodeOp renders [not.]op[(modifier)].value; inLogic quotes values.
func encodeOp(f *Filter, inLogic bool) string {
	var b strings.Builder
	if f.Negated {
		b.WriteString("not.")
	}
	b.WriteString(f.Operator)
	switch {
	case f.Quantifier != "":
		b.WriteString("(" + f.Quantifier + ")")
	case f.Language != "":
		b.WriteString("(" + f.Language + ")")
	}
	b.WriteString(".")
	switch {
	case f.Operator == "in":
		items := make([]string, len(f.List))
		for i, v := range f.List {
			items[i] = quote(v)
		}
		b.WriteString("(" + strings.Join(items, ",") + ")")
	case inLogic && f.Operator != "is":
		b.WriteString(quote(f.Value))
	default:
		b.WriteString(f.Value)
	}
	return b.String()
}

func encodeChildren(cs []Condition) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		if c.Filter != nil {
			parts[i] = encodeField(c.Filter.Field) + "." + encodeOp(c.Filter, true)
			continue
		}
		head := c.Logic.Op
		if c.Logic.Negated {
			head = "not." + head
		}
		parts[i] = head + "(" + encodeChildren(c.Logic.Children) + ")"
	}
	return strings.Join(parts, ",")
}

func encodeOrder(terms []OrderTerm) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		s := encodeField(t.Field)
		if t.Relation != "" {
			s = quote(t.Relation) + "(" + s + ")"
		}
		if t.Desc {
			s += ".desc"
		}
		if t.Nulls != "" {
			s += ".nulls" + t.Nulls
		}
		parts[i] = s
	}
	return strings.Join(parts, ",")
}
