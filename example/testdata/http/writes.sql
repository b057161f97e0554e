-- web_user may insert books in this group, to test missing=default.
GRANT INSERT ON books TO web_user;
