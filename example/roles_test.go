package main

import (
	"net/http"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pgrestgen/pgrestgen/example/db"
	"github.com/pgrestgen/pgrestgen/internal/e2e"
	"github.com/pgrestgen/pgrestgen/internal/pgcluster"
)

// TestRoleSettings (F-AUTH-14, F-TX-03, F-AUTH-15): a role's own settings
// (ALTER ROLE … SET), read at start-up, apply to the transactions run as that
// role, its default_transaction_isolation included; the pre-request
// function sees them and sets response headers.
func TestRoleSettings(t *testing.T) {
	uri := env.NewDatabase(t, template)
	// Roles are cluster-wide: made once, idempotently, with their own name.
	err := pgcluster.ApplySQL(t.Context(), uri, `
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'careful_reader') THEN CREATE ROLE careful_reader NOLOGIN; END IF;
END $$;
ALTER ROLE careful_reader SET statement_timeout = '150ms';
ALTER ROLE careful_reader SET default_transaction_isolation = 'serializable';
GRANT careful_reader TO authenticator;
GRANT USAGE ON SCHEMA public TO careful_reader;
GRANT SELECT ON books TO careful_reader;
CREATE FUNCTION public.report() RETURNS void LANGUAGE sql AS $$
  SELECT set_config('response.headers', json_build_array(
    json_build_object('X-Timeout', current_setting('statement_timeout')),
    json_build_object('X-Isolation', current_setting('transaction_isolation')))::text, true)
$$;`)
	if err != nil {
		t.Fatal(err)
	}
	srv := e2e.Serve(t, db.Schema(), db.RegisterHandlers,
		"PGRST_DB_URI="+e2e.AsAuthenticator(uri), "PGRST_DB_ANON_ROLE=anon", "PGRST_JWT_SECRET="+jwtSecret,
		"PGRST_DB_PRE_REQUEST=public.report")
	careful := e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": "careful_reader"})
	for _, c := range []struct {
		name, token, timeout, isolation string
	}{
		{"the role's settings", careful, "150ms", "serializable"},
		{"anon has none", "", "0", "read committed"},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/books?select=id&id=eq.1", nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("X-Timeout") != c.timeout || resp.Header.Get("X-Isolation") != c.isolation {
			t.Errorf("%s: status %d, X-Timeout %q, X-Isolation %q; want 200, %q, %q", c.name, resp.StatusCode,
				resp.Header.Get("X-Timeout"), resp.Header.Get("X-Isolation"), c.timeout, c.isolation)
		}
	}
}
