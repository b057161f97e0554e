-- Standalone composite types (CREATE TYPE … AS) of the exposed schemas, one
-- row per live attribute in attnum order; a type without attributes gives one
-- row with a NULL attribute.
SELECT
  n.nspname::text AS schema,
  c.relname::text AS name,
  a.attname::text AS attribute,
  a.atttypid,
  a.atttypmod
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute AS a
  ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = ANY ($1::text[]) AND c.relkind = 'c'
ORDER BY n.nspname, c.relname, a.attnum;
