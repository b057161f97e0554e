package serve

// exampleConfig is --example's output: a config file with the settings
// operators set most, each explained.
const exampleConfig = `## pgrestgen server configuration, in PostgREST's format. Every key can
## also be set with an environment variable: PGRST_ and the key in upper
## case with _ for - (PGRST_DB_URI), which overrides the file. With
## db-config, the authenticator role's pgrst.* settings override both:
##   ALTER ROLE authenticator SET pgrst.db_anon_role = 'anon';
## Reload without a restart: kill -USR2 <pid>, or NOTIFY pgrst, 'reload config'.

## The database, as the authenticator role ("@/path" reads the URI from a file).
db-uri = "postgres://authenticator:password@localhost:5432/app"

## The schemas served; the first is the default. Without it, those the code
## was generated for. The code must have been generated for each of them.
# db-schemas = "api"

## The role of requests without a JWT; unset, they are refused.
db-anon-role = "anon"

## Connections to the database, and how long a request waits for one (s).
db-pool = 10
db-pool-acquisition-timeout = 10

## Read the authenticator's pgrst.* settings (ALTER ROLE ... SET), after
## running db-pre-config's function if set.
db-config = true
# db-pre-config = "postgrest.pre_config"

## LISTEN on this channel for NOTIFY pgrst, 'reload config'.
db-channel = "pgrst"
db-channel-enabled = true

## A function run at the start of each request's transaction.
# db-pre-request = "api.check_request"

## The most rows a read returns; unset, no limit.
# db-max-rows = 1000

## commit, commit-allow-override, rollback or rollback-allow-override.
db-tx-end = "commit"

## The JWT secret (at least 32 characters), a JWK or JWKS; "@/path" reads a file.
# jwt-secret = "reallyreallyreallyreallyverysafe"
# jwt-secret-is-base64 = false
# jwt-aud = "your-audience"
## Where the role is in the claims (a JSONPath; $$ writes a literal $ in this file).
jwt-role-claim-key = "$$.role"

## The API server: host ("!4" any IPv4 address, "*" any) and port.
server-host = "!4"
server-port = 3000
## A Unix socket, instead of TCP.
# server-unix-socket = "/tmp/pgrst.sock"
# server-unix-socket-mode = "660"

## The admin server: /live, /ready, /metrics, /schema_cache. --ready asks it.
# admin-server-port = 3001

## crit, error, warn, info (a line per request) or debug.
log-level = "error"
## Log each request's main statement at info (with log-level info).
log-query = false
## pgrestgen: log statements taking at least this many ms at warn; 0 is off.
log-slow-query-ms = 0
## pgrestgen: text or json.
log-format = "text"

## pgrestgen: when the database's objects differ from those the code was
## generated from: serve (requests are served, /ready answers 503), ignore
## (served, /ready 200) or refuse (the server exits naming the objects).
pgrestgen-drift = "serve"

## Settings for every request's transaction: current_setting('app.settings.name').
# app.settings.name = "value"
`
