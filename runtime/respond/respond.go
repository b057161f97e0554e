package respond

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/header"
)

// Responder writes a server's answers: what of its configuration they
// depend on.
type Responder struct {
	// Minimal is client-error-verbosity=minimal: error objects carry only
	// their code and message.
	Minimal bool
	// Log receives the failures the client does not see; nil discards.
	Log *slog.Logger
}

// Fail answers a request whose transaction failed, logging what the client
// does not see. begun says the response's header has gone out (see Error).
func (rs *Responder) Fail(w http.ResponseWriter, r *http.Request, begun bool, err error, authenticated bool) {
	ae := apierr.From(err, authenticated)
	if ae.Code == "PGRSTX00" && !errors.Is(err, context.Canceled) {
		rs.log(r.Context(), slog.LevelError, "request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	rs.Error(w, r, begun, ae)
}

// Vary is the Vary of every response, as PostgREST (16.0 on) sends it
// unless the response set its own: what an answer depends on besides its
// URL.
const Vary = "Accept, Prefer, Range"

// Error writes a PostgREST error object. A server error of a request
// whose context is done is the cancellation's doing, and says so (503).
// begun says the response's header has gone out (echo's
// Response.Committed): the answer has begun, so an error object would be
// appended to it, and Error drops the connection instead
// (panic(http.ErrAbortHandler)).
func (rs *Responder) Error(w http.ResponseWriter, r *http.Request, begun bool, e *apierr.Error) {
	if begun {
		panic(http.ErrAbortHandler)
	}
	if e.Status >= http.StatusInternalServerError && r.Context().Err() != nil {
		e = apierr.Cancelled()
	}
	h := w.Header()
	for k, v := range e.Headers {
		h[k] = v
	}
	h.Set("Proxy-Status", "PostgREST; error="+e.Code)
	if header.Get(h, header.Vary) == "" {
		header.Set(h, header.Vary, Vary)
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	body := rs.errorBody(e)
	if r.Method != http.MethodHead {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// errorBody is e's JSON object, as client-error-verbosity shows it.
func (rs *Responder) errorBody(e *apierr.Error) []byte {
	if rs.Minimal {
		b, _ := json.Marshal(struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}{e.Code, e.Message})
		return b
	}
	b, _ := json.Marshal(e)
	return b
}

func (rs *Responder) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if rs.Log != nil {
		rs.Log.LogAttrs(ctx, level, msg, attrs...)
	}
}

// Body writes the status and, unless omitted (HEAD, 204), the body with
// its Content-Length.
func Body(w http.ResponseWriter, status int, body []byte, omit bool) {
	if !omit {
		header.Set(w.Header(), header.ContentLength, strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if !omit {
		_, _ = w.Write(body)
	}
}

// PageStatus is a read's status from its page and total: 206 for part of
// the rows, PGRST103 (416) for an offset past the end, else 200.
func PageStatus(lower, upper int64, total *int64) (int, *apierr.Error) {
	switch {
	case total == nil:
	case lower > *total:
		return 0, apierr.New(http.StatusRequestedRangeNotSatisfiable, "PGRST103", "Requested range not satisfiable",
			fmt.Sprintf("An offset of %d was requested, but there are only %d rows.", lower, *total), "")
	case 1+upper-lower < *total:
		return http.StatusPartialContent, nil
	}
	return http.StatusOK, nil
}

// ContentRange is PostgREST's Content-Range: "first-last/total", with "*"
// for an empty page or an unknown total.
func ContentRange(lower, upper int64, total *int64) string {
	// On every read's path: one allocation, the string.
	b := make([]byte, 0, 64)
	if lower <= upper && (total == nil || *total != 0) {
		b = strconv.AppendInt(b, lower, 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, upper, 10)
	} else {
		b = append(b, '*')
	}
	b = append(b, '/')
	if total != nil {
		b = strconv.AppendInt(b, *total, 10)
	} else {
		b = append(b, '*')
	}
	return string(b)
}

// GUCs applies response.headers and response.status as the statement, the
// pre-request function or a called function set them (nil or "" for
// unset) to h and status.
func GUCs(headers, statusGUC *string, h http.Header, status *int) error {
	if headers != nil && *headers != "" {
		var list []map[string]string
		if err := json.Unmarshal([]byte(*headers), &list); err != nil || slices.ContainsFunc(list, func(kv map[string]string) bool { return len(kv) != 1 }) {
			return apierr.New(http.StatusInternalServerError, "PGRST111",
				"response.headers guc must be a JSON array composed of objects with a single key and a string value", "", "")
		}
		// A header the function sets replaces the server's of that name;
		// each one it sets is sent, so several Set-Cookie all arrive.
		for _, kv := range list {
			for k := range kv {
				h.Del(k)
			}
		}
		for _, kv := range list {
			for k, v := range kv {
				h.Add(k, v)
			}
		}
	}
	if statusGUC != nil && *statusGUC != "" {
		n, err := strconv.Atoi(strings.TrimSpace(*statusGUC))
		if err != nil || n < 100 || n > 599 {
			return apierr.New(http.StatusInternalServerError, "PGRST112",
				"response.status guc must be a valid status code", "", "")
		}
		*status = n
	}
	return nil
}
