-- web_user may insert books in this group, to test missing=default.
GRANT INSERT ON books TO web_user;
-- … and upsert genres, to test resolution=, on_conflict= and PUT.
GRANT INSERT, UPDATE ON genres TO web_user;
SELECT setval(pg_get_serial_sequence('genres', 'id'), 100);
-- missing=default calls the identity's sequence explicitly: it needs USAGE.
GRANT USAGE ON SEQUENCE genres_id_seq TO web_user;
