-- Tables, partitioned tables (not their partitions), views, materialized
-- views and foreign tables of the exposed schemas. updatable_events is
-- pg_relation_is_updatable's bitmask (4 update, 8 insert, 16 delete), counting
-- INSTEAD OF triggers and rules; foreign tables whose wrapper has no handler
-- are skipped because the function raises an error for them.
SELECT
  c.oid,
  n.nspname::text AS schema,
  c.relname::text AS name,
  c.relkind::text AS kind,
  coalesce(d.description, '') AS comment,
  CASE
    WHEN c.relkind IN ('r', 'p') THEN 28
    WHEN c.relkind = 'v' THEN pg_catalog.pg_relation_is_updatable(c.oid::regclass, true)
    WHEN c.relkind = 'f' AND EXISTS (
      SELECT
      FROM pg_catalog.pg_foreign_table AS ft
      JOIN pg_catalog.pg_foreign_server AS fs ON fs.oid = ft.ftserver
      JOIN pg_catalog.pg_foreign_data_wrapper AS w ON w.oid = fs.srvfdw
      WHERE ft.ftrelid = c.oid AND w.fdwhandler <> 0
    ) THEN pg_catalog.pg_relation_is_updatable(c.oid::regclass, true)
    ELSE 0
  END AS updatable_events
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description AS d
  ON d.classoid = 'pg_catalog.pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
WHERE n.nspname = ANY ($1::text[])
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND NOT c.relispartition
ORDER BY n.nspname, c.relname;
