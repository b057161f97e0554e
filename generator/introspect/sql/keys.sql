-- Primary key, unique and foreign key constraints of the relations of the
-- exposed schemas and of the extra relations in $2 (the base tables views
-- read from), columns in key order. When a foreign key references a
-- partitioned table, PostgreSQL adds hidden child constraints referencing each
-- partition; those are skipped.
SELECT
  k.conrelid,
  k.conname::text AS name,
  k.contype::text AS type,
  k.conkey AS attnums,
  ARRAY(
    SELECT a.attname::text
    FROM unnest(k.conkey) WITH ORDINALITY AS u (attnum, ord)
    JOIN pg_catalog.pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
    ORDER BY u.ord
  ) AS columns,
  k.confrelid,
  coalesce(rn.nspname::text, '') AS ref_schema,
  coalesce(rc.relname::text, '') AS ref_relation,
  coalesce(k.confkey, '{}') AS ref_attnums,
  ARRAY(
    SELECT a.attname::text
    FROM unnest(k.confkey) WITH ORDINALITY AS u (attnum, ord)
    JOIN pg_catalog.pg_attribute AS a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
    ORDER BY u.ord
  ) AS ref_columns
FROM pg_catalog.pg_constraint AS k
JOIN pg_catalog.pg_class AS c ON c.oid = k.conrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class AS rc ON rc.oid = k.confrelid
LEFT JOIN pg_catalog.pg_namespace AS rn ON rn.oid = rc.relnamespace
WHERE k.contype IN ('p', 'u', 'f')
  AND (n.nspname = ANY ($1::text[]) OR k.conrelid = ANY ($2::oid[]))
  AND NOT (k.contype = 'f' AND k.conparentid <> 0 AND rc.relispartition)
ORDER BY k.conrelid, k.contype, k.conname;
