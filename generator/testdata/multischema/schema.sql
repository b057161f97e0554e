-- Two exposed schemas with a relation of the same name: the first schema is
-- the default and keeps plain Go names; v1's get its schema as a prefix.
CREATE SCHEMA test;
CREATE SCHEMA v1;
CREATE TABLE test.items (id int PRIMARY KEY, name text);
CREATE TABLE v1.items (id int PRIMARY KEY, label text, price numeric);
CREATE TABLE v1.only_in_v1 (id int PRIMARY KEY);
CREATE TABLE public.not_exposed (id int);
CREATE VIEW v1.cheap_items AS SELECT id, label FROM v1.items WHERE price < 10;
CREATE FUNCTION test.hello(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'hello ' || name $$;
