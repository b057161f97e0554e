// Package exec runs a request's transaction: one pgconn pipeline of BEGIN
// (isolation level, access mode), one set_config list of the request's
// settings, the db-pre-request function, the statement (and the EXPLAIN of
// a planned count), then COMMIT or ROLLBACK — SET CONSTRAINTS ALL IMMEDIATE
// first for a dry run's. The statements before the end are prepared by
// name on each connection the first time they run there, inside the
// pipeline (db-prepared-statements; see pipe). A request is one round trip; a
// failure costs one more, to roll back, and a transaction whose ending
// depends on its result (Tx.Check) takes one more for its ending.
//
// It takes a plain description (Tx) and gives back the statement's one row
// (Result), or, for streamed reads, the rows one at a time (Stream). It
// knows nothing of HTTP answers: its errors are PostgreSQL's, or
// apierr errors for what PostgREST answers itself (PGRST000/001/003, a
// lost connection's 503). docs/failure-modes.md lists what each failure
// answers.
package exec
