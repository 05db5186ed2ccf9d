package web

import (
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
	return f, nil
}

func (s *Server) apiViewings(c echo.Context) error {
	f, err := recordFilterOf(c)
	if err != nil {
		return err
	}
	vs, err := s.ThemeDay.Viewings(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": vs, "total": len(vs)})
}

func (s *Server) apiPractices(c echo.Context) error {
	f, err := recordFilterOf(c)
	if err != nil {
		return err
	}
	ps, err := s.ThemeDay.Practices(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ps, "total": len(ps)})
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
	cov, err := s.ThemeDay.Coverage(c.Request().Context(), actor(c), month, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cov)
}

func (s *Server) apiMatrix(c echo.Context) error {
	f, err := coverageFilterOf(c)
	if err != nil {
		return err
	}
	from, to := s.monthRange(c)
	m, err := s.ThemeDay.Matrix(c.Request().Context(), actor(c), from, to, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Server) apiTotals(c echo.Context) error {
	f, err := coverageFilterOf(c)
	if err != nil {
		return err
	}
	from, to := s.monthRange(c)
	t, err := s.ThemeDay.Totals(c.Request().Context(), actor(c), from, to, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

func (s *Server) apiTownsSummary(c echo.Context) error {
	month := c.QueryParam("month")
	if month == "" {
		month = s.currentMonth()
	}
	ts, err := s.ThemeDay.TownsSummary(c.Request().Context(), actor(c), month)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"month": month, "towns": ts})
}
