package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
)

// RowSource is where a relation's rows are read from: the API, and the
// database directly.
type RowSource struct {
	Base, Token string
	Conn        *pgx.Conn
}

// RowsMatch reads every row of rel through the API and decodes it into T,
// refusing unknown keys, then reads the same rows from the database as
// PostgreSQL's own JSON of them, decoded the same way, and compares.
func RowsMatch[T any](ctx context.Context, src RowSource, rel *contract.Relation) error {
	order := rel.PrimaryKey
	if len(order) == 0 {
		order = []string{rel.Columns[0].Name}
	}
	target := src.Base + "/" + url.PathEscape(rel.Name) + "?order=" + strings.Join(order, ",")
	if slices.ContainsFunc(rel.MediaHandlers, func(h contract.MediaHandler) bool { return h.MediaType == "*/*" }) {
		// A relation's "*/*" handler answers every Accept when the default
		// columns are selected; naming them all gets the built-in JSON.
		var cols []string
		for _, c := range rel.Columns {
			cols = append(cols, url.QueryEscape(c.Name))
		}
		target += "&select=" + strings.Join(cols, ",")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+src.Token)
	req.Header.Set("Accept-Profile", rel.Schema)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", rel.Name, resp.StatusCode, body)
	}
	api, err := decodeRows[T](body)
	if err != nil {
		return fmt.Errorf("the API's rows do not decode into %T: %w\n%s", *new(T), err, body)
	}
	var quoted []string
	for _, c := range order {
		quoted = append(quoted, pgx.Identifier{c}.Sanitize())
	}
	var dbJSON []byte
	q := fmt.Sprintf("SELECT coalesce(json_agg(t ORDER BY %s), '[]') FROM %s t", strings.Join(quoted, ", "), rel.SQLName)
	if rel.OutputStar != "" {
		// Columns with a domain representation are compared as formatted,
		// rows ordered by the stored values.
		for i := range quoted {
			quoted[i] = "r." + quoted[i]
		}
		q = fmt.Sprintf("SELECT coalesce(json_agg(t ORDER BY %s), '[]') FROM %s r, LATERAL (SELECT %s) t",
			strings.Join(quoted, ", "), rel.SQLName, rel.OutputStar)
	}
	if err := src.Conn.QueryRow(ctx, q).Scan(&dbJSON); err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	want, err := decodeRows[T](dbJSON)
	if err != nil {
		return fmt.Errorf("the database's rows do not decode into %T: %w", *new(T), err)
	}
	if len(want) == 0 {
		return fmt.Errorf("%s has no rows to compare", rel.Name)
	}
	// time.Time compares by instant: PostgREST and the session may render
	// another zone.
	if d := cmp.Diff(want, api, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
		return fmt.Errorf("rows differ (-database +API):\n%s", d)
	}
	return nil
}

func decodeRows[T any](body []byte) ([]T, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var rows []T
	err := dec.Decode(&rows)
	return rows, err
}

// RowCheck is RowsMatch for one row type.
type RowCheck func(context.Context, RowSource, *contract.Relation) error
