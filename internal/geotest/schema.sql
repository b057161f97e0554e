-- The PostGIS test bed (F-MEDIA-07): relations with geometry columns, kept
-- apart from the example and testapi so that only these tests need PostGIS
-- (Debian: postgresql-15-postgis-3; scripts/ensure-postgres.sh installs it).

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

CREATE SCHEMA extensions;
CREATE EXTENSION postgis SCHEMA extensions;

CREATE SCHEMA geo;
GRANT USAGE ON SCHEMA geo, extensions TO anon;

CREATE TABLE geo.parks (
  id   int PRIMARY KEY,
  name text NOT NULL,
  gate extensions.geometry(Point, 4326) NOT NULL
);
INSERT INTO geo.parks VALUES
  (1, 'Boston Common', 'SRID=4326;POINT(-71.0656 42.3550)'),
  (2, 'Public Garden', 'SRID=4326;POINT(-71.0700 42.3541)'),
  (3, 'Franklin Park', 'SRID=4326;POINT(-71.0946 42.3036)');

CREATE TABLE geo.benches (
  id      int PRIMARY KEY,
  park_id int NOT NULL REFERENCES geo.parks,
  spot    extensions.geography(Point, 4326) NOT NULL
);
INSERT INTO geo.benches VALUES
  (1, 1, 'SRID=4326;POINT(-71.0651 42.3552)'),
  (2, 1, 'SRID=4326;POINT(-71.0660 42.3547)');

CREATE TABLE geo.paths (
  id   int PRIMARY KEY,
  name text NOT NULL,
  line extensions.geometry(LineString, 4326) NOT NULL
);
INSERT INTO geo.paths VALUES
  (1, 'mall', 'SRID=4326;LINESTRING(1 1, 5 5)'),
  (2, 'loop', 'SRID=4326;LINESTRING(2 2, 3 3, 2 2)');

-- No geometry column: GeoJSON fails as PostgREST's does (22023).
CREATE TABLE geo.visits (
  id   int PRIMARY KEY,
  note text NOT NULL
);
INSERT INTO geo.visits VALUES (1, 'sunny');

GRANT SELECT ON ALL TABLES IN SCHEMA geo TO anon;
GRANT INSERT, UPDATE ON geo.parks TO anon;

-- Tiny WKB of a relation's paths: a handler aggregate of its row type.
CREATE DOMAIN geo."application/vnd.twkb" AS bytea;
CREATE SCHEMA geo_impl;
GRANT USAGE ON SCHEMA geo_impl TO anon;
CREATE FUNCTION geo_impl.twkb_step(acc geo.paths[], r geo.paths) RETURNS geo.paths[]
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc || r $$;
CREATE FUNCTION geo_impl.twkb_final(acc geo.paths[]) RETURNS geo."application/vnd.twkb"
  LANGUAGE sql IMMUTABLE AS $$
    SELECT extensions.ST_AsTWKB(array_agg(p.line ORDER BY p.id), array_agg(p.id::bigint ORDER BY p.id))
    FROM unnest(acc) AS p
  $$;
CREATE AGGREGATE geo.paths_twkb(geo.paths) (
  SFUNC = geo_impl.twkb_step, STYPE = geo.paths[], INITCOND = '{}', FINALFUNC = geo_impl.twkb_final);

-- A function returning parks: GeoJSON serves its rows too.
CREATE FUNCTION geo.parks_named(pattern text) RETURNS SETOF geo.parks
  LANGUAGE sql STABLE AS $$ SELECT * FROM geo.parks WHERE name LIKE pattern ORDER BY id $$;
