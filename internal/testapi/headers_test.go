package testapi

import (
	"io"
	"net/http"
	"slices"
	"testing"
)

// TestFunctionSetsSeveralCookies: every Set-Cookie a function puts in
// response.headers reaches the client as a header line of its own (as in
// PostgREST, which sends each header of the list), and a header it sets
// replaces the server's of that name.
func TestFunctionSetsSeveralCookies(t *testing.T) {
	uri := env.NewDatabase(t, template)
	addr, _ := runServer(t, t.Context(), uri)
	resp, err := http.Get("http://" + addr + "/rpc/cookies")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("%d %q; want 204 and no body", resp.StatusCode, body)
	}
	want := []string{"session=abc; Path=/; HttpOnly", "theme=dark"}
	if got := resp.Header.Values("Set-Cookie"); !slices.Equal(got, want) {
		t.Errorf("Set-Cookie lines %q, want %q", got, want)
	}
	if got := resp.Header.Values("Cache-Control"); !slices.Equal(got, []string{"no-store"}) {
		t.Errorf("Cache-Control lines %q, want [no-store]", got)
	}
}
