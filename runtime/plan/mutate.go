package plan

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// MutateTarget is what a write's plan checks before the body is read, as
// PostgREST's order of errors has it: the upsert's conflict target and
// PUT's key.
type MutateTarget struct {
	Rel    *contract.Relation
	Method string
	// Conflict and Resolution make an insert an upsert: ON CONFLICT (the
	// columns) DO UPDATE (merge-duplicates) or DO NOTHING.
	Conflict   []string
	Resolution string
	// Key is PUT's primary-key values from the URL, in key order.
	Key []string
}

// Mutate is a planned write on a relation: POST (insert or upsert), PUT
// (upsert of one row by its key), PATCH (update) or DELETE.
type Mutate struct {
	MutateTarget
	// Payload and Columns are the body and the columns its keys name
	// (POST, PUT, PATCH); Defaults fills missing columns with their
	// defaults (Prefer: missing=default).
	Payload  *request.Payload
	Columns  []*contract.Column
	Defaults bool
	// Where filters the rows a PATCH or DELETE changes.
	Where *Scope
	// Return is Prefer: return= (representation, headers-only, or "" for
	// minimal); Representation shapes the returned rows by select= and
	// order=, with its Warning header.
	Return         string
	Representation *Scope
	Warning        string
	Media          request.Media
	// Handler and GeoJSON render a representation as Read's do.
	Handler *contract.MediaHandler
	GeoJSON string
}

// Counts says whether the statement counts the rows an upsert inserted.
func (m *Mutate) Counts() bool { return m.Resolution != "" }

// Noop is a PATCH with nothing to set: an empty result, as PostgREST
// answers, with no mutation.
func (m *Mutate) Noop() bool { return m.Method == http.MethodPatch && len(m.Columns) == 0 }

// PlanMutateTarget checks the upsert's conflict columns (42703), then PUT's
// key filters (PGRST105). resolution is Prefer: resolution=; onConflict the
// on_conflict= list (nil without one). An upsert needs a conflict target:
// on_conflict=, else the primary key (PUT always upserts on the key);
// without one, the resolution is ignored.
func PlanMutateTarget(rel *contract.Relation, q *query.Request, method, resolution string, onConflict []string) (*MutateTarget, *apierr.Error) {
	t := &MutateTarget{Rel: rel, Method: method, Resolution: resolution}
	if method == http.MethodPut {
		t.Resolution = "merge-duplicates"
	}
	if t.Resolution != "" {
		t.Conflict = rel.PrimaryKey
		if onConflict != nil {
			t.Conflict = onConflict
		}
		for _, name := range t.Conflict {
			if rel.Column(name) == nil {
				return nil, UndefinedColumn(rel, name)
			}
		}
		if len(t.Conflict) == 0 {
			t.Resolution = ""
		}
	}
	if method == http.MethodPut {
		key, aerr := putKey(rel, q)
		if aerr != nil {
			return nil, aerr
		}
		t.Key = key
	}
	return t, nil
}

// MutateOptions are what a write's plan takes from the request besides its
// target and query: the body (already read; nil for DELETE), the
// preferences, the negotiated media type.
type MutateOptions struct {
	Payload *request.Payload
	Prefs   request.Preferences
	Media   request.Media
	Handler *contract.MediaHandler
	GeoJSON string
}

// PlanMutate completes a write's plan once its body is read, continuing
// PlanMutateTarget's checks in PostgREST's order: the body's columns
// (PGRST204), the filters, then the representation's select and order
// (with its embeds).
func PlanMutate(t *MutateTarget, q *query.Request, rels *Relations, o MutateOptions) (*Mutate, *apierr.Error) {
	return planMutate(&planner{rels: rels}, t, q, o)
}

func planMutate(p *planner, t *MutateTarget, q *query.Request, o MutateOptions) (*Mutate, *apierr.Error) {
	m := &p.mutate
	*m = Mutate{MutateTarget: *t, Payload: o.Payload, Defaults: o.Prefs.Missing == "default",
		Return: o.Prefs.Return, Media: o.Media, Handler: o.Handler, GeoJSON: o.GeoJSON}
	rel := t.Rel
	if o.Payload != nil {
		cols, aerr := p.payloadColumns(rel, o.Payload.Columns)
		if aerr != nil {
			return nil, aerr
		}
		m.Columns = cols
	}
	if (m.Method == http.MethodPatch && len(m.Columns) > 0) || m.Method == http.MethodDelete {
		// Qualified in an UPDATE: its body rows have the same column names.
		where, aerr := Where(rel, q.Where, m.Method == http.MethodPatch)
		if aerr != nil {
			return nil, aerr
		}
		m.Where = where
	}
	if m.Return == "representation" {
		rep, warning, aerr := p.returning(rel, q)
		if aerr != nil {
			return nil, aerr
		}
		m.Representation, m.Warning = rep, warning
	}
	return m, nil
}

// putKey checks PUT's filters (F-UPSERT-06): exactly one eq filter on each
// primary key column and nothing else (PGRST105); a limit or offset is
// request.ReadRange's PGRST114. It returns the key values in key order.
func putKey(rel *contract.Relation, q *query.Request) ([]string, *apierr.Error) {
	invalid := apierr.New(http.StatusMethodNotAllowed, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators", "", "")
	if len(rel.PrimaryKey) == 0 || len(q.Where) != len(rel.PrimaryKey) {
		return nil, invalid
	}
	vals := make([]string, len(rel.PrimaryKey))
	seen := make([]bool, len(rel.PrimaryKey))
	for _, c := range q.Where {
		f := c.Filter
		if f == nil || f.Negated || f.Operator != "eq" || f.Quantifier != "" || len(f.Field.Path) > 0 {
			return nil, invalid
		}
		i := slices.Index(rel.PrimaryKey, f.Field.Name)
		if i < 0 || seen[i] {
			return nil, invalid
		}
		seen[i], vals[i] = true, f.Value
	}
	return vals, nil
}

// payloadColumns resolves the payload's keys to columns: PGRST204 for one
// the relation does not have.
func (p *planner) payloadColumns(rel *contract.Relation, keys []string) ([]*contract.Column, *apierr.Error) {
	cols := carve(&p.bufs.columns, len(keys))
	for _, k := range keys {
		c := rel.Column(k)
		if c == nil {
			return nil, apierr.New(http.StatusBadRequest, "PGRST204",
				fmt.Sprintf("Could not find the '%s' column of '%s' in the schema cache", k, rel.Name), "", "")
		}
		cols = append(cols, c)
	}
	return cols, nil
}
