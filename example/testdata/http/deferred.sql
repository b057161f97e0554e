-- The genres' unique name is checked at COMMIT in this group, so a dry run
-- (Prefer: tx=rollback) must check it before rolling back.
ALTER TABLE genres DROP CONSTRAINT genres_name_key;
ALTER TABLE genres ADD CONSTRAINT genres_name_key UNIQUE (name) DEFERRABLE INITIALLY DEFERRED;
GRANT INSERT, UPDATE ON genres TO web_user;
GRANT USAGE ON SEQUENCE genres_id_seq TO web_user;
SELECT setval(pg_get_serial_sequence('genres', 'id'), 100);
