-- Functions for /rpc: one of every kind PostgREST serves, applied after
-- schema.sql. Execute is granted to PUBLIC, as PostgreSQL does by default.

-- Scalars: named arguments, defaults, every volatility.
CREATE FUNCTION test.add_them(a int, b int) RETURNS int
  LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;

CREATE FUNCTION test.greet(name text DEFAULT 'guest') RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT 'Hello ' || name || '!' $$;

CREATE FUNCTION test.no_args() RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT 'no arguments' $$;

-- The whole body as the single unnamed parameter (json, jsonb, text, xml,
-- bytea), and a named jsonb parameter that is not such a fallback.
CREATE FUNCTION test.echo_json(json) RETURNS json
  LANGUAGE sql IMMUTABLE AS $$ SELECT $1 $$;

CREATE FUNCTION test.count_entries(entries jsonb) RETURNS int
  LANGUAGE sql IMMUTABLE AS $$ SELECT jsonb_array_length(entries) $$;

CREATE FUNCTION test.shout(text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT upper($1) $$;

CREATE FUNCTION test.xml_root(xml) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT (xpath('name(/*)', $1))[1]::text $$;

CREATE FUNCTION test.byte_count(bytea) RETURNS int
  LANGUAGE sql IMMUTABLE AS $$ SELECT octet_length($1) $$;

-- Arrays and VARIADIC.
CREATE FUNCTION test.sum_array(arr int[]) RETURNS int
  LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(sum(x), 0)::int FROM unnest(arr) AS x $$;

CREATE FUNCTION test.join_words(sep text, VARIADIC words text[]) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT array_to_string(words, sep) $$;

-- Typed arguments from other schemas and types PostgreSQL reads by length.
CREATE FUNCTION test.initial(letter char, word varchar) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT letter || ':' || word $$;

CREATE FUNCTION test.lower_ci(s extensions.citext) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT lower(s::text) $$;

-- Rows: a table's rows (SETOF), one row, TABLE and OUT columns, records.
CREATE FUNCTION test.items_in(cat text) RETURNS SETOF test.items
  LANGUAGE sql STABLE AS $$ SELECT * FROM test.items WHERE category = cat ORDER BY id $$;

CREATE FUNCTION test.all_items() RETURNS SETOF test.items
  LANGUAGE sql STABLE AS $$ SELECT * FROM test.items $$;

CREATE FUNCTION test.item_by_id(item_id int) RETURNS test.items
  LANGUAGE sql STABLE AS $$ SELECT * FROM test.items WHERE id = item_id $$;

CREATE FUNCTION test.squares(n int) RETURNS TABLE (x int, square int)
  LANGUAGE sql IMMUTABLE AS $$ SELECT i, i * i FROM generate_series(1, n) AS i $$;

CREATE FUNCTION test.divide(a int, b int, OUT quotient int, OUT remainder int)
  LANGUAGE sql IMMUTABLE AS $$ SELECT a / b, a % b $$;

CREATE FUNCTION test.numbers(n int) RETURNS SETOF int
  LANGUAGE sql IMMUTABLE AS $$ SELECT generate_series(1, n) $$;

CREATE FUNCTION test.a_record() RETURNS record
  LANGUAGE sql IMMUTABLE AS $$ SELECT 1, 'one'::text $$;

-- void, and volatile functions that write.
CREATE TABLE test.call_log (
  id  serial PRIMARY KEY,
  msg text NOT NULL
);
GRANT SELECT, INSERT ON test.call_log TO anon, web_user;
GRANT USAGE ON SEQUENCE test.call_log_id_seq TO anon, web_user;

CREATE FUNCTION test.log_call(msg text) RETURNS void
  LANGUAGE sql VOLATILE AS $$ INSERT INTO test.call_log (msg) VALUES (msg) $$;

CREATE FUNCTION test.log_and_count(msg text) RETURNS bigint
  LANGUAGE sql VOLATILE AS $$
    INSERT INTO test.call_log (msg) VALUES (msg);
    SELECT count(*) FROM test.call_log;
  $$;

-- A function declared STABLE that writes anyway: PostgREST runs it READ ONLY.
CREATE FUNCTION test.sneaky_write(msg text) RETURNS int
  LANGUAGE plpgsql STABLE AS $$
  BEGIN
    INSERT INTO test.call_log (msg) VALUES (msg);
    RETURN 1;
  END $$;

-- Overloads: told apart by argument names; two with the same names are
-- ambiguous.
CREATE FUNCTION test.over() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'none' $$;
CREATE FUNCTION test.over(a int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'a=' || a $$;
CREATE FUNCTION test.over(a int, b int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'a=' || a || ',b=' || b $$;
CREATE FUNCTION test.same_names(x int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'int' $$;
CREATE FUNCTION test.same_names(x text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'text' $$;

-- Not served: more than one unnamed argument.
CREATE FUNCTION test.unnamed_pair(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + $2 $$;

-- Settings: the isolation level and a hoisted statement_timeout.
CREATE FUNCTION test.isolation() RETURNS text
  LANGUAGE sql STABLE SET default_transaction_isolation TO 'serializable'
  AS $$ SELECT current_setting('transaction_isolation') $$;

CREATE FUNCTION test.slow(seconds float8) RETURNS text
  LANGUAGE plpgsql STABLE SET statement_timeout TO '100ms'
  AS $$ BEGIN PERFORM pg_sleep(seconds); RETURN 'done'; END $$;

-- Response headers and status set by the function.
CREATE FUNCTION test.teapot() RETURNS text
  LANGUAGE plpgsql STABLE AS $$
  BEGIN
    PERFORM set_config('response.status', '418', true);
    PERFORM set_config('response.headers', '[{"X-Brew": "earl grey"}, {"Cache-Control": "no-store"}]', true);
    RETURN 'short and stout';
  END $$;

CREATE FUNCTION test.bad_headers() RETURNS text
  LANGUAGE plpgsql STABLE AS $$
  BEGIN
    PERFORM set_config('response.headers', '{"not": "an array"}', true);
    RETURN 'x';
  END $$;

CREATE FUNCTION test.bad_status() RETURNS text
  LANGUAGE plpgsql STABLE AS $$
  BEGIN
    PERFORM set_config('response.status', 'teapot', true);
    RETURN 'x';
  END $$;

-- A function of the other exposed schema, with a name test has too.
CREATE FUNCTION v2.no_args() RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT 'v2 has no arguments either' $$;

CREATE FUNCTION v2.version() RETURNS int
  LANGUAGE sql STABLE AS $$ SELECT 2 $$;

-- A volatile function without arguments (OPTIONS allows POST only).
CREATE FUNCTION test.bump() RETURNS bigint
  LANGUAGE sql VOLATILE AS $$
    INSERT INTO test.call_log (msg) VALUES ('bump');
    SELECT count(*) FROM test.call_log;
  $$;

-- A procedure: PostgREST does not serve procedures (F-RPC-13).
CREATE PROCEDURE test.a_procedure() LANGUAGE sql AS $$ SELECT 1 $$;

-- Handler functions: returning a domain named after a media type serves
-- that media type (F-RPC-15); "*/*" serves any.
CREATE DOMAIN test."text/html" AS text;
CREATE DOMAIN test."application/vnd.sample" AS bytea;
CREATE DOMAIN test."*/*" AS bytea;

CREATE FUNCTION test.page(title text DEFAULT 'Home') RETURNS test."text/html"
  LANGUAGE sql STABLE AS $$ SELECT '<h1>' || title || '</h1>' $$;

CREATE FUNCTION test.sample() RETURNS test."application/vnd.sample"
  LANGUAGE sql STABLE AS $$ SELECT '\x00ff10'::bytea $$;

CREATE FUNCTION test.anything_goes() RETURNS test."*/*"
  LANGUAGE plpgsql STABLE AS $$
  BEGIN
    PERFORM set_config('response.headers', '[{"Content-Type": "text/plain; charset=utf-8"}]', true);
    RETURN convert_to('plain words', 'UTF8');
  END $$;

-- A function returning rows of a table that has relationships (films.sql):
-- its results embed as the table's rows do (F-EMBED-22).
CREATE FUNCTION test.films_before(y int) RETURNS SETOF test.films
  LANGUAGE sql STABLE AS $$ SELECT * FROM test.films WHERE year < y $$;

-- RAISE as PostgREST reads it (F-ERR-03, F-ERR-04): SQLSTATE 'PGRST' with
-- the MESSAGE and DETAIL given (no DETAIL when det is null), and any
-- SQLSTATE with a message.
CREATE FUNCTION test.raise_pgrst(msg text, det text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql STABLE AS $$
  BEGIN
    IF det IS NULL THEN
      RAISE SQLSTATE 'PGRST' USING MESSAGE = msg;
    END IF;
    RAISE SQLSTATE 'PGRST' USING MESSAGE = msg, DETAIL = det;
  END $$;

CREATE FUNCTION test.raise_state(state text, msg text) RETURNS void
  LANGUAGE plpgsql STABLE AS $$
  BEGIN
    RAISE USING ERRCODE = state, MESSAGE = msg;
  END $$;

-- Overloads of which some take a single unnamed parameter (PostgREST's
-- findProc): the overload whose names match the arguments wins; only when
-- none does, a POST body goes to the unnamed parameter of its media type.
CREATE FUNCTION test.either() RETURNS int
  LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;
CREATE FUNCTION test.either(x int, y int) RETURNS int
  LANGUAGE sql IMMUTABLE AS $$ SELECT x + y $$;
CREATE FUNCTION test.either(json) RETURNS json
  LANGUAGE sql IMMUTABLE AS $$ SELECT $1 $$;
CREATE FUNCTION test.either(text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT 'text: ' || $1 $$;
CREATE FUNCTION test.json_or_jsonb(json) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT 'json' $$;
CREATE FUNCTION test.json_or_jsonb(jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT 'jsonb' $$;
