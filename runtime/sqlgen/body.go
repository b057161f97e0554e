package sqlgen

import "github.com/pgrestgen/pgrestgen/runtime/request"

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

// CSVBody turns the page into CSV the way PostgREST does: a header of the
// first row's keys, then one line per row.
const CSVBody = CSVHeader + " || '\n' || coalesce(string_agg(" + CSVRow + ", '\n'), '')"

// CSVHeader is the CSV header line (without its newline); CSVRow one row.
const (
	CSVHeader = "(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r)::text AS k FROM (SELECT row_to_json(hh) AS r FROM pgrst_source AS hh LIMIT 1) s) a)"
	CSVRow    = "substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2)"
)
