// Package deploy holds the example's library API as a container stack:
// Dockerfile (rendered from templates/Dockerfile.tmpl), compose.yaml,
// Caddyfile and 00-init_postgrest.sql. It has no Go code of its own; its
// tests check the files and run the stack's parts (PostgreSQL, the server,
// Caddy) on this machine. See README.md.
package deploy
