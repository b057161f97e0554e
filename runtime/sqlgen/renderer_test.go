package sqlgen

import (
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/plan"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// rendererReads are reads of one relation, long and short in turn, so that
// a recycled buffer is reused by statements both longer and shorter than
// the one before.
var rendererReads = []string{
	"select=id,title,year&title=like.*a*&or=(id.eq.1,id.eq.2)&order=title.desc,id&limit=25",
	"id=eq.1",
	"select=title",
	"select=id,title,year,id,title,year&id=gt.1&year=lt.2000&title=neq.x&order=year.asc.nullsfirst&limit=5&offset=10",
	"",
}

func rendererPlan(t *testing.T, raw string) *plan.Read {
	t.Helper()
	col := func(name, typ string) contract.Column {
		return contract.Column{Name: name, SQLName: `"` + name + `"`, Type: typ}
	}
	films := &contract.Relation{Schema: "api", Name: "films", Kind: "table", SQLName: `"api"."films"`,
		SelectStar: `"id", "title", "year"`,
		Columns:    []contract.Column{col("id", "integer"), col("title", "text"), col("year", "integer")},
		PrimaryKey: []string{"id"}}
	q, err := query.ParseRaw(raw)
	if err != nil {
		t.Fatal(err)
	}
	r, aerr := plan.PlanRead(films, q, nil, plan.ReadOptions{Media: request.MediaJSON, Method: "GET"})
	if aerr != nil {
		t.Fatal(aerr)
	}
	return r
}

// TestRendererRead: a Renderer renders the package's statements, reusing
// its buffers, and hands out one string per text.
func TestRendererRead(t *testing.T) {
	var rd Renderer
	first := map[string]string{}
	for round := 0; round < 3; round++ {
		for _, raw := range rendererReads {
			r := rendererPlan(t, raw)
			want, got := Read(r), rd.Read(&Args{}, r)
			if got.SQL != want.SQL || len(got.Args) != len(want.Args) {
				t.Fatalf("%q: renderer's\n%s %v\npackage's\n%s %v", raw, got.SQL, got.Args, want.SQL, want.Args)
			}
			if s, ok := first[raw]; ok && unsafe.StringData(s) != unsafe.StringData(got.SQL) {
				t.Errorf("%q: round %d made a new string for a text seen before", raw, round)
			}
			first[raw] = got.SQL
		}
	}
	r := rendererPlan(t, rendererReads[0])
	var a Args
	rd.Read(&a, r)
	if n := testing.AllocsPerRun(100, func() { a = Args{}; rd.Read(&a, r) }); n >= testing.AllocsPerRun(100, func() { Read(r) }) {
		t.Errorf("renderer: %.0f allocations, no fewer than the package's Read", n)
	}
}

// TestRendererBound: distinct texts past maxTextBytes start the interned
// set over; every text stays right.
func TestRendererBound(t *testing.T) {
	var rd Renderer
	pad := strings.Repeat("x", 4000)
	for i := 0; i < 2*maxTextBytes/len(pad); i++ {
		w := rd.buffer()
		w.WriteString(strconv.Itoa(i))
		w.WriteString(pad)
		if got := rd.text(w); got != strconv.Itoa(i)+pad {
			t.Fatalf("text %d: %.20q…", i, got)
		}
		if rd.size > maxTextBytes {
			t.Fatalf("text %d: %d bytes interned, past %d", i, rd.size, maxTextBytes)
		}
	}
	if len(rd.texts) == 0 || len(rd.texts) >= 2*maxTextBytes/len(pad) {
		t.Errorf("%d texts interned after starting over", len(rd.texts))
	}
	// A statement past a quarter of the bound is neither kept nor clears
	// the set to make room.
	n := len(rd.texts)
	w := rd.buffer()
	w.WriteString(strings.Repeat("y", maxTextBytes/4+1))
	if got := rd.text(w); len(got) != maxTextBytes/4+1 || len(rd.texts) != n {
		t.Errorf("huge text: %d bytes back, %d texts kept, want %d", len(got), len(rd.texts), n)
	}
}

// TestRendererConcurrent: goroutines sharing a Renderer get their own
// statements (run it with -race).
func TestRendererConcurrent(t *testing.T) {
	var rd Renderer
	plans := make([]*plan.Read, len(rendererReads))
	wants := make([]string, len(rendererReads))
	for i, raw := range rendererReads {
		plans[i] = rendererPlan(t, raw)
		wants[i] = Read(plans[i]).SQL
	}
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for n := 0; n < 200; n++ {
				i := (g + n) % len(plans)
				if got := rd.Read(&Args{}, plans[i]).SQL; got != wants[i] {
					errs <- got
					return
				}
			}
			errs <- ""
		}()
	}
	for g := 0; g < 8; g++ {
		if got := <-errs; got != "" {
			t.Errorf("a goroutine got %q", got)
		}
	}
}
