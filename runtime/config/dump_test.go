package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLoadDB: in-database settings override the environment, which
// overrides the file; keys PostgREST does not read from the database
// (db-uri, db-pool, server-port) are ignored there.
func TestLoadDB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.conf")
	if err := os.WriteFile(path, []byte("db-anon-role = \"file\"\njwt-aud = \"file\"\ndb-max-rows = 5\ndb-pool = 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadDB(path, []string{"PGRST_DB_ANON_ROLE=env", "PGRST_JWT_AUD=env"}, map[string]string{
		"db_anon_role": "db", "db_pool": "2", "db_uri": "postgres://elsewhere", "server_port": "1", "db_tx_end": "rollback",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.DBAnonRole != "db" || c.JWTAud != "env" || *c.DBMaxRows != 5 || c.DBPool != 4 || c.DBURI != "postgresql://" ||
		c.ServerPort != 3000 || c.DBTxEnd != TxRollback {
		t.Errorf("got anon %q aud %q max-rows %d pool %d uri %q port %d tx-end %q",
			c.DBAnonRole, c.JWTAud, *c.DBMaxRows, c.DBPool, c.DBURI, c.ServerPort, c.DBTxEnd)
	}
	// An invalid in-database value is an error, as from the file.
	if _, err := LoadDB("", nil, map[string]string{"db_tx_end": "sometimes"}); err == nil || !strings.Contains(err.Error(), "db-tx-end") {
		t.Errorf("invalid db_tx_end: %v", err)
	}
	if names := DBSettingNames(); !slices.Contains(names, "pgrst.db_anon_role") || slices.Contains(names, "pgrst.db_uri") {
		t.Errorf("DBSettingNames: %v", names)
	}
}

// TestPgrestgenSettings: log-query's v13 values, log-slow-query-ms and
// pgrestgen-drift.
func TestPgrestgenSettings(t *testing.T) {
	for _, tc := range []struct {
		env     []string
		query   bool
		slow    time.Duration
		drift   DriftPolicy
		wantErr string
	}{
		{env: nil, drift: DriftServe},
		{env: []string{"PGRST_LOG_QUERY=main-query"}, query: true, drift: DriftServe},
		{env: []string{"PGRST_LOG_QUERY=disabled"}, drift: DriftServe},
		{env: []string{"PGRST_LOG_QUERY=true", "PGRST_LOG_SLOW_QUERY_MS=250", "PGRST_PGRESTGEN_DRIFT=refuse"}, query: true, slow: 250 * time.Millisecond, drift: DriftRefuse},
		{env: []string{"PGRST_PGRESTGEN_DRIFT=ignore"}, drift: DriftIgnore},
		{env: []string{"PGRST_PGRESTGEN_DRIFT=never"}, wantErr: "Invalid pgrestgen-drift"},
		{env: []string{"PGRST_LOG_SLOW_QUERY_MS=-1"}, wantErr: "log-slow-query-ms"},
	} {
		c, err := Load("", tc.env)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: err %v, want %q", tc.env, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if c.LogQuery != tc.query || c.LogSlowQuery != tc.slow || c.PgrestgenDrift != tc.drift {
			t.Errorf("%v: log-query %v slow %v drift %q", tc.env, c.LogQuery, c.LogSlowQuery, c.PgrestgenDrift)
		}
	}
}

// TestDump: the defaults as PostgREST dumps them, sorted; a dump read back
// as a config file gives the same configuration.
func TestDump(t *testing.T) {
	c, err := Load("", []string{"PGRST_APP_SETTINGS_ME=x\"y", "PGRST_ADMIN_SERVER_PORT=3001", "PGRST_DB_PRE_REQUEST=api.check"})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Dump()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if !slices.IsSorted(lines) {
		t.Errorf("not sorted:\n%s", got)
	}
	for _, l := range []string{
		`admin-server-port = 3001`,
		`app.settings.me = "x\"y"`,
		`client-error-verbosity = "verbose"`,
		`db-channel = "pgrst"`,
		`db-extra-search-path = "public"`,
		`db-hoisted-tx-settings = "statement_timeout,plan_filter.statement_cost_limit,default_transaction_isolation"`,
		`db-pool-acquisition-timeout = 10`,
		`db-pool-max-lifetime = 1800`,
		`db-pre-request = "api.check"`,
		`db-uri = "postgresql://"`,
		`jwt-role-claim-key = "$.role"`,
		`jwt-secret = ""`,
		`log-level = "error"`,
		`server-host = "!4"`,
		`server-port = 3000`,
	} {
		if !slices.Contains(lines, l) {
			t.Errorf("no %s in:\n%s", l, got)
		}
	}
	// Read back: file strings take $$ for $, as the role claim key needs.
	path := filepath.Join(t.TempDir(), "dump.conf")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(got, "$", "$$")), 0o600); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path, nil)
	if err != nil {
		t.Fatalf("the dump does not load: %v", err)
	}
	if back.Dump() != got {
		t.Errorf("read back differs:\n%s\nwant:\n%s", back.Dump(), got)
	}
}
