-- Domain representations, as PostgREST finds them: the function of every
-- implicit, function-based cast between a domain (of any schema) and json
-- or text that the generating role may execute. to_json formats the
-- domain's values in JSON output, from_json parses them in request bodies,
-- from_text in filter values. (A domain → text cast has no use: PostgREST's
-- output format is always json.)
SELECT
  dn.nspname::text AS domain_schema,
  d.typname::text AS domain_name,
  CASE
    WHEN c.casttarget = 'pg_catalog.json'::pg_catalog.regtype THEN 'to_json'
    WHEN c.castsource = 'pg_catalog.json'::pg_catalog.regtype THEN 'from_json'
    ELSE 'from_text'
  END AS kind,
  pn.nspname::text AS func_schema,
  p.proname::text AS func_name
FROM pg_catalog.pg_cast AS c
JOIN pg_catalog.pg_type AS d
  ON d.typtype = 'd'
  AND d.oid = CASE WHEN c.casttarget = 'pg_catalog.json'::pg_catalog.regtype THEN c.castsource ELSE c.casttarget END
JOIN pg_catalog.pg_namespace AS dn ON dn.oid = d.typnamespace
JOIN pg_catalog.pg_proc AS p ON p.oid = c.castfunc
JOIN pg_catalog.pg_namespace AS pn ON pn.oid = p.pronamespace
WHERE c.castcontext = 'i'
  AND c.castmethod = 'f'
  AND pg_catalog.has_function_privilege(c.castfunc, 'execute')
  AND (c.casttarget = 'pg_catalog.json'::pg_catalog.regtype
    OR c.castsource IN ('pg_catalog.json'::pg_catalog.regtype, 'pg_catalog.text'::pg_catalog.regtype))
ORDER BY dn.nspname, d.typname, kind;
