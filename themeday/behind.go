package themeday

import (
	"context"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/tz"
	"weike/org"
)

// LateFrom is the day of the month from which a branch that has recorded
// nothing yet is behind: about ten days are left to hold a lesson, watch a
// film and do a practice, and the official can still call the secretary.
const LateFrom = 20

// Idle is the active branches of an official's town that have nothing in
// this month (Asia/Shanghai): no lesson given or booked (an order waiting
// for its lecturer or its day counts as booked), no film, no practice;
// listed once the month is late (from LateFrom on), empty before. It
// returns the month.
func (s *Store) Idle(ctx context.Context, act org.Actor) (_ string, _ []BranchMonth, err error) {
	defer apperr.Wrap(&err, "themeday: idle branches")
	if err := act.RequireOfficial(); err != nil {
		return "", nil, err
	}
	now := s.now().In(tz.Shanghai)
	month := now.Format("2006-01")
	if now.Day() < LateFrom {
		return month, nil, nil
	}
	cov, err := s.Coverage(ctx, act, month, CoverageFilter{TownID: act.TownID})
	if err != nil {
		return "", nil, err
	}
	booked := map[int64]bool{}
	for page := 1; ; page++ {
		p, err := s.book.List(ctx, act, booking.OrderFilter{Month: month, Page: page, PerPage: 200,
			Statuses: []booking.Status{booking.Requested, booking.Proposed, booking.Confirmed}})
		if err != nil {
			return "", nil, err
		}
		for _, o := range p.Items {
			booked[o.BranchID] = true
		}
		if int64(page*p.PerPage) >= p.Total {
			break
		}
	}
	var idle []BranchMonth
	for _, b := range cov.Branches {
		if !b.Lesson && !b.Film && !b.Practice && !booked[b.BranchID] {
			idle = append(idle, b)
		}
	}
	return month, idle, nil
}
