-- The types named by ($1 oid, $2 typmod) pairs and, recursively, the element
-- types of arrays (with the array's typmod) and the base types of domains
-- (with the domain's typmod). sql is format_type's spelling, which qualifies
-- every type outside pg_catalog when search_path is empty.
WITH RECURSIVE wanted (oid, typmod) AS (
  SELECT u.oid, u.typmod
  FROM unnest($1::oid[], $2::int4[]) AS u (oid, typmod)
  UNION
  SELECT x.oid, x.typmod
  FROM wanted AS w
  JOIN pg_catalog.pg_type AS t ON t.oid = w.oid
  CROSS JOIN LATERAL (
    VALUES
      (CASE WHEN t.typtype = 'd' THEN t.typbasetype END, t.typtypmod),
      (CASE WHEN t.typtype = 'b' AND t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem END, w.typmod)
  ) AS x (oid, typmod)
  WHERE x.oid IS NOT NULL
)
SELECT
  w.oid,
  w.typmod,
  n.nspname::text AS schema,
  t.typname::text AS name,
  pg_catalog.format_type(w.oid, w.typmod) AS sql,
  t.typtype::text AS typtype,
  CASE WHEN t.typtype = 'b' AND t.typcategory = 'A' THEN t.typelem ELSE 0::oid END AS elem,
  CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE 0::oid END AS base,
  t.typtypmod
FROM wanted AS w
JOIN pg_catalog.pg_type AS t ON t.oid = w.oid
JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
ORDER BY w.oid, w.typmod;
