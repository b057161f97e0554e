// Package restclient is the hand-written half of the typed Go clients that
// `pgrestgen generate --client` writes: HTTP, PostgREST's query grammar,
// Prefer headers, Content-Range and error objects. The generated package
// supplies the types (rows, columns, arguments), so a query is checked by the
// compiler; this package only needs net/http.
package restclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client sends requests to one PostgREST-compatible API. It is safe for
// concurrent use and never modified after New; WithToken returns a copy.
type Client struct {
	base   string
	http   *http.Client
	token  string
	header http.Header
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sends requests with h instead of http.DefaultClient.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithToken sends jwt as "Authorization: Bearer <jwt>" on every request.
func WithToken(jwt string) Option { return func(c *Client) { c.token = jwt } }

// WithHeader adds a header to every request.
func WithHeader(key, value string) Option { return func(c *Client) { c.header.Add(key, value) } }

// New returns a client of the API served at baseURL ("http://host:3000").
func New(baseURL string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), http: http.DefaultClient, header: http.Header{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithToken returns a copy of c that sends jwt instead: one client per
// end user without a new connection pool.
func (c *Client) WithToken(jwt string) *Client {
	cp := *c
	cp.token = jwt
	return &cp
}

// Error is a PostgREST error object with the response's HTTP status. Code
// is a PostgreSQL SQLSTATE ("23505") or a PGRST code ("PGRST116"); Details
// is the JSON text when the server sent more than a string.
type Error struct {
	Status  int
	Code    string
	Message string
	Details string
	Hint    string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "postgrest: %d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Details != "" {
		fmt.Fprintf(&b, " (%s)", e.Details)
	}
	return b.String()
}

// param is one query parameter; the order given is the order sent.
type param struct{ key, value string }

// request is one HTTP exchange with the API.
type request struct {
	method string
	path   string // already escaped
	params []param
	// profile is the schema of a non-default one: Accept-Profile on reads,
	// Content-Profile on writes.
	profile string
	prefer  []string
	accept  string
	body    any // JSON-encoded when not nil
}

// response is what do read: the status, the headers and the whole body.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (c *Client) do(ctx context.Context, r request) (*response, error) {
	u := c.base + r.path
	if len(r.params) > 0 {
		var q strings.Builder
		for i, p := range r.params {
			if i > 0 {
				q.WriteByte('&')
			}
			q.WriteString(queryEscape(p.key))
			q.WriteByte('=')
			q.WriteString(queryEscape(p.value))
		}
		u += "?" + q.String()
	}
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("encode %s %s body: %w", r.method, r.path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	}
	if r.profile != "" {
		if r.method == http.MethodGet || r.method == http.MethodHead {
			req.Header.Set("Accept-Profile", r.profile)
		} else {
			req.Header.Set("Content-Profile", r.profile)
		}
	}
	if len(r.prefer) > 0 {
		req.Header.Set("Prefer", strings.Join(r.prefer, ", "))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", r.method, r.path, err)
	}
	// PostgREST answers an ambiguous embed with 300 Multiple Choices.
	if resp.StatusCode >= 300 {
		return nil, apiError(resp.StatusCode, b)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// apiError reads PostgREST's error object; a body that is not one (a proxy's
// page) becomes the message.
func apiError(status int, body []byte) *Error {
	var obj struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
		Hint    *string         `json:"hint"`
	}
	e := &Error{Status: status}
	if json.Unmarshal(body, &obj) != nil {
		e.Message = strings.TrimSpace(string(body))
		return e
	}
	e.Code, e.Message = obj.Code, obj.Message
	// Details is text, or JSON (PGRST201 lists the relationships), kept as is.
	if json.Unmarshal(obj.Details, &e.Details) != nil && string(obj.Details) != "null" {
		e.Details = string(obj.Details)
	}
	if obj.Hint != nil {
		e.Hint = *obj.Hint
	}
	return e
}

// queryEscape escapes a query component with %20 for spaces: PostgREST's
// grammar reads a literal '+' as itself.
func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// decode reads a JSON body into dst, naming the request on failure.
func decode(r request, body []byte, dst any) error {
	if err := json.Unmarshal(body, dst); err != nil {
		return fmt.Errorf("decode %s %s response: %w", r.method, r.path, err)
	}
	return nil
}
