package main

import (
	"io"
	"net/http"
	"strings"
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
	srv := e2e.Serve(t, db.Schema(), db.Register,
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

// TestRoleNamesAreIdentifiers: role names are taken as they are, never
// re-parsed as SQL identifiers (which folds case and chokes on spaces and
// quotes). The server logs in as a mixed-case authenticator, whose role
// settings are read at start-up; the anonymous role has a space in its name,
// a token's role has quotes in it; each request runs as its role with that
// role's own settings, and the mixed-case pre-request function is called by
// its exact name.
func TestRoleNamesAreIdentifiers(t *testing.T) {
	uri := env.NewDatabase(t, template)
	err := pgcluster.ApplySQL(t.Context(), uri, `
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'Postgrest_Test_Authenticator') THEN
    CREATE ROLE "Postgrest_Test_Authenticator" NOINHERIT LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'Web Anon') THEN CREATE ROLE "Web Anon" NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'Mixed "Quote" Role') THEN CREATE ROLE "Mixed ""Quote"" Role" NOLOGIN; END IF;
END $$;
ALTER ROLE "Postgrest_Test_Authenticator" SET timezone = 'UTC';
ALTER ROLE "Web Anon" SET statement_timeout = '1234ms';
ALTER ROLE "Mixed ""Quote"" Role" SET statement_timeout = '4321ms';
GRANT "Web Anon", "Mixed ""Quote"" Role" TO "Postgrest_Test_Authenticator";
GRANT USAGE ON SCHEMA public TO "Web Anon", "Mixed ""Quote"" Role";
GRANT SELECT ON books TO "Web Anon", "Mixed ""Quote"" Role";
GRANT EXECUTE ON FUNCTION average_price(integer) TO "Web Anon", "Mixed ""Quote"" Role";
CREATE FUNCTION public."Report_Role"() RETURNS void LANGUAGE sql AS $$
  SELECT set_config('response.headers', json_build_array(
    json_build_object('X-Role', current_user),
    json_build_object('X-Timeout', current_setting('statement_timeout')))::text, true)
$$;`)
	if err != nil {
		t.Fatal(err)
	}
	login := strings.Replace(uri, "postgres://postgres@", "postgres://Postgrest_Test_Authenticator@", 1)
	srv := e2e.Serve(t, db.Schema(), db.Register,
		"PGRST_DB_URI="+login, "PGRST_DB_ANON_ROLE=Web Anon", "PGRST_JWT_SECRET="+jwtSecret,
		"PGRST_DB_PRE_REQUEST=public.Report_Role")
	quoted := e2e.SignHS256(t, jwtSecret, jwt.MapClaims{"role": `Mixed "Quote" Role`})
	for _, c := range []struct {
		name, path, token, role, timeout string
	}{
		{"anonymous read", "/books?select=id&id=eq.1", "", "Web Anon", "1234ms"},
		{"anonymous call", "/rpc/average_price", "", "Web Anon", "1234ms"},
		{"token read", "/books?select=id&id=eq.1", quoted, `Mixed "Quote" Role`, "4321ms"},
		{"token call", "/rpc/average_price", quoted, `Mixed "Quote" Role`, "4321ms"},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+c.path, nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Role") != c.role || resp.Header.Get("X-Timeout") != c.timeout {
			t.Errorf("%s: status %d, X-Role %q, X-Timeout %q (body %s); want 200, %q, %q", c.name, resp.StatusCode,
				resp.Header.Get("X-Role"), resp.Header.Get("X-Timeout"), body, c.role, c.timeout)
		}
	}
}
