package introspect

import _ "embed" // catalog queries live in sql/, one per concern

var (
	//go:embed sql/schemas.sql
	schemasSQL string
	//go:embed sql/relations.sql
	relationsSQL string
	//go:embed sql/columns.sql
	columnsSQL string
	//go:embed sql/view_definitions.sql
	viewDefinitionsSQL string
	//go:embed sql/keys.sql
	keysSQL string
	//go:embed sql/unique_indexes.sql
	uniqueIndexesSQL string
	//go:embed sql/functions.sql
	functionsSQL string
	//go:embed sql/enums.sql
	enumsSQL string
	//go:embed sql/composites.sql
	compositesSQL string
	//go:embed sql/domains.sql
	domainsSQL string
	//go:embed sql/representations.sql
	representationsSQL string
	//go:embed sql/media_handlers.sql
	mediaHandlersSQL string
	//go:embed sql/postgis.sql
	postgisSQL string
	//go:embed sql/types.sql
	typesSQL string
)
