-- web_user may write genres in this group: the plans of writes.
GRANT INSERT, UPDATE, DELETE ON genres TO web_user;
GRANT USAGE ON SEQUENCE genres_id_seq TO web_user;
