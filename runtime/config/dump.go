package config

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// dbSettingKeys are the keys the in-database configuration may set
// (ALTER ROLE authenticator SET pgrst.<key with _ for -> = ...), as in
// PostgREST: none that needs a restart (db-uri, db-pool, server-*).
func dbSettingKeys() []string {
	return []string{
		"client-error-verbosity",
		"db-aggregates-enabled",
		"db-anon-role",
		"db-extra-search-path",
		"db-hoisted-tx-settings",
		"db-max-rows",
		"db-plan-enabled",
		"db-pre-config",
		"db-pre-request",
		"db-prepared-statements",
		"db-root-spec",
		"db-schemas",
		"db-tx-end",
		"jwt-aud",
		"jwt-cache-max-entries",
		"jwt-role-claim-key",
		"jwt-secret",
		"jwt-secret-is-base64",
		"openapi-mode",
		"openapi-security-active",
		"openapi-server-proxy-uri",
		"server-cors-allowed-origins",
		"server-timing-enabled",
		"server-trace-header",
	}
}

// DBSettingNames are the PostgreSQL settings the in-database configuration
// reads: "pgrst.db_anon_role" and so on.
func DBSettingNames() []string {
	keys := dbSettingKeys()
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = "pgrst." + strings.ReplaceAll(k, "-", "_")
	}
	return out
}

// Dump renders the configuration as PostgREST's --dump-config does: one
// "key = value" line per setting, sorted, strings quoted, the JWT secret
// shown as configured (base64 again when jwt-secret-is-base64). pgrestgen's
// own settings are among them.
func (c *Config) Dump() string {
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
	b := strconv.FormatBool
	secs := func(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }
	optInt := func(p *int) string {
		if p == nil {
			return `""`
		}
		return strconv.Itoa(*p)
	}
	maxRows := `""`
	if c.DBMaxRows != nil {
		maxRows = strconv.FormatInt(*c.DBMaxRows, 10)
	}
	secret := string(c.JWTSecret)
	if c.JWTSecretIsBase64 {
		secret = base64.StdEncoding.EncodeToString(c.JWTSecret)
	}
	lines := []string{
		"client-error-verbosity = " + q(string(c.ClientErrorVerbosity)),
		"db-aggregates-enabled = " + b(c.DBAggregatesEnabled),
		"db-anon-role = " + q(c.DBAnonRole),
		"db-channel = " + q(c.DBChannel),
		"db-channel-enabled = " + b(c.DBChannelEnabled),
		"db-extra-search-path = " + q(strings.Join(c.DBExtraSearchPath, ",")),
		"db-hoisted-tx-settings = " + q(strings.Join(c.DBHoistedTxSettings, ",")),
		"db-max-rows = " + maxRows,
		"db-plan-enabled = " + b(c.DBPlanEnabled),
		"db-pool = " + strconv.Itoa(c.DBPool),
		"db-pool-acquisition-timeout = " + secs(c.DBPoolAcquisitionTimeout),
		"db-pool-max-lifetime = " + secs(c.DBPoolMaxLifetime),
		"db-pool-max-idletime = " + secs(c.DBPoolMaxIdletime),
		"db-pool-automatic-recovery = " + b(c.DBPoolAutomaticRecovery),
		"db-pool-adaptive = " + b(c.DBPoolAdaptive),
		"db-pre-request = " + q(c.DBPreRequest.String()),
		"db-prepared-statements = " + b(c.DBPreparedStatements),
		"db-root-spec = " + q(c.DBRootSpec.String()),
		"db-schemas = " + q(strings.Join(c.DBSchemas, ",")),
		"db-config = " + b(c.DBConfig),
		"db-pre-config = " + q(c.DBPreConfig.String()),
		"db-tx-end = " + q(string(c.DBTxEnd)),
		"db-uri = " + q(c.DBURI),
		"jwt-aud = " + q(c.JWTAud),
		"jwt-role-claim-key = " + q(c.JWTRoleClaimKey),
		"jwt-secret = " + q(secret),
		"jwt-secret-is-base64 = " + b(c.JWTSecretIsBase64),
		"jwt-cache-max-entries = " + strconv.Itoa(c.JWTCacheMaxEntries),
		"log-format = " + q(string(c.LogFormat)),
		"log-level = " + q(string(c.LogLevel)),
		"log-query = " + b(c.LogQuery),
		"log-slow-query-ms = " + strconv.FormatInt(c.LogSlowQuery.Milliseconds(), 10),
		"openapi-mode = " + q(string(c.OpenAPIMode)),
		"openapi-security-active = " + b(c.OpenAPISecurityActive),
		"openapi-server-proxy-uri = " + q(c.OpenAPIServerProxyURI),
		"pgrestgen-drift = " + q(string(c.PgrestgenDrift)),
		"server-cors-allowed-origins = " + q(strings.Join(c.ServerCORSAllowedOrigins, ",")),
		"server-host = " + q(c.ServerHost),
		"server-idle-timeout = " + secs(c.ServerIdleTimeout),
		"server-max-body-size = " + strconv.FormatInt(c.ServerMaxBodySize, 10),
		"server-port = " + strconv.Itoa(c.ServerPort),
		"server-read-header-timeout = " + secs(c.ServerReadHeaderTimeout),
		"server-read-timeout = " + secs(c.ServerReadTimeout),
		"server-reuseport = " + b(c.ServerReusePort),
		"server-shutdown-timeout = " + secs(c.ServerShutdownTimeout),
		"server-trace-header = " + q(c.ServerTraceHeader),
		"server-timing-enabled = " + b(c.ServerTimingEnabled),
		"server-unix-socket = " + q(c.ServerUnixSocket),
		"server-unix-socket-mode = " + q(strconv.FormatUint(uint64(c.ServerUnixSocketMode), 8)),
		"server-write-timeout = " + secs(c.ServerWriteTimeout),
		"url-use-legacy-target-names = " + b(c.URLUseLegacyTargetNames),
		"admin-server-host = " + q(c.AdminServerHost),
		"admin-server-port = " + optInt(c.AdminServerPort),
		"admin-server-unix-socket = " + q(c.AdminServerUnixSocket),
		"admin-server-unix-socket-mode = " + q(strconv.FormatUint(uint64(c.AdminServerUnixSocketMode), 8)),
	}
	for _, st := range c.SortedAppSettings() {
		lines = append(lines, st.Name+" = "+q(st.Value))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}
