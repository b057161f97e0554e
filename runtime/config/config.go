// Package config reads PostgREST's configuration: the same keys, aliases,
// defaults, PGRST_* environment variables and config-file format, so an
// existing PostgREST deployment runs unchanged.
//
// Precedence is PostgREST's: a PGRST_* variable replaces the file's value
// of its key (even when empty, which then means "unset"), and a key is read
// before its alias. Unknown keys are ignored, as PostgREST does. A value of
// the wrong type for an integer or boolean key falls back to the default,
// as in PostgREST, and is reported in Config.Warnings so it is not silent.
package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"math/big"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pgrestgen/pgrestgen/runtime/auth"
)

// Config is a loaded, validated configuration. Fields are named after the
// PostgREST keys; the comment gives the key and its default.
type Config struct {
	// FilePath is the config file Load read ("" when none), for reloads.
	FilePath string

	AdminServerHost           string      // admin-server-host; default server-host
	AdminServerPort           *int        // admin-server-port; nil: no admin server
	AdminServerUnixSocket     string      // admin-server-unix-socket
	AdminServerUnixSocketMode fs.FileMode // admin-server-unix-socket-mode; 0660

	// AppSettings are app.settings.* by full lower-case name
	// ("app.settings.jwt_secret"); see SortedAppSettings.
	AppSettings map[string]string

	ClientErrorVerbosity Verbosity // client-error-verbosity; verbose

	DBAggregatesEnabled bool   // db-aggregates-enabled; false
	DBAnonRole          string // db-anon-role; "": anonymous access disabled
	DBChannel           string // db-channel; "pgrst"
	DBChannelEnabled    bool   // db-channel-enabled; true
	DBConfig            bool   // db-config; true
	// DBExtraSearchPath is db-extra-search-path; ["public"], and "" gives none.
	DBExtraSearchPath []string
	// DBHoistedTxSettings is db-hoisted-tx-settings.
	DBHoistedTxSettings []string
	// DBMaxRows is db-max-rows (alias max-rows); nil means no limit, which
	// keeps 0 (a real limit of zero rows in PostgREST) distinct from unset.
	DBMaxRows                *int64
	DBPlanEnabled            bool          // db-plan-enabled; false
	DBPool                   int           // db-pool; 10
	DBPoolAcquisitionTimeout time.Duration // db-pool-acquisition-timeout; 10s
	// DBPoolAdaptive is db-pool-adaptive, a pgrestgen extension; true:
	// fewer transactions run at once than db-pool while more would only
	// queue inside PostgreSQL; the rest wait in the server, within
	// db-pool-acquisition-timeout.
	DBPoolAdaptive          bool
	DBPoolAutomaticRecovery bool // db-pool-automatic-recovery; true
	// DBPoolMaxIdletime is db-pool-max-idletime (alias db-pool-timeout,
	// which PostgREST reads first); 30s.
	DBPoolMaxIdletime    time.Duration
	DBPoolMaxLifetime    time.Duration // db-pool-max-lifetime; 1800s
	DBPreConfig          QualifiedName // db-pre-config
	DBPreRequest         QualifiedName // db-pre-request (alias pre-request)
	DBPreparedStatements bool          // db-prepared-statements; true
	// DBReplicaURIs is db-replica-uris, a pgrestgen extension: streaming
	// replicas' connection URIs, comma-separated; nil: none. Read-only
	// transactions run on a healthy one, the rest on db-uri.
	DBReplicaURIs []string
	DBRootSpec    QualifiedName // db-root-spec (alias root-spec)
	// DBSchemas is db-schemas (alias db-schema); ["public"]. The first is
	// the default schema.
	DBSchemas []string
	// DBSchemasSet is true when db-schemas came from the file or the
	// environment. A generated server without it serves the schemas its
	// code was generated for, rather than PostgREST's "public".
	DBSchemasSet bool
	DBTxEnd      TxEnd  // db-tx-end; commit
	DBURI        string // db-uri, after @file; "postgresql://"

	JWTAud             string // jwt-aud; "": any audience
	JWTCacheMaxEntries int    // jwt-cache-max-entries; 1000, <= 0 disables
	// JWTRoleClaimKey is jwt-role-claim-key (alias role-claim-key); "$.role".
	// It is validated; auth.ParseClaimPath reads it.
	JWTRoleClaimKey string
	// JWTSecret is jwt-secret after @file and base64 decoding; nil: unset.
	JWTSecret         []byte
	JWTSecretIsBase64 bool // jwt-secret-is-base64 (alias secret-is-base64)

	LogLevel LogLevel // log-level; error
	// LogQuery is log-query; false. PostgREST v13's "main-query" and
	// "disabled" are read as true and false.
	LogQuery bool
	// LogSlowQuery is log-slow-query-ms, a pgrestgen extension: a request's
	// main statement taking at least this long is logged at warn with its
	// duration; 0 (the default) turns it off.
	LogSlowQuery time.Duration
	// LogFormat is log-format, a pgrestgen extension: text (the default:
	// PostgREST's access-log lines, key=value diagnostics) or json (one JSON
	// object a line, for log shippers).
	LogFormat LogFormat

	OpenAPIMode           OpenAPIMode // openapi-mode; follow-privileges
	OpenAPISecurityActive bool        // openapi-security-active; false
	OpenAPIServerProxyURI string      // openapi-server-proxy-uri

	// ServerCORSAllowedOrigins is server-cors-allowed-origins; nil: any.
	ServerCORSAllowedOrigins []string
	ServerHost               string // server-host; "!4"
	ServerPort               int    // server-port; 3000
	// ServerMaxBodySize is server-max-body-size, a pgrestgen extension: the
	// largest request body accepted (413 above it); 64 MiB.
	ServerMaxBodySize int64
	// The HTTP server's timeouts, pgrestgen extensions in seconds, 0 turning
	// one off: server-read-header-timeout (10s) bounds a request's headers;
	// server-read-timeout (60s) the whole request, body included;
	// server-write-timeout (0) the response, off because queries are bounded
	// by statement_timeout and a large response may take long to send;
	// server-idle-timeout (120s) a keep-alive connection between requests.
	// server-shutdown-timeout (30s) is the grace in-flight requests get on
	// shutdown before they are cancelled (0: cancelled at once).
	ServerReadHeaderTimeout time.Duration
	ServerReadTimeout       time.Duration
	ServerWriteTimeout      time.Duration
	ServerIdleTimeout       time.Duration
	ServerShutdownTimeout   time.Duration
	ServerReusePort         bool        // server-reuseport; false
	ServerTimingEnabled     bool        // server-timing-enabled; false
	ServerTraceHeader       string      // server-trace-header
	ServerUnixSocket        string      // server-unix-socket
	ServerUnixSocketMode    fs.FileMode // server-unix-socket-mode; 0660

	URLUseLegacyTargetNames bool // url-use-legacy-target-names; true

	// PgrestgenDrift is pgrestgen-drift, a pgrestgen extension: what the
	// server does when the database's objects differ from those the code was
	// generated from; serve (the default), ignore or refuse.
	PgrestgenDrift DriftPolicy

	// Warnings are problems PostgREST tolerates (ignored values of the wrong
	// type, deprecated syntax, removed keys), for the caller to log.
	Warnings []string
}

// Verbosity is client-error-verbosity.
type Verbosity string

// Verbosity values.
const (
	VerbosityVerbose Verbosity = "verbose" // code, message, details, hint
	VerbosityMinimal Verbosity = "minimal" // code, message
)

// LogLevel is log-level.
type LogLevel string

// LogLevel values, from least to most verbose.
const (
	LogCrit  LogLevel = "crit"
	LogError LogLevel = "error"
	LogWarn  LogLevel = "warn"
	LogInfo  LogLevel = "info"
	LogDebug LogLevel = "debug"
)

// logLevels lists the levels in order; a function, so nothing can alter it.
func logLevels() []LogLevel { return []LogLevel{LogCrit, LogError, LogWarn, LogInfo, LogDebug} }

// Logs reports whether events of level ev are logged at level l.
func (l LogLevel) Logs(ev LogLevel) bool {
	return slices.Index(logLevels(), ev) <= slices.Index(logLevels(), l)
}

// LogFormat is log-format.
type LogFormat string

// LogFormat values.
const (
	LogText LogFormat = "text"
	LogJSON LogFormat = "json"
)

// DriftPolicy is pgrestgen-drift.
type DriftPolicy string

// DriftPolicy values.
const (
	// DriftServe serves requests; the admin server's /ready answers 503
	// while the database differs from the generated code.
	DriftServe DriftPolicy = "serve"
	// DriftIgnore serves requests and keeps /ready at 200: the operator
	// knows and serves anyway.
	DriftIgnore DriftPolicy = "ignore"
	// DriftRefuse makes the server exit at start-up, naming the objects
	// that differ.
	DriftRefuse DriftPolicy = "refuse"
)

// OpenAPIMode is openapi-mode.
type OpenAPIMode string

// OpenAPIMode values.
const (
	OpenAPIFollowPrivileges OpenAPIMode = "follow-privileges"
	OpenAPIIgnorePrivileges OpenAPIMode = "ignore-privileges"
	OpenAPIDisabled         OpenAPIMode = "disabled"
)

// TxEnd is db-tx-end.
type TxEnd string

// TxEnd values.
const (
	TxCommit                TxEnd = "commit"
	TxCommitAllowOverride   TxEnd = "commit-allow-override"
	TxRollback              TxEnd = "rollback"
	TxRollbackAllowOverride TxEnd = "rollback-allow-override"
)

// Rollback reports whether transactions end in rollback by default.
func (t TxEnd) Rollback() bool { return t == TxRollback || t == TxRollbackAllowOverride }

// AllowOverride reports whether Prefer: tx=commit|rollback may change it.
func (t TxEnd) AllowOverride() bool {
	return t == TxCommitAllowOverride || t == TxRollbackAllowOverride
}

// QualifiedName is a function name as PostgREST splits it: the schema is
// the text before the first dot, if any. The zero value means unset.
type QualifiedName struct {
	Schema string
	Name   string
}

// IsZero reports whether the setting is unset.
func (q QualifiedName) IsZero() bool { return q == QualifiedName{} }

// String returns the name as configured.
func (q QualifiedName) String() string {
	if q.Schema == "" {
		return q.Name
	}
	return q.Schema + "." + q.Name
}

func parseQualifiedName(s string) QualifiedName {
	if schema, name, ok := strings.Cut(s, "."); ok {
		return QualifiedName{Schema: schema, Name: name}
	}
	return QualifiedName{Name: s}
}

// Setting is one app.settings.* entry.
type Setting struct {
	Name  string // full name, e.g. "app.settings.jwt_secret"
	Value string
}

// SortedAppSettings returns AppSettings ordered by name, so set_config
// calls and logs come out the same on every run.
func (c *Config) SortedAppSettings() []Setting {
	out := make([]Setting, 0, len(c.AppSettings))
	for name, v := range c.AppSettings {
		out = append(out, Setting{Name: name, Value: v})
	}
	slices.SortFunc(out, func(a, b Setting) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// AuthOptions returns the auth.Verifier options these settings describe.
func (c *Config) AuthOptions() auth.Options {
	return auth.Options{
		Secret:       c.JWTSecret,
		Audience:     c.JWTAud,
		RoleClaimKey: c.JWTRoleClaimKey,
		AnonRole:     c.DBAnonRole,
		// The zero value disables the cache, so the setting is passed on.
		CacheMaxEntries: c.JWTCacheMaxEntries,
	}
}

// ValueError is a setting PostgREST would refuse to start with.
type ValueError struct {
	Key    string
	Value  string // "" for secrets, never echoed, or when Err quotes it
	Reason string // PostgREST's message where it has one
	Err    error  // underlying cause, if any
}

func (e *ValueError) Error() string {
	var b strings.Builder
	b.WriteString("config: " + e.Key)
	if e.Value != "" {
		fmt.Fprintf(&b, " = %q", e.Value)
	}
	for _, part := range []string{e.Reason, errText(e.Err)} {
		if part != "" {
			b.WriteString(": " + part)
		}
	}
	return b.String()
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (e *ValueError) Unwrap() error { return e.Err }

// Load reads the configuration: defaults, then the config file at path (if
// path is not ""), then PGRST_* variables from environ ("NAME=value" as in
// os.Environ). environ also feeds $(NAME) in file strings. @file values of
// db-uri and jwt-secret are read relative to the working directory.
func Load(path string, environ []string) (*Config, error) {
	return LoadDB(path, environ, nil)
}

// LoadDB is Load with the in-database configuration (db-config): db holds
// the pgrst.* settings of the authenticator role by name without the
// prefix ("db_anon_role"), as ReadDBSettings returns them. As in
// PostgREST, an in-database setting overrides both the environment and
// the file.
func LoadDB(path string, environ []string, db map[string]string) (*Config, error) {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	var file map[string]fileValue
	if path != "" {
		var err error
		if file, err = parseConfigFile(path, env); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
	}
	src := &sources{file: file, env: env, db: db}
	c, err := src.build()
	if err != nil {
		return nil, err
	}
	c.FilePath = path
	return c, nil
}

// sources resolves keys against the environment and the file.
type sources struct {
	file     map[string]fileValue
	env      map[string]string
	db       map[string]string // in-database settings, "db_anon_role"
	warnings []string
}

// envName is PostgREST's variable for a key: PGRST_ + upper case, - → _.
func envName(key string) string {
	return "PGRST_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// raw returns a key's value as text, environment first. ok is false when
// the key is absent or has a value no key can use (a list).
func (s *sources) raw(key string) (text string, v fileValue, ok bool) {
	if d, found := s.db[strings.ReplaceAll(key, "-", "_")]; found && slices.Contains(dbSettingKeys(), key) {
		return d, fileValue{kind: kindString, text: d}, true
	}
	if e, found := s.env[envName(key)]; found {
		return e, fileValue{kind: kindString, text: e}, true
	}
	v, found := s.file[key]
	if !found {
		return "", v, false
	}
	switch v.kind {
	case kindString, kindNumber:
		return v.text, v, true
	case kindBool:
		return strconv.FormatBool(v.b), v, true
	}
	s.warnf("%s: ignoring a list value", key)
	return "", v, false
}

func (s *sources) warnf(format string, args ...any) {
	s.warnings = append(s.warnings, fmt.Sprintf(format, args...))
}

// str reads a string key; "" counts as unset, as in PostgREST.
func (s *sources) str(key string) (string, bool) {
	t, _, ok := s.raw(key)
	return t, ok && t != ""
}

// strOr reads a string key with a default.
func (s *sources) strOr(key, def string) string {
	if t, ok := s.str(key); ok {
		return t
	}
	return def
}

// strAlias reads key, else its alias.
func (s *sources) strAlias(key, alias string) (string, bool) {
	if t, ok := s.str(key); ok {
		return t, true
	}
	return s.str(alias)
}

// integer reads an integer key: a whole number, or a string of digits.
// Anything else is ignored with a warning, as PostgREST falls back to the
// default.
func (s *sources) integer(key string) (int64, bool) {
	t, v, ok := s.raw(key)
	if !ok || t == "" {
		return 0, false
	}
	if v.kind == kindNumber {
		if r, ok := numberRat(t); ok && r.IsInt() && r.Num().IsInt64() {
			return r.Num().Int64(), true
		}
	} else if v.kind == kindString {
		if n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64); err == nil {
			return n, true
		}
	}
	s.warnf("%s: ignoring %q: not an integer, using the default", key, t)
	return 0, false
}

func (s *sources) intOr(key string, def int64) int64 {
	if n, ok := s.integer(key); ok {
		return n
	}
	return def
}

// boolean reads a boolean key the way PostgREST coerces text: its letters
// spell true or false in any case ("TRUE", "\"true\""), or it is an integer
// (positive is true).
func (s *sources) boolean(key string) (bool, bool) {
	t, v, ok := s.raw(key)
	if !ok || t == "" {
		return false, false
	}
	switch v.kind {
	case kindBool:
		return v.b, true
	case kindString:
		letters := strings.Map(func(r rune) rune {
			if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
				return r
			}
			return -1
		}, t)
		switch strings.ToLower(letters) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		if n, ok := new(big.Int).SetString(strings.TrimSpace(t), 10); ok {
			return n.Sign() > 0, true
		}
	}
	s.warnf("%s: ignoring %q: not a boolean, using the default", key, t)
	return false, false
}

func (s *sources) boolOr(key string, def bool) bool {
	if b, ok := s.boolean(key); ok {
		return b
	}
	return def
}

// oneOf reads an enumerated string key.
func oneOf[T ~string](s *sources, key string, def T, reason string, allowed ...T) (T, error) {
	t, ok := s.str(key)
	if !ok {
		return def, nil
	}
	if slices.Contains(allowed, T(t)) {
		return T(t), nil
	}
	return def, &ValueError{Key: key, Value: t, Reason: reason}
}

// splitList splits a comma list and trims each item, as PostgREST does.
func splitList(s string) []string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// build applies every key in PostgREST's parser order and validates.
func (s *sources) build() (*Config, error) {
	c := &Config{
		ClientErrorVerbosity: VerbosityVerbose,
		DBTxEnd:              TxCommit,
		LogLevel:             LogError,
		LogFormat:            LogText,
		PgrestgenDrift:       DriftServe,
		OpenAPIMode:          OpenAPIFollowPrivileges,
	}
	var errs []error
	fail := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	s.readDB(c, fail)
	s.readJWT(c, fail)
	s.readServer(c, fail)
	checkLimits(c, fail)
	// Keys PostgREST dropped: it ignores them and so do we, with a word.
	for _, r := range []struct{ key, note string }{
		{"jwt-cache-max-lifetime", "replaced by jwt-cache-max-entries in PostgREST v14"},
		{"admin-server-config-enabled", "removed in PostgREST v13"},
		{"raw-media-types", "removed in PostgREST v12"},
		{"db-use-legacy-gucs", "removed in PostgREST v12"},
	} {
		if _, _, ok := s.raw(r.key); ok {
			s.warnf("%s: ignored, %s", r.key, r.note)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	// Values that name files or need decoding, in PostgREST's order.
	if name, ok := strings.CutPrefix(c.DBURI, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, &ValueError{Key: "db-uri", Value: c.DBURI, Reason: "cannot read the file", Err: err}
		}
		c.DBURI = strings.TrimSpace(string(b))
	}
	if err := c.loadSecret(); err != nil {
		return nil, err
	}
	p, err := auth.ParseClaimPath(c.JWTRoleClaimKey)
	if err != nil {
		return nil, &ValueError{Key: "jwt-role-claim-key", Err: err} // err quotes the value
	}
	if p.Deprecated() {
		s.warnf("jwt-role-claim-key: %q uses the pre-v16 JSPath syntax, which PostgREST deprecates; write an RFC 9535 JSONPath starting with $ (in a config file, $$)", c.JWTRoleClaimKey)
	}
	c.Warnings = s.warnings
	return c, nil
}

// readDB reads the db-* settings and client-error-verbosity and app.settings.*.
func (s *sources) readDB(c *Config, fail func(error)) {
	var err error
	c.AppSettings = s.appSettings()
	c.ClientErrorVerbosity, err = oneOf(s, "client-error-verbosity", VerbosityVerbose,
		"Invalid client-error-verbosity. Check your configuration. (verbose or minimal)",
		VerbosityVerbose, VerbosityMinimal)
	fail(err)
	c.DBAggregatesEnabled = s.boolOr("db-aggregates-enabled", false)
	c.DBAnonRole, _ = s.str("db-anon-role")
	c.DBChannel = s.strOr("db-channel", "pgrst")
	c.DBChannelEnabled = s.boolOr("db-channel-enabled", true)
	c.DBExtraSearchPath = []string{"public"}
	if t, _, ok := s.raw("db-extra-search-path"); ok {
		c.DBExtraSearchPath = []string{}
		if t != "" {
			c.DBExtraSearchPath = splitList(t)
		}
	}
	c.DBHoistedTxSettings = []string{"statement_timeout", "plan_filter.statement_cost_limit", "default_transaction_isolation"}
	if t, ok := s.str("db-hoisted-tx-settings"); ok {
		c.DBHoistedTxSettings = splitList(t)
	}
	if n, ok := s.integer("db-max-rows"); ok {
		c.DBMaxRows = &n
	} else if n, ok := s.integer("max-rows"); ok {
		c.DBMaxRows = &n
	}
	c.DBPlanEnabled = s.boolOr("db-plan-enabled", false)
	c.DBPool = int(s.intOr("db-pool", 10))
	c.DBPoolAcquisitionTimeout = seconds(s.intOr("db-pool-acquisition-timeout", 10))
	c.DBPoolMaxLifetime = seconds(s.intOr("db-pool-max-lifetime", 1800))
	if n, ok := s.integer("db-pool-timeout"); ok {
		c.DBPoolMaxIdletime = seconds(n)
	} else {
		c.DBPoolMaxIdletime = seconds(s.intOr("db-pool-max-idletime", 30))
	}
	c.DBPoolAutomaticRecovery = s.boolOr("db-pool-automatic-recovery", true)
	c.DBPoolAdaptive = s.boolOr("db-pool-adaptive", true)
	if t, ok := s.strAlias("db-pre-request", "pre-request"); ok {
		c.DBPreRequest = parseQualifiedName(t)
	}
	c.DBPreparedStatements = s.boolOr("db-prepared-statements", true)
	if t, ok := s.str("db-replica-uris"); ok && strings.TrimSpace(t) != "" {
		c.DBReplicaURIs = slices.DeleteFunc(splitList(t), func(u string) bool { return u == "" })
	}
	if t, ok := s.strAlias("db-root-spec", "root-spec"); ok {
		c.DBRootSpec = parseQualifiedName(t)
	}
	c.DBSchemas = []string{"public"}
	if t, ok := s.strAlias("db-schemas", "db-schema"); ok {
		c.DBSchemas = splitList(t)
		c.DBSchemasSet = true
		for _, bad := range []string{"pg_catalog", "information_schema"} {
			if slices.Contains(c.DBSchemas, bad) {
				fail(&ValueError{Key: "db-schemas", Value: t, Reason: "db-schemas does not allow schema: '" + bad + "'"})
			}
		}
	}
	c.DBConfig = s.boolOr("db-config", true)
	if t, ok := s.str("db-pre-config"); ok {
		c.DBPreConfig = parseQualifiedName(t)
	}
	c.DBTxEnd, err = oneOf(s, "db-tx-end", TxCommit,
		"Invalid transaction termination. Check your configuration. (commit, commit-allow-override, rollback or rollback-allow-override)",
		TxCommit, TxCommitAllowOverride, TxRollback, TxRollbackAllowOverride)
	fail(err)
	c.DBURI = s.strOr("db-uri", "postgresql://")

}

// readJWT reads the jwt-* settings.
func (s *sources) readJWT(c *Config, fail func(error)) {
	if t, ok := s.str("jwt-aud"); ok {
		if strings.Contains(t, ":") && !isURI(t) {
			fail(&ValueError{Key: "jwt-aud", Value: t, Reason: "jwt-aud should be a string or a valid URI"})
		}
		c.JWTAud = t
	}
	c.JWTRoleClaimKey = auth.DefaultRoleClaimKey
	if t, ok := s.strAlias("jwt-role-claim-key", "role-claim-key"); ok {
		c.JWTRoleClaimKey = t
	}
	if secret, ok := s.str("jwt-secret"); ok {
		c.JWTSecret = []byte(secret)
	}
	if b, ok := s.boolean("jwt-secret-is-base64"); ok {
		c.JWTSecretIsBase64 = b
	} else {
		c.JWTSecretIsBase64 = s.boolOr("secret-is-base64", false)
	}
	c.JWTCacheMaxEntries = int(s.intOr("jwt-cache-max-entries", 1000))
}

// readServer reads logging, OpenAPI, server-* and admin-server-* settings.
func (s *sources) readServer(c *Config, fail func(error)) {
	var err error
	c.LogLevel, err = oneOf(s, "log-level", LogError,
		"Invalid logging level. Check your configuration. (crit, error, warn, info or debug)", logLevels()...)
	fail(err)
	switch t, _ := s.str("log-query"); t {
	case "main-query":
		c.LogQuery = true
	case "disabled":
		c.LogQuery = false
	default:
		c.LogQuery = s.boolOr("log-query", false)
	}
	if ms := s.intOr("log-slow-query-ms", 0); ms < 0 {
		fail(&ValueError{Key: "log-slow-query-ms", Value: strconv.FormatInt(ms, 10), Reason: "must not be negative"})
	} else {
		c.LogSlowQuery = time.Duration(min(ms, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond
	}
	c.PgrestgenDrift, err = oneOf(s, "pgrestgen-drift", DriftServe,
		"Invalid pgrestgen-drift. Check your configuration. (serve, ignore or refuse)", DriftServe, DriftIgnore, DriftRefuse)
	fail(err)
	c.LogFormat, err = oneOf(s, "log-format", LogText, "Invalid log-format. Check your configuration. (text or json)", LogText, LogJSON)
	fail(err)
	c.OpenAPIMode, err = oneOf(s, "openapi-mode", OpenAPIFollowPrivileges,
		"Invalid openapi-mode. Check your configuration. (follow-privileges, ignore-privileges or disabled)",
		OpenAPIFollowPrivileges, OpenAPIIgnorePrivileges, OpenAPIDisabled)
	fail(err)
	c.OpenAPISecurityActive = s.boolOr("openapi-security-active", false)
	if t, ok := s.str("openapi-server-proxy-uri"); ok {
		if isMalformedProxyURI(t) {
			fail(&ValueError{Key: "openapi-server-proxy-uri", Value: t,
				Reason: "Malformed proxy uri, a correct example: https://example.com:8443/basePath"})
		}
		c.OpenAPIServerProxyURI = t
	}
	if t, ok := s.str("server-cors-allowed-origins"); ok {
		c.ServerCORSAllowedOrigins = splitList(t)
	}
	c.ServerHost = s.strOr("server-host", "!4")
	c.ServerPort = int(s.intOr("server-port", 3000))
	c.ServerMaxBodySize = s.intOr("server-max-body-size", 64<<20)
	c.ServerReadHeaderTimeout = seconds(s.intOr("server-read-header-timeout", 10))
	c.ServerReadTimeout = seconds(s.intOr("server-read-timeout", 60))
	c.ServerWriteTimeout = seconds(s.intOr("server-write-timeout", 0))
	c.ServerIdleTimeout = seconds(s.intOr("server-idle-timeout", 120))
	c.ServerShutdownTimeout = seconds(s.intOr("server-shutdown-timeout", 30))
	fail(checkPort("server-port", c.ServerPort))
	c.ServerReusePort = s.boolOr("server-reuseport", false)
	c.ServerTraceHeader, _ = s.str("server-trace-header")
	c.ServerTimingEnabled = s.boolOr("server-timing-enabled", false)
	c.ServerUnixSocket, _ = s.str("server-unix-socket")
	c.ServerUnixSocketMode, err = s.socketMode("server-unix-socket-mode")
	fail(err)
	c.URLUseLegacyTargetNames = s.boolOr("url-use-legacy-target-names", true)
	c.AdminServerHost = c.ServerHost
	if t, ok := s.str("admin-server-host"); ok {
		c.AdminServerHost = t
	}
	if n, ok := s.integer("admin-server-port"); ok {
		p := int(n)
		c.AdminServerPort = &p
		fail(checkPort("admin-server-port", p))
		// Port 0 asks the system for a free port, a different one for each.
		if p == c.ServerPort && p != 0 {
			fail(&ValueError{Key: "admin-server-port", Value: strconv.Itoa(p), Reason: "admin-server-port cannot be the same as server-port"})
		}
	}
	c.AdminServerUnixSocket, _ = s.str("admin-server-unix-socket")
	c.AdminServerUnixSocketMode, err = s.socketMode("admin-server-unix-socket-mode")
	fail(err)
}

// checkLimits refuses values PostgREST would fail on later, or hang on.
func checkLimits(c *Config, fail func(error)) {
	if c.DBPool < 1 {
		fail(&ValueError{Key: "db-pool", Value: strconv.Itoa(c.DBPool), Reason: "must be at least 1"})
	}
	for _, k := range []struct {
		key string
		d   time.Duration
	}{
		{"db-pool-acquisition-timeout", c.DBPoolAcquisitionTimeout},
		{"db-pool-max-idletime", c.DBPoolMaxIdletime},
		{"db-pool-max-lifetime", c.DBPoolMaxLifetime},
		{"server-read-header-timeout", c.ServerReadHeaderTimeout},
		{"server-read-timeout", c.ServerReadTimeout},
		{"server-write-timeout", c.ServerWriteTimeout},
		{"server-idle-timeout", c.ServerIdleTimeout},
		{"server-shutdown-timeout", c.ServerShutdownTimeout},
	} {
		if k.d < 0 {
			fail(&ValueError{Key: k.key, Value: strconv.FormatInt(int64(k.d/time.Second), 10), Reason: "must not be negative"})
		}
	}
	if c.ServerMaxBodySize < 0 {
		fail(&ValueError{Key: "server-max-body-size", Value: strconv.FormatInt(c.ServerMaxBodySize, 10), Reason: "must not be negative"})
	}
	if c.DBMaxRows != nil && *c.DBMaxRows < 0 {
		fail(&ValueError{Key: "db-max-rows", Value: strconv.FormatInt(*c.DBMaxRows, 10), Reason: "must not be negative"})
	}
}

// loadSecret reads jwt-secret from @file, decodes base64 and validates it,
// as PostgREST does before it starts. Errors never contain the secret.
func (c *Config) loadSecret() error {
	if c.JWTSecret == nil {
		return nil
	}
	if name, ok := bytes.CutPrefix(c.JWTSecret, []byte("@")); ok {
		b, err := os.ReadFile(string(name))
		if err != nil {
			return &ValueError{Key: "jwt-secret", Value: string(c.JWTSecret), Reason: "cannot read the file", Err: err}
		}
		c.JWTSecret = bytes.TrimSuffix(b, []byte("\n"))
	}
	if c.JWTSecretIsBase64 {
		// PostgREST also accepts the URL-safe alphabet, with "." for "=".
		s := strings.NewReplacer("-", "+", "_", "/", ".", "=").Replace(string(c.JWTSecret))
		s = strings.TrimSpace(s)
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(s)
		}
		if err != nil {
			return &ValueError{Key: "jwt-secret", Reason: "jwt-secret-is-base64 is set but the secret is not valid base64", Err: err}
		}
		c.JWTSecret = b
	}
	if err := auth.ValidateSecret(c.JWTSecret); err != nil {
		return &ValueError{Key: "jwt-secret", Err: err}
	}
	return nil
}

// appSettings collects app.settings.<name> from the file (one level below
// the prefix) and PGRST_APP_SETTINGS_<NAME>, the environment winning. Names
// are lower-cased: PostgreSQL setting names ignore case anyway.
func (s *sources) appSettings() map[string]string {
	const prefix = "app.settings."
	out := map[string]string{}
	for _, key := range slices.Sorted(maps.Keys(s.file)) {
		v := s.file[key]
		name, ok := strings.CutPrefix(key, prefix)
		if !ok || strings.Contains(name, ".") {
			continue
		}
		switch v.kind {
		case kindString, kindNumber:
			out[prefix+strings.ToLower(name)] = v.text
		case kindBool:
			out[prefix+strings.ToLower(name)] = strconv.FormatBool(v.b)
		default:
			s.warnf("%s: ignoring a list value", key)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.env)) {
		v := s.env[k]
		name, ok := strings.CutPrefix(k, "PGRST_APP_SETTINGS_")
		if !ok {
			continue
		}
		if name == "" {
			s.warnf("%s: ignored, it names no setting", k)
			continue
		}
		out[prefix+strings.ToLower(name)] = v
	}
	return out
}

// seconds converts a setting in seconds, saturating instead of overflowing.
func seconds(n int64) time.Duration {
	const most = math.MaxInt64 / int64(time.Second)
	return time.Duration(max(min(n, most), -most)) * time.Second
}

func checkPort(key string, p int) error {
	if p < 0 || p > 65535 {
		return &ValueError{Key: key, Value: strconv.Itoa(p), Reason: "not a TCP port (0-65535)"}
	}
	return nil
}

// socketMode reads an octal file mode between 600 and 777; like PostgREST
// it reads the leading octal digits.
func (s *sources) socketMode(key string) (fs.FileMode, error) {
	t, ok := s.str(key)
	if !ok {
		return 0o660, nil
	}
	end := 0
	for end < len(t) && t[end] >= '0' && t[end] <= '7' {
		end++
	}
	if end == 0 {
		return 0, &ValueError{Key: key, Value: t, Reason: "Invalid " + key + ": not an octal"}
	}
	n, err := strconv.ParseUint(t[:end], 8, 32)
	if err != nil || n < 0o600 || n > 0o777 {
		return 0, &ValueError{Key: key, Value: t, Reason: "Invalid " + key + ": needs to be between 600 and 777"}
	}
	return fs.FileMode(n), nil
}

// isURI approximates Network.URI's isURI: a scheme, then only characters
// URIs allow, with well-formed percent escapes and at most one fragment.
func isURI(s string) bool {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || scheme == "" || !isAlpha(scheme[0]) {
		return false
	}
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	if strings.Count(rest, "#") > 1 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case isAlpha(c), c >= '0' && c <= '9', strings.IndexByte("-._~!$&'()*+,;=:@/?#[]", c) >= 0:
		case c == '%' && i+2 < len(rest) && isHex(rest[i+1]) && isHex(rest[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// isMalformedProxyURI mirrors PostgREST: an absolute http(s) URI with a
// host, an optional port in 1-65535, and no user info, query or fragment.
func isMalformedProxyURI(s string) bool {
	if !isURI(s) || strings.Contains(s, "#") {
		return true
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Hostname() == "" {
		return true
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		return true
	}
	if strings.HasSuffix(u.Host, ":") {
		return true
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		return err != nil || n < 1 || n > 65535
	}
	return false
}
