-- Names and types that must never make generation fail: case-only
-- differences, snake vs camel clashes, Go and SQL keywords, digits and
-- underscores first, spaces, quotes, unicode, overloads, every built-in type.
CREATE TABLE films (id int PRIMARY KEY, title text);
CREATE TABLE "Films" (id int PRIMARY KEY, "Title" text);
CREATE TABLE "FILMS" (id int);
CREATE TABLE clash (user_id int, "userId" int, "UserID" int, "user id" int);
CREATE TABLE "type" ("func" int, "package" text, "select" text, "range" int, "default" text, "interface" int);
CREATE TABLE "1st table" ("2nd col" int, "_under" int, "__double" int);
CREATE TABLE _leading (x int);
CREATE TABLE ".dotted" (x int);
CREATE TABLE "events_linux" (id int);
CREATE TABLE "thing_test" (id int);
CREATE TABLE "with ""quotes"" and 'apostrophes'" ("a""b" int, "c'd" int, "e,f" text, "g\h" text);
CREATE TABLE "名前" ("列" text, "ü" int);
CREATE TABLE "Ünïcödé Table" ("Größe" numeric);
CREATE TABLE "a-b" ("x-y" int);
CREATE TABLE "?!" ("*" int);
CREATE TABLE films_col_id (id int);
CREATE TABLE "line
break" ("col
umn" int);
COMMENT ON TABLE films IS 'Films we love.
Second line with */ and // inside.';

CREATE TYPE mood AS ENUM ('happy', 'sad', 'so-so', 'Happy', '');
CREATE TYPE "Mood" AS ENUM ('x');
CREATE TYPE point3 AS (x float8, y float8, "Z" float8);
CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);

CREATE TABLE all_types (
  c_bool bool, c_int2 int2, c_int4 int4, c_int8 int8, c_float4 float4, c_float8 float8,
  c_numeric numeric, c_numeric_p numeric(10,2), c_money money,
  c_text text, c_varchar varchar(20), c_char char(3), c_name name, c_bytea bytea,
  c_date date, c_time time, c_timetz timetz, c_timestamp timestamp, c_timestamptz timestamptz, c_interval interval,
  c_json json, c_jsonb jsonb, c_xml xml, c_uuid uuid,
  c_inet inet, c_cidr cidr, c_macaddr macaddr, c_macaddr8 macaddr8,
  c_bit bit(3), c_varbit varbit, c_tsvector tsvector, c_tsquery tsquery,
  c_point point, c_line line, c_lseg lseg, c_box box, c_path path, c_polygon polygon, c_circle circle,
  c_int4range int4range, c_int8range int8range, c_numrange numrange, c_tsrange tsrange, c_tstzrange tstzrange, c_daterange daterange,
  c_int4multirange int4multirange,
  c_pg_lsn pg_lsn, c_oid oid, c_regclass regclass, c_txid txid_snapshot,
  c_int_arr int[], c_text_arr text[], c_2d int[][], c_json_arr jsonb[],
  c_mood mood, c_mood_arr mood[], c_point3 point3, c_point3_arr point3[], c_domain positive_int,
  c_not_null int NOT NULL DEFAULT 1,
  c_identity int GENERATED ALWAYS AS IDENTITY,
  c_generated int GENERATED ALWAYS AS (c_int4 * 2) STORED
);

CREATE FUNCTION get_film(id int) RETURNS films LANGUAGE sql STABLE AS $$ SELECT * FROM films WHERE films.id = get_film.id $$;
CREATE FUNCTION get_film(title text) RETURNS SETOF films LANGUAGE sql STABLE AS $$ SELECT * FROM films WHERE films.title = get_film.title $$;
CREATE FUNCTION get_film() RETURNS SETOF films LANGUAGE sql STABLE AS $$ SELECT * FROM films $$;
CREATE FUNCTION get_film(int, text) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;
CREATE FUNCTION "Get Film"(x int) RETURNS void LANGUAGE sql AS $$ SELECT $$;
CREATE FUNCTION add_them(a int, b int DEFAULT 2) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
CREATE FUNCTION sum_all(VARIADIC nums int[]) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT sum(n)::int FROM unnest(nums) n $$;
CREATE FUNCTION split_name(full_name text, OUT first text, OUT last text) LANGUAGE sql IMMUTABLE AS $$ SELECT split_part(full_name, ' ', 1), split_part(full_name, ' ', 2) $$;
CREATE FUNCTION search(q text) RETURNS TABLE (id int, "rank" real, "type" text) LANGUAGE sql STABLE AS $$ SELECT 1, 0.5::real, 'x' $$;
CREATE FUNCTION echo_json(json) RETURNS json LANGUAGE sql IMMUTABLE AS $$ SELECT $1 $$;
CREATE FUNCTION "select"("from" int) RETURNS mood LANGUAGE sql IMMUTABLE AS $$ SELECT 'happy'::mood $$;
CREATE FUNCTION anything() RETURNS record LANGUAGE sql AS $$ SELECT 1, 2 $$;
CREATE FUNCTION inout_fn(INOUT x int, y int) LANGUAGE sql AS $$ SELECT x + y $$;
