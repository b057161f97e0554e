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
