package runtime

import (
	"context"
	"fmt"
	"strings"
)

// RoleSettings are the ALTER ROLE … SET settings of the roles requests can
// run as, read once at start-up as PostgREST does (F-AUTH-14): per role the
// settings applied to each of its transactions, and its isolation level.
type RoleSettings map[string]RoleSetting

// RoleSetting is one role's settings.
type RoleSetting struct {
	// Settings are name/value pairs set with set_config per request.
	Settings [][2]string
	// Isolation is the role's default_transaction_isolation, "" for the
	// default (read committed).
	Isolation string
}

// roleSettingsSQL reads the settings of the authenticator's roles (and its
// own) that a transaction may set: only user-context settings, which
// set_config accepts from any role. The login role is found by comparing
// names, not with current_user::regrole, which re-parses the name as an
// identifier: that folds "Postgrest_Test_Authenticator" to lower case and
// fails on names with spaces or quotes.
const roleSettingsSQL = `
WITH me AS (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
SELECT r.rolname::text, split_part(c.setting, '=', 1) AS name, substr(c.setting, strpos(c.setting, '=') + 1) AS value
FROM pg_catalog.pg_roles AS r, unnest(r.rolconfig) AS c(setting)
WHERE (r.oid IN (SELECT oid FROM me)
       OR r.oid IN (SELECT roleid FROM pg_catalog.pg_auth_members WHERE member IN (SELECT oid FROM me)))
  AND split_part(c.setting, '=', 1) IN (SELECT name FROM pg_catalog.pg_settings WHERE context = 'user')
ORDER BY r.rolname, name`

// LoadRoleSettings reads the role settings; query runs SQL returning
// (role, name, value) rows.
func LoadRoleSettings(ctx context.Context, query func(ctx context.Context, sql string) ([][3]string, error)) (RoleSettings, error) {
	rows, err := query(ctx, roleSettingsSQL)
	if err != nil {
		return nil, fmt.Errorf("read role settings: %w", err)
	}
	out := RoleSettings{}
	for _, r := range rows {
		role, name, value := r[0], r[1], r[2]
		rs := out[role]
		if name == "default_transaction_isolation" {
			rs.Isolation = isolationLevel(value)
		} else {
			rs.Settings = append(rs.Settings, [2]string{name, value})
		}
		out[role] = rs
	}
	return out, nil
}

// isolationLevel maps a default_transaction_isolation value to the SQL of
// BEGIN ISOLATION LEVEL; anything else is the default.
func isolationLevel(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "serializable":
		return "SERIALIZABLE"
	case "repeatable read":
		return "REPEATABLE READ"
	case "read uncommitted":
		return "READ UNCOMMITTED"
	}
	return ""
}
