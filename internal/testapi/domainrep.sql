-- Domain representations (F-DOMREP-01..04), applied after rpc.sql: domains
-- whose implicit casts from and to json and text give them another format
-- on the wire than in storage. The domains and their functions live in
-- extensions (not exposed): PostgREST applies a cast whatever its schema.

-- rgb is a colour stored as an integer, written as "#RRGGBB": a cast to
-- json for responses, from json for bodies, from text for filter values.
CREATE DOMAIN extensions.rgb AS int;
CREATE FUNCTION extensions.rgb_json(extensions.rgb) RETURNS json LANGUAGE sql IMMUTABLE
  AS $$ SELECT to_json('#' || lpad(upper(to_hex($1)), 6, '0')) $$;
CREATE FUNCTION extensions.rgb_parse(text) RETURNS extensions.rgb LANGUAGE sql IMMUTABLE
  AS $$ SELECT ('x' || lpad(ltrim($1, '#'), 8, '0'))::bit(32)::int::extensions.rgb $$;
CREATE FUNCTION extensions.rgb_parse(json) RETURNS extensions.rgb LANGUAGE sql IMMUTABLE
  AS $$ SELECT extensions.rgb_parse($1 #>> '{}') $$;
CREATE CAST (extensions.rgb AS json) WITH FUNCTION extensions.rgb_json(extensions.rgb) AS IMPLICIT;
CREATE CAST (json AS extensions.rgb) WITH FUNCTION extensions.rgb_parse(json) AS IMPLICIT;
CREATE CAST (text AS extensions.rgb) WITH FUNCTION extensions.rgb_parse(text) AS IMPLICIT;

-- cents is money stored as whole cents, written as a decimal string
-- ("12.50"). It has no text cast: filter values take the base format.
CREATE DOMAIN extensions.cents AS bigint;
CREATE FUNCTION extensions.cents_json(extensions.cents) RETURNS json LANGUAGE sql IMMUTABLE
  AS $$ SELECT to_json(to_char($1 / 100.0, 'FM999999990.00')) $$;
CREATE FUNCTION extensions.cents_parse(json) RETURNS extensions.cents LANGUAGE sql IMMUTABLE
  AS $$ SELECT (($1 #>> '{}')::numeric * 100)::bigint::extensions.cents $$;
CREATE CAST (extensions.cents AS json) WITH FUNCTION extensions.cents_json(extensions.cents) AS IMPLICIT;
CREATE CAST (json AS extensions.cents) WITH FUNCTION extensions.cents_parse(json) AS IMPLICIT;

-- tag's cast to json is not implicit, so it is no representation.
CREATE DOMAIN extensions.tag AS text;
CREATE FUNCTION extensions.tag_json(extensions.tag) RETURNS json LANGUAGE sql IMMUTABLE
  AS $$ SELECT to_json(upper($1)) $$;
CREATE CAST (extensions.tag AS json) WITH FUNCTION extensions.tag_json(extensions.tag);

CREATE TABLE test.palettes (id int PRIMARY KEY, title text NOT NULL, accent extensions.rgb);
CREATE TABLE test.swatches (
  id int PRIMARY KEY,
  name text NOT NULL,
  hue extensions.rgb,
  price extensions.cents NOT NULL DEFAULT 0,
  label extensions.tag,
  palette_id int REFERENCES test.palettes
);
INSERT INTO test.palettes VALUES (1, 'warm', 16711680), (2, 'cool', 255);
INSERT INTO test.swatches VALUES
  (1, 'tomato', 16737095, 1250, 'red', 1),
  (2, 'lime', 65280, 99, 'green', 2),
  (3, 'navy', 128, 100000, NULL, 2),
  (4, 'blank', NULL, 0, NULL, NULL);

-- A view's columns of the domain, one computed by an expression, keep the
-- representation; a computed field returning it does not (PostgREST only
-- formats columns).
CREATE VIEW test.swatch_shades AS
  SELECT id, name, hue, (hue / 2)::extensions.rgb AS dark FROM test.swatches;
CREATE FUNCTION test.half_hue(test.swatches) RETURNS extensions.rgb LANGUAGE sql STABLE
  AS $$ SELECT ($1.hue / 2)::extensions.rgb $$;

-- A key of the domain: PUT's key filter is parsed like any filter.
CREATE TABLE test.swatch_codes (code extensions.rgb PRIMARY KEY, note text);
INSERT INTO test.swatch_codes VALUES (16711680, 'red');

GRANT SELECT ON test.palettes, test.swatches, test.swatch_shades, test.swatch_codes TO anon, web_user;
GRANT INSERT, UPDATE, DELETE ON test.swatches, test.swatch_shades, test.swatch_codes TO web_user;

-- A function returning the table's rows: its columns keep the
-- representation, as PostgREST plans the call's rows as the table's.
CREATE FUNCTION test.swatches_of(palette int) RETURNS SETOF test.swatches LANGUAGE sql STABLE
  AS $$ SELECT * FROM test.swatches WHERE palette_id = palette ORDER BY id $$;
