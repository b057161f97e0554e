package serve

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pgrestgen/pgrestgen/runtime/config"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
)

// TestLoggerMasksSecrets: a message, an attribute or an error that quotes
// the database password or the JWT secret is logged with it masked, in
// both formats; loggers derived with With and WithGroup mask too.
func TestLoggerMasksSecrets(t *testing.T) {
	for _, format := range []config.LogFormat{config.LogText, config.LogJSON} {
		cfg := &config.Config{DBURI: "postgres://authenticator:" + opsPassword + "@db:5432/app", JWTSecret: []byte(opsJWTSecret),
			LogLevel: config.LogDebug, LogFormat: format}
		var b syncBuf
		log := newLogger(cfg, &b, nil)
		log.Error("connect postgres://authenticator:"+opsPassword+"@db failed",
			slog.Any("err", errors.New("bad secret "+opsJWTSecret)), slog.String("uri", cfg.DBURI))
		log.With(slog.String("pw", opsPassword)).WithGroup("g").Info("x", slog.Group("h", slog.String("s", opsJWTSecret)))
		out := b.String()
		if strings.Contains(out, opsPassword) || strings.Contains(out, opsJWTSecret) {
			t.Errorf("%s: a secret was logged:\n%s", format, out)
		}
		if n := strings.Count(out, "[REDACTED]"); n != 5 {
			t.Errorf("%s: %d masked values, want 5:\n%s", format, n, out)
		}
	}
}

// TestLogLevelFilter: PostgREST's levels, and the start-up lines at every
// level but crit.
func TestLogLevelFilter(t *testing.T) {
	for lv, want := range map[config.LogLevel]string{
		config.LogCrit:  "E",
		config.LogError: "EN",
		config.LogWarn:  "EWN",
		config.LogInfo:  "EWNI",
		config.LogDebug: "EWNID",
	} {
		got := ""
		for _, l := range []struct {
			c string
			l slog.Level
		}{{"E", slog.LevelError}, {"W", slog.LevelWarn}, {"N", levelNotice}, {"I", slog.LevelInfo}, {"D", slog.LevelDebug}} {
			if logs(lv, l.l) {
				got += l.c
			}
		}
		if got != want {
			t.Errorf("%s logs %q, want %q", lv, got, want)
		}
	}
}

// TestApacheLine: quotes, backslashes and control bytes in the fields a
// client chooses cannot break the line or forge another.
func TestApacheLine(t *testing.T) {
	r := httpmw.Request{
		Start:  time.Date(2021, 7, 26, 1, 56, 38, 0, time.FixedZone("", -5*3600)),
		Method: "GET", Target: `/clients?x="a"\b`, Proto: "HTTP/1.1", Status: 200, Size: 56,
		Role: "user", RemoteHost: "127.0.0.1", UserAgent: "curl\"\n127.0.0.1 - forged",
	}
	want := `127.0.0.1 - user [26/Jul/2021:01:56:38 -0500] "GET /clients?x=\"a\"\\b HTTP/1.1" 200 56 "" "curl\"\x0a127.0.0.1 - forged"` + "\n"
	if got := apacheLine(r); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}
