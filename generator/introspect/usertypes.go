package introspect

import (
	"context"
	"fmt"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
)

// enumRow is one row of enums.sql.
type enumRow struct {
	Schema string   `db:"schema"`
	Name   string   `db:"name"`
	Labels []string `db:"labels"`
}

// loadEnums loads the enum types of the schemas.
func (l *loader) loadEnums(ctx context.Context) ([]catalog.Enum, error) {
	rows, err := query[enumRow](ctx, l.q, enumsSQL, l.schemas)
	if err != nil {
		return nil, fmt.Errorf("introspect enums: %w", err)
	}
	out := make([]catalog.Enum, 0, len(rows))
	for _, row := range rows {
		labels := row.Labels
		if labels == nil {
			labels = []string{}
		}
		out = append(out, catalog.Enum{Schema: row.Schema, Name: row.Name, Labels: labels})
	}
	return out, nil
}

// compositeRow is one row of composites.sql; the attribute fields are nil
// for a type without attributes.
type compositeRow struct {
	Schema    string  `db:"schema"`
	Name      string  `db:"name"`
	Attribute *string `db:"attribute"`
	Atttypid  *uint32 `db:"atttypid"`
	Atttypmod *int32  `db:"atttypmod"`
}

// composite is a Composite whose attribute types are not resolved yet.
type composite struct {
	catalog.Composite
	attrTypes []typeKey
}

// loadComposites loads the standalone composite types of the schemas.
func (l *loader) loadComposites(ctx context.Context) ([]*composite, error) {
	rows, err := query[compositeRow](ctx, l.q, compositesSQL, l.schemas)
	if err != nil {
		return nil, fmt.Errorf("introspect composite types: %w", err)
	}
	var out []*composite
	for _, row := range rows {
		if n := len(out); n == 0 || out[n-1].Schema != row.Schema || out[n-1].Name != row.Name {
			out = append(out, &composite{Composite: catalog.Composite{
				Schema: row.Schema, Name: row.Name, Attributes: []catalog.Attribute{},
			}})
		}
		if row.Attribute == nil || row.Atttypid == nil || row.Atttypmod == nil {
			continue
		}
		c := out[len(out)-1]
		c.Attributes = append(c.Attributes, catalog.Attribute{Name: *row.Attribute})
		c.attrTypes = append(c.attrTypes, l.types.want(*row.Atttypid, *row.Atttypmod))
	}
	return out, nil
}

// finish resolves the attribute types.
func (c *composite) finish(types *typeRegistry) (catalog.Composite, error) {
	out := c.Composite
	for i := range out.Attributes {
		t, err := types.build(c.attrTypes[i])
		if err != nil {
			return catalog.Composite{}, fmt.Errorf("introspect composite type %s.%s: attribute %s: %w",
				c.Schema, c.Name, out.Attributes[i].Name, err)
		}
		out.Attributes[i].Type = t
	}
	return out, nil
}

// domainRow is one row of domains.sql.
type domainRow struct {
	Schema      string `db:"schema"`
	Name        string `db:"name"`
	Typbasetype uint32 `db:"typbasetype"`
	Typtypmod   int32  `db:"typtypmod"`
	Nullable    bool   `db:"nullable"`
}

// domain is a Domain whose base type is not resolved yet.
type domain struct {
	catalog.Domain
	base typeKey
}

// loadDomains loads the domains of the schemas.
func (l *loader) loadDomains(ctx context.Context) ([]*domain, error) {
	rows, err := query[domainRow](ctx, l.q, domainsSQL, l.schemas)
	if err != nil {
		return nil, fmt.Errorf("introspect domains: %w", err)
	}
	out := make([]*domain, 0, len(rows))
	for _, row := range rows {
		out = append(out, &domain{
			Domain: catalog.Domain{Schema: row.Schema, Name: row.Name, Nullable: row.Nullable},
			base:   l.types.want(row.Typbasetype, row.Typtypmod),
		})
	}
	return out, nil
}

// finish resolves the base type.
func (d *domain) finish(types *typeRegistry) (catalog.Domain, error) {
	out := d.Domain
	t, err := types.build(d.base)
	if err != nil {
		return catalog.Domain{}, fmt.Errorf("introspect domain %s.%s: base type: %w", d.Schema, d.Name, err)
	}
	out.Base = t
	return out, nil
}

// representationRow is one row of representations.sql.
type representationRow struct {
	DomainSchema string `db:"domain_schema"`
	DomainName   string `db:"domain_name"`
	Kind         string `db:"kind"`
	FuncSchema   string `db:"func_schema"`
	FuncName     string `db:"func_name"`
}

// loadRepresentations loads the domain representation casts.
func (l *loader) loadRepresentations(ctx context.Context) ([]catalog.Representation, error) {
	rows, err := query[representationRow](ctx, l.q, representationsSQL)
	if err != nil {
		return nil, fmt.Errorf("introspect domain representations: %w", err)
	}
	var out []catalog.Representation
	for _, row := range rows {
		out = append(out, catalog.Representation{DomainSchema: row.DomainSchema, Domain: row.DomainName,
			Kind: row.Kind, FuncSchema: row.FuncSchema, Func: row.FuncName})
	}
	return out, nil
}
