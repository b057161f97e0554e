// Package header reads and writes HTTP header fields by names already in
// canonical form. net/http's Get and Set canonicalize the name on every
// call; for the runtime's constant names that was a visible share of a
// request's cost. The names are constants here, and the test holds each to
// its canonical form, so a lookup cannot silently miss.
package header

import "net/http"

// Name is a canonical header field name.
type Name string

// The fields the request path reads or writes.
const (
	Accept            Name = "Accept"
	AcceptProfile     Name = "Accept-Profile"
	Authorization     Name = "Authorization"
	ContentLength     Name = "Content-Length"
	ContentLocation   Name = "Content-Location"
	ContentProfile    Name = "Content-Profile"
	ContentRange      Name = "Content-Range"
	ContentType       Name = "Content-Type"
	Prefer            Name = "Prefer"
	PreferenceApplied Name = "Preference-Applied"
	Range             Name = "Range"
	Referer           Name = "Referer"
	UserAgent         Name = "User-Agent"
	Vary              Name = "Vary"
)

// Get is h.Get(string(n)).
func Get(h http.Header, n Name) string {
	if v := h[string(n)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Values is h.Values(string(n)).
func Values(h http.Header, n Name) []string { return h[string(n)] }

// Set is h.Set(string(n), v).
func Set(h http.Header, n Name, v string) { h[string(n)] = []string{v} }

// Batch sets several fields with one array holding all their values,
// instead of a slice allocated for each. Each field's slice is capped at its
// one value, so an Add to it copies instead of overwriting the next field's.
type Batch struct {
	h    http.Header
	vals []string
}

// NewBatch is a Batch for at most n fields of h (more still work, in a
// second array).
func NewBatch(h http.Header, n int) Batch { return Batch{h, make([]string, 0, n)} }

// Set is Set(h, n, v).
func (b *Batch) Set(n Name, v string) {
	b.vals = append(b.vals, v)
	i := len(b.vals) - 1
	b.h[string(n)] = b.vals[i : i+1 : i+1]
}
