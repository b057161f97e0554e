package plan

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/fuzzy"
)

// findRelationship picks the relationship an embed names, by PostgREST's
// rules: the target is a relation name (or, without a hint and for tables
// only, a foreign key's name or its single column); a hint narrows by
// foreign key name, column of either side or junction name. A relationship
// to itself is one-to-many by relation name and many-to-one by column
// name. None is PGRST200, several PGRST201.
func findRelationship(rr *Relations, owner *contract.Relation, target, hint string) (*contract.Relationship, *apierr.Error) {
	var found []*contract.Relationship
	for i := range owner.Relationships {
		r := &owner.Relationships[i]
		if matchRelationship(r, target, hint) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return nil, noRelationship(rr, owner, target, hint)
	case 1:
		return found[0], nil
	}
	return nil, ambiguousRelationship(owner, target, found)
}

func matchRelationship(r *contract.Relationship, target, hint string) bool {
	if r.Cardinality == contract.ComputedRelationship {
		return target == r.FunctionName
	}
	fkCol := func(name string) bool { // the owner's single FK column
		return r.Junction == nil && len(r.Columns) == 1 && r.Columns[0].From == name
	}
	refCol := func(name string) bool { // the other side's single column
		return r.Junction == nil && len(r.Columns) == 1 && r.Columns[0].To == name
	}
	constraint := func(name string) bool { return r.Junction == nil && r.Constraint == name }
	if r.Self {
		if hint == "" {
			return target == r.Target && r.Cardinality == contract.OneToMany ||
				fkCol(target) && r.Cardinality == contract.ManyToOne
		}
		return target == r.Target && r.Cardinality == contract.OneToMany && refCol(hint)
	}
	if hint == "" {
		return target == r.Target ||
			constraint(target) && !r.TargetIsView ||
			fkCol(target) && !r.TargetIsView
	}
	return target == r.Target &&
		(constraint(hint) || fkCol(hint) || refCol(hint) || r.Junction != nil && r.Junction.Name == hint)
}

// noRelationship is PGRST200, with PostgREST's suggestion of a close
// relation name: for the parent when it has no relationships, else for
// the child.
func noRelationship(rr *Relations, owner *contract.Relation, target, hint string) *apierr.Error {
	schema := owner.Schema
	using := ""
	if hint != "" {
		using = "' using the hint '" + hint
	}
	details := fmt.Sprintf("Searched for a foreign key relationship between '%s' and '%s%s' in the schema '%s', but no matches were found.",
		owner.Name, target, using, schema)
	suggestion := ""
	if len(owner.Relationships) == 0 {
		var names []string
		if rr != nil {
			for name, bySchema := range rr.ByName {
				if r := bySchema[schema]; r != nil && len(r.Relationships) > 0 {
					names = append(names, name)
				}
			}
		}
		if s, ok := fuzzy.GetOne(owner.Name, names, fuzzy.DefaultScore); ok {
			suggestion = fmt.Sprintf("Perhaps you meant '%s' instead of '%s'.", s, owner.Name)
		}
	} else {
		// The targets of every relationship, computed ones included
		// (PostgREST's relForeignTable). A target equal to the child (but
		// for case) scores 1 and PostgREST then suggests nothing: the
		// embed hint is what failed (Error.hs noRelBetweenHint).
		var names []string
		for _, r := range owner.Relationships {
			names = append(names, r.Target)
		}
		if ms := fuzzy.Get(target, names, fuzzy.DefaultScore); len(ms) > 0 && ms[0].Score < 1 {
			suggestion = fmt.Sprintf("Perhaps you meant '%s' instead of '%s'.", ms[0].Value, target)
		}
	}
	return apierr.New(http.StatusBadRequest, "PGRST200",
		fmt.Sprintf("Could not find a relationship between '%s' and '%s' in the schema cache", owner.Name, target),
		details, suggestion)
}

// ambiguousRelationship is PGRST201 (HTTP 300): details describe each
// candidate, the hint lists the embeds that would pick one.
func ambiguousRelationship(owner *contract.Relation, target string, rels []*contract.Relationship) *apierr.Error {
	type candidate struct {
		Cardinality  string `json:"cardinality"`
		Embedding    string `json:"embedding"`
		Relationship string `json:"relationship"`
	}
	cols := func(names []string) string { return "(" + strings.Join(names, ", ") + ")" }
	var details []candidate
	var hints []string
	for _, r := range rels {
		c := candidate{Cardinality: string(r.Cardinality), Embedding: owner.Name + " with " + r.Target}
		if j := r.Junction; j != nil {
			var src, dst []string
			for _, p := range j.Source {
				src = append(src, p.From)
			}
			for _, p := range j.Target {
				dst = append(dst, p.From)
			}
			c.Relationship = j.Name + " using " + j.Constraint1 + cols(src) + " and " + j.Constraint2 + cols(dst)
			hints = append(hints, "'"+r.Target+"!"+j.Name+"'")
		} else {
			var from, to []string
			for _, p := range r.Columns {
				from = append(from, p.From)
				to = append(to, p.To)
			}
			c.Relationship = r.Constraint + " using " + owner.Name + cols(from) + " and " + r.Target + cols(to)
			hints = append(hints, "'"+r.Target+"!"+r.Constraint+"'")
		}
		details = append(details, c)
	}
	raw, _ := json.Marshal(details)
	e := apierr.New(http.StatusMultipleChoices, "PGRST201",
		fmt.Sprintf("Could not embed because more than one relationship was found for '%s' and '%s'", owner.Name, target),
		"", fmt.Sprintf("Try changing '%s' to one of the following: %s. Find the desired relationship in the 'details' key.", target, strings.Join(hints, ", ")))
	e.DetailsJSON = raw
	return e
}
