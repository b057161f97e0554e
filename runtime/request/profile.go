package request

import (
	"net/http"
	"slices"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/header"
)

// Profile picks the request's schema among the exposed ones (db-schemas,
// schemas[0] the default) from Accept-Profile (GET, HEAD and the other
// reading verbs) or Content-Profile (POST, PATCH, PUT, DELETE); without the
// header, the first schema. byProfile says whether the response names its
// schema in Content-Profile: when a profile header chose it, or when there
// are several schemas. An unexposed schema is PGRST106.
func Profile(req *http.Request, schemas []string) (schema string, byProfile bool, aerr *apierr.Error) {
	name := header.AcceptProfile
	switch req.Method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		name = header.ContentProfile
	}
	want, given := req.Header[string(name)]
	if !given {
		return schemas[0], len(schemas) > 1, nil
	}
	if !slices.Contains(schemas, want[0]) {
		return "", false, apierr.New(http.StatusNotAcceptable, "PGRST106",
			"Invalid schema: "+want[0], "", "Only the following schemas are exposed: "+strings.Join(schemas, ", "))
	}
	return want[0], true, nil
}
