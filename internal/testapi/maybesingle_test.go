package testapi

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// postgrestGoHead is the request head postgrest-go (main, v0.1.1) writes
// for From("items").Select("*", nil).Limit(1, nil).MaybeSingle().Execute
// on a GET, with schema "test": MaybeSingle sets Accept: application/json
// on a GET (application/vnd.pgrst.object+json only on other verbs, as
// postgrest-js's maybeSingle does), and the client's transport adds its
// default headers again on top of the builder's copy of them, so each
// comes twice; net/http adds User-Agent and Accept-Encoding.
func postgrestGoHead(host, target string) string {
	lines := []string{
		"GET " + target + " HTTP/1.1",
		"Host: " + host,
		"User-Agent: Go-http-client/1.1",
	}
	for _, h := range []string{"Accept: application/json", "Accept-Profile: test", "Content-Profile: test",
		"Content-Type: application/json", "X-Client-Info: postgrest-go/v0.1.1"} {
		lines = append(lines, h, h)
	}
	return strings.Join(append(lines, "Accept-Encoding: gzip"), "\r\n")
}

// TestPostgrestGoMaybeSingle: the answer to postgrest-go's MaybeSingle() is
// PostgREST's answer to that request. PostgREST reads the first of repeated
// headers (ApiRequest.hs: lookup in the request's header list), so this is
// a plain read with Accept: application/json: 200 and a JSON array, [] when
// no row matches. The client then takes the array's one element apart
// itself (postgrest-js: data = data[0]); postgrest-go's decoding of that
// element into the []T its Select gives fails against PostgREST alike, so
// answering an object instead would only break PostgREST's other clients.
func TestPostgrestGoMaybeSingle(t *testing.T) {
	uri := env.NewDatabase(t, template)
	addr, _ := runServer(t, t.Context(), uri)
	tests := []struct {
		name, target, body, contentRange, location string
	}{
		{
			name: "a matching row", target: "/items?limit=1&select=%2A",
			body:         `[{"id":1,"name":"apple","category":"alpha","score":42,"active":true,"created_at":"2024-01-01T12:00:00+00:00"}]`,
			contentRange: "0-0/*", location: "/items?limit=1&select=%2A",
		},
		{
			name: "no matching row", target: "/items?id=eq.999&limit=1&select=%2A",
			body: `[]`, contentRange: "*/*", location: "/items?id=eq.999&limit=1&select=%2A",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := rawRequest(t, addr, postgrestGoHead(addr, tt.target), "")
			if resp.StatusCode != http.StatusOK || string(body) != tt.body {
				t.Fatalf("%d %s; want 200 %s", resp.StatusCode, body, tt.body)
			}
			for k, want := range map[string]string{
				"Content-Type":     "application/json; charset=utf-8",
				"Content-Range":    tt.contentRange,
				"Content-Location": tt.location,
				"Content-Profile":  "test",
				"Content-Length":   strconv.Itoa(len(tt.body)),
				"Content-Encoding": "",
			} {
				if got := resp.Header.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
		})
	}
}
