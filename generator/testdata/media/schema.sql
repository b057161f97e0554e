-- Media-type handlers: aggregates whose final type is a domain named after
-- a media type, over anyelement (Schema.MediaHandlers) or over a
-- relation's row type (that relation's MediaHandlers), and a handler
-- function with a text type (charset=utf-8 in its Content-Type).
CREATE SCHEMA impl;
CREATE TABLE tiles (id int PRIMARY KEY, data bytea);
CREATE DOMAIN "application/vnd.tiles" AS bytea;
CREATE DOMAIN "text/tab-separated-values" AS text;
CREATE DOMAIN "text/plain" AS text;
CREATE FUNCTION impl.tiles_step(acc bytea, t tiles) RETURNS bytea LANGUAGE sql AS $$ SELECT acc || t.data $$;
CREATE FUNCTION impl.tiles_final(acc bytea) RETURNS "application/vnd.tiles" LANGUAGE sql AS $$ SELECT acc $$;
CREATE AGGREGATE tiles_agg(tiles) (SFUNC = impl.tiles_step, STYPE = bytea, INITCOND = '', FINALFUNC = impl.tiles_final);
CREATE FUNCTION impl.tsv_step(acc text, r anyelement) RETURNS text LANGUAGE sql AS $$ SELECT acc || r::text $$;
CREATE FUNCTION impl.tsv_final(acc text) RETURNS "text/tab-separated-values" LANGUAGE sql AS $$ SELECT acc $$;
CREATE AGGREGATE tsv(anyelement) (SFUNC = impl.tsv_step, STYPE = text, INITCOND = '', FINALFUNC = impl.tsv_final);
CREATE FUNCTION hello() RETURNS "text/plain" LANGUAGE sql AS $$ SELECT 'hello' $$;
