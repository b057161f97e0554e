-- Domains of the exposed schemas with the type (and typmod) they are over.
SELECT
  n.nspname::text AS schema,
  t.typname::text AS name,
  t.typbasetype,
  t.typtypmod,
  NOT t.typnotnull AS nullable
FROM pg_catalog.pg_type AS t
JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
WHERE n.nspname = ANY ($1::text[]) AND t.typtype = 'd'
ORDER BY n.nspname, t.typname;
