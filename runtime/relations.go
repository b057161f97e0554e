package runtime

import "github.com/pgrestgen/pgrestgen/runtime/plan"

// Resource embedding is planned by package plan (the embed tree, params on
// embed paths, relationships) and rendered by package sqlgen (lateral
// joins); the server says which relations a request's embeds can name.

// relatedIn is what embeds of a request on schema can name.
func (s *Server) relatedIn(schema string) *plan.Relations {
	return &plan.Relations{Schema: schema, ByName: s.byName, LegacyNames: s.cfg.URLUseLegacyTargetNames}
}

// readRelatedIn is relatedIn for reads, whose embedded arrays db-max-rows caps.
func (s *Server) readRelatedIn(schema string) *plan.Relations {
	r := s.relatedIn(schema)
	r.MaxRows = s.cfg.DBMaxRows
	return r
}
