-- The schema of the PostGIS extension, where its geometry and geography
-- types and ST_AsGeoJSON(record) live; no row when it is not installed.
SELECT n.nspname::text
FROM pg_catalog.pg_extension AS e
JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.extname = 'postgis';
