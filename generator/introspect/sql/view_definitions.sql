-- The query tree of every view and materialized view of the exposed schemas
-- and, transitively, of every view or materialized view they read from in any
-- schema, so that a view column can be followed down to a base-table column.
WITH RECURSIVE reachable (oid) AS (
  SELECT c.oid
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('v', 'm')
  UNION
  SELECT dep.refobjid
  FROM reachable AS v
  JOIN pg_catalog.pg_rewrite AS r ON r.ev_class = v.oid AND r.rulename = '_RETURN'
  JOIN pg_catalog.pg_depend AS dep
    ON dep.classid = 'pg_catalog.pg_rewrite'::regclass
    AND dep.objid = r.oid
    AND dep.refclassid = 'pg_catalog.pg_class'::regclass
  JOIN pg_catalog.pg_class AS ref ON ref.oid = dep.refobjid
  WHERE ref.relkind IN ('v', 'm')
)
SELECT v.oid, n.nspname::text AS schema, c.relname::text AS name, r.ev_action::text AS action
FROM reachable AS v
JOIN pg_catalog.pg_class AS c ON c.oid = v.oid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_rewrite AS r ON r.ev_class = v.oid AND r.rulename = '_RETURN'
ORDER BY v.oid;
