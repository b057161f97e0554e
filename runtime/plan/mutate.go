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

// Mutate is a planned write on a relation: POST (insert or upsert), PUT
// (upsert of one row by its key), PATCH (update) or DELETE.
type Mutate struct {
	Rel    *contract.Relation
	Method string
	// Payload and Columns are the body and the columns its keys name
	// (POST, PUT, PATCH); Defaults fills missing columns with their
	// defaults (Prefer: missing=default).
	Payload  *request.Payload
	Columns  []*contract.Column
	Defaults bool
	// Key is PUT's primary-key values from the URL, in key order.
	Key []string
	// Where filters the rows a PATCH or DELETE changes.
	Where *Scope
	// Conflict and Resolution make an insert an upsert: ON CONFLICT (the
	// columns) DO UPDATE (merge-duplicates) or DO NOTHING.
	Conflict   []string
	Resolution string
	// Return is Prefer: return= (representation, headers-only, or "" for
	// minimal); Representation shapes the returned rows by select= and
	// order=, with its Warning header.
	Return         string
	Representation *Scope
	Warning        string
	Media          request.Media
}

// Counts says whether the statement counts the rows an upsert inserted.
func (m *Mutate) Counts() bool { return m.Resolution != "" }

// Noop is a PATCH with nothing to set: an empty result, as PostgREST
// answers, with no mutation.
func (m *Mutate) Noop() bool { return m.Method == http.MethodPatch && len(m.Columns) == 0 }

// MutateOptions are what a write's plan takes from the request besides its
// query: the body (already read), the preferences, the on_conflict list.
type MutateOptions struct {
	Method     string
	Payload    *request.Payload
	Prefs      request.Preferences
	OnConflict []string
	Media      request.Media
}

// PlanMutate checks a write against rel in PostgREST's order: the upsert's
// conflict columns (42703), PUT's key filters (PGRST105), the body's
// columns (PGRST204), the filters, then the representation's select and
// order (with its embeds). An upsert needs a conflict target: on_conflict=,
// else the primary key (PUT always upserts on the key); without one, the
// resolution is ignored.
func PlanMutate(rel *contract.Relation, q *query.Request, rels *Relations, o MutateOptions) (*Mutate, *apierr.Error) {
	m := &Mutate{Rel: rel, Method: o.Method, Payload: o.Payload, Defaults: o.Prefs.Missing == "default",
		Resolution: o.Prefs.Resolution, Return: o.Prefs.Return, Media: o.Media}
	if o.Method == http.MethodPut {
		m.Resolution = "merge-duplicates"
	}
	if m.Resolution != "" {
		m.Conflict = rel.PrimaryKey
		if o.OnConflict != nil {
			m.Conflict = o.OnConflict
		}
		for _, name := range m.Conflict {
			if rel.Column(name) == nil {
				return nil, UndefinedColumn(rel, name)
			}
		}
		if len(m.Conflict) == 0 {
			m.Resolution = ""
		}
	}
	if o.Method == http.MethodPut {
		key, aerr := putKey(rel, q)
		if aerr != nil {
			return nil, aerr
		}
		m.Key = key
	}
	if o.Payload != nil {
		cols, aerr := payloadColumns(rel, o.Payload.Columns)
		if aerr != nil {
			return nil, aerr
		}
		m.Columns = cols
	}
	if (o.Method == http.MethodPatch && len(m.Columns) > 0) || o.Method == http.MethodDelete {
		// Qualified in an UPDATE: its body rows have the same column names.
		where, aerr := Where(rel, q.Where, o.Method == http.MethodPatch)
		if aerr != nil {
			return nil, aerr
		}
		m.Where = where
	}
	if m.Return == "representation" {
		rep, warning, aerr := Returning(rel, q, rels)
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
func payloadColumns(rel *contract.Relation, keys []string) ([]*contract.Column, *apierr.Error) {
	cols := make([]*contract.Column, 0, len(keys))
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
