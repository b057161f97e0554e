package plan_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// recycleQueries are reads of books, large and small plans in turn, so
// that a recycled store is reused by plans both larger and smaller than
// the one before.
var recycleQueries = []string{
	"select=id,title,authors(id,name)&authors.name=eq.x&title=like.*a*&or=(id.eq.1,id.eq.2,and(id.gt.3,title.is.null))&order=title.desc,id&authors.order=name",
	"",
	"select=id,title&id=eq.1&order=title.desc",
	"select=*",
	"id=in.(1,2)&title=is.null&order=id.asc.nullsfirst,title&limit=5&offset=1",
	"select=nope",
	"select=id,authors(*)&authors=not.is.null&id=not.eq.4",
	"select=id",
	"order=nope",
	"select=title,author:authors(name)&author.name=neq.y&title=eq.z&order=author(name)",
}

// TestPlansRecycle: reads planned in recycled storage, one after the other
// and each released before the next, render the same statement, warning
// and stream choice as reads planned in new storage, or the same error.
func TestPlansRecycle(t *testing.T) {
	rels := writeFixture()
	books := rels.ByName["books"]["public"]
	var ps plan.Plans
	for round := 0; round < 3; round++ {
		for _, raw := range recycleQueries {
			q, err := query.ParseRaw(raw)
			if err != nil {
				t.Fatalf("%q: %v", raw, err)
			}
			o := plan.ReadOptions{Media: request.MediaJSON, Method: "GET", Count: "exact"}
			want, wantErr := plan.PlanRead(books, q, rels, o)
			got, lease, gotErr := ps.Read(books, q, rels, o)
			if d := cmp.Diff(wantErr, gotErr); d != "" {
				t.Errorf("%q: error (-new +recycled):\n%s", raw, d)
			}
			if want != nil && got != nil {
				if d := cmp.Diff(sqlgen.Read(want), sqlgen.Read(got)); d != "" {
					t.Errorf("%q: statement (-new +recycled):\n%s", raw, d)
				}
				if want.Warning != got.Warning || want.Stream != got.Stream {
					t.Errorf("%q: warning %q stream %v, new storage's %q %v", raw, got.Warning, got.Stream, want.Warning, want.Stream)
				}
			} else if (want == nil) != (got == nil) {
				t.Errorf("%q: plan %v, new storage's %v", raw, got, want)
			}
			ps.Release(lease)
		}
	}
	ps.Release(plan.Lease{}) // a zero lease is ignored
}

// TestPlansAllocate: a recycled plan allocates less than a new one for a
// page read with filters and an order.
func TestPlansAllocate(t *testing.T) {
	rels := writeFixture()
	books := rels.ByName["books"]["public"]
	q, err := query.ParseRaw("select=id,title,author_id&id=gt.1&title=like.*a*&order=title.desc&limit=25")
	if err != nil {
		t.Fatal(err)
	}
	o := plan.ReadOptions{Media: request.MediaJSON, Method: "GET"}
	fresh := testing.AllocsPerRun(100, func() {
		if _, aerr := plan.PlanRead(books, q, rels, o); aerr != nil {
			t.Fatal(aerr)
		}
	})
	var ps plan.Plans
	recycled := testing.AllocsPerRun(100, func() {
		_, lease, aerr := ps.Read(books, q, rels, o)
		if aerr != nil {
			t.Fatal(aerr)
		}
		ps.Release(lease)
	})
	// A new planner makes five (itself and its arrays of items,
	// conditions, filters and orders), a recycled one none; -race's
	// sync.Pool drops some of what it is given, hence the margin.
	if recycled > fresh-3 {
		t.Errorf("recycled plan: %.1f allocations, new: %.1f; want at least 3 fewer", recycled, fresh)
	}
	t.Logf("allocations: new %.1f, recycled %.1f", fresh, recycled)
}

// TestPlansRecycleWrites: writes planned in recycled storage, each released
// before the next, render the statement writes planned in new storage do.
func TestPlansRecycleWrites(t *testing.T) {
	rels := writeFixture()
	writes := []write{
		{rel: "books", method: "POST", query: "select=id,title,authors(name)", keys: []string{"title", "author_id"}, ret: "representation"},
		{rel: "notes", method: "POST", keys: []string{"body"}},
		{rel: "books", method: "PATCH", query: "id=eq.1&title=like.*x*", keys: []string{"title"}, ret: "representation"},
		{rel: "enrolments", method: "PUT", query: "course=eq.math&student=eq.7", keys: []string{"grade", "student", "course"}},
		{rel: "books", method: "DELETE", query: "id=gt.5", ret: "representation"},
		{rel: "books", method: "POST", query: "select=zzz", keys: []string{"title"}, ret: "representation"},
	}
	var ps plan.Plans
	for round := 0; round < 3; round++ {
		for _, w := range writes {
			mt, q, o, aerr := writeTarget(t, rels, w)
			if aerr != nil {
				t.Fatal(aerr)
			}
			want, wantErr := plan.PlanMutate(mt, q, rels, o)
			got, lease, gotErr := ps.Mutate(mt, q, rels, o)
			if d := cmp.Diff(wantErr, gotErr); d != "" {
				t.Errorf("%+v: error (-new +recycled):\n%s", w, d)
			}
			if want != nil && got != nil {
				wantSQL, wantArgs := sqlgen.Mutate(want)
				gotSQL, gotArgs := sqlgen.Mutate(got)
				if gotSQL != wantSQL || len(gotArgs) != len(wantArgs) || got.Warning != want.Warning {
					t.Errorf("%+v: recycled\n%s %v\nnew\n%s %v", w, gotSQL, gotArgs, wantSQL, wantArgs)
				}
			}
			ps.Release(lease)
		}
	}
}
