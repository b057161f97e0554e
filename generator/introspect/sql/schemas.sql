-- The requested schemas that exist, so that a missing one can be named,
-- with their COMMENTs (the OpenAPI documents' title and description).
SELECT n.nspname::text, coalesce(pg_catalog.obj_description(n.oid, 'pg_namespace'), '')
FROM pg_catalog.pg_namespace AS n
WHERE n.nspname = ANY ($1::text[])
ORDER BY n.nspname;
