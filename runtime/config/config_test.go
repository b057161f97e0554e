package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

// defaults is the configuration with nothing set, from PostgREST's
// test/io/configs/expected/defaults.config.
func defaults() *Config {
	return &Config{
		AdminServerHost:           "!4",
		AdminServerUnixSocketMode: 0o660,
		AppSettings:               map[string]string{},
		ClientErrorVerbosity:      VerbosityVerbose,
		DBChannel:                 "pgrst",
		DBChannelEnabled:          true,
		DBConfig:                  true,
		DBExtraSearchPath:         []string{"public"},
		DBHoistedTxSettings:       []string{"statement_timeout", "plan_filter.statement_cost_limit", "default_transaction_isolation"},
		DBPool:                    10,
		DBPoolAcquisitionTimeout:  10 * time.Second,
		DBPoolAutomaticRecovery:   true,
		DBPoolAdaptive:            true,
		DBPoolMaxIdletime:         30 * time.Second,
		DBPoolMaxLifetime:         1800 * time.Second,
		DBPreparedStatements:      true,
		DBSchemas:                 []string{"public"},
		DBTxEnd:                   TxCommit,
		DBURI:                     "postgresql://",
		JWTCacheMaxEntries:        1000,
		JWTRoleClaimKey:           "$.role",
		LogLevel:                  LogError,
		LogFormat:                 LogText,
		PgrestgenDrift:            DriftServe,
		OpenAPIMode:               OpenAPIFollowPrivileges,
		ServerHost:                "!4",
		ServerPort:                3000,
		ServerMaxBodySize:         64 << 20,
		ServerReadHeaderTimeout:   10 * time.Second,
		ServerReadTimeout:         60 * time.Second,
		ServerIdleTimeout:         120 * time.Second,
		ServerShutdownTimeout:     30 * time.Second,
		ServerUnixSocketMode:      0o660,
		URLUseLegacyTargetNames:   true,
	}
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	uriFile := writeFile(t, dir, "uri", "  postgres://u@h/db \n")
	secretFile := writeFile(t, dir, "secret", "reallyreallyreallyreallyverysafe\n")
	crlfSecret := writeFile(t, dir, "secret-crlf", "reallyreallyreallyreallyverysafe\r\n")

	tests := []struct {
		name string
		file string // config file content; "" means no file
		env  []string
		edit func(c *Config)
	}{
		{name: "defaults", edit: func(*Config) {}},
		{name: "empty file", file: "# nothing\n\n", edit: func(*Config) {}},
		{
			name: "PostgREST no-defaults.config",
			file: `client-error-verbosity = "minimal"
db-aggregates-enabled = true
db-anon-role = "root"
db-channel = "postgrest"
db-channel-enabled = false
db-extra-search-path = "public, test"
db-hoisted-tx-settings = "work_mem"
db-max-rows = 1000
db-plan-enabled = true
db-pool = 1
db-pool-acquisition-timeout = 30
db-pool-max-lifetime = 3600
db-pool-max-idletime = 60
db-pool-automatic-recovery = false
db-pre-request = "please_run_fast"
db-prepared-statements = false
db-root-spec = "openapi_v3"
db-schemas = "multi,   tenant,setup"
db-config = false
db-pre-config = "postgrest.pre_config"
db-tx-end = "rollback-allow-override"
db-uri = "tmp_db"
jwt-aud = "https://postgrest.org"
jwt-role-claim-key = "$$.user[0].real_role"
jwt-secret = "c2VjdXJpdHl0aHJvdWdob2JzY3VyaXR5aW5iYXNlNjQ="
jwt-secret-is-base64 = true
jwt-cache-max-entries = 86400
log-level = "info"
log-query = true
openapi-mode = "ignore-privileges"
openapi-security-active = true
openapi-server-proxy-uri = "https://postgrest.org"
server-cors-allowed-origins = "http://example.com"
server-host = "0.0.0.0"
server-port = 80
server-reuseport = true
server-trace-header = "X-Request-Id"
server-timing-enabled = true
server-unix-socket = "/tmp/pgrst_io_test.sock"
server-unix-socket-mode = "777"
url-use-legacy-target-names = false
admin-server-port = 3001
admin-server-host = "127.0.0.1"
admin-server-unix-socket = "/tmp/admin_io_test.sock"
admin-server-unix-socket-mode = "666"
app.settings.test = "test"
app.settings.test2 = "test"
`,
			edit: noDefaults,
		},
		{
			name: "PostgREST no-defaults-env.yaml",
			env: []string{
				"PGRST_APP_SETTINGS_test2=test", "PGRST_APP_SETTINGS_test=test",
				"PGRST_CLIENT_ERROR_VERBOSITY=minimal", "PGRST_DB_AGGREGATES_ENABLED=true",
				"PGRST_DB_ANON_ROLE=root", "PGRST_DB_CHANNEL=postgrest", "PGRST_DB_CHANNEL_ENABLED=false",
				"PGRST_DB_EXTRA_SEARCH_PATH=public, test", "PGRST_DB_HOISTED_TX_SETTINGS=work_mem",
				"PGRST_DB_MAX_ROWS=1000", "PGRST_DB_PLAN_ENABLED=true", "PGRST_DB_POOL=1",
				"PGRST_DB_POOL_ACQUISITION_TIMEOUT=30", "PGRST_DB_POOL_MAX_LIFETIME=3600",
				"PGRST_DB_POOL_MAX_IDLETIME=60", "PGRST_DB_POOL_AUTOMATIC_RECOVERY=false",
				"PGRST_DB_PREPARED_STATEMENTS=false", "PGRST_DB_PRE_REQUEST=please_run_fast",
				"PGRST_DB_ROOT_SPEC=openapi_v3", "PGRST_DB_SCHEMAS=multi,   tenant,setup", "PGRST_DB_CONFIG=false",
				"PGRST_DB_PRE_CONFIG=postgrest.pre_config", "PGRST_DB_TX_END=rollback-allow-override",
				"PGRST_DB_URI=tmp_db", "PGRST_DB_USE_LEGACY_GUCS=false", "PGRST_JWT_AUD=https://postgrest.org",
				"PGRST_JWT_ROLE_CLAIM_KEY=$.user[0].real_role",
				"PGRST_JWT_SECRET=c2VjdXJpdHl0aHJvdWdob2JzY3VyaXR5aW5iYXNlNjQ=", "PGRST_JWT_SECRET_IS_BASE64=true",
				"PGRST_JWT_CACHE_MAX_ENTRIES=86400", "PGRST_LOG_LEVEL=info", "PGRST_LOG_QUERY=true",
				"PGRST_OPENAPI_MODE=ignore-privileges", "PGRST_OPENAPI_SECURITY_ACTIVE=true",
				"PGRST_OPENAPI_SERVER_PROXY_URI=https://postgrest.org",
				"PGRST_SERVER_CORS_ALLOWED_ORIGINS=http://example.com", "PGRST_SERVER_HOST=0.0.0.0",
				"PGRST_SERVER_PORT=80", "PGRST_SERVER_REUSEPORT=true", "PGRST_SERVER_TRACE_HEADER=X-Request-Id",
				"PGRST_SERVER_TIMING_ENABLED=true", "PGRST_SERVER_UNIX_SOCKET=/tmp/pgrst_io_test.sock",
				"PGRST_SERVER_UNIX_SOCKET_MODE=777", "PGRST_URL_USE_LEGACY_TARGET_NAMES=false",
				"PGRST_ADMIN_SERVER_HOST=127.0.0.1", "PGRST_ADMIN_SERVER_PORT=3001",
				"PGRST_ADMIN_SERVER_UNIX_SOCKET=/tmp/admin_io_test.sock", "PGRST_ADMIN_SERVER_UNIX_SOCKET_MODE=666",
			},
			edit: func(c *Config) {
				noDefaults(c)
				c.Warnings = []string{"db-use-legacy-gucs: ignored, removed in PostgREST v12"}
			},
		},
		{
			name: "PostgREST aliases.config",
			file: `db-schema = "provided_through_alias"
db-pool-timeout = 5
max-rows = 1000
pre-request = "check_alias"
role-claim-key = "$$.aliased"
root-spec = "open_alias"
secret-is-base64 = true
`,
			edit: func(c *Config) {
				c.DBSchemas = []string{"provided_through_alias"}
				c.DBSchemasSet = true
				c.DBPoolMaxIdletime = 5 * time.Second
				c.DBMaxRows = ptr[int64](1000)
				c.DBPreRequest = QualifiedName{Name: "check_alias"}
				c.JWTRoleClaimKey = "$.aliased"
				c.DBRootSpec = QualifiedName{Name: "open_alias"}
				c.JWTSecretIsBase64 = true
			},
		},
		{
			name: "key wins over alias, but db-pool-timeout over db-pool-max-idletime",
			file: "db-schemas = \"a\"\ndb-schema = \"b\"\ndb-pool-max-idletime = 7\ndb-pool-timeout = 8\n",
			edit: func(c *Config) {
				c.DBSchemas = []string{"a"}
				c.DBSchemasSet = true
				c.DBPoolMaxIdletime = 8 * time.Second
			},
		},
		// Config.hs: optWithAlias (optString "db-schemas") (optString
		// "db-schema"), where optString takes PGRST_<KEY> over the file's
		// key and drops "": the key from either source beats the alias from
		// either, and an empty PGRST_DB_SCHEMAS hides the file's db-schemas.
		{
			name: "db-schemas in the file beats PGRST_DB_SCHEMA",
			file: "db-schemas = \"public, personal\"\n",
			env:  []string{"PGRST_DB_SCHEMA=other"},
			edit: func(c *Config) {
				c.DBSchemas = []string{"public", "personal"}
				c.DBSchemasSet = true
			},
		},
		{
			name: "PGRST_DB_SCHEMAS beats db-schema in the file",
			file: "db-schema = \"other\"\n",
			env:  []string{"PGRST_DB_SCHEMAS=public,\tpersonal "},
			edit: func(c *Config) {
				c.DBSchemas = []string{"public", "personal"}
				c.DBSchemasSet = true
			},
		},
		{
			name: "an empty PGRST_DB_SCHEMAS falls to the alias, not to the file's db-schemas",
			file: "db-schemas = \"hidden\"\ndb-schema = \"public,  personal\"\n",
			env:  []string{"PGRST_DB_SCHEMAS="},
			edit: func(c *Config) {
				c.DBSchemas = []string{"public", "personal"}
				c.DBSchemasSet = true
			},
		},
		{
			name: "an empty db-schemas in the file falls to the alias",
			file: "db-schemas = \"\"\ndb-schema = \"public, personal\"\n",
			edit: func(c *Config) {
				c.DBSchemas = []string{"public", "personal"}
				c.DBSchemasSet = true
			},
		},
		{
			name: "env alias fills in when the key is unset",
			env:  []string{"PGRST_DB_SCHEMA=x, y", "PGRST_MAX_ROWS=0", "PGRST_PRE_REQUEST=auth.check"},
			edit: func(c *Config) {
				c.DBSchemas = []string{"x", "y"}
				c.DBSchemasSet = true
				c.DBMaxRows = ptr[int64](0)
				c.DBPreRequest = QualifiedName{Schema: "auth", Name: "check"}
			},
		},
		{
			name: "env overrides file, empty env unsets",
			file: "db-uri = \"postgres://file\"\ndb-anon-role = \"web_anon\"\nserver-port = 3001\n",
			env:  []string{"PGRST_DB_URI=postgres://env", "PGRST_DB_ANON_ROLE=", "OTHER=x", "NOEQUALS"},
			edit: func(c *Config) {
				c.DBURI = "postgres://env"
				c.ServerPort = 3001
			},
		},
		{
			name: "db-extra-search-path empty, db-hoisted-tx-settings empty is default",
			file: "db-extra-search-path = \"\"\ndb-hoisted-tx-settings = \"\"\n",
			edit: func(c *Config) { c.DBExtraSearchPath = []string{} },
		},
		{
			name: "comments, quoting, escapes, $$ and interpolation",
			file: "# leading comment\n" +
				"db-anon-role = \"we\\\"b\\\\anon\\u00e9\\ud83d\\ude00\\t\\r\\n\" # trailing comment\n" +
				"\n   # indented comment\n" +
				"jwt-role-claim-key = \"$$['https://x/role'].key\"\n" +
				"db-channel\n  = # comment between\n  \"ch$$an\"\n" +
				"server-host = \"$(HOST)\"\n" +
				"db-pre-request = \"$(db-channel).fn\"\n" +
				"#; db-pool = 99\n" +
				"#; group {\n  db-pool = 98\n}\n" +
				"server-trace-header = \"X-\n-Multi\"\r\n" +
				"server-port = 1e3\n" +
				"log-query = on\n" +
				"db-aggregates-enabled = \"TRUE\"\n" +
				"db-plan-enabled = \"1\"\n" +
				"db-prepared-statements = \"0\"\n",
			env: []string{"HOST=127.0.0.1"},
			edit: func(c *Config) {
				c.DBAnonRole = "we\"b\\anoné😀\t\r\n"
				c.JWTRoleClaimKey = "$['https://x/role'].key"
				c.DBChannel = "ch$an"
				c.ServerHost = "127.0.0.1"
				c.AdminServerHost = "127.0.0.1"
				c.DBPreRequest = QualifiedName{Schema: "ch$an", Name: "fn"}
				c.ServerTraceHeader = "X-\n-Multi"
				c.ServerPort = 1000
				c.LogQuery = true
				c.DBAggregatesEnabled = true
				c.DBPlanEnabled = true
				c.DBPreparedStatements = false
			},
		},
		{
			name: "log-format, a pgrestgen setting, from the file and the environment",
			file: "log-format = \"text\"\n",
			env:  []string{"PGRST_LOG_FORMAT=json"},
			edit: func(c *Config) { c.LogFormat = LogJSON },
		},
		{
			name: "db-replica-uris, a pgrestgen setting: a comma list, empty items dropped; the environment wins",
			file: "db-replica-uris = \"postgres://a@r1/db\"\n",
			env:  []string{"PGRST_DB_REPLICA_URIS= postgres://u@r1:5433/db?sslmode=disable , ,postgres://u@r2/db"},
			edit: func(c *Config) {
				c.DBReplicaURIs = []string{"postgres://u@r1:5433/db?sslmode=disable", "postgres://u@r2/db"}
			},
		},
		{
			name: "db-pool-adaptive, a pgrestgen setting: off from the environment",
			file: "db-pool-adaptive = true\n",
			env:  []string{"PGRST_DB_POOL_ADAPTIVE=false"},
			edit: func(c *Config) { c.DBPoolAdaptive = false },
		},
		{
			name: "db-replica-uris empty: none",
			env:  []string{"PGRST_DB_REPLICA_URIS="},
			edit: func(*Config) {},
		},
		{
			name: "server-port and admin-server-port both 0: a free port each",
			env:  []string{"PGRST_SERVER_PORT=0", "PGRST_ADMIN_SERVER_PORT=0"},
			edit: func(c *Config) { c.ServerPort, c.AdminServerPort = 0, ptr(0) },
		},
		{
			name: "groups and app.settings",
			file: "app {\n  settings {\n    jwt_secret = \"s1\"\n    Mixed = 42\n    flag = false\n  }\n}\n" +
				"app.settings.from_env = \"file\"\n" +
				"app.settings.nested.deeper = \"ignored\"\n" +
				"app.settings.list = [1, 2]\n",
			env: []string{"PGRST_APP_SETTINGS_FROM_ENV=env", "PGRST_APP_SETTINGS_Other=o"},
			edit: func(c *Config) {
				c.AppSettings = map[string]string{
					"app.settings.jwt_secret": "s1",
					"app.settings.mixed":      "42",
					"app.settings.flag":       "false",
					"app.settings.from_env":   "env",
					"app.settings.other":      "o",
				}
				c.Warnings = []string{"app.settings.list: ignoring a list value"}
			},
		},
		{
			name: "import relative to the file",
			file: "import \"sub.conf\"\ndb-pool = 3\n",
			edit: func(c *Config) {
				c.DBPool = 3
				c.DBChannel = "from-import"
			},
		},
		{
			name: "@file values",
			file: "db-uri = \"@" + uriFile + "\"\njwt-secret = \"@" + secretFile + "\"\n",
			edit: func(c *Config) {
				c.DBURI = "postgres://u@h/db"
				c.JWTSecret = []byte("reallyreallyreallyreallyverysafe")
			},
		},
		{
			name: "@file secret keeps a carriage return",
			env:  []string{"PGRST_JWT_SECRET=@" + crlfSecret},
			edit: func(c *Config) { c.JWTSecret = []byte("reallyreallyreallyreallyverysafe\r") },
		},
		{
			name: "url-safe base64 secret",
			env:  []string{"PGRST_JWT_SECRET=c2VjdXJpdHl0aHJvdWdob2JzY3VyaXR5aW5iYXNlNjQ.", "PGRST_JWT_SECRET_IS_BASE64=\"true\""},
			edit: func(c *Config) {
				c.JWTSecret = []byte("securitythroughobscurityinbase64")
				c.JWTSecretIsBase64 = true
			},
		},
		{
			name: "wrong types fall back to defaults with warnings (PostgREST types.config)",
			file: "app.settings.test = false\ndb-channel-enabled = 13\ndb-max-rows = true\ndb-pool = \"ten\"\nserver-port = 1.5\n",
			edit: func(c *Config) {
				c.AppSettings = map[string]string{"app.settings.test": "false"}
				c.Warnings = []string{
					`db-channel-enabled: ignoring "13": not a boolean, using the default`,
					`db-max-rows: ignoring "true": not an integer, using the default`,
					`db-pool: ignoring "ten": not an integer, using the default`,
					`server-port: ignoring "1.5": not an integer, using the default`,
				}
			},
		},
		{
			name: "PostgREST boolean-string.config and unknown keys",
			file: "db-channel-enabled = \"true\"\ndb-prepared-statements = \"FALSE\"\njwt-secret-is-base64 = \"\\\"true\\\"\"\nnot-existing = \"should succeed\"\n",
			edit: func(c *Config) {
				c.DBPreparedStatements = false
				c.JWTSecretIsBase64 = true
			},
		},
		{
			name: "PostgREST boolean-numeric.config",
			file: "db-channel-enabled = \"1\"\ndb-prepared-statements = \"0\"\njwt-secret-is-base64 = \"2\"\n",
			edit: func(c *Config) {
				c.DBPreparedStatements = false
				c.JWTSecretIsBase64 = true
			},
		},
		{
			name: "deprecated role claim key and removed keys warn",
			file: "jwt-role-claim-key = \".role\"\njwt-cache-max-lifetime = 10\n",
			edit: func(c *Config) {
				c.JWTRoleClaimKey = ".role"
				c.Warnings = []string{
					"jwt-cache-max-lifetime: ignored, replaced by jwt-cache-max-entries in PostgREST v14",
					`jwt-role-claim-key: ".role" uses the pre-v16 JSPath syntax, which PostgREST deprecates; write an RFC 9535 JSONPath starting with $ (in a config file, $$)`,
				}
			},
		},
		{
			name: "pgrestgen server settings from the file",
			file: "server-max-body-size = 1024\nserver-read-header-timeout = 5\nserver-read-timeout = 0\n" +
				"server-write-timeout = 300\nserver-idle-timeout = 7\nserver-shutdown-timeout = 2\n",
			edit: func(c *Config) {
				c.ServerMaxBodySize = 1024
				c.ServerReadHeaderTimeout = 5 * time.Second
				c.ServerReadTimeout = 0
				c.ServerWriteTimeout = 300 * time.Second
				c.ServerIdleTimeout = 7 * time.Second
				c.ServerShutdownTimeout = 2 * time.Second
			},
		},
		{
			name: "pgrestgen server settings from the environment, over the file",
			file: "server-shutdown-timeout = 2\nserver-idle-timeout = 7\n",
			env: []string{"PGRST_SERVER_MAX_BODY_SIZE=0", "PGRST_SERVER_READ_HEADER_TIMEOUT=1", "PGRST_SERVER_READ_TIMEOUT=2",
				"PGRST_SERVER_WRITE_TIMEOUT=3", "PGRST_SERVER_IDLE_TIMEOUT=0", "PGRST_SERVER_SHUTDOWN_TIMEOUT=5"},
			edit: func(c *Config) {
				c.ServerMaxBodySize = 0
				c.ServerReadHeaderTimeout = 1 * time.Second
				c.ServerReadTimeout = 2 * time.Second
				c.ServerWriteTimeout = 3 * time.Second
				c.ServerIdleTimeout = 0
				c.ServerShutdownTimeout = 5 * time.Second
			},
		},
		{
			name: "admin-server-host follows server-host, socket modes, huge timeout",
			env: []string{"PGRST_SERVER_HOST=*6", "PGRST_SERVER_UNIX_SOCKET_MODE=600", "PGRST_ADMIN_SERVER_UNIX_SOCKET_MODE=0777",
				"PGRST_DB_POOL_ACQUISITION_TIMEOUT=9223372036854775807"},
			edit: func(c *Config) {
				c.DBPoolAcquisitionTimeout = 9223372036 * time.Second
				c.ServerHost, c.AdminServerHost = "*6", "*6"
				c.ServerUnixSocketMode = 0o600
				c.AdminServerUnixSocketMode = 0o777
			},
		},
	}
	writeFile(t, dir, "sub.conf", "db-channel = \"from-import\"\ndb-pool = 2\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, dir, "test.conf", tt.file)
			}
			got, err := Load(path, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			want := defaults()
			tt.edit(want)
			want.FilePath = path
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
		})
	}
}

// noDefaults is PostgREST's test/io/configs/expected/no-defaults.config.
func noDefaults(c *Config) {
	c.AdminServerHost = "127.0.0.1"
	c.AdminServerPort = ptr(3001)
	c.AdminServerUnixSocket = "/tmp/admin_io_test.sock"
	c.AdminServerUnixSocketMode = 0o666
	c.AppSettings = map[string]string{"app.settings.test": "test", "app.settings.test2": "test"}
	c.ClientErrorVerbosity = VerbosityMinimal
	c.DBAggregatesEnabled = true
	c.DBAnonRole = "root"
	c.DBChannel = "postgrest"
	c.DBChannelEnabled = false
	c.DBConfig = false
	c.DBExtraSearchPath = []string{"public", "test"}
	c.DBHoistedTxSettings = []string{"work_mem"}
	c.DBMaxRows = ptr[int64](1000)
	c.DBPlanEnabled = true
	c.DBPool = 1
	c.DBPoolAcquisitionTimeout = 30 * time.Second
	c.DBPoolAutomaticRecovery = false
	c.DBPoolMaxIdletime = 60 * time.Second
	c.DBPoolMaxLifetime = 3600 * time.Second
	c.DBPreConfig = QualifiedName{Schema: "postgrest", Name: "pre_config"}
	c.DBPreRequest = QualifiedName{Name: "please_run_fast"}
	c.DBPreparedStatements = false
	c.DBRootSpec = QualifiedName{Name: "openapi_v3"}
	c.DBSchemas = []string{"multi", "tenant", "setup"}
	c.DBSchemasSet = true
	c.DBTxEnd = TxRollbackAllowOverride
	c.DBURI = "tmp_db"
	c.JWTAud = "https://postgrest.org"
	c.JWTCacheMaxEntries = 86400
	c.JWTRoleClaimKey = "$.user[0].real_role"
	c.JWTSecret = []byte("securitythroughobscurityinbase64")
	c.JWTSecretIsBase64 = true
	c.LogLevel = LogInfo
	c.LogQuery = true
	c.OpenAPIMode = OpenAPIIgnorePrivileges
	c.OpenAPISecurityActive = true
	c.OpenAPIServerProxyURI = "https://postgrest.org"
	c.ServerCORSAllowedOrigins = []string{"http://example.com"}
	c.ServerHost = "0.0.0.0"
	c.ServerPort = 80
	c.ServerReusePort = true
	c.ServerTimingEnabled = true
	c.ServerTraceHeader = "X-Request-Id"
	c.ServerUnixSocket = "/tmp/pgrst_io_test.sock"
	c.ServerUnixSocketMode = 0o777
	c.URLUseLegacyTargetNames = false
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	const secret = "shortsecret"
	tests := []struct {
		name string
		file string
		env  []string
		want []string // substrings of the error
		not  string   // must not appear (secrets)
	}{
		{name: "db-tx-end", env: []string{"PGRST_DB_TX_END=commit-maybe"},
			want: []string{`config: db-tx-end = "commit-maybe": Invalid transaction termination`}},
		{name: "log-level", file: "log-level = \"verbose\"\n", want: []string{`log-level = "verbose": Invalid logging level`}},
		{name: "log-format", env: []string{"PGRST_LOG_FORMAT=logfmt"}, want: []string{`log-format = "logfmt": Invalid log-format`}},
		{name: "openapi-mode", env: []string{"PGRST_OPENAPI_MODE=on"}, want: []string{`openapi-mode = "on": Invalid openapi-mode`}},
		{name: "client-error-verbosity", env: []string{"PGRST_CLIENT_ERROR_VERBOSITY=terse"},
			want: []string{`client-error-verbosity = "terse": Invalid client-error-verbosity`}},
		{name: "several errors at once", env: []string{"PGRST_LOG_LEVEL=x", "PGRST_DB_TX_END=y"},
			want: []string{`log-level = "x"`, `db-tx-end = "y"`}},
		{name: "short secret", env: []string{"PGRST_JWT_SECRET=" + secret},
			want: []string{"config: jwt-secret: The JWT secret must be at least 32 characters long."}, not: secret},
		{name: "short secret after base64", env: []string{"PGRST_JWT_SECRET=c2hvcnQ=", "PGRST_JWT_SECRET_IS_BASE64=true"},
			want: []string{"at least 32 characters"}},
		{name: "bad base64", env: []string{"PGRST_JWT_SECRET=" + secret + "!!", "PGRST_JWT_SECRET_IS_BASE64=true"},
			want: []string{"jwt-secret-is-base64 is set but the secret is not valid base64"}, not: secret},
		{name: "missing secret file", env: []string{"PGRST_JWT_SECRET=@" + filepath.Join(dir, "nope")},
			want: []string{"jwt-secret", "cannot read the file", "no such file"}},
		{name: "missing db-uri file", file: "db-uri = \"@" + filepath.Join(dir, "nope") + "\"\n",
			want: []string{"db-uri", "cannot read the file"}},
		{name: "broken asymmetric JWK", env: []string{`PGRST_JWT_SECRET={"kty":"RSA","n":"x","e":"AQAB"}`},
			want: []string{`config: jwt-secret: invalid JWK: RSA key: illegal base64 data at input byte 0`}},
		{name: "pg_catalog schema", env: []string{"PGRST_DB_SCHEMAS=api, pg_catalog"},
			want: []string{`db-schemas = "api, pg_catalog": db-schemas does not allow schema: 'pg_catalog'`}},
		{name: "information_schema via alias", file: "db-schema = \"information_schema\"\n",
			want: []string{"db-schemas does not allow schema: 'information_schema'"}},
		{name: "admin port equals server port", env: []string{"PGRST_ADMIN_SERVER_PORT=3000"},
			want: []string{`admin-server-port = "3000": admin-server-port cannot be the same as server-port`}},
		{name: "port range", env: []string{"PGRST_SERVER_PORT=70000"}, want: []string{`server-port = "70000": not a TCP port`}},
		{name: "empty pool", env: []string{"PGRST_DB_POOL=0"}, want: []string{`db-pool = "0": must be at least 1`}},
		{name: "negative timeout", env: []string{"PGRST_DB_POOL_MAX_LIFETIME=-5"}, want: []string{`db-pool-max-lifetime = "-5": must not be negative`}},
		{name: "negative server timeouts", env: []string{"PGRST_SERVER_READ_TIMEOUT=-1", "PGRST_SERVER_SHUTDOWN_TIMEOUT=-2"},
			want: []string{`server-read-timeout = "-1": must not be negative`, `server-shutdown-timeout = "-2": must not be negative`}},
		{name: "negative body size", env: []string{"PGRST_SERVER_MAX_BODY_SIZE=-1"}, want: []string{`server-max-body-size = "-1": must not be negative`}},
		{name: "negative max rows", env: []string{"PGRST_DB_MAX_ROWS=-1"}, want: []string{`db-max-rows = "-1"`}},
		{name: "socket mode not octal", env: []string{"PGRST_SERVER_UNIX_SOCKET_MODE=rw"},
			want: []string{`server-unix-socket-mode = "rw": Invalid server-unix-socket-mode: not an octal`}},
		{name: "socket mode range", env: []string{"PGRST_ADMIN_SERVER_UNIX_SOCKET_MODE=500"},
			want: []string{"Invalid admin-server-unix-socket-mode: needs to be between 600 and 777"}},
		{name: "proxy uri with query", env: []string{"PGRST_OPENAPI_SERVER_PROXY_URI=https://x.org/?a=1"},
			want: []string{"Malformed proxy uri, a correct example: https://example.com:8443/basePath"}},
		{name: "proxy uri scheme", env: []string{"PGRST_OPENAPI_SERVER_PROXY_URI=ftp://x.org"}, want: []string{"Malformed proxy uri"}},
		{name: "proxy uri port", env: []string{"PGRST_OPENAPI_SERVER_PROXY_URI=http://x.org:0/api"}, want: []string{"Malformed proxy uri"}},
		{name: "proxy uri relative", env: []string{"PGRST_OPENAPI_SERVER_PROXY_URI=/api"}, want: []string{"Malformed proxy uri"}},
		{name: "jwt-aud not a URI", env: []string{"PGRST_JWT_AUD=urn:bad value"},
			want: []string{`jwt-aud = "urn:bad value": jwt-aud should be a string or a valid URI`}},
		{name: "role claim key", env: []string{"PGRST_JWT_ROLE_CLAIM_KEY=role"},
			want: []string{`config: jwt-role-claim-key: invalid role claim key "role": a JSONPath must start with "$"`}},
		{name: "role claim key with an unknown function", file: "jwt-role-claim-key = \"$$.roles[?match(@, 'a')]\"\n",
			want: []string{"unknown function match(): only search() is available"}},
		{name: "single $ in file", file: "jwt-role-claim-key = \"$.role\"\n",
			want: []string{"test.conf:1:1: jwt-role-claim-key", `"$" must be followed by "(" or "$": write $$ for a literal $`}},
		{name: "$$$", file: "b = \"$$$\"\n", want: []string{`"$" must be followed`}},
		{name: "unterminated $(", file: "c = \"$( never closed\"\n", want: []string{`unterminated "$("`}},
		{name: "unknown variable", file: "first = 1\nthird = \"$(three)\"\n", want: []string{"test.conf:2:1: third: no such variable: \"three\""}},
		{name: "bool variable", file: "a = true\nb = \"$(a)\"\n", want: []string{`variable "a" is not a string or number`}},
		{name: "single quotes", file: "app.settings.external_api_secret = 'some_value'\n",
			want: []string{"test.conf:1:36: unexpected \"'\": strings take double quotes"}},
		{name: "two bindings on a line", file: "a = 1 b = 2\n", want: []string{"test.conf:1:7: unexpected 'b'"}},
		{name: "missing =", file: "db-pool 10\n", want: []string{`after key "db-pool": expected '=' or '{'`}},
		{name: "bad escape", file: "a = \"\\q\"\n", want: []string{`invalid escape "\q"`}},
		{name: "lone surrogate", file: "a = \"\\ud83d\"\n", want: []string{"invalid UTF-16 surrogates"}},
		{name: "bad surrogate pair", file: "a = \"\\ud83d\\u0041\"\n", want: []string{"invalid UTF-16 surrogates"}},
		{name: "short unicode escape", file: "a = \"\\u12\"\n", want: []string{"expected 4 hexadecimal digits"}},
		{name: "unterminated string", file: "a = \"abc\n", want: []string{"unterminated string"}},
		{name: "unclosed group", file: "g {\n a = 1\n", want: []string{"expected '}'"}},
		{name: "negative number", file: "db-pool = -1\n", want: []string{"unexpected '-': expected a value"}},
		{name: "key starting with a digit", file: "1a = 1\n", want: []string{"test.conf:1:1: unexpected '1'"}},
		{name: "missing import", file: "import \"nope.conf\"\n", want: []string{"read config file", "nope.conf"}},
		{name: "import cycle", file: "import \"test.conf\"\n", want: []string{"imports nested deeper than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, dir, "test.conf", tt.file)
			}
			c, err := Load(path, tt.env)
			if err == nil {
				t.Fatalf("no error; config %+v", c)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.not != "" && strings.Contains(err.Error(), tt.not) {
				t.Errorf("error %q reveals %q", err, tt.not)
			}
		})
	}
}

func TestValueErrorIsInspectable(t *testing.T) {
	_, err := Load("", []string{"PGRST_DB_TX_END=nope"})
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Key != "db-tx-end" || ve.Value != "nope" {
		t.Fatalf("got %v, want a *ValueError for db-tx-end", err)
	}
}

func TestSortedAppSettings(t *testing.T) {
	c, err := Load("", []string{"PGRST_APP_SETTINGS_ZED=1", "PGRST_APP_SETTINGS_ALPHA=2", "PGRST_APP_SETTINGS_MID=3"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Setting{{"app.settings.alpha", "2"}, {"app.settings.mid", "3"}, {"app.settings.zed", "1"}}
	if diff := cmp.Diff(want, c.SortedAppSettings()); diff != "" {
		t.Errorf("SortedAppSettings (-want +got):\n%s", diff)
	}
}

func TestAuthOptions(t *testing.T) {
	c, err := Load("", []string{
		"PGRST_JWT_SECRET=reallyreallyreallyreallyverysafe", "PGRST_JWT_AUD=api",
		"PGRST_ROLE_CLAIM_KEY=$.r", "PGRST_DB_ANON_ROLE=anon",
	})
	if err != nil {
		t.Fatal(err)
	}
	o := c.AuthOptions()
	if string(o.Secret) != "reallyreallyreallyreallyverysafe" || o.Audience != "api" || o.RoleClaimKey != "$.r" || o.AnonRole != "anon" {
		t.Errorf("AuthOptions = %+v", o)
	}
}

func TestEnums(t *testing.T) {
	if !LogWarn.Logs(LogError) || LogWarn.Logs(LogInfo) || !LogCrit.Logs(LogCrit) {
		t.Error("LogLevel.Logs ordering")
	}
	for _, tt := range []struct {
		t                  TxEnd
		rollback, override bool
	}{
		{TxCommit, false, false}, {TxCommitAllowOverride, false, true},
		{TxRollback, true, false}, {TxRollbackAllowOverride, true, true},
	} {
		if tt.t.Rollback() != tt.rollback || tt.t.AllowOverride() != tt.override {
			t.Errorf("%s: Rollback=%v AllowOverride=%v", tt.t, tt.t.Rollback(), tt.t.AllowOverride())
		}
	}
	if s := (QualifiedName{Schema: "a", Name: "b.c"}).String(); s != "a.b.c" {
		t.Errorf("QualifiedName.String = %q", s)
	}
	if parseQualifiedName("a.b.c") != (QualifiedName{Schema: "a", Name: "b.c"}) {
		t.Error("parseQualifiedName splits at the first dot")
	}
}
