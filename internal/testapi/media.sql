-- Media-type handlers for relations (F-MEDIA-12, F-MEDIA-13, F-MEDIA-14):
-- aggregates whose final type is a domain named after a media type. Those
-- over anyelement serve every relation; those over a relation's row type
-- serve that relation (when the request selects the default columns) and
-- win over the anyelement ones.

CREATE TABLE test.shapes (
  id    int PRIMARY KEY,
  name  text NOT NULL,
  sides int NOT NULL
);
INSERT INTO test.shapes VALUES (1, 'triangle', 3), (2, 'square', 4), (3, 'pentagon', 5);

CREATE TABLE test.dice (
  id    int PRIMARY KEY,
  faces int NOT NULL
);
INSERT INTO test.dice VALUES (1, 6), (2, 20);

CREATE TABLE test.coins (
  id    int PRIMARY KEY,
  cents int NOT NULL
);
INSERT INTO test.coins VALUES (1, 5), (2, 25);

GRANT SELECT ON test.shapes, test.dice, test.coins TO anon, web_user;

-- The aggregates' state and final functions live outside the exposed
-- schemas, so they are not served on /rpc.
CREATE SCHEMA media_impl;
GRANT USAGE ON SCHEMA media_impl TO anon, web_user;

-- anyelement: a summary of any relation's rows.
CREATE DOMAIN test."application/vnd.geo2+json" AS jsonb;
CREATE FUNCTION media_impl.summary_step(n bigint, r anyelement) RETURNS bigint
  LANGUAGE sql IMMUTABLE AS $$ SELECT n + 1 $$;
CREATE FUNCTION media_impl.summary_final(n bigint) RETURNS test."application/vnd.geo2+json"
  LANGUAGE sql IMMUTABLE AS $$ SELECT jsonb_build_object('type', 'Summary', 'rows', n) $$;
CREATE AGGREGATE test.row_summary(anyelement) (
  SFUNC = media_impl.summary_step, STYPE = bigint, INITCOND = '0', FINALFUNC = media_impl.summary_final);

-- The same media type for test.shapes alone: it wins there.
CREATE FUNCTION media_impl.shapes_names_step(acc text[], r test.shapes) RETURNS text[]
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc || r.name $$;
CREATE FUNCTION media_impl.shapes_names_final(acc text[]) RETURNS test."application/vnd.geo2+json"
  LANGUAGE sql IMMUTABLE AS $$ SELECT jsonb_build_object('type', 'Shapes', 'names', to_jsonb(acc)) $$;
CREATE AGGREGATE test.shapes_names(test.shapes) (
  SFUNC = media_impl.shapes_names_step, STYPE = text[], INITCOND = '{}', FINALFUNC = media_impl.shapes_names_final);

-- Tab-separated values of any relation: a header of the columns, a line per row.
CREATE DOMAIN test."text/tab-separated-values" AS text;
CREATE FUNCTION media_impl.tsv_step(acc text, r anyelement) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(acc, (SELECT string_agg(key, E'\t') FROM json_each_text(row_to_json(r))) || E'\n')
      || (SELECT string_agg(coalesce(value, ''), E'\t') FROM json_each_text(row_to_json(r))) || E'\n'
  $$;
CREATE FUNCTION media_impl.tsv_final(acc text) RETURNS test."text/tab-separated-values"
  LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(acc, '') $$;
CREATE AGGREGATE test.tsv(anyelement) (SFUNC = media_impl.tsv_step, STYPE = text, FINALFUNC = media_impl.tsv_final);

-- Binary: a bytea domain's bytes are the body as they are.
CREATE DOMAIN test."application/vnd.twkb" AS bytea;
CREATE FUNCTION media_impl.shapes_bytes_step(acc bytea, r test.shapes) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc || convert_to(r.name, 'UTF8') || '\x00'::bytea $$;
CREATE FUNCTION media_impl.shapes_bytes_final(acc bytea) RETURNS test."application/vnd.twkb"
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc $$;
CREATE AGGREGATE test.shapes_bytes(test.shapes) (
  SFUNC = media_impl.shapes_bytes_step, STYPE = bytea, INITCOND = '', FINALFUNC = media_impl.shapes_bytes_final);

-- Built-ins overridden for one relation: CSV with a byte order mark and a
-- Content-Disposition, JSON as an object of rows by id.
CREATE DOMAIN test."text/csv" AS text;
CREATE FUNCTION media_impl.shapes_csv_step(acc text, r test.shapes) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc || r.id || ',' || r.name || E'\r\n' $$;
CREATE FUNCTION media_impl.shapes_csv_final(acc text) RETURNS test."text/csv"
  LANGUAGE plpgsql STABLE AS $$
  BEGIN
    PERFORM set_config('response.headers', '[{"Content-Disposition": "attachment; filename=\"shapes.csv\""}]', true);
    RETURN E'\uFEFF' || 'id,name' || E'\r\n' || acc;
  END $$;
CREATE AGGREGATE test.shapes_csv(test.shapes) (
  SFUNC = media_impl.shapes_csv_step, STYPE = text, INITCOND = '', FINALFUNC = media_impl.shapes_csv_final);

CREATE DOMAIN test."application/json" AS json;
CREATE FUNCTION media_impl.coins_json_step(acc jsonb, r test.coins) RETURNS jsonb
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc || jsonb_build_object(r.id::text, r.cents) $$;
CREATE FUNCTION media_impl.coins_json_final(acc jsonb) RETURNS test."application/json"
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc::json $$;
CREATE AGGREGATE test.coins_json(test.coins) (
  SFUNC = media_impl.coins_json_step, STYPE = jsonb, INITCOND = '{}', FINALFUNC = media_impl.coins_json_final);

-- A "*/*" handler for test.dice: it answers any media type, with the
-- Content-Type the request asked for when it knows it (else PostgREST's
-- default, application/octet-stream).
CREATE FUNCTION media_impl.dice_any_step(acc bytea, r test.dice) RETURNS bytea
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc || convert_to(r.faces::text || E'\n', 'UTF8') $$;
CREATE FUNCTION media_impl.dice_any_final(acc bytea) RETURNS test."*/*"
  LANGUAGE plpgsql STABLE AS $$
  DECLARE accept text := current_setting('request.headers', true)::json->>'accept';
  BEGIN
    IF accept IN ('dice/d6', 'dice/d20') THEN
      PERFORM set_config('response.headers', json_build_array(json_build_object('Content-Type', accept))::text, true);
      RETURN convert_to(accept || E'\n', 'UTF8') || acc;
    END IF;
    RETURN convert_to(E'any\n', 'UTF8') || acc;
  END $$;
CREATE AGGREGATE test.dice_any(test.dice) (
  SFUNC = media_impl.dice_any_step, STYPE = bytea, INITCOND = '', FINALFUNC = media_impl.dice_any_final);

-- text/xml for test.shapes: text types carry charset=utf-8.
CREATE DOMAIN test."text/xml" AS xml;
CREATE FUNCTION media_impl.shapes_xml_step(acc xml, r test.shapes) RETURNS xml
  LANGUAGE sql IMMUTABLE AS $$ SELECT xmlconcat(acc, xmlelement(name shape, xmlattributes(r.sides AS sides), r.name)) $$;
CREATE FUNCTION media_impl.shapes_xml_final(acc xml) RETURNS test."text/xml"
  LANGUAGE sql IMMUTABLE AS $$ SELECT xmlelement(name shapes, acc) $$;
CREATE AGGREGATE test.shapes_xml(test.shapes) (
  SFUNC = media_impl.shapes_xml_step, STYPE = xml, FINALFUNC = media_impl.shapes_xml_final);

-- The rows of test.shapes from a function: its handlers serve them too.
CREATE FUNCTION test.many_sided(min_sides int) RETURNS SETOF test.shapes
  LANGUAGE sql STABLE AS $$ SELECT * FROM test.shapes WHERE sides >= min_sides ORDER BY id $$;

-- Handler functions of the text types, and response headers they set.
CREATE DOMAIN test."text/plain" AS text;
CREATE FUNCTION test.greeting() RETURNS test."text/plain"
  LANGUAGE sql STABLE AS $$ SELECT 'hello, world' $$;
CREATE FUNCTION test.xml_doc() RETURNS test."text/xml"
  LANGUAGE sql STABLE AS $$ SELECT '<doc><p>hi</p></doc>'::xml $$;
CREATE FUNCTION test.download() RETURNS test."text/plain"
  LANGUAGE plpgsql STABLE AS $$
  BEGIN
    PERFORM set_config('response.headers', '[{"Content-Disposition": "attachment; filename=\"notes.txt\""}]', true);
    RETURN 'the notes';
  END $$;
CREATE FUNCTION test.cookies() RETURNS void
  LANGUAGE plpgsql STABLE AS $$
  BEGIN
    PERFORM set_config('response.headers',
      '[{"Set-Cookie": "session=abc; Path=/; HttpOnly"}, {"Set-Cookie": "theme=dark"}, {"Cache-Control": "no-store"}]', true);
  END $$;

-- v2's own summary: its relations prefer it to test's.
CREATE DOMAIN v2."application/vnd.geo2+json" AS json;
CREATE FUNCTION media_impl.v2_summary_final(n bigint) RETURNS v2."application/vnd.geo2+json"
  LANGUAGE sql IMMUTABLE AS $$ SELECT json_build_object('type', 'V2Summary', 'rows', n) $$;
CREATE AGGREGATE v2.row_summary(anyelement) (
  SFUNC = media_impl.summary_step, STYPE = bigint, INITCOND = '0', FINALFUNC = media_impl.v2_summary_final);

-- text/plain for v2.items only: test.items, of the same name, has none.
CREATE DOMAIN v2."text/plain" AS text;
CREATE FUNCTION media_impl.v2_labels_step(acc text, r v2.items) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc || r.label || E'\n' $$;
CREATE FUNCTION media_impl.v2_labels_final(acc text) RETURNS v2."text/plain"
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc $$;
CREATE AGGREGATE v2.item_labels(v2.items) (
  SFUNC = media_impl.v2_labels_step, STYPE = text, INITCOND = '', FINALFUNC = media_impl.v2_labels_final);

-- Rows in PostgreSQL's own text form (record_out), for any relation.
CREATE DOMAIN test."pg/outfunc" AS text;
CREATE FUNCTION media_impl.outfunc_step(acc text, r anyelement) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc || r::text || E'\n' $$;
CREATE FUNCTION media_impl.outfunc_final(acc text) RETURNS test."pg/outfunc"
  LANGUAGE sql IMMUTABLE AS $$ SELECT acc $$;
CREATE AGGREGATE test.outfunc(anyelement) (
  SFUNC = media_impl.outfunc_step, STYPE = text, INITCOND = '', FINALFUNC = media_impl.outfunc_final);
