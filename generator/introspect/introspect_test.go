package introspect

import (
	"context"
	_ "embed"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/generator/catalog"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
	"github.com/pgrestgen/pgrestgen/internal/pgtest"
	"github.com/pgrestgen/pgrestgen/runtime/drift"
)

var env pgtest.Env

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, &env, nil)) }

//go:embed testdata/schema.sql
var schemaSQL string

// exposed are the schemas TestLoad exposes; "private" stays hidden.
func exposed() []string { return []string{"api", "Ünï Schema"} }

// connect returns a connection to a fresh database holding testdata/schema.sql.
func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	uri := env.NewDatabase(t, "")
	if err := pgcluster.ApplySQL(t.Context(), uri, schemaSQL); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func TestLoad(t *testing.T) {
	conn := connect(t)
	got, err := Load(t.Context(), conn, Options{Schemas: exposed()})
	if err != nil {
		t.Fatal(err)
	}
	want := expectedCatalog()
	want.Objects = driftObjects(t, conn)
	want.Normalize()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load mismatch (-want +got):\n%s", diff)
	}
}

// driftObjects are runtime/drift's objects of the exposed schemas, as Load
// must record them; the query and its digests are drift's to test.
func driftObjects(t *testing.T, conn *pgx.Conn) []catalog.Object {
	t.Helper()
	objs, err := drift.Objects(t.Context(), conn, exposed())
	if err != nil {
		t.Fatal(err)
	}
	out := []catalog.Object{}
	for _, o := range objs {
		out = append(out, catalog.Object{Kind: o.Kind, Name: o.Name, Digest: o.Digest})
	}
	return out
}

func TestLoadEmptySchema(t *testing.T) {
	conn := connect(t)
	got, err := Load(t.Context(), conn, Options{Schemas: []string{"empty"}})
	if err != nil {
		t.Fatal(err)
	}
	want := &catalog.Catalog{
		Schemas:    []string{"empty"},
		Relations:  []catalog.Relation{},
		Functions:  []catalog.Function{},
		Enums:      []catalog.Enum{},
		Composites: []catalog.Composite{},
		Domains:    []catalog.Domain{},
		Objects:    []catalog.Object{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load mismatch (-want +got):\n%s", diff)
	}
}

// queryOnly hides every method but Query, so Load cannot open a transaction.
type queryOnly struct{ conn *pgx.Conn }

func (q queryOnly) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return q.conn.Query(ctx, sql, args...)
}

// The catalog must not depend on how Load is reached nor on the session's
// search_path, and Load must leave the session as it found it.
func TestLoadConnections(t *testing.T) {
	ctx := t.Context()
	conn := connect(t)
	want := expectedCatalog()
	want.Objects = driftObjects(t, conn)
	want.Normalize()
	check := func(name string, q Querier) {
		t.Helper()
		got, err := Load(ctx, q, Options{Schemas: exposed()})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: Load mismatch (-want +got):\n%s", name, diff)
		}
	}
	searchPath := func() string {
		t.Helper()
		var sp string
		if err := conn.QueryRow(ctx, "SHOW search_path").Scan(&sp); err != nil {
			t.Fatal(err)
		}
		return sp
	}

	if _, err := conn.Exec(ctx, "SET search_path = api, private, public"); err != nil {
		t.Fatal(err)
	}
	check("conn with api on search_path", conn)
	if sp := searchPath(); sp != "api, private, public" {
		t.Errorf("search_path after Load = %q, want it unchanged", sp)
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check("pgx.Tx", tx)
	if sp := searchPath(); sp != "api, private, public" {
		t.Errorf("search_path in caller's transaction after Load = %q, want it unchanged", sp)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("caller's transaction unusable after Load: %v", err)
	}

	// Without a transaction Load takes the session's search_path as it is.
	if _, err := conn.Exec(ctx, "SET search_path = ''"); err != nil {
		t.Fatal(err)
	}
	check("Querier without transactions", queryOnly{conn})

	pool, err := pgxpool.New(ctx, conn.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	check("pgxpool.Pool", pool)
}

func TestLoadOptions(t *testing.T) {
	conn := connect(t)
	for _, tc := range []struct {
		name    string
		schemas []string
		want    string
	}{
		{"none", nil, "no schemas given"},
		{"empty name", []string{"api", ""}, "empty schema name"},
		{"pg_catalog", []string{"api", "pg_catalog"}, `schema "pg_catalog" is a system schema`},
		{"information_schema", []string{"information_schema"}, `schema "information_schema" is a system schema`},
		{"pg_toast", []string{"pg_toast"}, `schema "pg_toast" is a system schema`},
		{"twice", []string{"api", "api"}, `schema "api" given twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat, err := Load(t.Context(), conn, Options{Schemas: tc.schemas})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load(%q) = %v, %v; want error containing %q", tc.schemas, cat, err, tc.want)
			}
		})
	}
}

// A schema that does not exist is kept in Schemas and listed in
// MissingSchemas: PostgREST starts with such a db-schemas too.
func TestLoadMissingSchemas(t *testing.T) {
	conn := connect(t)
	cat, err := Load(t.Context(), conn, Options{Schemas: []string{"Nope", "api", "nöpe"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Nope", "api", "nöpe"}; !slices.Equal(cat.Schemas, want) {
		t.Errorf("Schemas = %q, want %q", cat.Schemas, want)
	}
	if want := []string{"Nope", "nöpe"}; !slices.Equal(cat.MissingSchemas, want) {
		t.Errorf("MissingSchemas = %q, want %q", cat.MissingSchemas, want)
	}
	if len(cat.Relations) == 0 {
		t.Error("no relations of api loaded")
	}
}

func TestViewOrigins(t *testing.T) {
	// Trimmed from a real rule: escaped names, a Const datum, a junk entry
	// and an entry computed rather than passed through.
	const action = `({QUERY :commandType 1 :rtable ({RANGETBLENTRY :eref {ALIAS :aliasname t ` +
		`:colnames ("id" "we\{ird\}\ na,me")} :relid 16384}) :targetList (` +
		`{TARGETENTRY :expr {VAR :varno 3 :varattno 1} :resno 1 :resname id :resorigtbl 16384 :resorigcol 1 :resjunk false} ` +
		`{TARGETENTRY :expr {VAR :varno 3 :varattno 2} :resno 2 :resname we\{ird\}\ na,me :resorigtbl 16384 :resorigcol 2 :resjunk false} ` +
		`{TARGETENTRY :expr {CONST :consttype 25 :constvalue 5 [ 20 0 0 0 120 ]} :resno 3 :resname c :resorigtbl 0 :resorigcol 0 :resjunk false} ` +
		`{TARGETENTRY :expr {VAR :varno 3 :varattno 1} :resno 4 :resname <> :resorigtbl 16384 :resorigcol 1 :resjunk true}` +
		`) :sortClause <>})`
	got, err := viewOrigins(action)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int16]targetOrigin{1: {rel: 16384, col: 1}, 2: {rel: 16384, col: 2}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(targetOrigin{})); diff != "" {
		t.Errorf("viewOrigins mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "(", "({QUERY :targetList (", "({QUERY}) )", "({NOTQUERY})"} {
		if _, err := viewOrigins(bad); !errors.Is(err, errNodeTree) {
			t.Errorf("viewOrigins(%q) error = %v, want errNodeTree", bad, err)
		}
	}
}

// expectedCatalog is what Load must find in testdata/schema.sql.
func expectedCatalog() *catalog.Catalog {
	pg := func(name, sql string) catalog.Type {
		return catalog.Type{Schema: "pg_catalog", Name: name, SQL: sql, Category: catalog.CategoryBase}
	}
	api := func(name string, c catalog.TypeCategory) catalog.Type {
		return catalog.Type{Schema: "api", Name: name, SQL: "api." + name, Category: c}
	}
	array := func(schema, name, sql string, elem catalog.Type) catalog.Type {
		return catalog.Type{Schema: schema, Name: name, SQL: sql, Category: catalog.CategoryArray, Elem: &elem}
	}
	domain := func(name string, base catalog.Type) catalog.Type {
		t := api(name, catalog.CategoryDomain)
		t.Base = &base
		return t
	}
	pseudo := func(name string) catalog.Type {
		return catalog.Type{Schema: "pg_catalog", Name: name, SQL: name, Category: catalog.CategoryPseudo}
	}
	var (
		int2       = pg("int2", "smallint")
		int4       = pg("int4", "integer")
		int8       = pg("int8", "bigint")
		float8     = pg("float8", "double precision")
		text       = pg("text", "text")
		textArray  = array("pg_catalog", "_text", "text[]", text)
		char2      = pg("bpchar", "character(2)")
		varchar50  = pg("varchar", "character varying(50)")
		varchar100 = pg("varchar", "character varying(100)")
		mood       = api("mood", catalog.CategoryEnum)
		email      = domain("email", varchar100)
		tags       = domain("tags", textArray)
		floatrange = api("floatrange", catalog.CategoryRange)
		floatmulti = api("floatmultirange", catalog.CategoryMultirange)
	)
	col := func(pos int, name string, t catalog.Type, nullable bool) catalog.Column {
		c := catalog.Column{Name: name, Position: pos, Type: t, Nullable: nullable}
		switch t.SQL {
		case "character(2)":
			c.MaxLength = 2
		case "character varying(50)":
			c.MaxLength = 50
		case "api.email":
			c.MaxLength = 100
		}
		return c
	}
	fk := func(name string, cols []string, refSchema, refRel string, refCols ...string) catalog.ForeignKey {
		return catalog.ForeignKey{Name: name, Columns: cols, RefSchema: refSchema, RefRelation: refRel, RefColumns: refCols}
	}
	cols := func(c ...string) []string { return c }
	// books_author_id_fkey references authors(id), which author_stats
	// exposes once and author_view twice: every holder of the key also
	// references those.
	toAuthors := func(name string, col string) []catalog.ForeignKey {
		return []catalog.ForeignKey{
			fk(name, cols(col), "api", "authors", "id"),
			fk(name, cols(col), "api", "author_stats", "id"),
			fk(name, cols(col), "api", "author_view", "id"),
			fk(name, cols(col), "api", "author_view", "author_id"),
		}
	}
	toCountries := []catalog.ForeignKey{
		fk("authors_country_fkey", cols("country"), "private", "countries", "code"),
		fk("authors_country_fkey", cols("country"), "api", "country_view", "code"),
	}

	relations := []catalog.Relation{
		{
			Schema: "api", Name: "authors", Kind: catalog.KindTable, Comment: "People who write.",
			Columns: []catalog.Column{
				{Name: "id", Position: 1, Type: int4, Identity: "a"},
				{Name: "name", Position: 2, Type: varchar50, Comment: "Full name.", MaxLength: 50},
				col(3, "email", email, false),
				col(4, "country", char2, true),
				{Name: "mood", Position: 5, Type: mood, Nullable: true, Default: "'ok'::api.mood"},
				col(6, "nicknames", textArray, true),
				{Name: "created_at", Position: 7, Type: pg("timestamptz", "timestamp with time zone"), Default: "now()"},
			},
			PrimaryKey:  cols("id"),
			UniqueKeys:  []catalog.UniqueKey{{Name: "authors_name_email_key", Columns: cols("name", "email")}},
			ForeignKeys: toCountries,
			Insertable:  true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "books", Kind: catalog.KindTable,
			Columns: []catalog.Column{
				col(1, "author_id", int4, false),
				col(2, "seq", int4, false),
				col(3, "title", text, false),
				col(4, "price", pg("numeric", "numeric(10,2)"), true),
				{Name: "pages", Position: 5, Type: int4, Nullable: true, Generated: "s"},
				col(6, "during", catalog.Type{Schema: "pg_catalog", Name: "tstzrange", SQL: "tstzrange", Category: catalog.CategoryRange}, true),
				col(7, "loc", pg("point", "point"), true),
			},
			PrimaryKey:  cols("author_id", "seq"),
			ForeignKeys: toAuthors("books_author_id_fkey", "author_id"),
			Insertable:  true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "reviews", Kind: catalog.KindTable,
			Columns: []catalog.Column{
				{Name: "id", Position: 1, Type: int8, Identity: "d"},
				col(2, "book_author", int4, false),
				col(3, "book_seq", int4, false),
				col(4, "stars", int2, true),
				col(5, "body", text, true),
			},
			PrimaryKey: cols("id"),
			UniqueKeys: []catalog.UniqueKey{{Name: "reviews_seq_author_idx", Columns: cols("book_seq", "book_author", "stars")}},
			ForeignKeys: []catalog.ForeignKey{
				fk("reviews_book_fkey", cols("book_author", "book_seq"), "api", "books", "author_id", "seq"),
				fk("reviews_book_fkey", cols("book_author", "book_seq"), "api", "book_view", "writer", "seq"),
				fk("reviews_book_fkey", cols("book_author", "book_seq"), "api", "book_chain", "writer", "number"),
			},
			Insertable: true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "typed", Kind: catalog.KindTable,
			Columns: []catalog.Column{
				col(1, "id", int4, false),
				col(2, "r", floatrange, true),
				col(3, "mr", floatmulti, true),
				col(4, "p", api("pair", catalog.CategoryComposite), true),
				col(5, "moods", array("api", "_mood", "api.mood[]", mood), true),
				col(6, "tags", tags, true),
				col(7, "codes", array("pg_catalog", "_varchar", "character varying(20)[]", pg("varchar", "character varying(20)")), true),
				col(8, "j", pg("jsonb", "jsonb"), true),
				{Name: "fixed", Position: 9, Type: pg("bpchar", "character(3)"), Nullable: true, Default: "'abc'::bpchar", MaxLength: 3},
			},
			PrimaryKey: cols("id"),
			Insertable: true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "Ünïcode Tåble", Kind: catalog.KindTable,
			Columns: []catalog.Column{
				col(1, "Spaced Col", int4, false),
				col(2, "UPPER", text, true),
				col(3, "we{ird} na,me", text, true),
			},
			PrimaryKey: cols("Spaced Col"),
			Insertable: true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "measurements", Kind: catalog.KindPartitionedTable,
			Columns: []catalog.Column{
				col(1, "id", int4, false),
				col(2, "logdate", pg("date", "date"), false),
				col(3, "value", float8, true),
			},
			PrimaryKey: cols("id", "logdate"),
			Insertable: true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "measurement_notes", Kind: catalog.KindTable,
			Columns: []catalog.Column{
				col(1, "id", int4, false),
				col(2, "logdate", pg("date", "date"), false),
				col(3, "note", text, true),
			},
			ForeignKeys: []catalog.ForeignKey{
				fk("measurement_notes_id_logdate_fkey", cols("id", "logdate"), "api", "measurements", "id", "logdate"),
			},
			Insertable: true, Updatable: true, Deletable: true,
		},
		{
			// Its wrapper has no handler: nothing can be written.
			Schema: "api", Name: "remote", Kind: catalog.KindForeignTable,
			Columns: []catalog.Column{col(1, "id", int4, true), col(2, "note", text, true)},
		},
		{
			Schema: "api", Name: "book_view", Kind: catalog.KindView, Comment: "Books, renamed.",
			Columns: []catalog.Column{
				col(1, "writer", int4, true),
				col(2, "seq", int4, true),
				col(3, "title", text, true),
				col(4, "heading", text, true),
				col(5, "loud", text, true),
			},
			PrimaryKey:  cols("writer", "seq"),
			ForeignKeys: toAuthors("books_author_id_fkey", "writer"),
			Insertable:  true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "book_chain", Kind: catalog.KindView,
			Columns: []catalog.Column{
				col(1, "writer", int4, true),
				col(2, "number", int4, true),
				col(3, "loud", text, true),
			},
			PrimaryKey:  cols("writer", "number"),
			ForeignKeys: toAuthors("books_author_id_fkey", "writer"),
			Insertable:  true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "author_view", Kind: catalog.KindView,
			Columns: []catalog.Column{
				col(1, "id", int4, true),
				col(2, "author_id", int4, true),
				col(3, "name", varchar50, true),
				col(4, "country", char2, true),
				col(5, "email", email, false),
			},
			PrimaryKey:  cols("id"),
			UniqueKeys:  []catalog.UniqueKey{{Name: "authors_name_email_key", Columns: cols("name", "email")}},
			ForeignKeys: toCountries,
			Insertable:  true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "country_view", Kind: catalog.KindView,
			Columns:    []catalog.Column{col(1, "code", char2, true), col(2, "name", text, true)},
			PrimaryKey: cols("code"),
			Insertable: true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "joined", Kind: catalog.KindView,
			Columns:    []catalog.Column{col(1, "author", varchar50, true), col(2, "title", text, true)},
			Insertable: true,
		},
		{
			Schema: "api", Name: "titles", Kind: catalog.KindView,
			Columns:    []catalog.Column{col(1, "seq", int4, true), col(2, "title", text, true)},
			Insertable: true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "Ünïcode View", Kind: catalog.KindView,
			Columns:    []catalog.Column{col(1, "Ключ", int4, true), col(2, "we{ird} na,me", text, true)},
			PrimaryKey: cols("Ключ"),
			Insertable: true, Updatable: true, Deletable: true,
		},
		{
			Schema: "api", Name: "author_stats", Kind: catalog.KindMaterializedView,
			Columns: []catalog.Column{
				col(1, "id", int4, true),
				col(2, "name", varchar50, true),
				col(3, "books", int8, true),
			},
			PrimaryKey: cols("id"),
			UniqueKeys: []catalog.UniqueKey{{Name: "author_stats_name_idx", Columns: cols("name")}},
		},
		{
			Schema: "Ünï Schema", Name: "Mixed Case", Kind: catalog.KindTable,
			Columns:     []catalog.Column{col(1, "ID", int4, false), col(2, "author", int4, true)},
			PrimaryKey:  cols("ID"),
			ForeignKeys: toAuthors("Mixed Case_author_fkey", "author"),
			Insertable:  true, Updatable: true, Deletable: true,
		},
	}

	in := func(name string, t catalog.Type) catalog.Argument {
		return catalog.Argument{Name: name, Mode: catalog.ModeIn, Type: t}
	}
	fn := func(name string, vol catalog.Volatility, ret catalog.Type, args ...catalog.Argument) catalog.Function {
		if args == nil {
			args = []catalog.Argument{}
		}
		return catalog.Function{Schema: "api", Name: name, Args: args, Return: ret, Volatility: vol}
	}
	add := fn("add", catalog.Immutable, int4, in("a", int4), in("b", int4))
	add.Comment = "Adds numbers."
	greet := fn("greet", catalog.Stable, text, in("name", text), in("greeting", text), in("punct", text))
	greet.Args[1].HasDefault, greet.Args[2].HasDefault = true, true
	authorBooks := fn("author_books", catalog.Stable, pseudo("record"), in("author", int4),
		catalog.Argument{Name: "seq", Mode: catalog.ModeTable, Type: int4},
		catalog.Argument{Name: "title", Mode: catalog.ModeTable, Type: text})
	authorBooks.ReturnsSet, authorBooks.Rows = true, 1000
	allAuthors := fn("all_authors", catalog.Stable, api("authors", catalog.CategoryComposite))
	allAuthors.ReturnsSet, allAuthors.Rows = true, 50
	allAuthors.Settings = []string{"statement_timeout=1s", "search_path=api, public"}
	inc := fn("inc", catalog.Immutable, int4,
		catalog.Argument{Name: "x", Mode: catalog.ModeInOut, Type: int4},
		catalog.Argument{Name: "step", Mode: catalog.ModeIn, Type: int4, HasDefault: true})
	functions := []catalog.Function{
		add,
		fn("add", catalog.Immutable, text, in("a", text), in("b", text)),
		fn("concat_all", catalog.Immutable, text, in("sep", text),
			catalog.Argument{Name: "parts", Mode: catalog.ModeVariadic, Type: textArray}),
		greet,
		fn("split_name", catalog.Immutable, pseudo("record"), in("full_name", text),
			catalog.Argument{Name: "first", Mode: catalog.ModeOut, Type: text},
			catalog.Argument{Name: "last", Mode: catalog.ModeOut, Type: text}),
		authorBooks,
		allAuthors,
		inc,
		fn("unnamed", catalog.Volatile, pseudo("void"), in("", int4), in("", text)),
		fn("next_mood", catalog.Volatile, mood, in("m", mood)),
		fn("Ünï Func", catalog.Volatile, email, in("Arg One", tags)),
		// CREATE TYPE … AS RANGE makes these constructors in the schema.
		fn("floatrange", catalog.Immutable, floatrange, in("", float8), in("", float8)),
		fn("floatrange", catalog.Immutable, floatrange, in("", float8), in("", float8), in("", text)),
		fn("floatmultirange", catalog.Immutable, floatmulti),
		fn("floatmultirange", catalog.Immutable, floatmulti, in("", floatrange)),
		fn("floatmultirange", catalog.Immutable, floatmulti, catalog.Argument{
			Mode: catalog.ModeVariadic, Type: array("api", "_floatrange", "api.floatrange[]", floatrange),
		}),
	}

	return &catalog.Catalog{
		Schemas:   exposed(),
		Relations: relations,
		Functions: functions,
		Enums:     []catalog.Enum{{Schema: "api", Name: "mood", Labels: []string{"sad", "meh", "ok", "happy"}}},
		Composites: []catalog.Composite{
			{Schema: "api", Name: "nothing", Attributes: []catalog.Attribute{}},
			{Schema: "api", Name: "pair", Attributes: []catalog.Attribute{
				{Name: "a", Type: int4},
				{Name: "b", Type: pg("varchar", "character varying(10)")},
				{Name: "m", Type: mood},
			}},
		},
		Domains: []catalog.Domain{
			{Schema: "api", Name: "email", Base: varchar100, Nullable: false},
			{Schema: "api", Name: "tags", Base: textArray, Nullable: true},
		},
	}
}
