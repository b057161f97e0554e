package runtime

import (
	"os"
	"testing"

	"github.com/pgrestgen/pgrestgen/internal/pgtest"
)

var env pgtest.Env

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, &env, nil)) }
