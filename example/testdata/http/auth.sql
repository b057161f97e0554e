-- web_user may not read genres in this group, to see a JWT role's 403.
REVOKE SELECT ON genres FROM web_user;
