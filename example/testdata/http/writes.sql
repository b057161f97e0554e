-- web_user may insert books in this group, to test missing=default.
GRANT INSERT ON books TO web_user;
-- … and upsert genres, to test resolution=, on_conflict= and PUT.
GRANT INSERT, UPDATE ON genres TO web_user;
