-- web_user may insert genres in this group.
GRANT INSERT ON genres TO web_user;
