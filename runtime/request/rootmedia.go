package request

import (
	"net/http"
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
)

// RootMedia is the document the root endpoint answers with.
type RootMedia int

const (
	// RootSwagger is PostgREST's OpenAPI 2.0 document.
	RootSwagger RootMedia = iota
	// RootOpenAPI31 is the OpenAPI 3.1 document, a pgrestgen extension.
	RootOpenAPI31
)

// NegotiateRoot picks the root's document from the Accept header, in its
// order of preference: application/openapi+json, application/json and */*
// are PostgREST's 2.0 document, application/vnd.oai.openapi+json (with
// version=3.1 or none) the 3.1 one; PGRST107 when none is accepted.
func NegotiateRoot(accept string) (RootMedia, *apierr.Error) {
	if strings.TrimSpace(accept) == "" {
		return RootSwagger, nil
	}
	var names []string
	for _, e := range parseAccept(accept) {
		typ, params, _ := strings.Cut(strings.ToLower(e.raw), ";")
		switch typ {
		case "application/openapi+json", "application/json", "*/*":
			return RootSwagger, nil
		case "application/vnd.oai.openapi+json":
			version := ""
			for _, p := range strings.Split(params, ";") {
				if k, v, ok := strings.Cut(p, "="); ok && k == "version" {
					version = strings.Trim(v, `"`)
				}
			}
			if version == "" || version == "3.1" || version == "3.1.0" {
				return RootOpenAPI31, nil
			}
		}
		_, _, name := decodeMedia(e.raw)
		names = append(names, name)
	}
	return 0, apierr.New(http.StatusNotAcceptable, "PGRST107",
		"None of these media types are available: "+strings.Join(names, ", "), "", "")
}
