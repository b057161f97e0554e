package sqlgen

import (
	"strings"

	"github.com/pgrestgen/pgrestgen/runtime/request"
)

// ExplainStatement is the EXPLAIN of a request's statement for the plan
// media type: the same text, so the same joins, casts and bind values,
// with the format and options asked for (fixed words, never the client's).
func ExplainStatement(ex *request.Explain, sql string) string {
	var sb strings.Builder
	sb.WriteString("EXPLAIN (FORMAT ")
	if ex.JSON {
		sb.WriteString("JSON")
	} else {
		sb.WriteString("TEXT")
	}
	for _, o := range ex.Options {
		sb.WriteString(", ")
		sb.WriteString(explainOptions[o])
	}
	sb.WriteString(") ")
	sb.WriteString(sql)
	return sb.String()
}

// explainOptions are the EXPLAIN options request.Explain names.
var explainOptions = map[string]string{
	"analyze": "ANALYZE", "verbose": "VERBOSE", "settings": "SETTINGS", "buffers": "BUFFERS", "wal": "WAL",
}
