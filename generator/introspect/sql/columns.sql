-- Live user columns of the relations relations.sql returns, by attnum. A
-- column of a NOT NULL domain is not nullable either. The default is left
-- empty for generated columns (their pg_attrdef row is the generation
-- expression). max_length is the n of varchar(n)/char(n), through one domain.
-- dims is an array column's declared dimensions when more than one
-- (int[][] → 2, else 0), which PostgreSQL records but its type does not carry.
SELECT
  a.attrelid,
  a.attnum,
  a.attname::text AS name,
  a.atttypid,
  a.atttypmod,
  NOT (a.attnotnull OR (t.typtype = 'd' AND t.typnotnull)) AS nullable,
  CASE WHEN a.attgenerated = '' THEN coalesce(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '') ELSE '' END AS "default",
  a.attidentity::text AS identity,
  a.attgenerated::text AS generated,
  coalesce(d.description, '') AS comment,
  CASE
    WHEN tt.typid IN ('pg_catalog.bpchar'::regtype, 'pg_catalog.varchar'::regtype) AND tt.typmod >= 4
    THEN tt.typmod - 4
    ELSE 0
  END AS max_length,
  CASE WHEN a.attndims > 1 THEN a.attndims::int ELSE 0 END AS dims
FROM pg_catalog.pg_attribute AS a
JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
CROSS JOIN LATERAL (
  SELECT
    CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END AS typid,
    CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod
) AS tt
LEFT JOIN pg_catalog.pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_description AS d
  ON d.classoid = 'pg_catalog.pg_class'::regclass AND d.objoid = a.attrelid AND d.objsubid = a.attnum
WHERE n.nspname = ANY ($1::text[])
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND NOT c.relispartition
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum;
