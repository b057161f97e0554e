package openapi

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// obj is a JSON object whose keys keep the order they were set in, so the
// documents come out in a fixed, readable order.
type obj struct{ kvs []kv }

type kv struct {
	k string
	v any
}

// set adds key k; nil, empty strings and empty lists and objects are left
// out, as PostgREST's library leaves them out.
func (o *obj) set(k string, v any) *obj {
	switch x := v.(type) {
	case nil:
		return o
	case string:
		if x == "" {
			return o
		}
	case []any:
		if len(x) == 0 {
			return o
		}
	case *obj:
		if x == nil || len(x.kvs) == 0 {
			return o
		}
	}
	o.kvs = append(o.kvs, kv{k, v})
	return o
}

// put adds key k whatever its value ("" and {} included).
func (o *obj) put(k string, v any) *obj {
	o.kvs = append(o.kvs, kv{k, v})
	return o
}

func newObj() *obj { return &obj{} }

// ref is {"$ref": to}.
func ref(to string) *obj { return newObj().put("$ref", to) }

// encode writes v as JSON without HTML escaping (PostgREST writes <pk/>).
func encode(buf *bytes.Buffer, v any) {
	switch x := v.(type) {
	case *obj:
		buf.WriteByte('{')
		for i, p := range x.kvs {
			if i > 0 {
				buf.WriteByte(',')
			}
			encodeString(buf, p.k)
			buf.WriteByte(':')
			encode(buf, p.v)
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			encode(buf, e)
		}
		buf.WriteByte(']')
	case string:
		encodeString(buf, x)
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case int:
		buf.WriteString(strconv.Itoa(x))
	case json.RawMessage:
		buf.Write(x)
	case nil:
		buf.WriteString("null")
	default:
		// Not built by this package; encoding/json's text rather than a
		// panic on a request's path.
		b, err := json.Marshal(x)
		if err != nil {
			b = []byte("null")
		}
		buf.Write(b)
	}
}

func encodeString(buf *bytes.Buffer, s string) {
	if plain(s) {
		buf.WriteByte('"')
		buf.WriteString(s)
		buf.WriteByte('"')
		return
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// strs is a []any of strings.
func strs(ss ...string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// sorted sorts o's keys, and those of every object in it: what PostgREST's
// library writes through an intermediate JSON value comes out so.
func sorted(o *obj) *obj {
	slices.SortStableFunc(o.kvs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	for _, p := range o.kvs {
		sortIn(p.v)
	}
	return o
}

func sortIn(v any) {
	switch x := v.(type) {
	case *obj:
		sorted(x)
	case []any:
		for _, e := range x {
			sortIn(e)
		}
	}
}

// plain reports whether s needs no escaping in JSON (most strings here).
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}
