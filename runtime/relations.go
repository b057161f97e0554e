package runtime

import "github.com/pgrestgen/pgrestgen/runtime/plan"

// Resource embedding is planned by package plan (the embed tree, params on
// embed paths, relationships) and rendered by package sqlgen (lateral
// joins); the server says which relations a request's embeds can name.

// relatedIn is what embeds of a request on schema can name.
func (s *Server) relatedIn(schema string) *plan.Relations {
	if r := s.related[schema]; r != nil {
		return r
	}
	return s.newRelatedIn(schema, nil)
}

// readRelatedIn is relatedIn for reads, whose embedded arrays db-max-rows caps.
func (s *Server) readRelatedIn(schema string) *plan.Relations {
	if r := s.readRelated[schema]; r != nil {
		return r
	}
	return s.newRelatedIn(schema, s.cfg.DBMaxRows)
}

// newRelatedIn makes what relatedIn answers; New makes those of the
// exposed schemas once, since the planner only reads them.
func (s *Server) newRelatedIn(schema string, maxRows *int64) *plan.Relations {
	return &plan.Relations{Schema: schema, ByName: s.byName, LegacyNames: s.cfg.URLUseLegacyTargetNames, MaxRows: maxRows}
}
