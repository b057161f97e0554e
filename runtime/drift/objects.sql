-- One row per object of the exposed schemas ($1) that generated code depends
-- on (and per domain representation cast, whatever its schema): its kind, its quoted schema-qualified name (functions as regprocedure
-- prints them) and the md5 of a canonical text of the facts the code relies
-- on, a jsonb value (whose text form is canonical) built here. Comments,
-- non-unique and partial indexes, triggers, grants, CHECK constraints and
-- function bodies are left out: they change nothing the code relies on. The
-- caller empties search_path, so type names and expressions come out
-- schema-qualified whatever the session's path.
WITH relations AS (
  SELECT c.oid, n.nspname, c.relname, c.relkind
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY ($1::text[])
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND NOT c.relispartition
),
objects (kind, name, facts) AS (
  SELECT
    CASE r.relkind
      WHEN 'r' THEN 'table'
      WHEN 'p' THEN 'partitioned table'
      WHEN 'v' THEN 'view'
      WHEN 'm' THEN 'materialized view'
      ELSE 'foreign table'
    END,
    pg_catalog.quote_ident(r.nspname) || '.' || pg_catalog.quote_ident(r.relname),
    pg_catalog.jsonb_build_object(
      -- Columns in order: name, type, nullability (a NOT NULL domain
      -- counts), default expression (Prefer: missing=default renders it),
      -- identity, generation.
      'columns', (
        SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(
          a.attname,
          pg_catalog.format_type(a.atttypid, a.atttypmod),
          NOT (a.attnotnull OR (t.typtype = 'd' AND t.typnotnull)),
          CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,
          a.attidentity,
          a.attgenerated
        ) ORDER BY a.attnum)
        FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      ),
      -- Primary, unique and foreign keys (relationships and their hints):
      -- type, the foreign key's name (other constraints' names are never
      -- used), columns, referenced relation and columns. The hidden copies
      -- of a foreign key to a partitioned table are skipped.
      'keys', (
        SELECT pg_catalog.jsonb_agg(k.key ORDER BY k.key)
        FROM (
          SELECT pg_catalog.jsonb_build_array(
            k.contype,
            CASE WHEN k.contype = 'f' THEN k.conname END,
            ARRAY(
              SELECT a.attname
              FROM unnest(k.conkey) WITH ORDINALITY AS u (attnum, ord)
              JOIN pg_catalog.pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
              ORDER BY u.ord
            ),
            CASE WHEN k.contype = 'f' THEN
              pg_catalog.quote_ident(rn.nspname) || '.' || pg_catalog.quote_ident(rc.relname)
            END,
            ARRAY(
              SELECT a.attname
              FROM unnest(k.confkey) WITH ORDINALITY AS u (attnum, ord)
              JOIN pg_catalog.pg_attribute AS a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
              ORDER BY u.ord
            )
          ) AS key
          FROM pg_catalog.pg_constraint AS k
          LEFT JOIN pg_catalog.pg_class AS rc ON rc.oid = k.confrelid
          LEFT JOIN pg_catalog.pg_namespace AS rn ON rn.oid = rc.relnamespace
          WHERE k.conrelid = r.oid
            AND k.contype IN ('p', 'u', 'f')
            AND NOT (k.contype = 'f' AND k.conparentid <> 0 AND rc.relispartition)
        ) AS k
      ),
      -- Unique indexes backing no constraint, without predicate or
      -- expressions: they make relationships one-to-one as UNIQUE does.
      'unique_indexes', (
        SELECT pg_catalog.jsonb_agg(x.cols ORDER BY x.cols)
        FROM (
          SELECT pg_catalog.to_jsonb(ARRAY(
            SELECT a.attname
            FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u (attnum, ord)
            JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = u.attnum
            WHERE u.ord <= i.indnkeyatts
            ORDER BY u.ord
          )) AS cols
          FROM pg_catalog.pg_index AS i
          WHERE i.indrelid = r.oid
            AND i.indisunique
            AND i.indisvalid
            AND i.indpred IS NULL
            AND i.indexprs IS NULL
            AND NOT EXISTS (
              SELECT
              FROM pg_catalog.pg_constraint AS k
              WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
            )
        ) AS x
      ),
      -- What a view or foreign table can do (auto-updatable views, INSTEAD OF
      -- triggers); tables can do everything. The function raises an error
      -- for foreign tables whose wrapper has no handler.
      'updatable', CASE
        WHEN r.relkind = 'v' THEN pg_catalog.pg_relation_is_updatable(r.oid::regclass, true)
        WHEN r.relkind = 'f' AND EXISTS (
          SELECT
          FROM pg_catalog.pg_foreign_table AS ft
          JOIN pg_catalog.pg_foreign_server AS fs ON fs.oid = ft.ftserver
          JOIN pg_catalog.pg_foreign_data_wrapper AS w ON w.oid = fs.srvfdw
          WHERE ft.ftrelid = r.oid AND w.fdwhandler <> 0
        ) THEN pg_catalog.pg_relation_is_updatable(r.oid::regclass, true)
      END,
      -- A view's keys and foreign keys are inferred from its query.
      'query', CASE WHEN r.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(r.oid) END
    )
  FROM relations AS r

  UNION ALL
  -- Functions as introspection takes them: plain, not trigger functions.
  SELECT
    'function',
    p.oid::pg_catalog.regprocedure::text,
    pg_catalog.jsonb_build_object(
      -- Every argument (OUT and TABLE ones give the result's columns):
      -- mode, name, type.
      'args', (
        SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(
          coalesce(u.mode, 'i'),
          coalesce(u.name, ''),
          pg_catalog.format_type(u.type, NULL)
        ) ORDER BY u.ord)
        FROM unnest(
          coalesce(p.proallargtypes, p.proargtypes::oid[]),
          p.proargmodes::text[],
          p.proargnames
        ) WITH ORDINALITY AS u (type, mode, name, ord)
      ),
      'defaults', p.pronargdefaults,
      'returns', pg_catalog.format_type(p.prorettype, NULL),
      'set', p.proretset,
      'volatility', p.provolatile,
      -- ROWS 1 makes a computed relationship to-one.
      'rows', p.prorows,
      'settings', p.proconfig
    )
  FROM pg_catalog.pg_proc AS p
  JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
  WHERE n.nspname = ANY ($1::text[])
    AND p.prokind = 'f'
    AND p.prorettype NOT IN ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype)

  UNION ALL
  SELECT
    CASE t.typtype WHEN 'e' THEN 'enum' ELSE 'domain' END,
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.typname),
    CASE t.typtype
      WHEN 'e' THEN pg_catalog.jsonb_build_object('labels', ARRAY(
        SELECT e.enumlabel
        FROM pg_catalog.pg_enum AS e
        WHERE e.enumtypid = t.oid
        ORDER BY e.enumsortorder
      ))
      -- A domain: its base type, NOT NULL, and the function of a
      -- CREATE CAST (text AS domain), which filters on its columns use.
      ELSE pg_catalog.jsonb_build_object(
        'base', pg_catalog.format_type(t.typbasetype, t.typtypmod),
        'not_null', t.typnotnull,
        'from_text', (
          SELECT c.castfunc::pg_catalog.regprocedure::text
          FROM pg_catalog.pg_cast AS c
          WHERE c.castsource = 'pg_catalog.text'::pg_catalog.regtype AND c.casttarget = t.oid
        )
      )
    END
  FROM pg_catalog.pg_type AS t
  JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
  WHERE n.nspname = ANY ($1::text[]) AND t.typtype IN ('e', 'd')

  UNION ALL
  -- Standalone composite types: attribute names and types in order.
  SELECT
    'composite type',
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
    pg_catalog.jsonb_build_object('attributes', (
      SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(
        a.attname,
        pg_catalog.format_type(a.atttypid, a.atttypmod)
      ) ORDER BY a.attnum)
      FROM pg_catalog.pg_attribute AS a
      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    ))
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY ($1::text[]) AND c.relkind = 'c'

  UNION ALL
  -- Domain representations: the implicit casts with a function between a
  -- domain (of any schema) and json or text that the generated SQL calls,
  -- named "source AS target". Without generation's privilege check, which
  -- depends on the role.
  SELECT
    'cast',
    pg_catalog.format_type(c.castsource, NULL) || ' AS ' || pg_catalog.format_type(c.casttarget, NULL),
    pg_catalog.jsonb_build_object('function', c.castfunc::pg_catalog.regprocedure::text)
  FROM pg_catalog.pg_cast AS c
  JOIN pg_catalog.pg_type AS d ON d.typtype = 'd' AND d.oid IN (c.castsource, c.casttarget)
  WHERE c.castcontext = 'i' AND c.castmethod = 'f'
    AND (c.casttarget = 'pg_catalog.json'::pg_catalog.regtype
      OR c.castsource IN ('pg_catalog.json'::pg_catalog.regtype, 'pg_catalog.text'::pg_catalog.regtype))
)
SELECT kind, name, pg_catalog.md5(facts::text) AS digest
FROM objects
ORDER BY name COLLATE "C", kind COLLATE "C";
