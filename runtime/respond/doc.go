// Package respond writes PostgREST's answers on net/http types: error
// objects (client-error-verbosity, a cancelled request's 503), bodies with
// their Content-Length, Content-Range and a read's status from its page,
// the response.headers and response.status a statement set, and streamed
// bodies (buffered up to a threshold, then chunked; a failure past it
// aborts the connection). It runs no SQL and knows no echo: handlers pass
// echo's Response, which is an http.ResponseWriter.
package respond
