package sqlgen

import (
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// Aggregate is the expression that turns a page's rows (rows is the value
// aggregated: _postgrest_t, or a scalar column of it) into the response
// body, as PostgreSQL writes JSON: an array, or for single the first element
// (null for none); stripped drops null-valued keys.
func Aggregate(rows string, single, stripped bool) string {
	agg, none := "json_agg("+rows+")", "'[]'"
	if single {
		agg, none = agg+"->0", "'null'"
	}
	if stripped {
		agg = "json_strip_nulls(" + agg + ")"
	}
	return "coalesce(" + agg + ", " + none + ")::text"
}

// Body is the body expression of a page of rows (_postgrest_t) in media m:
// CSV, or the JSON shapes of Aggregate.
func Body(m request.Media) string {
	switch m {
	case request.MediaCSV:
		return CSVBody
	case request.MediaObject:
		return objectBody
	case request.MediaObjectStripped:
		return strippedObjectBody
	case request.MediaArrayStripped:
		return strippedArrayBody
	}
	return arrayBody
}

// The JSON shapes of a page of _postgrest_t, as Aggregate writes them, made
// once rather than per request.
const (
	arrayBody          = "coalesce(json_agg(_postgrest_t), '[]')::text"
	objectBody         = "coalesce(json_agg(_postgrest_t)->0, 'null')::text"
	strippedArrayBody  = "coalesce(json_strip_nulls(json_agg(_postgrest_t)), '[]')::text"
	strippedObjectBody = "coalesce(json_strip_nulls(json_agg(_postgrest_t)->0), 'null')::text"
)

// MediaBody is the body expression of a page of rows (_postgrest_t) in
// media m: a handler aggregate's (h, for MediaCustom), PostGIS's GeoJSON
// (geo, ST_AsGeoJSON), or Body's.
func MediaBody(m request.Media, h *contract.MediaHandler, geo string) string {
	switch {
	case m == request.MediaCustom && h != nil:
		return HandlerBody(h, "_postgrest_t")
	case m == request.MediaGeoJSON:
		return GeoJSONBody(geo)
	}
	return Body(m)
}

// HandlerBody is the body a handler aggregate makes of the page's rows
// (rows: _postgrest_t, or its scalar column), cast to the relation's row
// type when the aggregate takes one, its value sent as text or bytes.
func HandlerBody(h *contract.MediaHandler, rows string) string {
	if h.RowType != "" {
		rows += "::" + h.RowType
	}
	cast := "::text"
	if h.Binary {
		cast = "::bytea"
	}
	return h.Aggregate + "(" + rows + ")" + cast
}

// GeoJSONBody is PostgREST's application/geo+json body: a FeatureCollection
// of the rows as PostGIS's ST_AsGeoJSON (st, quoted) makes them features,
// the first geometry column the geometry, the others the properties.
func GeoJSONBody(st string) string {
	return "json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(" + st +
		"(_postgrest_t)::json), '[]'))::text"
}

// CSVBody turns the page into CSV the way PostgREST does: a header of the
// first row's keys, then one line per row.
const CSVBody = CSVHeader + " || '\n' || coalesce(string_agg(" + CSVRow + ", '\n'), '')"

// CSVHeader is the CSV header line (without its newline); CSVRow one row.
const (
	CSVHeader = "(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r)::text AS k FROM (SELECT row_to_json(hh) AS r FROM pgrst_source AS hh LIMIT 1) s) a)"
	CSVRow    = "substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2)"
)
