package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"weike/themeday"

	"github.com/labstack/echo/v4"

	"weike/lessons"
)

// theme-day API: monthly plans, viewings, practices, coverage and totals.

func (s *Server) apiPlan(c echo.Context) error {
	tid, err := queryID(c, "town_id")
	if err != nil {
		return err
	}
	p, err := s.Lessons.Plan(c.Request().Context(), actor(c), c.Param("month"), tid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) apiPutPlan(c echo.Context) error {
	var in lessons.PlanInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	p, err := s.Lessons.PutPlan(c.Request().Context(), actor(c), c.Param("month"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func recordFilterOf(c echo.Context) (themeday.RecordFilter, error) {
	f := themeday.RecordFilter{Month: c.QueryParam("month"), From: c.QueryParam("from"), To: c.QueryParam("to")}
	var err error
	if f.TownID, err = queryID(c, "town_id"); err != nil {
		return f, err
	}
	if f.BranchID, err = queryID(c, "branch_id"); err != nil {
		return f, err
	}
	f.Page, f.PerPage, err = recordPaging(c)
	return f, err
}

// recordPaging reads the API's page and per_page of records: page 1 and
// 500 a page unless asked, so that a client that never pages gets the
// newest 500 as it always did, and the true total besides.
func recordPaging(c echo.Context) (page, perPage int, err error) {
	if page, err = queryInt(c, "page"); err != nil {
		return 0, 0, err
	}
	if perPage, err = queryInt(c, "per_page"); err != nil {
		return 0, 0, err
	}
	if perPage <= 0 || perPage > themeday.MaxRecordsPerPage {
		perPage = themeday.MaxRecordsPerPage
	}
	return max(page, 1), perPage, nil
}

func (s *Server) apiViewings(c echo.Context) error {
	f, err := recordFilterOf(c)
	if err != nil {
		return err
	}
	p, err := s.ThemeDay.ViewingPage(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) apiPractices(c echo.Context) error {
	f, err := recordFilterOf(c)
	if err != nil {
		return err
	}
	p, err := s.ThemeDay.PracticePage(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func coverageFilterOf(c echo.Context) (themeday.CoverageFilter, error) {
	f := themeday.CoverageFilter{Kind: c.QueryParam("kind")}
	var err error
	f.TownID, err = queryID(c, "town_id")
	return f, err
}

// currentMonth is this month in Shanghai.
func (s *Server) currentMonth() string { return s.Now().In(shanghai).Format("2006-01") }

// monthRange reads from/to, defaulting to the twelve months up to this one.
func (s *Server) monthRange(c echo.Context) (string, string) {
	from, to := c.QueryParam("from"), c.QueryParam("to")
	if to == "" {
		to = s.currentMonth()
	}
	if from == "" {
		if t, err := time.Parse("2006-01", to); err == nil {
			from = t.AddDate(0, -11, 0).Format("2006-01")
		} else {
			from = to
		}
	}
	return from, to
}

func (s *Server) apiCoverage(c echo.Context) error {
	f, err := coverageFilterOf(c)
	if err != nil {
		return err
	}
	month := c.QueryParam("month")
	if month == "" {
		month = s.currentMonth()
	}
	return s.viewCached(c, "coverage", func(ctx context.Context) (any, error) {
		return s.ThemeDay.Coverage(ctx, actor(c), month, f)
	})
}

// Coverage answers (the matrix above all: 600 branches × 12 months for a
// county) are built once for every viewer of the same scope and query,
// kept for viewTTL and until this instance serves a write, and sent with
// their compressed forms kept; concurrent viewers wait for the one build.
// Another instance's writes show within viewTTL: these are views of
// months, which a few seconds do not change.
const viewTTL = 5 * time.Second

// viewCached answers from the short-lived view cache, building the answer
// with build when it is missing or old.
func (s *Server) viewCached(c echo.Context, kind string, build func(ctx context.Context) (any, error)) error {
	r := c.Request()
	key := fmt.Sprintf("%s#%s#%s#%d#%s", kind, scopeKey(actor(c)), r.URL.RawQuery, s.writes.Load(), s.currentMonth())
	fresh := func() *cachedAnswer {
		if a := s.answers.get(key); a != nil && time.Since(a.built) < viewTTL {
			return a
		}
		return nil
	}
	if a := fresh(); a != nil {
		return serveAnswer(c, a, false)
	}
	ctx := context.WithoutCancel(r.Context())
	v, err, _ := s.flight.Do(key, func() (any, error) {
		if a := fresh(); a != nil {
			return a, nil
		}
		s.viewBuilds.Add(1)
		out, err := build(ctx)
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(out)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		a := &cachedAnswer{key: key, etag: `W/"` + hex.EncodeToString(sum[:12]) + `"`, body: body, built: time.Now()}
		s.answers.put(a)
		return a, nil
	})
	if err != nil {
		return err
	}
	return serveAnswer(c, v.(*cachedAnswer), false)
}

func (s *Server) apiMatrix(c echo.Context) error {
	f, err := coverageFilterOf(c)
	if err != nil {
		return err
	}
	from, to := s.monthRange(c)
	return s.viewCached(c, "matrix", func(ctx context.Context) (any, error) {
		m, err := s.ThemeDay.Matrix(ctx, actor(c), from, to, f)
		if err != nil {
			return nil, err
		}
		return m.Compact(), nil
	})
}

func (s *Server) apiTotals(c echo.Context) error {
	f, err := coverageFilterOf(c)
	if err != nil {
		return err
	}
	from, to := s.monthRange(c)
	return s.viewCached(c, "totals", func(ctx context.Context) (any, error) {
		return s.ThemeDay.Totals(ctx, actor(c), from, to, f)
	})
}

func (s *Server) apiTownsSummary(c echo.Context) error {
	month := c.QueryParam("month")
	if month == "" {
		month = s.currentMonth()
	}
	return s.viewCached(c, "towns", func(ctx context.Context) (any, error) {
		ts, err := s.ThemeDay.TownsSummary(ctx, actor(c), month)
		if err != nil {
			return nil, err
		}
		return map[string]any{"month": month, "towns": ts}, nil
	})
}
