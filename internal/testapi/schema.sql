-- The read-grammar test bed: a schema made for exercising PostgREST's query
-- grammar (filters, select, order, pagination, media types, preferences,
-- schemas) end to end. Exposed schemas: test (the default profile) and v2;
-- extra search path: public, extensions. The expected values in
-- testdata/http/*.json are computed from the rows below, so changing a row
-- means revisiting the cases that read it.

-- Roles as a PostgREST app has them. Roles are cluster-wide, so this part is
-- idempotent: several databases of one cluster can run it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
    CREATE ROLE authenticator NOINHERIT LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_user') THEN
    CREATE ROLE web_user NOLOGIN;
  END IF;
END
$$;

GRANT anon TO authenticator;
GRANT web_user TO authenticator;

-- timestamptz output depends on the session's TimeZone, which otherwise
-- comes from the machine that ran initdb. The server logs in as
-- authenticator, so pin it there: without a Prefer: timezone, timestamps come
-- out in UTC on every machine.
ALTER ROLE authenticator SET timezone TO 'UTC';

CREATE SCHEMA test;
CREATE SCHEMA v2;
-- extensions is on db-extra-search-path: its objects get no endpoint, but
-- its operators and types are found by name while a request runs.
CREATE SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS citext SCHEMA extensions;

-- ---------------------------------------------------------------------------
-- items: 25 rows for pagination, counts, ordering, is/isdistinct, any/all,
-- logic trees, timezone and CSV.
--   category cycles alpha, beta, gamma, delta, epsilon (5 rows each, by id)
--   score is NULL for ids 4, 13, 22
--   active is NULL for ids 6, 12, 18, 24; true for the other odd ids; false
--     for the other even ids
--   created_at is 2024-01-<id> 12:00 UTC
CREATE TABLE test.items (
  id         int PRIMARY KEY,
  name       text NOT NULL,
  category   text NOT NULL,
  score      int,
  active     boolean,
  created_at timestamptz NOT NULL
);

INSERT INTO test.items (id, name, category, score, active, created_at) VALUES
  ( 1, 'apple',      'alpha',   42, true,  '2024-01-01 12:00:00+00'),
  ( 2, 'apricot',    'beta',    17, false, '2024-01-02 12:00:00+00'),
  ( 3, 'banana',     'gamma',   88, true,  '2024-01-03 12:00:00+00'),
  ( 4, 'blueberry',  'delta',   NULL, false, '2024-01-04 12:00:00+00'),
  ( 5, 'cherry',     'epsilon', 63, true,  '2024-01-05 12:00:00+00'),
  ( 6, 'date',       'alpha',    5, NULL,  '2024-01-06 12:00:00+00'),
  ( 7, 'elderberry', 'beta',    71, true,  '2024-01-07 12:00:00+00'),
  ( 8, 'fig',        'gamma',   30, false, '2024-01-08 12:00:00+00'),
  ( 9, 'grape',      'delta',   99, true,  '2024-01-09 12:00:00+00'),
  (10, 'guava',      'epsilon', 12, false, '2024-01-10 12:00:00+00'),
  (11, 'honeydew',   'alpha',   54, true,  '2024-01-11 12:00:00+00'),
  (12, 'kiwi',       'beta',    26, NULL,  '2024-01-12 12:00:00+00'),
  (13, 'lemon',      'gamma',   NULL, true, '2024-01-13 12:00:00+00'),
  (14, 'lime',       'delta',   77, false, '2024-01-14 12:00:00+00'),
  (15, 'mango',      'epsilon',  8, true,  '2024-01-15 12:00:00+00'),
  (16, 'nectarine',  'alpha',   45, false, '2024-01-16 12:00:00+00'),
  (17, 'orange',     'beta',    93, true,  '2024-01-17 12:00:00+00'),
  (18, 'papaya',     'gamma',   36, NULL,  '2024-01-18 12:00:00+00'),
  (19, 'peach',      'delta',   60, true,  '2024-01-19 12:00:00+00'),
  (20, 'pear',       'epsilon', 21, false, '2024-01-20 12:00:00+00'),
  (21, 'plum',       'alpha',   84, true,  '2024-01-21 12:00:00+00'),
  (22, 'quince',     'beta',    NULL, false, '2024-01-22 12:00:00+00'),
  (23, 'raspberry',  'gamma',    3, true,  '2024-01-23 12:00:00+00'),
  (24, 'strawberry', 'delta',   50, NULL,  '2024-01-24 12:00:00+00'),
  (25, 'tangerine',  'epsilon', 69, true,  '2024-01-25 12:00:00+00');

-- An auto-updatable view (its key is inferred from items), a view that
-- cannot be written through, and a materialized view.
CREATE VIEW test.active_items AS
  SELECT id, name, category, score FROM test.items WHERE active;

CREATE VIEW test.category_counts AS
  SELECT category, count(*) AS n FROM test.items GROUP BY category;

CREATE MATERIALIZED VIEW test.category_stats AS
  SELECT category, count(*)::int AS n, sum(score)::int AS total_score
  FROM test.items GROUP BY category;

-- ---------------------------------------------------------------------------
-- Full-text search: a tsvector column built with each row's own language,
-- plain text (auto to_tsvector), and jsonb.
CREATE TABLE test.documents (
  id   int PRIMARY KEY,
  lang text NOT NULL,
  body text NOT NULL,
  tsv  tsvector,
  meta jsonb
);

INSERT INTO test.documents (id, lang, body, meta) VALUES
  (1, 'english', 'The fat cats ate the fat rats',         '{"summary": "cats and rats"}'),
  (2, 'english', 'A fat cat sat on the mat',              '{"summary": "one cat on a mat"}'),
  (3, 'english', 'Quick brown foxes jump over lazy dogs', NULL),
  (4, 'french',  'Les chats amusants mangent des souris', NULL),
  (5, 'french',  'Un café très amusant à Paris',          NULL);

UPDATE test.documents SET tsv = to_tsvector(lang::regconfig, body);

-- ---------------------------------------------------------------------------
-- Ranges, for cs/cd/ov/sl/sr/nxr/nxl/adj. Row 5 is empty, row 6 NULL.
CREATE TABLE test.spans (
  id int PRIMARY KEY,
  i4 int4range,
  ts tsrange,
  d  daterange
);

INSERT INTO test.spans (id, i4, ts, d) VALUES
  (1, '[1,10)',  '[2024-01-01 00:00,2024-01-10 00:00)', '[2024-01-01,2024-01-10)'),
  (2, '[10,20)', '[2024-01-10 00:00,2024-01-20 00:00)', '[2024-01-10,2024-01-20)'),
  (3, '[15,25)', '[2024-01-15 00:00,2024-01-25 00:00)', '[2024-01-15,2024-01-25)'),
  (4, '[30,40)', '[2024-02-01 00:00,2024-02-10 00:00)', '[2024-02-01,2024-02-10)'),
  (5, 'empty',   'empty',                               'empty'),
  (6, NULL,      NULL,                                  NULL);

-- ---------------------------------------------------------------------------
-- Arrays. Row 3 has elements with a space and a comma; row 4 empty arrays;
-- row 5 NULLs.
CREATE TABLE test.bags (
  id    int PRIMARY KEY,
  ints  int[],
  words text[]
);

INSERT INTO test.bags (id, ints, words) VALUES
  (1, '{1,2,3}', '{red,green}'),
  (2, '{2,3,4}', '{green,blue}'),
  (3, '{5}',     '{"hello world","a,b"}'),
  (4, '{}',      '{}'),
  (5, NULL,      NULL);

-- ---------------------------------------------------------------------------
-- json and jsonb with nested objects and arrays (and nested nulls, which
-- nulls=stripped removes at every depth).
CREATE TABLE test.json_docs (
  id int PRIMARY KEY,
  j  json,
  jb jsonb
);

INSERT INTO test.json_docs (id, j, jb) VALUES
  (1, '{"name": "alpha", "age": 30, "tags": ["x", "y"], "address": {"city": "Paris", "zip": "75001"}, "phones": [{"number": "111", "kind": "home"}, {"number": "222", "kind": "work"}], "matrix": [[1, 2], [3, 4]]}',
      '{"age": 30, "profile": {"nick": "al", "extra": null}, "scores": [1, 2, 3]}'),
  (2, '{"name": "beta", "age": 17, "tags": ["y"], "address": {"city": "Berlin", "zip": "10115"}, "phones": [{"number": "333", "kind": "home"}], "matrix": [[5, 6]]}',
      '{"age": 17, "profile": {"nick": null}, "scores": []}'),
  (3, '{"name": "gamma", "age": null, "tags": [], "address": {"city": "Paris"}}',
      '{"age": null}'),
  (4, NULL, NULL);

-- ---------------------------------------------------------------------------
-- A composite column, an array of composites and an enum. The enum's order
-- (hamlet < village < town < city) is not alphabetical.
CREATE TYPE test.coords AS (lat double precision, lng double precision, label text);
CREATE TYPE test.place_kind AS ENUM ('hamlet', 'village', 'town', 'city');

CREATE TABLE test.places (
  id       int PRIMARY KEY,
  name     text NOT NULL,
  location test.coords,
  stops    test.coords[],
  kind     test.place_kind NOT NULL
);

INSERT INTO test.places (id, name, location, stops, kind) VALUES
  (1, 'Paris',   ROW(48.85, 2.35, 'Paris'),    ARRAY[ROW(48.86, 2.33, 'Louvre'), ROW(48.85, 2.29, 'Eiffel')]::test.coords[], 'city'),
  (2, 'Lyon',    ROW(45.76, 4.84, 'Lyon'),     ARRAY[ROW(45.75, 4.83, 'Bellecour')]::test.coords[],                       'town'),
  (3, 'Giverny', ROW(49.08, 1.53, 'Giverny'),  '{}',                                                                      'village'),
  (4, 'Nowhere', NULL,                         NULL,                                                                      'hamlet'),
  (5, 'Quito',   ROW(-0.18, -78.47, 'Quito'),  ARRAY[ROW(-0.22, -78.51, 'Plaza Grande')]::test.coords[],                  'city');

-- ---------------------------------------------------------------------------
-- Names that must be percent-encoded or quoted in URLs.
CREATE TABLE test."ñandú" (
  id            int PRIMARY KEY,
  "año"         int NOT NULL,
  "descripción" text
);

INSERT INTO test."ñandú" (id, "año", "descripción") VALUES
  (1, 2001, 'primero'),
  (2, 2010, 'segundo'),
  (3, 2020, 'tercero');

CREATE TABLE test."Order Items" (
  id             int PRIMARY KEY,
  "Product Name" text NOT NULL,
  "Unit Price"   numeric(10,2)
);

INSERT INTO test."Order Items" (id, "Product Name", "Unit Price") VALUES
  (1, 'Widget, large',  150.00),
  (2, 'Gadget',         250.50),
  (3, 'Gizmo "deluxe"',  99.99),
  (4, 'Thing (small)',   NULL);

-- A column whose name has a '.', which the URL grammar reserves; no primary
-- key (OPTIONS then offers no PUT).
CREATE TABLE test.cpes (
  id                int NOT NULL,
  "information.cpe" text
);

INSERT INTO test.cpes (id, "information.cpe") VALUES
  (1, 'cpe:/o:MS:windows_10'),
  (2, 'cpe:/a:mozilla:firefox'),
  (3, 'cpe:/a:MS:office');

-- Values holding the URL grammar's reserved characters, quotes, backslashes
-- and non-ASCII text.
CREATE TABLE test.labels (
  id  int PRIMARY KEY,
  val text NOT NULL
);

INSERT INTO test.labels (id, val) VALUES
  (1, 'a,b'),
  (2, 'say "hi"'),
  (3, 'back\slash'),
  (4, 'paren)'),
  (5, 'plain'),
  (6, 'dot.ted:colon'),
  (7, 'ñandú'),
  (8, 'with space');

-- A column whose type and operators live in the extensions schema: its
-- case-insensitive = is only chosen when extensions is on the search_path.
CREATE TABLE test.people (
  id    int PRIMARY KEY,
  email extensions.citext NOT NULL
);

INSERT INTO test.people (id, email) VALUES
  (1, 'Alice@Example.com'),
  (2, 'bob@example.com');

-- A table anon may not read (OPTIONS still answers, from what it can do).
CREATE TABLE test.secrets (
  id     int PRIMARY KEY,
  secret text
);

INSERT INTO test.secrets VALUES (1, 'hunter2');

-- ---------------------------------------------------------------------------
-- v2: one relation named as one in test, one only here.
CREATE TABLE v2.items (
  id    int PRIMARY KEY,
  label text NOT NULL
);

INSERT INTO v2.items (id, label) VALUES (1, 'uno'), (2, 'dos'), (3, 'tres');

CREATE TABLE v2.only_in_v2 (
  id   int PRIMARY KEY,
  note text
);

INSERT INTO v2.only_in_v2 (id, note) VALUES (1, 'only in v2');

-- The OpenAPI document's title and description (F-OAPI-03): the first line
-- of a COMMENT is the title or summary, the rest the description.
COMMENT ON SCHEMA v2 IS E'Items API, version 2\n\nThe second version of the items.';
COMMENT ON TABLE v2.items IS E'Items\nwith labels';
COMMENT ON COLUMN v2.items.label IS 'What the item is called';

-- extensions holds nothing exposed; this table must get no endpoint.
CREATE TABLE extensions.internal_notes (
  id   int PRIMARY KEY,
  note text
);

INSERT INTO extensions.internal_notes VALUES (1, 'not an endpoint');

-- ---------------------------------------------------------------------------
-- Grants as a PostgREST app has them.
-- Computed fields (F-FILTER-36, F-SELECT-06, F-ORDER-04): a function of the
-- row is a virtual column, named in select only.
CREATE FUNCTION test.summary(test.items) RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT $1.category || ' ' || $1.name $$;

-- Domain representations (F-FILTER-37): filter values of a domain with a
-- text cast go through the cast's function.
CREATE DOMAIN test.color AS int;
CREATE FUNCTION test.color_from_text(text) RETURNS test.color LANGUAGE sql IMMUTABLE
  AS $$ SELECT (CASE lower($1) WHEN 'red' THEN '1' WHEN 'green' THEN '2' WHEN 'blue' THEN '3' ELSE $1 END)::int::test.color $$;
CREATE CAST (text AS test.color) WITH FUNCTION test.color_from_text(text) AS IMPLICIT;
CREATE TABLE test.paints (id int PRIMARY KEY, name text NOT NULL, shade test.color);
INSERT INTO test.paints VALUES (1, 'tomato', 1), (2, 'grass', 2), (3, 'sky', 3), (4, 'mystery', NULL);

-- Writes through views (issue 4, F-OPT-02): an auto-updatable view, and a
-- view PostgreSQL cannot update itself that takes inserts through an
-- INSTEAD OF trigger. A trigger on notes raises PostgREST's custom errors.
CREATE VIEW test.writable_items AS SELECT id, name, category, score, created_at FROM test.items;
CREATE TABLE test.notes (id int PRIMARY KEY, body text NOT NULL);
CREATE VIEW test.loud_notes AS SELECT DISTINCT id, upper(body) AS body FROM test.notes;
CREATE FUNCTION test.loud_notes_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO test.notes VALUES (NEW.id, lower(NEW.body));
  RETURN NEW;
END $$;
CREATE TRIGGER loud_notes_insert INSTEAD OF INSERT ON test.loud_notes
  FOR EACH ROW EXECUTE FUNCTION test.loud_notes_insert();
CREATE FUNCTION test.guard_notes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.body = 'teapot' THEN
    RAISE SQLSTATE 'PT418' USING MESSAGE = 'I am a teapot', HINT = 'Brew coffee elsewhere';
  ELSIF NEW.body = 'quota' THEN
    RAISE SQLSTATE 'PGRST' USING
      MESSAGE = '{"code":"123","message":"Payment required","details":"Quota exceeded","hint":"Upgrade"}',
      DETAIL = '{"status":402,"headers":{"X-Powered-By":"Nerd Rage"}}';
  ELSIF NEW.body = 'broken' THEN
    RAISE SQLSTATE 'PGRST' USING MESSAGE = 'not json', DETAIL = 'nor this';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER guard_notes BEFORE INSERT ON test.notes FOR EACH ROW EXECUTE FUNCTION test.guard_notes();

-- ---------------------------------------------------------------------------
-- One column of each type a row struct must decode, with a row of values
-- that test the edges (zones, fractions, nesting, escapes) and a row of NULLs.
CREATE TABLE test.kinds (
  id       int PRIMARY KEY,
  amount   numeric(12,4),
  price    money,
  at       timestamptz,
  local_at timestamp,
  day      date,
  clock    time,
  span     interval,
  period   tstzrange,
  grid     int[][],
  doc      json,
  docb     jsonb,
  spot     test.coords,
  kind     test.place_kind,
  shade    test.color,
  raw      bytea,
  host     inet,
  net      cidr,
  mac      macaddr,
  uid      uuid,
  ratio    double precision,
  flag     boolean,
  big      bigint
);

INSERT INTO test.kinds VALUES
  (1, 12345678.0125, '1234.56', '2024-03-10 01:30:00.123456-08', '2024-03-10 01:30:00', '2024-02-29', '23:59:59.5',
   '1 year 2 mons 3 days 04:05:06.5', '[2024-01-01 00:00+00,2024-01-02 00:00+05)', '{{1,2},{3,4}}',
   '{"a": [1, "two", null], "b": {"c": true}}', '{"esc": "quote \" and \\ and é"}', '(52.5,-1.25,"a \"label\"")',
   'town', 7, '\xdeadbeef00', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 0.1, true, 9007199254740993),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL);

GRANT USAGE ON SCHEMA test, v2, extensions TO anon, web_user;
GRANT SELECT ON ALL TABLES IN SCHEMA test TO anon, web_user;
GRANT INSERT, UPDATE, DELETE ON test.writable_items, test.notes, test.loud_notes TO web_user;
GRANT SELECT ON ALL TABLES IN SCHEMA v2 TO anon, web_user;
REVOKE SELECT ON test.secrets FROM anon, web_user;

-- Planner statistics, so that count=planned and count=estimated give the
-- same numbers on every run (databases cloned from this template inherit
-- them).
ANALYZE;
