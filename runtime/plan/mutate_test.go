package plan_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// writeFixture is books (serial key) with a to-one embed of authors,
// enrolments (a two-column key) and notes (no key).
func writeFixture() *plan.Relations {
	col := func(name, typ string) contract.Column {
		return contract.Column{Name: name, SQLName: `"` + name + `"`, Type: typ}
	}
	books := &contract.Relation{Schema: "public", Name: "books", Kind: "table", SQLName: `"public"."books"`,
		SelectStar: `"id", "title", "author_id"`,
		Columns:    []contract.Column{col("id", "integer"), col("title", "text"), col("author_id", "integer")},
		PrimaryKey: []string{"id"},
		Relationships: []contract.Relationship{{Target: "authors", Cardinality: contract.ManyToOne,
			Constraint: "books_author_id_fkey", Columns: []contract.ColumnPair{{From: "author_id", To: "id"}}, ToOne: true}},
	}
	authors := &contract.Relation{Schema: "public", Name: "authors", Kind: "table", SQLName: `"public"."authors"`,
		SelectStar: `"id", "name"`, Columns: []contract.Column{col("id", "integer"), col("name", "text")},
		PrimaryKey: []string{"id"}}
	enrolments := &contract.Relation{Schema: "public", Name: "enrolments", Kind: "table", SQLName: `"public"."enrolments"`,
		SelectStar: `"student", "course", "grade"`,
		Columns:    []contract.Column{col("student", "integer"), col("course", "text"), col("grade", "text")},
		PrimaryKey: []string{"student", "course"}}
	notes := &contract.Relation{Schema: "public", Name: "notes", Kind: "table", SQLName: `"public"."notes"`,
		SelectStar: `"body"`, Columns: []contract.Column{col("body", "text")}}
	byName := map[string]map[string]*contract.Relation{}
	for _, r := range []*contract.Relation{books, authors, enrolments, notes} {
		byName[r.Name] = map[string]*contract.Relation{"public": r}
	}
	return &plan.Relations{Schema: "public", ByName: byName}
}

// write is one write request as the plan sees it.
type write struct {
	rel, method, query string
	resolution         string
	onConflict         []string
	keys               []string // the body's keys; nil for DELETE
	ret                string   // Prefer: return=
}

// planWrite runs both plan steps as the handler does, with the body's
// keys in place of reading it.
func planWrite(t *testing.T, w write) (*plan.Mutate, string) {
	t.Helper()
	rels := writeFixture()
	mt, q, o, aerr := writeTarget(t, rels, w)
	if aerr != nil {
		return nil, aerr.Code + " " + aerr.Message
	}
	m, aerr := plan.PlanMutate(mt, q, rels, o)
	if aerr != nil {
		return nil, aerr.Code + " " + aerr.Message
	}
	return m, ""
}

// writeTarget is the first plan step of w, with what the second takes.
func writeTarget(t *testing.T, rels *plan.Relations, w write) (*plan.MutateTarget, *query.Request, plan.MutateOptions, *apierr.Error) {
	t.Helper()
	q, err := query.ParseRaw(w.query)
	if err != nil {
		t.Fatal(err)
	}
	mt, aerr := plan.PlanMutateTarget(rels.ByName[w.rel]["public"], q, w.method, w.resolution, w.onConflict)
	var p *request.Payload
	if w.keys != nil {
		p = &request.Payload{JSON: []byte("{}"), Columns: w.keys, Object: true}
	}
	return mt, q, plan.MutateOptions{Payload: p, Prefs: request.Preferences{Return: w.ret, Resolution: w.resolution},
		Media: request.MediaJSON}, aerr
}

// TestPlanMutateErrorOrder: each request has several faults; the one
// reported is the first in the handler's order before the split: conflict
// columns, PUT's key, the body's columns, the filters, the representation.
func TestPlanMutateErrorOrder(t *testing.T) {
	put, post, patch, del := http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete
	for _, c := range []struct {
		name string
		w    write
		want string
	}{
		{"conflict column before everything", write{rel: "books", method: post, query: "nope=eq.1&select=zzz",
			resolution: "merge-duplicates", onConflict: []string{"nope"}, keys: []string{"nah"}, ret: "representation"},
			"42703 column books.nope does not exist"},
		{"PUT's conflict column before its key", write{rel: "books", method: put, query: "id=gt.1", onConflict: []string{"nope"}, keys: []string{"id"}},
			"42703 column books.nope does not exist"},
		{"PUT's key before the body's columns", write{rel: "books", method: put, query: "id=gt.1", keys: []string{"nah"}},
			"PGRST105 Filters must include all and only primary key columns with 'eq' operators"},
		{"PUT's key: a filter besides the key", write{rel: "books", method: put, query: "id=eq.1&title=eq.x", keys: []string{"id"}},
			"PGRST105 Filters must include all and only primary key columns with 'eq' operators"},
		{"PUT's key: the key twice", write{rel: "enrolments", method: put, query: "student=eq.1&student=eq.2", keys: []string{"student"}},
			"PGRST105 Filters must include all and only primary key columns with 'eq' operators"},
		{"PUT's key: no primary key", write{rel: "notes", method: put, query: "", keys: []string{"body"}},
			"PGRST105 Filters must include all and only primary key columns with 'eq' operators"},
		{"the body's columns before the filters", write{rel: "books", method: patch, query: "nope=eq.1", keys: []string{"nah"}},
			"PGRST204 Could not find the 'nah' column of 'books' in the schema cache"},
		{"the filters before the representation", write{rel: "books", method: patch, query: "nope=eq.1&select=zzz", keys: []string{"title"}, ret: "representation"},
			"42703 column books.nope does not exist"},
		{"DELETE's filters before the representation", write{rel: "books", method: del, query: "nope=eq.1&select=zzz", ret: "representation"},
			"42703 column books.nope does not exist"},
		{"the representation's select", write{rel: "books", method: post, query: "select=zzz", keys: []string{"title"}, ret: "representation"},
			"42703 column books.zzz does not exist"},
		{"the representation's embed", write{rel: "books", method: post, query: "select=title,nope(*)", keys: []string{"title"}, ret: "representation"},
			"PGRST200 Could not find a relationship between 'books' and 'nope' in the schema cache"},
		{"no representation, no check of select", write{rel: "books", method: post, query: "select=zzz", keys: []string{"title"}}, ""},
		{"PATCH with nothing to set checks no filter", write{rel: "books", method: patch, query: "nope=eq.1", keys: []string{}}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, got := planWrite(t, c.w); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestPlanMutate(t *testing.T) {
	t.Run("PUT upserts on the key, key values in key order", func(t *testing.T) {
		m, e := planWrite(t, write{rel: "enrolments", method: http.MethodPut, query: "course=eq.math&student=eq.7", keys: []string{"grade"}})
		if e != "" {
			t.Fatal(e)
		}
		if m.Resolution != "merge-duplicates" || !slices.Equal(m.Conflict, []string{"student", "course"}) ||
			!slices.Equal(m.Key, []string{"7", "math"}) || !m.Counts() {
			t.Errorf("got resolution %q, conflict %q, key %q, counts %v", m.Resolution, m.Conflict, m.Key, m.Counts())
		}
	})
	t.Run("on_conflict replaces the primary key", func(t *testing.T) {
		m, e := planWrite(t, write{rel: "books", method: http.MethodPost, resolution: "ignore-duplicates", onConflict: []string{"title"}, keys: []string{"title"}})
		if e != "" {
			t.Fatal(e)
		}
		if m.Resolution != "ignore-duplicates" || !slices.Equal(m.Conflict, []string{"title"}) {
			t.Errorf("got resolution %q, conflict %q", m.Resolution, m.Conflict)
		}
	})
	t.Run("no conflict target, no upsert", func(t *testing.T) {
		m, e := planWrite(t, write{rel: "notes", method: http.MethodPost, resolution: "merge-duplicates", keys: []string{"body"}})
		if e != "" {
			t.Fatal(e)
		}
		if m.Resolution != "" || m.Counts() {
			t.Errorf("got resolution %q, counts %v", m.Resolution, m.Counts())
		}
	})
	t.Run("PATCH filters are qualified, DELETE's are not", func(t *testing.T) {
		m, e := planWrite(t, write{rel: "books", method: http.MethodPatch, query: "id=eq.1", keys: []string{"title"}})
		if e != "" {
			t.Fatal(e)
		}
		if m.Where == nil || !m.Where.Qualified || m.Noop() {
			t.Errorf("PATCH: where %+v, noop %v", m.Where, m.Noop())
		}
		m, e = planWrite(t, write{rel: "books", method: http.MethodDelete, query: "id=eq.1"})
		if e != "" {
			t.Fatal(e)
		}
		if m.Where == nil || m.Where.Qualified {
			t.Errorf("DELETE: where %+v", m.Where)
		}
	})
	t.Run("PATCH with nothing to set is a no-op", func(t *testing.T) {
		m, e := planWrite(t, write{rel: "books", method: http.MethodPatch, query: "id=eq.1", keys: []string{}})
		if e != "" {
			t.Fatal(e)
		}
		if !m.Noop() || m.Where != nil {
			t.Errorf("noop %v, where %+v", m.Noop(), m.Where)
		}
	})
	t.Run("representation with an embed", func(t *testing.T) {
		m, e := planWrite(t, write{rel: "books", method: http.MethodPost, query: "select=title,authors(name)", keys: []string{"title"}, ret: "representation"})
		if e != "" {
			t.Fatal(e)
		}
		if m.Representation == nil || len(m.Representation.Embeds) != 1 || m.Representation.Alias != `"books"` {
			t.Errorf("representation %+v", m.Representation)
		}
	})
}
