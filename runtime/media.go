package runtime

import (
	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/query"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// mediaOffer is what a schema's answers can be rendered in besides the
// built-in media types: its anyelement handler aggregates (the schema's
// own first, then the other exposed schemas' in db-schemas order) and
// PostGIS's GeoJSON.
type mediaOffer struct {
	handlers []*contract.MediaHandler
	types    []string
}

// mediaOffers orders the anyelement handlers for each exposed schema.
func mediaOffers(sc *contract.Schema) map[string]*mediaOffer {
	out := map[string]*mediaOffer{}
	for _, schema := range sc.Schemas {
		o := &mediaOffer{}
		for _, own := range []bool{true, false} {
			for i := range sc.MediaHandlers {
				h := &sc.MediaHandlers[i]
				if (h.Schema == schema) == own {
					o.handlers = append(o.handlers, h)
					o.types = append(o.types, h.MediaType)
				}
			}
		}
		out[schema] = o
	}
	return out
}

// negotiate picks the media type of an answer from rows of rel (a relation,
// or a call's result described as one) in schema, as PostgREST does: rel's
// own handler aggregates when q selects the default columns, the
// anyelement ones, GeoJSON with PostGIS, the built-in ones. own is a
// handler function's own media type ("" for none), offered like rel's.
// The handler is nil unless an aggregate renders the body; the Explain is
// set for a plan of that answer (db-plan-enabled).
func (s *Server) negotiate(accept string, rel *Relation, schema string, q *query.Request, own string) (request.Media, *contract.MediaHandler, *request.Explain, *apierr.Error) {
	o := request.Offer{GeoJSON: s.schema.GeoJSON != ""}
	anyh := s.offers[schema]
	if anyh != nil {
		o.Any = anyh.types
	}
	if defaultSelect(q) {
		if own != "" {
			o.Own = []string{own}
		}
		for _, h := range rel.MediaHandlers {
			o.Own = append(o.Own, h.MediaType)
		}
	}
	c, aerr := request.NegotiateOffer(accept, o, s.cfg.DBPlanEnabled)
	if aerr != nil || c.Media != request.MediaCustom {
		return c.Media, nil, c.Explain, aerr
	}
	switch {
	case !c.Own:
		return c.Media, anyh.handlers[c.Index], c.Explain, nil
	case own != "":
		if c.Index == 0 {
			return c.Media, nil, c.Explain, nil
		}
		c.Index--
	}
	return c.Media, &rel.MediaHandlers[c.Index], c.Explain, nil
}

// defaultSelect says q selects the default columns (no select, or a bare
// "*"): PostgREST offers a relation's own handlers only then, as their
// aggregates take its whole row.
func defaultSelect(q *query.Request) bool {
	return q.Select == nil || (len(q.Select) == 1 && q.Select[0].Star && q.Select[0].Alias == "" && q.Select[0].Cast == "")
}

// handlerContentType is the Content-Type of an answer in media m rendered
// by handler h or, for nil, by fn's own media type.
func handlerContentType(m request.Media, h *contract.MediaHandler, fn *Function) string {
	switch {
	case m != request.MediaCustom:
		return m.ContentType()
	case h != nil:
		return h.ContentType
	case fn.MediaContentType != "":
		return fn.MediaContentType
	}
	// Code generated before MediaContentType.
	return request.HandlerContentType(fn.MediaType)
}
