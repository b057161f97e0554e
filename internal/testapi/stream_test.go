package testapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/testapi/db"
)

// bigItems adds 50,000 items with 1,000-character names (ids 1001…51000):
// a body of about 55 MB, far past the runtime's streaming threshold and
// the socket buffers between PostgreSQL, the server and the client.
const bigItems = `INSERT INTO test.items (id, name, category, score, active, created_at)
SELECT i, repeat(chr(97 + i % 26), 1000), 'bulk', CASE WHEN i % 3 = 0 THEN NULL ELSE i END, i % 2 = 0,
  timestamptz '2024-02-01 00:00:00+00' + i * interval '1 second'
FROM generate_series(1001, 51000) i;
ANALYZE test.items;`

// streamServer serves the test API on a fresh database prepared by setup
// and returns its URL and the database's superuser URI.
func streamServer(t *testing.T, setup string, environ ...string) (string, string) {
	t.Helper()
	uri := env.NewDatabase(t, template)
	if setup != "" {
		if err := pgcluster.ApplySQL(t.Context(), uri, setup); err != nil {
			t.Fatal(err)
		}
	}
	all := append([]string{"PGRST_DB_URI=" + e2e.AsAuthenticator(uri)}, suite(t).Environ...)
	srv := e2e.Serve(t, db.Schema(), db.Register, append(all, environ...)...)
	return srv.URL, uri
}

// queryText runs a one-value query as the superuser.
func queryText(t *testing.T, uri, sql string) string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(t.Context(), sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", url, err)
	}
	return resp, body
}

// TestStreamedLargeBody: a body past the threshold goes out chunked,
// without Content-Length, byte for byte what json_agg (or CSV's
// string_agg) gives for the same rows; a small one keeps Content-Length.
func TestStreamedLargeBody(t *testing.T) {
	base, uri := streamServer(t, bigItems)
	const cols = "id, name, category, score, active, created_at"
	page := "SELECT " + cols + " FROM test.items WHERE id > 20000 ORDER BY id"
	for _, tc := range []struct {
		name, accept, want string
	}{
		{"json", "application/json", "SELECT coalesce(json_agg(t), '[]')::text FROM (" + page + ") t"},
		{"stripped", "application/vnd.pgrst.array+json;nulls=stripped", "SELECT coalesce(json_strip_nulls(json_agg(t)), '[]')::text FROM (" + page + ") t"},
		{"csv", "text/csv", "SELECT '" + strings.ReplaceAll(cols, " ", "") + "' || E'\\n' || string_agg(substring(t::text, 2, length(t::text) - 2), E'\\n') FROM (" + page + ") t"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := queryText(t, uri, tc.want)
			resp, body := get(t, base+"/items?id=gt.20000&order=id", "Accept", tc.accept, "Prefer", "count=exact")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %.300s", resp.StatusCode, body)
			}
			if resp.ContentLength != -1 || resp.Header.Get("Content-Length") != "" {
				t.Errorf("Content-Length %d (%q), want none", resp.ContentLength, resp.Header.Get("Content-Length"))
			}
			if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
				t.Errorf("Transfer-Encoding %q, want chunked", resp.TransferEncoding)
			}
			if got := resp.Header.Get("Content-Range"); got != "0-30999/31000" {
				t.Errorf("Content-Range %q, want 0-30999/31000", got)
			}
			if len(want) < 1<<20 {
				t.Fatalf("the expected body is only %d bytes", len(want))
			}
			if !bytes.Equal(body, []byte(want)) {
				t.Errorf("body (%d bytes) differs from json_agg's (%d bytes) at byte %d", len(body), len(want), firstDiff(body, []byte(want)))
			}
		})
	}
	t.Run("small", func(t *testing.T) {
		want := queryText(t, uri, "SELECT coalesce(json_agg(t), '[]')::text FROM (SELECT "+cols+" FROM test.items WHERE id <= 3 ORDER BY id) t")
		resp, body := get(t, base+"/items?id=lte.3&order=id")
		if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) != 0 {
			t.Errorf("status %d, Content-Length %d for %d bytes, Transfer-Encoding %q", resp.StatusCode, resp.ContentLength, len(body), resp.TransferEncoding)
		}
		if string(body) != want {
			t.Errorf("body\n%s\nwant\n%s", body, want)
		}
	})
	t.Run("range", func(t *testing.T) {
		// A streamed page of a counted range: 206 and the exact total.
		resp, body := get(t, base+"/items?order=id", "Range", "10-20009", "Prefer", "count=exact")
		if resp.StatusCode != http.StatusPartialContent || resp.ContentLength != -1 {
			t.Errorf("status %d, Content-Length %d, want 206 streamed", resp.StatusCode, resp.ContentLength)
		}
		if got := resp.Header.Get("Content-Range"); got != "10-20009/50025" {
			t.Errorf("Content-Range %q, want 10-20009/50025", got)
		}
		if n := bytes.Count(body, []byte(`{"id":`)); n != 20000 {
			t.Errorf("%d rows, want 20000", n)
		}
	})
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestStreamedBodiesMatchBuffered runs every GET of the case files twice:
// as is (the streamed statement) and with Prefer: count=planned, which
// keeps json_agg's statement; the bodies must be the same bytes.
func TestStreamedBodiesMatchBuffered(t *testing.T) {
	compared := 0
	for group, cases := range e2e.LoadCases(t, "testdata/http") {
		var environ []string
		if b, err := os.ReadFile(filepath.Join("testdata/http", group+".env")); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
					environ = append(environ, line)
				}
			}
		}
		var base string
		// The statement each case runs, without running it: only the
		// streamed ones are compared (small reads keep json_agg's).
		offline := e2e.OfflineServer(t, db.Schema(), append(slices.Clone(suite(t).Environ), environ...)...)
		for _, c := range cases {
			if c.Method != "" && c.Method != http.MethodGet || c.Status != http.StatusOK && c.Status != http.StatusPartialContent {
				continue
			}
			if _, ok := c.Headers["Prefer"]; ok {
				continue
			}
			if base == "" {
				base, _ = streamServer(t, "", environ...)
			}
			var header []string
			for k, v := range c.Headers {
				for tok, val := range suite(t).Tokens {
					v = strings.ReplaceAll(v, tok, val)
				}
				header = append(header, k, v)
			}
			req := httptest.NewRequest(http.MethodGet, c.Path, nil)
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			if tx, aerr := offline.Prepare(req); aerr != nil || tx == nil || !strings.Contains(tx.Main, " UNION ALL SELECT NULL, NULL, ") {
				continue
			}
			streamed, sb := get(t, base+c.Path, header...)
			buffered, bb := get(t, base+c.Path, append(header, "Prefer", "count=planned")...)
			if streamed.StatusCode >= 300 || buffered.StatusCode >= 300 {
				continue // a write earlier in the group changed the data, or a planned count's 416
			}
			compared++
			if !bytes.Equal(sb, bb) {
				t.Errorf("%s %q: streamed body\n%s\nbuffered\n%s", group, c.Path, sb, bb)
			}
		}
	}
	// The comparison must keep covering the read grammar.
	if compared < 200 {
		t.Errorf("compared only %d bodies", compared)
	}
	t.Logf("compared %d bodies", compared)
}

// TestStreamedRowErrorIsAnErrorResponse: a row that fails late (the
// 50,000th of a computed field) fails before any body byte is sent, since
// the statement computes every row before its first one comes out: the
// response is PostgREST's error, not a 200.
func TestStreamedRowErrorIsAnErrorResponse(t *testing.T) {
	base, _ := streamServer(t, bigItems+`
CREATE OR REPLACE FUNCTION test.summary(test.items) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF $1.id = 50000 THEN RAISE EXCEPTION 'row 50000 is cursed'; END IF;
  RETURN $1.category || ' ' || $1.name;
END $$;`)
	resp, body := get(t, base+"/items?select=id,summary&order=id")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %.300s", resp.StatusCode, body)
	}
	if want := `{"code":"P0001","details":null,"hint":null,"message":"row 50000 is cursed"}`; string(body) != want {
		t.Errorf("body %s, want %s", body, want)
	}
	if resp.Header.Get("Content-Range") != "" {
		t.Errorf("error response has Content-Range %q", resp.Header.Get("Content-Range"))
	}
}

// TestStreamBrokenMidway: when the database connection dies after the
// body began, the client gets a chunked body without its last chunk (a
// read error), never a clean end; the server's one pooled connection is
// replaced, so the next request is served.
func TestStreamBrokenMidway(t *testing.T) {
	base, uri := streamServer(t, bigItems, "PGRST_DB_POOL=1")
	resp, err := http.Get(base + "/items?order=id")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != -1 {
		t.Fatalf("status %d, Content-Length %d, want a streamed 200", resp.StatusCode, resp.ContentLength)
	}
	r := bufio.NewReader(resp.Body)
	if b, err := r.Peek(1); err != nil || b[0] != '[' {
		t.Fatalf("first byte %q, %v", b, err)
	}
	// The client reads no more, so the server blocks on its writes and
	// PostgreSQL on sending the rest: the statement is still running.
	admin, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	for terminated := false; !terminated; {
		if err := admin.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity
			WHERE usename = 'authenticator' AND state = 'active' AND query LIKE '%UNION ALL SELECT NULL, NULL, row_to_json%'`).Scan(&terminated); err != nil {
			t.Fatal(err)
		}
		if !terminated {
			time.Sleep(10 * time.Millisecond) // pg_stat_activity lags the backend a little
		}
	}
	body, err := io.ReadAll(r)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading the rest: %v after %d bytes, want unexpected EOF", err, len(body))
	}
	if bytes.HasSuffix(body, []byte("]")) {
		t.Errorf("the broken body ends like a whole one")
	}
	// The pool's only connection was replaced.
	if resp, body := get(t, base+"/items?id=eq.1&select=id"); resp.StatusCode != http.StatusOK || string(body) != `[{"id":1}]` {
		t.Errorf("next request: %d %s", resp.StatusCode, body)
	}
}

// TestStreamClientGone: a client that stops reading and closes its
// connection mid-body releases the server's connection.
func TestStreamClientGone(t *testing.T) {
	base, _ := streamServer(t, bigItems, "PGRST_DB_POOL=1")
	resp, err := http.Get(base + "/items?order=id")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // closes the connection: the body was not read to its end
	if resp, body := get(t, base+"/items?id=eq.1&select=id"); resp.StatusCode != http.StatusOK || string(body) != `[{"id":1}]` {
		t.Errorf("next request: %d %s", resp.StatusCode, body)
	}
}
