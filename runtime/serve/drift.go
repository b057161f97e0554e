package serve

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgrestgen/pgrestgen/generator/introspect"
	"github.com/pgrestgen/pgrestgen/runtime"
)

// checkDrift compares the database's schema with the one the code was
// generated from, once, in the background after the server is listening:
// serving never waits for it. A difference is logged as a warning, since
// requests on what changed may fail until the code is regenerated.
func checkDrift(ctx context.Context, pool *pgxpool.Pool, schema *runtime.Schema, log *slog.Logger) (stale bool, err error) {
	cat, err := introspect.Load(ctx, pool, introspect.Options{Schemas: schema.Schemas})
	if err != nil {
		return false, err
	}
	fp, err := cat.Fingerprint()
	if err != nil {
		return false, err
	}
	if fp != schema.Fingerprint {
		log.Warn("generated code is stale: the database schema differs from the one it was generated from; run pgrestgen generate (pgrestgen check shows the difference)",
			slog.String("generated", schema.Fingerprint), slog.String("database", fp))
		return true, nil
	}
	log.Info("database schema matches the generated code", slog.String("fingerprint", fp))
	return false, nil
}
