package request

import (
	"os"
	"testing"

	"github.com/pgrestgen/pgrestgen/internal/pgtest"
)

// env is the cluster TestCheckUTF8MatchesPostgreSQL compares wording with;
// the package itself never touches a database.
var env pgtest.Env

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, &env, nil)) }
