// Package request is the first stage of the runtime: everything a request
// says over HTTP, read and checked as PostgREST reads it, and handed on as
// plain values. It picks the profile (the schema, PGRST106), reads the
// Range header with limit= and offset= into a Range (PGRST103, PGRST114),
// negotiates the response's Media from Accept (PGRST107), parses Prefer
// into Preferences (PGRST122) and reads write and call bodies (JSON, CSV,
// form-urlencoded, raw) under server-max-body-size (PGRST413, PGRST102,
// 22021 for text that is not UTF-8). Its errors are apierr values,
// PostgREST's error objects.
//
// It never sees the schema: whether a column, table or function exists is
// the plan's question, checked against the generated descriptors. It never
// renders SQL, never touches the database and never writes a response; it
// depends on net/http only, not on echo, so a handler passes it the
// *http.Request. The query string's grammar is package query's; this
// package only takes the parsed limit and offset from it and reads the
// list parameters (columns=, on_conflict=) that are not part of the
// grammar.
package request
