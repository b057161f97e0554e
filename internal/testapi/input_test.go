package testapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/testapi/db"
)

// TestInvalidUTF8BodiesAreRefused: a CSV or form-urlencoded body that is not
// UTF-8 is refused with PostgreSQL's 22021, as a JSON body with the same
// bytes is, whether it inserts into a table or calls a function, and nothing
// is written; before, the bad bytes were stored as U+FFFD.
func TestInvalidUTF8BodiesAreRefused(t *testing.T) {
	s := suite(t)
	srv := e2e.Serve(t, db.Schema(), db.Register,
		append([]string{"PGRST_DB_URI=" + e2e.AsAuthenticator(env.NewDatabase(t, template))}, s.Environ...)...)
	post := func(path, contentType, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	invalid := func(bytes string) string {
		return `{"code":"22021","details":null,"hint":null,"message":"invalid byte sequence for encoding \"UTF8\": ` + bytes + `"}`
	}
	for _, c := range []struct {
		name, path, contentType, body string
		status                        int
		want                          string
	}{
		{"JSON to a table (PostgreSQL's own answer)", "/call_log", "application/json", "{\"msg\":\"bad \xff\"}", 400, invalid("0xff")},
		{"CSV to a table", "/call_log", "text/csv", "msg\nbad \xff byte\n", 400, invalid("0xff")},
		{"CSV to a table, in the header", "/call_log", "text/csv", "m\xc3\x28sg\nfine\n", 400, invalid("0xc3 0x28")},
		{"CSV to a table, a later row", "/call_log", "text/csv", "msg\nfine\ncut \xe2\x82", 400, invalid("0xe2 0x82")},
		{"CSV to a function", "/rpc/log_call", "text/csv", "msg\nbad \xff byte\n", 400, invalid("0xff")},
		{"form to a table", "/call_log", "application/x-www-form-urlencoded", "msg=bad%FF", 400, invalid("0xff")},
		{"form to a table, in a key", "/call_log", "application/x-www-form-urlencoded", "m%C3%28sg=x", 400, invalid("0xc3 0x28")},
		{"form halves that join into UTF-8", "/call_log", "application/x-www-form-urlencoded", "msg%C3=%A9", 400, invalid("0xc3")},
		{"form to a function", "/rpc/log_call", "application/x-www-form-urlencoded", "msg=%E9t%E9", 400, invalid("0xe9 0x74 0xe9")},
		{"form raw bytes to a function", "/rpc/log_call", "application/x-www-form-urlencoded", "msg=\xff", 400, invalid("0xff")},
	} {
		status, body := post(c.path, c.contentType, c.body)
		if status != c.status || body != c.want {
			t.Errorf("%s: %d %s; want %d %s", c.name, status, body, c.status, c.want)
		}
	}
	// Nothing above was written; valid UTF-8, U+FFFD included, still is.
	for _, c := range []struct{ path, contentType, body string }{
		{"/call_log", "text/csv", "msg\ncsv caf\u00e9 \uFFFD\n"},
		{"/rpc/log_call", "text/csv", "msg\nrpc csv \u2603\n"},
		{"/call_log", "application/x-www-form-urlencoded", "msg=form%20caf%C3%A9"},
		{"/rpc/log_call", "application/x-www-form-urlencoded", "msg=rpc+form+%E2%98%83"},
	} {
		if status, body := post(c.path, c.contentType, c.body); status/100 != 2 {
			t.Errorf("%s %s: %d %s", c.path, c.contentType, status, body)
		}
	}
	resp, err := http.Get(srv.URL + "/call_log?select=msg&order=id")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{{"msg": "csv caf\u00e9 \uFFFD"}, {"msg": "rpc csv \u2603"}, {"msg": "form caf\u00e9"}, {"msg": "rpc form \u2603"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("call_log (-want +got):\n%s", d)
	}
}
