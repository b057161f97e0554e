package main

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
)

// TestConcurrentRequestsKeepTheirOwn: requests of different shapes, at
// once on one server, each get the answer they get alone. The server
// recycles parsers, plans, statement buffers, bind values, settings and
// result bodies from one request to the next; this holds that none of it
// mixes two requests (run it with -race too). With a pool of one
// connection, the reads wait for their turn and ride in each other's
// pipelines (runtime/exec's riding), the write among them alone.
func TestConcurrentRequestsKeepTheirOwn(t *testing.T) {
	t.Run("pool", func(t *testing.T) { keepTheirOwn(t) })
	t.Run("riding", func(t *testing.T) { keepTheirOwn(t, "PGRST_DB_POOL=1") })
}

func keepTheirOwn(t *testing.T, environ ...string) {
	uri := env.NewDatabase(t, template)
	srv := e2e.Serve(t, db.Schema(), db.Register, append([]string{
		"PGRST_DB_URI=" + e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET=" + jwtSecret}, environ...)...)
	// A write as web_user: it sets what is already there, so its answer
	// is the same each time.
	writer := map[string]string{"Prefer": "return=representation",
		"Authorization": "Bearer " + e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "web_user", "member": 1})}
	type request struct {
		method, path, body string
		header             map[string]string
	}
	requests := []request{
		{"GET", "/books?select=id,title&id=eq.1", "", nil},
		{"GET", "/books?select=id,title,price&order=id.desc&limit=3", "", nil},
		{"GET", "/books?id=in.(1,2,3)&select=id&order=id", "", nil},
		{"GET", "/authors?select=name,books(title,format)&books.order=title&id=lt.3&order=id", "", nil},
		{"GET", "/rpc/books_by_author?author_name=Le%20Guin&select=title&order=title", "", nil},
		{"POST", "/rpc/average_price", `{"min_year": 1970}`, nil},
		{"GET", "/genres?select=id&id=eq.10", "", nil},
		{"GET", "/reviews?stars=eq.5&select=id&order=id", "", nil},
		{"PATCH", "/reviews?id=eq.2&select=id,stars", `{"stars": 4}`, writer},
	}
	send := func(r request) (string, error) {
		req, err := http.NewRequest(r.method, srv.URL+r.path, strings.NewReader(r.body))
		if err != nil {
			return "", err
		}
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range r.header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res.Status + " " + res.Header.Get("Content-Location") + " " + string(b), err
	}
	want := make([]string, len(requests))
	for i, r := range requests {
		got, err := send(r)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(got, "200 ") {
			t.Fatalf("%s %s alone: %s", r.method, r.path, got)
		}
		want[i] = got
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 40 {
				i := (g + n) % len(requests)
				got, err := send(requests[i])
				if err != nil || got != want[i] {
					errs <- requests[i].path + ": " + got
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("answered differently under concurrency: %s", e)
	}
}
