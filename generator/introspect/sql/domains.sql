-- Domains of the exposed schemas with the type (and typmod) they are over.
SELECT
  n.nspname::text AS schema,
  t.typname::text AS name,
  t.typbasetype,
  t.typtypmod,
  NOT t.typnotnull AS nullable,
  -- The function of a CREATE CAST (text AS domain): PostgREST's domain
  -- representations parse filter values with it.
  coalesce(ft.schema, '') AS from_text_schema,
  coalesce(ft.name, '') AS from_text_name
FROM pg_catalog.pg_type AS t
JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
LEFT JOIN LATERAL (
  SELECT pn.nspname::text AS schema, p.proname::text AS name
  FROM pg_catalog.pg_cast AS c
  JOIN pg_catalog.pg_proc AS p ON p.oid = c.castfunc
  JOIN pg_catalog.pg_namespace AS pn ON pn.oid = p.pronamespace
  WHERE c.castsource = 'pg_catalog.text'::pg_catalog.regtype AND c.casttarget = t.oid
) AS ft ON true
WHERE n.nspname = ANY ($1::text[]) AND t.typtype = 'd'
ORDER BY n.nspname, t.typname;
