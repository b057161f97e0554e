-- Unique indexes that back no constraint, have no predicate and index only
-- plain columns, of the same relations as keys.sql; key columns in index
-- order (INCLUDE columns left out).
SELECT
  i.indrelid,
  ic.relname::text AS name,
  ARRAY(
    SELECT u.attnum
    FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u (attnum, ord)
    WHERE u.ord <= i.indnkeyatts
    ORDER BY u.ord
  ) AS attnums,
  ARRAY(
    SELECT a.attname::text
    FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u (attnum, ord)
    JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = u.attnum
    WHERE u.ord <= i.indnkeyatts
    ORDER BY u.ord
  ) AS columns
FROM pg_catalog.pg_index AS i
JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class AS c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE i.indisunique
  AND i.indisvalid
  AND i.indpred IS NULL
  AND i.indexprs IS NULL
  AND NOT EXISTS (
    SELECT
    FROM pg_catalog.pg_constraint AS k
    WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
  )
  AND (n.nspname = ANY ($1::text[]) OR i.indrelid = ANY ($2::oid[]))
ORDER BY i.indrelid, ic.relname;
