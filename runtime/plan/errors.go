package plan

import (
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/runtime/apierr"
	"github.com/pgrestgen/pgrestgen/runtime/contract"
	"github.com/pgrestgen/pgrestgen/runtime/fuzzy"
)

// UndefinedColumn is the error PostgreSQL itself gives for a column a
// relation does not have (PostgREST passes it through with status 400),
// with PostgreSQL's hint when a column's name is close: at most 3 edits
// away and no more than half the given name's length, the first such
// column in table order winning ties (parse_relation.c's rule).
func UndefinedColumn(rel *contract.Relation, name string) *apierr.Error {
	hint, best := "", 4
	for _, c := range rel.Columns {
		d := fuzzy.Levenshtein(c.Name, name)
		if d < best && d <= len(name)/2 {
			best = d
			hint = fmt.Sprintf("Perhaps you meant to reference the column %q.", rel.Name+"."+c.Name)
		}
	}
	return apierr.New(http.StatusBadRequest, "42703",
		fmt.Sprintf("column %s.%s does not exist", rel.Name, name), "", hint)
}

// notEmbedded is PostgREST's PGRST108.
func notEmbedded(name string, alias *[2]string) *apierr.Error {
	if alias != nil {
		return apierr.New(http.StatusBadRequest, "PGRST108",
			fmt.Sprintf("'%s' is not an embedded resource in this request", name),
			"Target names are not allowed in filters if they have an alias",
			fmt.Sprintf("Change '%s' to '%s' in filters, orders or limits.", alias[0], alias[1]))
	}
	return apierr.New(http.StatusBadRequest, "PGRST108",
		fmt.Sprintf("'%s' is not an embedded resource in this request", name), "",
		fmt.Sprintf("Verify that '%s' is included in the 'select' query parameter.", name))
}

// quoteIdent quotes a name chosen by the client (an alias) or by the runtime.
func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }
