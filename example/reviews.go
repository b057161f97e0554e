package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/runtime"
	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// server is the library API with one route of its own: POST /reviews checks
// the stars in Go before any SQL runs. Every other route is the generated one.
type server struct{ *db.API }

// register is serve.Options.Register: the generated routes, served by server.
func register(r runtime.Router, srv *runtime.Server) {
	db.RegisterHandlers(r, server{db.NewAPI(srv)}, db.RegisterOptions{})
}

// PostReviews answers a review whose stars are outside 1..5 with a 400 in
// PostgREST's error shape, naming the rule, rather than PostgreSQL's check
// violation; any other body goes on to the generated route unchanged (the
// runtime answers malformed ones as PostgREST does).
func (s server) PostReviews(c echo.Context) error {
	req := c.Request()
	if ct := req.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return s.API.PostReviews(c)
		}
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return fmt.Errorf("read the review: %w", err)
	}
	// The generated route reads the body again.
	req.Body = io.NopCloser(bytes.NewReader(body))
	if stars, bad := starsOutOfRange(body); bad {
		return apierr.New(http.StatusBadRequest, "23514", "A review has 1 to 5 stars",
			fmt.Sprintf("The body has %s stars", stars), "Send stars between 1 and 5")
	}
	return s.API.PostReviews(c)
}

// starsOutOfRange finds the first stars value outside 1..5 in a JSON body
// of one review or an array of them. Bodies it cannot read are left to the
// runtime.
func starsOutOfRange(body []byte) (json.Number, bool) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '{' {
		body = append(append([]byte{'['}, body...), ']')
	}
	var rows []map[string]json.RawMessage
	if json.Unmarshal(body, &rows) != nil {
		return "", false
	}
	for _, row := range rows {
		var stars *json.Number
		if json.Unmarshal(row[db.ReviewsColStars], &stars) != nil || stars == nil {
			continue
		}
		if n, err := stars.Float64(); err == nil && (n < 1 || n > 5) {
			return *stars, true
		}
	}
	return "", false
}
