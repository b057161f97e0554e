package runtime

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pgrestgen/pgrestgen/runtime/exec"
	"github.com/pgrestgen/pgrestgen/runtime/httpmw"
	"github.com/pgrestgen/pgrestgen/runtime/request"
	"github.com/pgrestgen/pgrestgen/runtime/sqlgen"
)

// The plan media type (application/vnd.pgrst.plan, db-plan-enabled): a
// request is planned and rendered as usual, then its transaction runs the
// EXPLAIN of the very statement it would have run, with the same bind
// values, and the plan is the answer.

// explainTx turns a request's transaction into the EXPLAIN of its
// statement. The result checks (singular, max-affected, PUT's key) and the
// planned count's EXPLAIN go, as PostgREST skips them for plans. EXPLAIN
// ANALYZE runs the statement, so its transaction is rolled back: asking
// for a write's plan stores nothing.
func explainTx(tx *exec.Tx, ex *request.Explain) {
	tx.Main = sqlgen.ExplainStatement(ex, tx.Main)
	tx.Plan = true
	tx.Explain, tx.ExplainArgs = "", nil
	tx.Check = nil
	tx.Inserted = false
	if ex.Analyze() {
		tx.Rollback = true
	}
}

// servePlan runs an explained transaction (explainTx) and answers its
// plan: 200, the plan's Content-Type and Content-Length (on HEAD too, as
// PostgREST sends them), and Content-Profile when the profile was asked
// for. The response GUCs are not applied to a plan, as in PostgREST.
func (s *Server) servePlan(c echo.Context, tx *exec.Tx, ex *request.Explain, schema string, byProfile, authenticated bool) {
	req := c.Request()
	timer := httpmw.Timing(req.Context())
	stop := timer.Start(httpmw.PhaseTransaction)
	res, err := s.run(req.Context(), tx)
	stop()
	if err != nil {
		s.fail(c, err, authenticated)
		return
	}
	start := time.Now()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, ex.ContentType())
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(res.Body)))
	if byProfile {
		h.Set("Content-Profile", schema)
	}
	timer.Add(httpmw.PhaseResponse, time.Since(start))
	c.Response().WriteHeader(http.StatusOK)
	if req.Method != http.MethodHead {
		_, _ = c.Response().Write(res.Body)
	}
	res.Release()
}
