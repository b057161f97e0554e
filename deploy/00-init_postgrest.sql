-- The roles a PostgREST-style server needs, run by psql before the app's
-- migrations (compose mounts it first into /docker-entrypoint-initdb.d).
--
--   authenticator  the server logs in as it, with a password, and may do
--                  nothing but switch to the roles granted to it
--   anon           what requests without a JWT run as
--
-- The password comes from the environment, never from this file:
--   PGRST_AUTHENTICATOR_PASS=... psql -v ON_ERROR_STOP=1 -f 00-init_postgrest.sql
-- (\getenv needs psql 15 or later.) Roles belong to the whole cluster, so
-- running it again only resets the password.

\getenv authenticator_pass PGRST_AUTHENTICATOR_PASS
\if :{?authenticator_pass}
\else
  DO $$ BEGIN
    RAISE EXCEPTION 'PGRST_AUTHENTICATOR_PASS is not set: it is the authenticator role''s password';
  END $$;
\endif

-- Nothing is reachable through PUBLIC: what a role may use is granted to it.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

SELECT 'CREATE ROLE authenticator'
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticator')
\gexec
ALTER ROLE authenticator WITH NOINHERIT LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
  PASSWORD :'authenticator_pass';

SELECT 'CREATE ROLE anon'
WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'anon')
\gexec
ALTER ROLE anon WITH NOLOGIN;

GRANT anon TO authenticator;

-- anon reaches the exposed schema; the app's migrations grant it SELECT,
-- EXECUTE and more on the objects it may use.
GRANT USAGE ON SCHEMA public TO anon;
