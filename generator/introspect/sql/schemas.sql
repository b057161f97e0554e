-- The requested schemas that exist, so that a missing one can be named.
SELECT n.nspname::text
FROM pg_catalog.pg_namespace AS n
WHERE n.nspname = ANY ($1::text[])
ORDER BY n.nspname;
