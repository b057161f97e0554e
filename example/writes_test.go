package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
)

// writeServer serves the example on a fresh database where web_user may
// write genres, and returns its URL and a web_user token.
func writeServer(t *testing.T) (string, string) {
	return genreServer(t, "INSERT, UPDATE")
}

// genreServer serves the example, configured by environ, on a fresh
// database where web_user has the privileges grants on genres, and returns
// its URL and a web_user token.
func genreServer(t *testing.T, grants string, environ ...string) (string, string) {
	t.Helper()
	uri := env.NewDatabase(t, template)
	if err := pgcluster.ApplySQL(t.Context(), uri, "GRANT "+grants+" ON genres TO web_user"); err != nil {
		t.Fatal(err)
	}
	srv := e2e.Serve(t, db.Schema(), db.Register, append([]string{
		"PGRST_DB_URI=" + e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET=" + jwtSecret}, environ...)...)
	tok := e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user", "exp": time.Now().Add(time.Hour).Unix()})
	return srv.URL, tok
}

func genreCount(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodHead, base+"/genres", nil)
	req.Header.Set("Prefer", "count=exact")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Content-Range")
}

// TestCutOffBodyWritesNothing: a request whose body ends before its
// Content-Length says writes no row (issue 4, nothing half-done).
func TestCutOffBodyWritesNothing(t *testing.T) {
	base, tok := writeServer(t)
	before := genreCount(t, base)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	body := `[{"id":20,"name":"a"},{"id":21,"name":"b"}]`
	fmt.Fprintf(conn, "POST /genres HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		tok, len(body)+100, body)
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode < 400 {
			t.Errorf("cut-off body answered %d", resp.StatusCode)
		}
	}
	conn.Close()
	if after := genreCount(t, base); after != before {
		t.Errorf("rows before %s, after %s: a cut-off body wrote", before, after)
	}
}

// TestConcurrentUpsertsKeepOneRow: many PUTs and merge-duplicates POSTs on
// one key at once all succeed and leave exactly one row.
func TestConcurrentUpsertsKeepOneRow(t *testing.T) {
	base, tok := writeServer(t)
	var wg sync.WaitGroup
	statuses := make([]int, 40)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			method, path, prefer := http.MethodPut, "/genres?id=eq.77", ""
			if i%2 == 1 {
				method, path, prefer = http.MethodPost, "/genres", "resolution=merge-duplicates"
			}
			req, _ := http.NewRequest(method, base+path, strings.NewReader(fmt.Sprintf(`{"id":77,"name":"n%d"}`, i)))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			if prefer != "" {
				req.Header.Set("Prefer", prefer)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s >= 300 {
			t.Errorf("request %d: status %d", i, s)
		}
	}
	resp, err := http.Get(base + "/genres?id=eq.77&select=id")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != `[{"id":77}]` {
		t.Errorf("rows for key 77: %s, want exactly one", b)
	}
}

// TestServerTimingNamesPhases (F-OBS-05): with server-timing-enabled, a
// read reports PostgREST's five phases in its order.
func TestServerTimingNamesPhases(t *testing.T) {
	uri := env.NewDatabase(t, template)
	srv := e2e.Serve(t, db.Schema(), db.Register,
		"PGRST_DB_URI="+e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_SERVER_TIMING_ENABLED=true")
	want := regexp.MustCompile(`^jwt;dur=\d+\.\d, parse;dur=\d+\.\d, plan;dur=\d+\.\d, transaction;dur=\d+\.\d, response;dur=\d+\.\d$`)
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		// anon may not delete: the DELETE fails, so it checks only that an
		// error carries no Server-Timing, as in PostgREST.
		req, _ := http.NewRequest(method, srv.URL+"/genres?id=eq.1", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("Server-Timing")
		switch {
		case resp.StatusCode < 400 && !want.MatchString(got):
			t.Errorf("%s: Server-Timing = %q, want the five phases", method, got)
		case resp.StatusCode >= 400 && got != "":
			t.Errorf("%s: error %d carries Server-Timing %q", method, resp.StatusCode, got)
		}
	}
}
