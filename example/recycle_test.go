package main

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
)

// TestConcurrentRequestsKeepTheirOwn: requests of different shapes, at
// once on one server, each get the answer they get alone. The server
// recycles parsers, plans, statement buffers, bind values and settings
// from one request to the next; this holds that none of it mixes two
// requests (run it with -race too).
func TestConcurrentRequestsKeepTheirOwn(t *testing.T) {
	uri := env.NewDatabase(t, template)
	srv := e2e.Serve(t, db.Schema(), db.Register,
		"PGRST_DB_URI="+e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET="+jwtSecret)
	type request struct{ method, path, body string }
	requests := []request{
		{"GET", "/books?select=id,title&id=eq.1", ""},
		{"GET", "/books?select=id,title,price&order=id.desc&limit=3", ""},
		{"GET", "/books?id=in.(1,2,3)&select=id&order=id", ""},
		{"GET", "/authors?select=name,books(title,format)&books.order=title&id=lt.3&order=id", ""},
		{"GET", "/rpc/books_by_author?author_name=Le%20Guin&select=title&order=title", ""},
		{"POST", "/rpc/average_price", `{"min_year": 1970}`},
		{"GET", "/genres?select=id&id=eq.10", ""},
		{"GET", "/reviews?stars=eq.5&select=id&order=id", ""},
	}
	send := func(r request) (string, error) {
		req, err := http.NewRequest(r.method, srv.URL+r.path, strings.NewReader(r.body))
		if err != nil {
			return "", err
		}
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
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
