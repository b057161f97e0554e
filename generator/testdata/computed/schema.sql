-- Computed fields: functions of exposed schemas taking a relation's row.
CREATE TABLE people (id int PRIMARY KEY, first_name text, last_name text, born date);
CREATE FUNCTION full_name(people) RETURNS text LANGUAGE sql STABLE AS $$ SELECT $1.first_name || ' ' || $1.last_name $$;
CREATE FUNCTION age_in(p people, at date DEFAULT current_date) RETURNS int LANGUAGE sql STABLE AS $$ SELECT extract(year FROM age(at, p.born))::int $$;
-- A function named like a column is not a computed field: the column wins.
CREATE FUNCTION born(people) RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'shadowed' $$;
-- A set-returning function of the row is a computed relationship, not a field.
CREATE FUNCTION namesakes(people) RETURNS SETOF people LANGUAGE sql STABLE AS $$ SELECT * FROM people WHERE first_name = $1.first_name $$;
CREATE VIEW people_view AS SELECT id, first_name FROM people;
CREATE FUNCTION initial(people_view) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT left($1.first_name, 1) $$;

-- Domain representations: a text cast parses filter values of the domain.
CREATE DOMAIN color AS int;
CREATE FUNCTION color_from_text(text) RETURNS color LANGUAGE sql IMMUTABLE AS $$ SELECT CASE $1 WHEN 'red' THEN 1 WHEN 'green' THEN 2 ELSE $1::int END $$;
CREATE CAST (text AS color) WITH FUNCTION color_from_text(text) AS IMPLICIT;
CREATE TABLE paints (id int PRIMARY KEY, shade color);
-- Casts to and from json format the domain's values in responses and parse
-- them in bodies; a cast that is not implicit is none.
CREATE DOMAIN hex AS int;
CREATE FUNCTION hex_json(hex) RETURNS json LANGUAGE sql IMMUTABLE AS $$ SELECT to_json(to_hex($1)) $$;
CREATE FUNCTION hex_parse(json) RETURNS hex LANGUAGE sql IMMUTABLE AS $$ SELECT ('x' || lpad($1 #>> '{}', 8, '0'))::bit(32)::int $$;
CREATE FUNCTION hex_text(hex) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT to_hex($1) $$;
CREATE CAST (hex AS json) WITH FUNCTION hex_json(hex) AS IMPLICIT;
CREATE CAST (json AS hex) WITH FUNCTION hex_parse(json) AS IMPLICIT;
CREATE CAST (hex AS text) WITH FUNCTION hex_text(hex);
ALTER TABLE paints ADD COLUMN tint hex;
