-- Aggregates of the exposed schemas that are media-type handlers, as
-- PostgREST finds them: one argument, either anyelement or the row type of
-- a relation (of any schema), returning a domain named like a media type
-- ("text/csv", "application/vnd.twkb") or "*/*". target_schema and
-- target_name are empty for anyelement.
SELECT
  pn.nspname::text AS schema,
  p.proname::text AS name,
  t.typname::text AS media_type,
  (t.typbasetype = 'pg_catalog.bytea'::pg_catalog.regtype) AS binary,
  CASE WHEN a.oid = 'pg_catalog.anyelement'::pg_catalog.regtype THEN '' ELSE an.nspname::text END AS target_schema,
  CASE WHEN a.oid = 'pg_catalog.anyelement'::pg_catalog.regtype THEN '' ELSE a.typname::text END AS target_name
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS pn ON pn.oid = p.pronamespace
JOIN pg_catalog.pg_aggregate AS g ON g.aggfnoid = p.oid
JOIN pg_catalog.pg_type AS t ON t.oid = p.prorettype
JOIN pg_catalog.pg_type AS a ON a.oid = p.proargtypes[0]
JOIN pg_catalog.pg_namespace AS an ON an.oid = a.typnamespace
WHERE pn.nspname = ANY ($1::text[])
  AND p.pronargs = 1
  AND t.typbasetype <> 0
  AND (t.typname ~* '^[A-Za-z0-9.-]+/[A-Za-z0-9.\+-]+$' OR t.typname = '*/*')
  AND (a.oid = 'pg_catalog.anyelement'::pg_catalog.regtype
    OR a.typrelid IN (SELECT c.oid FROM pg_catalog.pg_class AS c WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p')))
ORDER BY pn.nspname, p.proname, p.oid;
