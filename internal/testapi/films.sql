-- The film database of the resource-embedding cases (F-EMBED,
-- testdata/http/embed*.json), applied after schema.sql. Every kind of
-- relationship PostgREST detects has an instance here:
--   many-to-one / one-to-many   films.director_id → directors
--   many-to-many                actors ↔ films through roles (its primary key
--                               holds both foreign keys and character)
--   one-to-one                  film_details (FK is the PK), premieres (FK is UNIQUE)
--   not a junction              nominations (its PK is its own id)
--   two FKs to one table        studios.billing / studios.shipping → addresses,
--                               and a junction (contracts) between the two
--   self-reference              genres.parent_id → genres
--   composite key               edition_releases (film_id, edition_no) → editions
--   view chain                  films_v2 → films_v1 → films; films_ext →
--                               extensions.films_base (db-extra-search-path) → films;
--                               films_via_v2 → v2.films_mid (another exposed schema) → films
--   materialized view           director_stats (GROUP BY director_id)
--   partitioned table           screenings (partitions are not exposed)
--   computed relationships      first_film(directors) ROWS 1 (to-one),
--                               costars(actors) (to-many, self), and
--                               editions(films) ROWS 1 overriding the detected
--                               films → editions one-to-many.
-- The expected values in the embed cases are computed from the rows below.

CREATE TABLE test.directors (
  id int PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL
);

CREATE TABLE test.films (
  id int PRIMARY KEY,
  title text NOT NULL,
  year int NOT NULL,
  director_id int REFERENCES test.directors (id),
  info jsonb
);
CREATE INDEX films_director_id_idx ON test.films (director_id);

CREATE TABLE test.actors (
  id int PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL
);

CREATE TABLE test.roles (
  actor_id int REFERENCES test.actors (id),
  film_id int REFERENCES test.films (id),
  character text NOT NULL,
  PRIMARY KEY (actor_id, film_id, character)
);
CREATE INDEX roles_film_id_idx ON test.roles (film_id);

CREATE TABLE test.film_details (
  film_id int PRIMARY KEY REFERENCES test.films (id),
  runtime_minutes int NOT NULL
);

CREATE TABLE test.premieres (
  id int PRIMARY KEY,
  film_id int NOT NULL UNIQUE REFERENCES test.films (id),
  city text NOT NULL
);

CREATE TABLE test.nominations (
  id int PRIMARY KEY,
  film_id int NOT NULL REFERENCES test.films (id),
  category text NOT NULL
);
CREATE INDEX nominations_film_id_idx ON test.nominations (film_id);

CREATE TABLE test.addresses (
  id int PRIMARY KEY,
  city text NOT NULL
);

CREATE TABLE test.studios (
  id int PRIMARY KEY,
  name text NOT NULL,
  billing_address_id int CONSTRAINT billing REFERENCES test.addresses (id),
  shipping_address_id int CONSTRAINT shipping REFERENCES test.addresses (id)
);

CREATE TABLE test.contracts (
  studio_id int REFERENCES test.studios (id),
  address_id int REFERENCES test.addresses (id),
  PRIMARY KEY (studio_id, address_id)
);

CREATE TABLE test.genres (
  id int PRIMARY KEY,
  name text NOT NULL,
  parent_id int REFERENCES test.genres (id)
);
CREATE INDEX genres_parent_id_idx ON test.genres (parent_id);

CREATE TABLE test.editions (
  film_id int REFERENCES test.films (id),
  edition_no int,
  label text NOT NULL,
  PRIMARY KEY (film_id, edition_no)
);

CREATE TABLE test.edition_releases (
  film_id int,
  edition_no int,
  country text,
  PRIMARY KEY (film_id, edition_no, country),
  FOREIGN KEY (film_id, edition_no) REFERENCES test.editions (film_id, edition_no)
);

CREATE VIEW test.films_v1 AS SELECT id, title, year, director_id FROM test.films;
CREATE VIEW test.films_v2 AS SELECT id, title, director_id AS dir FROM test.films_v1 WHERE year < 2000;
CREATE VIEW extensions.films_base AS SELECT id, title, director_id FROM test.films;
CREATE VIEW test.films_ext AS SELECT id, title, director_id FROM extensions.films_base;
CREATE VIEW v2.films_mid AS SELECT id, title, director_id FROM test.films;
CREATE VIEW test.films_via_v2 AS SELECT id, title, director_id FROM v2.films_mid;

CREATE MATERIALIZED VIEW test.director_stats AS
  SELECT director_id, count(*) AS film_count FROM test.films WHERE director_id IS NOT NULL GROUP BY director_id;

CREATE TABLE test.screenings (
  id int,
  film_id int NOT NULL REFERENCES test.films (id),
  screened_on date NOT NULL,
  PRIMARY KEY (id, screened_on)
) PARTITION BY RANGE (screened_on);
CREATE TABLE test.screenings_2023 PARTITION OF test.screenings FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE test.screenings_2024 PARTITION OF test.screenings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

CREATE FUNCTION test.first_film(test.directors) RETURNS SETOF test.films
  LANGUAGE sql STABLE ROWS 1
  AS $$ SELECT * FROM test.films WHERE director_id = $1.id ORDER BY year LIMIT 1 $$;

CREATE FUNCTION test.costars(test.actors) RETURNS SETOF test.actors
  LANGUAGE sql STABLE
  AS $$
    SELECT DISTINCT a.* FROM test.roles r1
    JOIN test.roles r2 ON r2.film_id = r1.film_id AND r2.actor_id <> r1.actor_id
    JOIN test.actors a ON a.id = r2.actor_id
    WHERE r1.actor_id = $1.id
  $$;

CREATE FUNCTION test.editions(test.films) RETURNS SETOF test.editions
  LANGUAGE sql STABLE ROWS 1
  AS $$ SELECT * FROM test.editions WHERE film_id = $1.id ORDER BY edition_no DESC LIMIT 1 $$;

INSERT INTO test.directors VALUES
  (1, 'Agnès', 'Varda'), (2, 'Akira', 'Kurosawa'), (3, 'Chantal', 'Akerman'), (4, 'Maya', 'Deren');

INSERT INTO test.films VALUES
  (1, 'Cléo from 5 to 7', 1962, 1, '{"lang": "fr"}'),
  (2, 'The Gleaners and I', 2000, 1, '{"lang": "fr"}'),
  (3, 'Rashomon', 1950, 2, '{"lang": "ja"}'),
  (4, 'Ikiru', 1952, 2, '{"lang": "ja"}'),
  (5, 'Jeanne Dielman', 1975, 3, '{"lang": "fr"}'),
  (6, 'Untitled Reel', 2020, NULL, NULL);

INSERT INTO test.actors VALUES
  (1, 'Corinne', 'Marchand'), (2, 'Toshiro', 'Mifune'), (3, 'Machiko', 'Kyo'),
  (4, 'Takashi', 'Shimura'), (5, 'Delphine', 'Seyrig'), (6, 'Nobody', 'Known');

INSERT INTO test.roles VALUES
  (1, 1, 'Cléo'), (2, 3, 'Tajomaru'), (3, 3, 'Masako'), (4, 3, 'Woodcutter'),
  (4, 4, 'Kanji Watanabe'), (5, 5, 'Jeanne');

INSERT INTO test.film_details VALUES (1, 90), (3, 88), (5, 201);
INSERT INTO test.premieres VALUES (1, 3, 'Tokyo'), (2, 1, 'Paris');
INSERT INTO test.nominations VALUES (1, 3, 'Honorary Award'), (2, 5, 'Best Film');
INSERT INTO test.addresses VALUES (1, 'Lyon'), (2, 'Kyoto');
INSERT INTO test.studios VALUES (1, 'Ciné-Tamaris', 1, 2);
INSERT INTO test.contracts VALUES (1, 1);
INSERT INTO test.genres VALUES (1, 'Drama', NULL), (2, 'Crime', 1), (3, 'Jidaigeki', 1), (4, 'Noir', 2);
INSERT INTO test.editions VALUES (3, 1, 'Original'), (3, 2, 'Restored'), (1, 1, 'Original');
INSERT INTO test.edition_releases VALUES (3, 1, 'US'), (3, 2, 'FR'), (3, 2, 'JP');
INSERT INTO test.screenings VALUES (1, 3, '2023-05-01'), (2, 3, '2024-02-01'), (3, 1, '2024-03-01');
REFRESH MATERIALIZED VIEW test.director_stats;

GRANT SELECT ON test.directors, test.films, test.actors, test.roles, test.film_details, test.premieres,
  test.nominations, test.addresses, test.studios, test.contracts, test.genres, test.editions, test.edition_releases,
  test.films_v1, test.films_v2, test.films_ext, test.films_via_v2, v2.films_mid, test.director_stats, test.screenings TO anon, web_user;
GRANT SELECT ON extensions.films_base TO anon, web_user;
GRANT INSERT, UPDATE, DELETE ON test.films, test.directors TO web_user;
