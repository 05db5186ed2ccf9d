package web

import (
	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/internal/tz"
	"weike/themeday"
)

// The official's home: the three things her month is made of first
// (coverage, the monthly plan, imports), then what needs her now, each
// item a link to where she acts on it. Everything is read through the
// stores, scoped to her town.

// attentionMax is how many of each kind the home lists; the rest are one
// link away.
const attentionMax = 5

type officialHome struct {
	homeData
	Month        string // this month, named
	AllRate      string // this month's share of branches with all three
	PlanMonth    string // the month whose plan is due next, named
	PlanKey      string // its month, YYYY-MM
	PlanDone     bool   // published
	Attention    *booking.Attention
	IdleMonth    string
	IdleKey      string // its month, YYYY-MM, for the dispatch draft's link
	Idle         []themeday.BranchMonth
	LateFrom     int
	NothingToDo  bool
	StuckMore    bool
	DueSoonMore  bool
	ProposalMore bool
}

func (s *Server) officialHome(c echo.Context, d homeData) error {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	v := officialHome{homeData: d, LateFrom: themeday.LateFrom}
	now := s.Now().In(tz.Shanghai)
	month := now.Format("2006-01")
	v.Month = monthName(lang, month)
	cov, err := s.ThemeDay.Coverage(ctx, act, month, themeday.CoverageFilter{TownID: act.TownID})
	if err != nil {
		return err
	}
	v.AllRate = pct(cov.Rates.All)
	// The plan due next: next month's (published by the 25th).
	v.PlanKey = d.NextMonth
	v.PlanMonth = monthName(lang, v.PlanKey)
	plan, err := s.Lessons.Plan(ctx, act, v.PlanKey, 0)
	if err != nil {
		return err
	}
	v.PlanDone = plan.PublishedAt != nil
	if v.Attention, err = s.Booking.NeedsAttention(ctx, act, attentionMax); err != nil {
		return err
	}
	idleMonth, idle, err := s.ThemeDay.Idle(ctx, act)
	if err != nil {
		return err
	}
	v.IdleMonth, v.IdleKey, v.Idle = monthName(lang, idleMonth), idleMonth, idle
	a := v.Attention
	v.NothingToDo = a.Empty() && len(idle) == 0
	v.StuckMore = a.Stuck.Total > int64(len(a.Stuck.Orders))
	v.DueSoonMore = a.DueSoon.Total > int64(len(a.DueSoon.Orders))
	v.ProposalMore = a.Proposals.Total > int64(len(a.Proposals.Orders))
	return s.render(c, "home_official", pageData{Title: T(lang, "nav.home"), Data: v})
}
