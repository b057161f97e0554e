package runtime

import (
	"net/http"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/config"
	"github.com/pgrestgen/pgrestgen/runtime/exec"
)

// Prepare takes a request through the request, plan and SQL stages and
// returns the transaction it would run, without running it: the statement
// and bind values are what the request's handler sends. Tests use it to
// check statements without a database (golden files of request → SQL).
// An OPTIONS request, which runs nothing, gives a nil transaction.
func (s *Server) Prepare(req *http.Request) (*exec.Tx, *apierr.Error) {
	if strings.Trim(req.URL.Path, "/") == "" {
		return s.prepareRoot(req)
	}
	name, function, aerr := route(req.URL.Path)
	if aerr != nil {
		return nil, aerr
	}
	if function {
		r, aerr := s.callRequest(req, name)
		if aerr != nil || req.Method == http.MethodOptions {
			return nil, aerr
		}
		cp, aerr := s.callTx(req, r)
		if aerr != nil {
			return nil, aerr
		}
		return cp.tx, nil
	}
	r, aerr := s.relationRequest(req, name)
	if aerr != nil || req.Method == http.MethodOptions {
		return nil, aerr
	}
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		rp, aerr := s.readTx(req, r)
		if aerr != nil {
			return nil, aerr
		}
		return &rp.tx, nil
	}
	wp, aerr := s.writeTx(req, r)
	if aerr != nil {
		return nil, aerr
	}
	return &wp.tx, nil
}

// prepareRoot is Prepare for the root path: the OpenAPI document's
// privileges query (nil when none runs), or the db-root-spec call.
func (s *Server) prepareRoot(req *http.Request) (*exec.Tx, *apierr.Error) {
	switch {
	case s.cfg.OpenAPIMode == config.OpenAPIDisabled:
		return nil, s.rootDisabled(req)
	case s.cfg.DBRootSpec.Name != "":
		r, aerr := s.callRequest(req, s.cfg.DBRootSpec.Name)
		if aerr != nil || req.Method == http.MethodOptions {
			return nil, aerr
		}
		cp, aerr := s.callTx(req, r)
		if aerr != nil {
			return nil, aerr
		}
		return cp.tx, nil
	}
	r, aerr := s.rootRequest(req)
	if aerr != nil || req.Method == http.MethodOptions {
		return nil, aerr
	}
	return s.rootTx(req, r), nil
}
