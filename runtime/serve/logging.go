package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrestgen/pgrestgen/runtime/config"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
)

// levelNotice is for the lines PostgREST logs whatever its log-level (the
// server listening, the admin server listening); pgrestgen logs them at
// every level but crit, which asks for errors only.
const levelNotice = slog.LevelInfo + 2

// levelVar is what of the logs a configuration reload may change:
// log-level and the secrets masked.
type levelVar struct {
	v    atomic.Value // config.LogLevel
	mask atomic.Pointer[masker]
}

func newLevel(l config.LogLevel) *levelVar {
	lv := &levelVar{}
	lv.v.Store(l)
	lv.mask.Store(&masker{})
	return lv
}

// update takes cfg's log-level and secrets.
func (lv *levelVar) update(cfg *config.Config) {
	lv.v.Store(cfg.LogLevel)
	lv.mask.Store(newMasker(cfg))
}

func (lv *levelVar) get() config.LogLevel { return lv.v.Load().(config.LogLevel) }

// newLogger is the diagnostic log: slog's text or JSON handler (log-format)
// on w, filtered by log-level (level, or cfg's when nil), with the
// configured secrets masked.
func newLogger(cfg *config.Config, w io.Writer, level *levelVar) *slog.Logger {
	if level == nil {
		level = newLevel(cfg.LogLevel)
	}
	level.update(cfg)
	if w == nil {
		return slog.New(slog.DiscardHandler)
	}
	opts := &slog.HandlerOptions{
		Level: slog.LevelDebug, // filterHandler decides
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.LevelKey && len(groups) == 0 {
				if l, ok := a.Value.Any().(slog.Level); ok && l == levelNotice {
					a.Value = slog.StringValue("NOTICE")
				}
			}
			return a
		},
	}
	var h slog.Handler
	if cfg.LogFormat == config.LogJSON {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(&filterHandler{next: h, level: level})
}

// logs reports whether a record at l is logged at log-level lv: crit and
// error log errors, warn adds warnings (client errors among requests),
// info a line per request, debug the rest.
func logs(lv config.LogLevel, l slog.Level) bool {
	if l == levelNotice {
		return lv != config.LogCrit
	}
	min := slog.LevelError
	switch lv {
	case config.LogWarn:
		min = slog.LevelWarn
	case config.LogInfo:
		min = slog.LevelInfo
	case config.LogDebug:
		min = slog.LevelDebug
	}
	return l >= min
}

// filterHandler applies log-level and masks secrets in every record.
type filterHandler struct {
	next  slog.Handler
	level *levelVar // the level and the masker
}

func (h *filterHandler) Enabled(_ context.Context, l slog.Level) bool { return logs(h.level.get(), l) }

func (h *filterHandler) Handle(ctx context.Context, r slog.Record) error {
	mask := h.level.mask.Load()
	if mask.none() {
		return h.next.Handle(ctx, r)
	}
	nr := slog.NewRecord(r.Time, r.Level, mask.apply(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(mask.attr(a))
		return true
	})
	return h.next.Handle(ctx, nr)
}

func (h *filterHandler) WithAttrs(as []slog.Attr) slog.Handler {
	mask := h.level.mask.Load()
	masked := make([]slog.Attr, len(as))
	for i, a := range as {
		masked[i] = mask.attr(a)
	}
	return &filterHandler{next: h.next.WithAttrs(masked), level: h.level}
}

func (h *filterHandler) WithGroup(name string) slog.Handler {
	return &filterHandler{next: h.next.WithGroup(name), level: h.level}
}

// masker replaces the configured secrets (the database password, the JWT
// secret) wherever they would appear in a log line: no code path is meant
// to log them, and this makes sure an error message quoting one does not.
type masker struct{ r *strings.Replacer }

// minSecret is the shortest secret masked: masking a one-letter password
// would garble every line and hide nothing.
const minSecret = 4

func newMasker(cfg *config.Config) *masker {
	var secrets []string
	if c, err := pgx.ParseConfig(cfg.DBURI); err == nil && len(c.Password) >= minSecret {
		secrets = append(secrets, c.Password)
	}
	if len(cfg.JWTSecret) >= minSecret {
		secrets = append(secrets, string(cfg.JWTSecret))
	}
	if len(secrets) == 0 {
		return &masker{}
	}
	var pairs []string
	for _, s := range secrets {
		pairs = append(pairs, s, "[REDACTED]")
	}
	return &masker{r: strings.NewReplacer(pairs...)}
}

func (m *masker) none() bool { return m.r == nil }

func (m *masker) apply(s string) string {
	if m.r == nil {
		return s
	}
	return m.r.Replace(s)
}

func (m *masker) attr(a slog.Attr) slog.Attr {
	if m.r == nil {
		return a
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(m.apply(v.String()))
	case slog.KindGroup:
		g := v.Group()
		masked := make([]slog.Attr, len(g))
		for i, ga := range g {
			masked[i] = m.attr(ga)
		}
		a.Value = slog.GroupValue(masked...)
	case slog.KindAny:
		// Errors and other values print through fmt: mask that text.
		a.Value = slog.StringValue(m.apply(fmt.Sprint(v.Any())))
	}
	return a
}

// logsResponse is PostgREST's access-log filter: nothing at crit, server
// errors at error, client errors too at warn, every request at info.
func logsResponse(lv config.LogLevel, status int) bool {
	switch lv {
	case config.LogCrit:
		return false
	case config.LogError:
		return status >= http.StatusInternalServerError
	case config.LogWarn:
		return status >= http.StatusBadRequest
	}
	return true
}

// accessLog returns the access logger (nil when w is nil): PostgREST's line,
// Apache's combined format with the role as the user,
//
//	127.0.0.1 - anon [26/Jul/2021:01:56:38 -0500] "GET /clients HTTP/1.1" 200 56 "" "curl/8.5.0"
//
// or, with log-format json, one object a line with the duration added.
func accessLog(cfg *config.Config, w io.Writer, level *levelVar) func(httpmw.Request) {
	if w == nil {
		return nil
	}
	if level == nil {
		level = newLevel(cfg.LogLevel)
	}
	if cfg.LogFormat == config.LogJSON {
		log := slog.New(slog.NewJSONHandler(w, nil))
		return func(r httpmw.Request) {
			if !logsResponse(level.get(), r.Status) {
				return
			}
			level := slog.LevelInfo
			switch {
			case r.Status >= http.StatusInternalServerError:
				level = slog.LevelError
			case r.Status >= http.StatusBadRequest:
				level = slog.LevelWarn
			}
			log.LogAttrs(context.Background(), level, "request",
				slog.String("remote_addr", r.RemoteHost),
				slog.String("role", r.Role),
				slog.String("method", r.Method),
				slog.String("path", r.Target),
				slog.String("route", r.Route),
				slog.String("proto", r.Proto),
				slog.Int("status", r.Status),
				slog.Int64("size", r.Size),
				slog.Float64("duration_ms", float64(r.Duration.Microseconds())/1000),
				slog.String("referer", r.Referer),
				slog.String("user_agent", r.UserAgent),
			)
		}
	}
	var mu sync.Mutex
	return func(r httpmw.Request) {
		if !logsResponse(level.get(), r.Status) {
			return
		}
		line := apacheLine(r)
		mu.Lock()
		defer mu.Unlock()
		_, _ = io.WriteString(w, line)
	}
}

// apacheLine renders r as PostgREST's access-log line.
func apacheLine(r httpmw.Request) string {
	user, size := "-", "-"
	if r.Role != "" {
		user = apacheEscape(r.Role)
	}
	if r.Size > 0 {
		size = strconv.FormatInt(r.Size, 10)
	}
	return fmt.Sprintf("%s - %s [%s] \"%s %s %s\" %d %s \"%s\" \"%s\"\n",
		r.RemoteHost, user, r.Start.Format("02/Jan/2006:15:04:05 -0700"),
		apacheEscape(r.Method), apacheEscape(r.Target), apacheEscape(r.Proto),
		r.Status, size, apacheEscape(r.Referer), apacheEscape(r.UserAgent))
}

// apacheEscape escapes what would break a quoted field of the line (quotes,
// backslashes, control bytes), as Apache does, so one request is one line.
func apacheEscape(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == '"' || r == '\\' || r < 0x20 || r == 0x7f }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// poolTimeoutLog logs pool exhaustion (PGRST003) as PostgREST does: at
// error, so from log-level error up, at most once every 5 s however many
// requests time out.
func poolTimeoutLog(log *slog.Logger, cfg *config.Config) func() {
	const every = 5 * time.Second
	var mu sync.Mutex
	var last time.Time
	return func() {
		mu.Lock()
		if time.Since(last) < every {
			mu.Unlock()
			return
		}
		last = time.Now()
		mu.Unlock()
		log.Error("Timed out acquiring connection from connection pool.", slog.String("code", "PGRST003"),
			slog.Int("db-pool", cfg.DBPool), slog.Duration("db-pool-acquisition-timeout", cfg.DBPoolAcquisitionTimeout))
	}
}
