package runtime

import (
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/query"
)

// Resource embedding (F-EMBED): each embed of select= becomes a LEFT (or,
// with !inner, INNER) JOIN LATERAL subquery of its parent, correlated by
// the relationship the generator wrote into the parent's descriptor. To-one
// embeds are row_to_json of the subquery's row, to-many ones json_agg of its
// rows; spreads lift the subquery's columns into the parent. Every subquery
// has its own alias (pgrst_1, pgrst_2, …), so a relation can embed itself,
// and its join condition compares the embedded relation's columns with the
// parent's (target.fk = parent.pk), which an index on the FK serves.
//
// The top level is any FROM item whose columns and relationships a
// *Relation describes: a table or view (reads), the rows a mutation
// returned (writes), or — for table-valued functions — a function call.
// The builder's rel and qualifier (alias, or the relation's SQLName when
// qualify is set) say which; prepareEmbeds, then selectList, then where and
// orderBy render against it, and joins() is what goes after the FROM item.

// related finds the relations embeds can name: those of the request's schema.
type related struct {
	schema string
	byName map[string]map[string]*Relation
	// legacyNames is url-use-legacy-target-names: params may name an
	// aliased embed by its relation name (with a Warning header).
	legacyNames bool
	// maxRows is db-max-rows, which caps every embedded array of a read
	// too; nil for writes, whose embeds PostgREST does not cap.
	maxRows *int64
}

func (r *related) maxRowsCap() *int64 {
	if r == nil {
		return nil
	}
	return r.maxRows
}

func (r *related) relation(name string) *Relation {
	if r == nil {
		return nil
	}
	return r.byName[name][r.schema]
}

// embedNode is one embed of the request.
type embedNode struct {
	embed *query.Embed
	rel   *Relation // the embedded relation
	ship  *Relationship
	alias string // the quoted SQL alias of its subquery
	// children are its own embeds, in select order.
	children []*embedNode
	where    []query.Condition
	order    []query.OrderTerm
	limit    *big.Int
	offset   *big.Int
	// legacy is set when a param named it by relation name despite its alias.
	legacy bool
}

// label is the embed's key in the parent: its alias, else its name.
func (n *embedNode) label() string {
	if n.embed.Alias != "" {
		return n.embed.Alias
	}
	return n.embed.Name
}

// empty is an embed that selects nothing (actors()), nor do its embeds: it
// only filters (F-EMBED-12) and is left out of the output (F-EMBED-23).
func (n *embedNode) empty() bool {
	if hasFields(n.embed.Select) {
		return false
	}
	for _, c := range n.children {
		if !c.empty() {
			return false
		}
	}
	return true
}

func hasFields(items []query.SelectItem) bool {
	for _, it := range items {
		if it.Embed == nil {
			return true
		}
	}
	return false
}

// embedState is what all scopes of one statement share.
type embedState struct {
	nodes map[*query.Embed]*embedNode
	next  int
	// warnings are the (name, alias) pairs params named by relation name.
	warnings [][2]string
}

// qualifier is what columns of the current FROM item are prefixed with.
func (b *builder) qualifier() string {
	switch {
	case b.alias != "":
		return b.alias
	case b.qualify:
		return b.rel.SQLName
	}
	return ""
}

// rowRef is the current FROM item's whole row.
func (b *builder) rowRef() string {
	switch {
	case b.alias != "":
		return b.alias
	case b.rel.RowRef != "":
		return b.rel.RowRef
	}
	// Only relations with computed fields have a generated RowRef.
	return quoteIdent(b.rel.Name)
}

// star is what * selects of the current FROM item.
func (b *builder) star() string {
	if q := b.qualifier(); q != "" {
		return q + ".*"
	}
	return b.rel.SelectStar
}

// joins is the lateral joins of the current scope's embeds.
func (b *builder) joins() string { return strings.Join(b.joinSQL, "") }

// prepareEmbeds builds the embed tree of a request, as PostgREST plans it:
// params on embed paths go to their embeds (PGRST108 for a path that is no
// embed), then each embed gets its relationship (PGRST200, PGRST201).
// Without embeds and embed params it does nothing, leaving the statement
// exactly as it was.
func (b *builder) prepareEmbeds(q *query.Request) *apierr.Error {
	root := &embedNode{rel: b.rel}
	b.emb = &embedState{nodes: map[*query.Embed]*embedNode{}}
	root.children = b.emb.tree(q.Select)
	for _, p := range q.EmbedParams {
		if aerr := b.emb.assign(root, p, b.related != nil && b.related.legacyNames); aerr != nil {
			return aerr
		}
	}
	if aerr := b.resolve(root); aerr != nil {
		return aerr
	}
	b.node = root
	if len(root.children) > 0 && b.alias == "" {
		b.qualify = true
	}
	return nil
}

// tree makes the nodes of the embeds among items (relationships come later).
func (s *embedState) tree(items []query.SelectItem) []*embedNode {
	var out []*embedNode
	for _, it := range items {
		if it.Embed == nil {
			continue
		}
		n := &embedNode{embed: it.Embed}
		n.children = s.tree(it.Embed.Select)
		s.nodes[it.Embed] = n
		out = append(out, n)
	}
	return out
}

// assign hands an embed param to the embed its path names.
func (s *embedState) assign(root *embedNode, p query.EmbedParam, legacy bool) *apierr.Error {
	n := root
	for _, name := range p.Path {
		next := findChild(n.children, name, legacy)
		if next == nil {
			var alias *[2]string
			if !legacy {
				if c := findChild(n.children, name, true); c != nil {
					alias = &[2]string{c.embed.Name, c.embed.Alias}
				}
			}
			return notEmbedded(name, alias)
		}
		if next.embed.Alias != "" && next.embed.Name == name && next.embed.Alias != name && !next.legacy {
			next.legacy = true
			s.warnings = append(s.warnings, [2]string{next.embed.Name, next.embed.Alias})
		}
		n = next
	}
	switch p.Kind {
	case "filter", "logic":
		c, err := p.Condition()
		if err != nil {
			return apierr.ParseError("\"failed to parse filter ("+p.Value+")\"", "")
		}
		n.where = append(n.where, c)
	case "order":
		terms, err := p.OrderTerms()
		if err != nil {
			return apierr.ParseError("\"failed to parse order ("+p.Value+")\"", "")
		}
		n.order = terms
	case "limit":
		if v, ok := new(big.Int).SetString(p.Integer(), 10); ok {
			n.limit = v
		}
	case "offset":
		// A negative offset is none; one past bigint reaches PostgreSQL,
		// whose 22003 is the answer, as for a top-level offset.
		if v, ok := new(big.Int).SetString(p.Integer(), 10); ok && v.Sign() > 0 {
			n.offset = v
		}
	}
	return nil
}

// findChild finds the embed a path element names: its alias or, without
// one, its name; with legacy target names its relation name always works.
func findChild(children []*embedNode, name string, legacy bool) *embedNode {
	for _, c := range children {
		if legacy && (c.embed.Name == name || c.embed.Alias == name) || !legacy && c.label() == name {
			return c
		}
	}
	return nil
}

// notEmbedded is PostgREST's PGRST108.
func notEmbedded(name string, alias *[2]string) *apierr.Error {
	if alias != nil {
		return apierr.New(http.StatusBadRequest, "PGRST108",
			fmt.Sprintf("'%s' is not an embedded resource in this request", name),
			"Target names are not allowed in filters if they have an alias",
			fmt.Sprintf("Change '%s' to '%s' in filters, orders or limits.", alias[0], alias[1]))
	}
	return apierr.New(http.StatusBadRequest, "PGRST108",
		fmt.Sprintf("'%s' is not an embedded resource in this request", name), "",
		fmt.Sprintf("Verify that '%s' is included in the 'select' query parameter.", name))
}

// legacyWarning is the Warning header PostgREST sends when params named
// aliased embeds by relation name; "" when none did.
func (s *embedState) legacyWarning() string {
	if s == nil || len(s.warnings) == 0 {
		return ""
	}
	var parts []string
	for _, w := range s.warnings {
		parts = append(parts, "`"+w[0]+"` to `"+w[1]+"`")
	}
	return `299 PostgRESTv16 "Embedded resource was referenced by relation name even though it has an alias.` +
		` This is deprecated and will stop working in a future release. Update ` + strings.Join(parts, ", ") +
		` in query string filters, orders or limits."`
}

// resolve gives every embed under n its relationship and relation, top
// down, and its alias.
func (b *builder) resolve(n *embedNode) *apierr.Error {
	for _, c := range n.children {
		ship, aerr := findRelationship(b.related, n.rel, c.embed.Name, c.embed.Hint)
		if aerr != nil {
			return aerr
		}
		c.ship = ship
		c.rel = b.related.relation(ship.Target)
		if c.rel == nil {
			return noRelationship(b.related, n.rel, c.embed.Name, c.embed.Hint)
		}
		b.emb.next++
		c.alias = quoteIdent("pgrst_" + strconv.Itoa(b.emb.next))
		if aerr := b.resolve(c); aerr != nil {
			return aerr
		}
	}
	return nil
}

// enter switches the builder to an embed's scope; the function returned
// switches back.
func (b *builder) enter(n *embedNode) func() {
	rel, alias, qualify, node, joins := b.rel, b.alias, b.qualify, b.node, b.joinSQL
	b.rel, b.alias, b.qualify, b.node, b.joinSQL = n.rel, n.alias, false, n, nil
	return func() { b.rel, b.alias, b.qualify, b.node, b.joinSQL = rel, alias, qualify, node, joins }
}

// relatedIn is what embeds of a request on schema can name.
func (s *Server) relatedIn(schema string) *related {
	return &related{schema: schema, byName: s.byName, legacyNames: s.cfg.URLUseLegacyTargetNames}
}

// readRelatedIn is relatedIn for reads, whose embedded arrays db-max-rows caps.
func (s *Server) readRelatedIn(schema string) *related {
	r := s.relatedIn(schema)
	r.maxRows = s.cfg.DBMaxRows
	return r
}

// prepareReturning prepares the embeds of a write's representation and
// returns its FROM item: the rows the mutation returned (pgrst_source),
// named after the relation when embeds join them.
func (b *builder) prepareReturning(q *query.Request, rr *related) (string, *apierr.Error) {
	b.related, b.qualify = rr, false
	if !hasEmbeds(q.Select) && len(q.EmbedParams) == 0 {
		return "pgrst_source", nil
	}
	b.alias = quoteIdent(b.rel.Name)
	if aerr := b.prepareEmbeds(q); aerr != nil {
		return "", aerr
	}
	return "pgrst_source AS " + b.alias, nil
}

func hasEmbeds(items []query.SelectItem) bool {
	for _, it := range items {
		if it.Embed != nil {
			return true
		}
	}
	return false
}
