-- Plain functions (no procedures, aggregates or window functions) of the
-- exposed schemas, overloads included. Trigger and event trigger functions
-- are left out: they cannot be called. arg_types covers every argument
-- (proallargtypes) when there are OUT/INOUT/TABLE ones, else only the inputs;
-- arg_modes is empty when all are IN.
SELECT
  p.oid,
  n.nspname::text AS schema,
  p.proname::text AS name,
  coalesce(d.description, '') AS comment,
  coalesce(p.proallargtypes, p.proargtypes::oid[]) AS arg_types,
  coalesce(p.proargmodes::text[], '{}') AS arg_modes,
  coalesce(p.proargnames, '{}') AS arg_names,
  p.pronargs::int4 AS n_inputs,
  p.pronargdefaults::int4 AS n_defaults,
  p.prorettype,
  p.proretset,
  p.provolatile::text AS volatility,
  p.prorows::float8 AS rows,
  coalesce(p.proconfig, '{}') AS settings
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_description AS d
  ON d.classoid = 'pg_catalog.pg_proc'::regclass AND d.objoid = p.oid AND d.objsubid = 0
WHERE n.nspname = ANY ($1::text[])
  AND p.prokind = 'f'
  AND p.prorettype NOT IN ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype)
ORDER BY n.nspname, p.proname, p.oid;
