-- Enum types of the exposed schemas with their labels in sort order.
SELECT
  n.nspname::text AS schema,
  t.typname::text AS name,
  ARRAY(
    SELECT e.enumlabel::text
    FROM pg_catalog.pg_enum AS e
    WHERE e.enumtypid = t.oid
    ORDER BY e.enumsortorder
  ) AS labels
FROM pg_catalog.pg_type AS t
JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
WHERE n.nspname = ANY ($1::text[]) AND t.typtype = 'e'
ORDER BY n.nspname, t.typname;
