package runtime

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/config"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/header"
	"github.com/pgrestgen/pgrestgen/runtime/openapi"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/respond"
)

// serveRoot answers the root path as PostgREST does: the OpenAPI document
// of the profile's schema (GET and HEAD), what it allows (OPTIONS), the
// db-root-spec function's answer instead when one is set, PGRST126 when
// openapi-mode is disabled.
func (s *Server) serveRoot(c echo.Context) {
	req := c.Request()
	if s.cfg.OpenAPIMode == config.OpenAPIDisabled {
		s.writeError(c, s.rootDisabled(req))
		return
	}
	if s.cfg.DBRootSpec.Name != "" {
		s.serveFunction(c, s.cfg.DBRootSpec.Name)
		return
	}
	r, aerr := s.rootRequest(req)
	switch {
	case aerr != nil:
		s.writeError(c, aerr)
		return
	case req.Method == http.MethodOptions:
		c.Response().Header().Set("Allow", "OPTIONS,GET,HEAD")
		header.Set(c.Response().Header(), header.Vary, respond.Vary)
		c.Response().WriteHeader(http.StatusOK)
		return
	}
	opts := s.rootOptions()
	if tx := s.rootTx(req, r); tx != nil {
		res, err := s.run(req.Context(), tx)
		if err != nil {
			s.fail(c, err, r.id.ident.Authenticated)
			return
		}
		opts.Relations, opts.Functions, err = accessible(res.Body)
		res.Release()
		if err != nil {
			s.fail(c, err, r.id.ident.Authenticated)
			return
		}
	}
	var body []byte
	h := c.Response().Header()
	if r.media == request.RootOpenAPI31 {
		body = openapi.OpenAPI31(r.doc, opts)
		h.Set("Content-Type", openapi.Media31+"; charset=utf-8")
	} else {
		body = openapi.Swagger(r.doc, opts)
		h.Set("Content-Type", openapi.MediaSwagger+"; charset=utf-8")
	}
	if r.id.byProfile {
		h.Set("Content-Profile", r.id.schema)
	}
	header.Set(h, header.Vary, respond.Vary)
	if req.Method == http.MethodHead {
		c.Response().WriteHeader(http.StatusOK)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Response().WriteHeader(http.StatusOK)
	_, _ = c.Response().Write(body)
}

// rootRequest is a request for the OpenAPI document, checked.
type rootRequest struct {
	id    identity
	doc   *contract.Doc
	media request.RootMedia
}

// rootRequest runs a root request's checks in PostgREST's order: JWT,
// profile, method, media type.
func (s *Server) rootRequest(req *http.Request) (rootRequest, *apierr.Error) {
	id, aerr := s.identify(req)
	if aerr != nil {
		return rootRequest{}, aerr
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		return rootRequest{}, apierr.New(http.StatusMethodNotAllowed, "PGRST117", "Unsupported HTTP method: "+req.Method, "", "")
	}
	r := rootRequest{id: id, doc: &contract.Doc{Schema: id.schema}}
	for i := range s.schema.Docs {
		if s.schema.Docs[i].Schema == id.schema {
			r.doc = &s.schema.Docs[i]
		}
	}
	if req.Method == http.MethodOptions {
		return r, nil
	}
	r.media, aerr = request.NegotiateRoot(req.Header.Get("Accept"))
	return r, aerr
}

// rootOptions are the document's options from the configuration.
func (s *Server) rootOptions() openapi.Options {
	var o openapi.Options
	o.Scheme, o.Host, o.Port, o.BasePath = openapi.Endpoint(s.cfg.ServerHost, s.cfg.ServerPort, s.cfg.OpenAPIServerProxyURI)
	o.Security = s.cfg.OpenAPISecurityActive
	return o
}

// rootTx is the transaction asking which relations and functions of the
// schema the request's role may use (openapi-mode=follow-privileges, as
// PostgREST asks it per request); nil when every one is shown.
func (s *Server) rootTx(req *http.Request, r rootRequest) *exec.Tx {
	if s.cfg.OpenAPIMode != config.OpenAPIFollowPrivileges {
		return nil
	}
	return &exec.Tx{
		ReadOnly:  true,
		Isolation: s.role(r.id.ident.Role).Isolation,
		GUCs:      s.requestGUCs(req, r.id.schema, r.id.ident.Role, r.id.ident.Claims, ""),
		Main:      accessibleSQL,
		Args:      []any{r.id.schema},
	}
}

// accessibleSQL lists, as the request's role, the relations it holds any
// privilege on (or owns) and the functions it may execute, in schema $1:
// PostgREST's test of what the document shows.
const accessibleSQL = `SELECT NULL::bigint, 0::bigint, json_build_object(
  'relations', (SELECT coalesce(json_agg(c.relname), '[]') FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relkind IN ('v','r','m','f','p') AND NOT c.relispartition
    AND (pg_catalog.pg_has_role(c.relowner, 'USAGE')
      OR pg_catalog.has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
      OR pg_catalog.has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))),
  'functions', (SELECT coalesce(json_agg(DISTINCT p.proname), '[]') FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = $1 AND pg_catalog.has_function_privilege(p.oid, 'execute'))
)::text, NULL::text, NULL::text`

// accessible reads accessibleSQL's answer.
func accessible(body []byte) (relations, functions map[string]bool, err error) {
	var v struct{ Relations, Functions []string }
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, nil, fmt.Errorf("runtime: read accessible objects: %w", err)
	}
	relations, functions = map[string]bool{}, map[string]bool{}
	for _, n := range v.Relations {
		relations[n] = true
	}
	for _, n := range v.Functions {
		functions[n] = true
	}
	return relations, functions, nil
}

// rootDisabled is the root's error with openapi-mode disabled: the JWT's
// error first, as in PostgREST, else PGRST126.
func (s *Server) rootDisabled(req *http.Request) *apierr.Error {
	if _, aerr := s.auth.Authenticate(req.Header.Get("Authorization")); aerr != nil {
		return aerr
	}
	return apierr.New(http.StatusNotFound, "PGRST126", "Root endpoint metadata is disabled", "", "")
}
