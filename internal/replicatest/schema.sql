-- The read-replica test bed: a table to write and read, and functions that
-- say which server answered, so a test can tell a replica's answer from the
-- primary's.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
    CREATE ROLE authenticator NOINHERIT LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN;
  END IF;
END
$$;

GRANT anon TO authenticator;

CREATE SCHEMA api;
GRANT USAGE ON SCHEMA api TO anon;

CREATE TABLE api.notes (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  body text NOT NULL
);
GRANT SELECT, INSERT ON api.notes TO anon;

-- The answering server: its port and whether it is a standby. STABLE, so a
-- POST runs it READ ONLY too, as PostgREST does.
CREATE FUNCTION api.server() RETURNS json LANGUAGE sql STABLE AS $$
  SELECT json_build_object('port', inet_server_port(), 'in_recovery', pg_is_in_recovery())
$$;

-- The same, VOLATILE: a POST runs it READ WRITE, on the primary.
CREATE FUNCTION api.server_rw() RETURNS json LANGUAGE sql VOLATILE AS $$
  SELECT json_build_object('port', inet_server_port(), 'in_recovery', pg_is_in_recovery())
$$;

GRANT EXECUTE ON FUNCTION api.server(), api.server_rw() TO anon;
