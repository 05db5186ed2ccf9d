// Package dispatch closes the coverage gap (派单): for a town and a month it
// drafts one lesson for every active branch that has none yet — lesson,
// lecturer, courtyard and start — so that as many branches as possible are
// served and, among such drafts, branches hear topics they have not heard
// lately, lecturers travel little and share the load; the official adjusts
// the draft and dispatches it as orders, which go through booking's one
// create path like any other.
//
// The draft is exact, not a guess: the package gathers the town's data
// through the domain stores, turns it into a plain solver.Problem (a
// min-cost flow, package dispatch/solver) and reads the answer back. Every
// proposal keeps the rules an order obeys, and stricter ones where an order
// may still change: a lecturer's pending orders count against her capacity
// and keep their preferred times clear, so that she can accept every
// dispatched order, whatever she answers first.
package dispatch

import (
	"context"
	"time"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/lessons"
	"weike/org"
	"weike/themeday"
)

// Store drafts and dispatches a town's month.
type Store struct {
	now      func() time.Time
	orgs     *org.Store
	catalog  *lessons.Store
	book     *booking.Store
	themeday *themeday.Store
}

// NewStore makes a store over the domain stores it reads through; now is
// the injected clock.
func NewStore(now func() time.Time, orgs *org.Store, catalog *lessons.Store, book *booking.Store, td *themeday.Store) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{now: func() time.Time { return now().UTC() }, orgs: orgs, catalog: catalog, book: book, themeday: td}
}

// Note is something said to a person: a catalog key and its parameters, in
// i18n.T's alternating name, value form. Whoever shows it renders it in the
// reader's language.
type Note struct {
	Key    string
	Params []any
}

func note(key i18n.Key, params ...any) Note { return Note{Key: string(key), Params: params} }

// Cost is what a proposal costs, by part, in the order of their weight.
type Cost struct {
	// Topic is the topic-variety cost: a topic the branch heard in the
	// last six months costs more, the same lesson again much more, a
	// featured lesson of the month less.
	Topic int64 `json:"topic"`
	// TravelKM is the distance from the lecturer's home branch to the
	// courtyard, to 0.1 km.
	TravelKM float64 `json:"travel_km"`
	// Load is which of the lecturer's lessons of the month this is (her
	// orders already in the month counted first): the k-th costs more
	// than the (k−1)-th.
	Load int `json:"load"`
}

// Item is one proposal of a draft, or one row the official dispatches.
type Item struct {
	BranchID    int64     `json:"branch_id"`
	CourtyardID int64     `json:"courtyard_id"`
	LessonID    int64     `json:"lesson_id"`
	LecturerID  int64     `json:"lecturer_id"`
	Start       time.Time `json:"start"`
	// What a draft says of it: its cost and why it was chosen. Rows sent
	// to Dispatch need neither.
	Cost    Cost   `json:"cost"`
	Reasons []Note `json:"-"`
	// Names and the end, for pages; filled by drafts and reviews.
	End       time.Time `json:"-"`
	Branch    string    `json:"-"`
	Courtyard string    `json:"-"`
	Lesson    string    `json:"-"`
	Topic     string    `json:"-"`
	Lecturer  string    `json:"-"`
}

// Unplaced is a branch the draft could not give a lesson, and why.
type Unplaced struct {
	BranchID int64  `json:"branch_id"`
	Branch   string `json:"-"`
	Reason   Note   `json:"-"`
}

// Stats are a draft's counts and the solver's time.
type Stats struct {
	Branches int     `json:"branches"` // active branches still without a lesson in the month
	Placed   int     `json:"placed"`
	SolverMS float64 `json:"solver_ms"`
}

// Draft is a town's month as the planner proposes it. Nothing is written.
type Draft struct {
	Month    string     `json:"month"`
	TownID   int64      `json:"town_id"`
	Items    []Item     `json:"items"`    // by start, then branch
	Unplaced []Unplaced `json:"unplaced"` // by branch
	Stats    Stats      `json:"stats"`
	// Total is the draft's whole cost in the solver's units (topic and
	// travel of every item, and the lecturers' load): the least of all
	// drafts that place as many branches.
	Total int64 `json:"-"`
}

// DraftInput narrows a draft.
type DraftInput struct {
	// TownID: a county viewer's pick; an official's is her own town.
	TownID int64 `json:"town_id"`
	// ExcludeBranchIDs are branches to leave out of the draft.
	ExcludeBranchIDs []int64 `json:"exclude_branch_ids"`
}

// NextMonth is the month after now's in loc: the month a draft is for
// unless told otherwise.
func NextMonth(now time.Time, loc *time.Location) string {
	t := now.In(loc)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, 1, 0).Format("2006-01")
}

// townOf picks the town a caller drafts for: an official's own (naming
// another is not found), a county viewer's pick, or her county's only town.
func townOf(act org.Actor, want int64) (int64, error) {
	switch {
	case act.Role == org.RoleOfficial:
		if want != 0 && want != act.TownID {
			return 0, apperr.NotFoundf("town")
		}
		return act.TownID, nil
	case act.Role == org.RoleCounty:
		if want == 0 {
			if len(act.Towns) != 1 {
				return 0, apperr.New(apperr.Invalid, "validation").Field("town_id", "field.required")
			}
			want = act.Towns[0]
		}
		return want, act.ReadTown(want, "town")
	}
	return 0, apperr.New(apperr.Forbidden, "forbidden.official_only")
}

// Draft drafts a town's month (YYYY-MM; empty: next month) for an official
// of the town or a county viewer. Nothing is written.
func (s *Store) Draft(ctx context.Context, act org.Actor, month string, in DraftInput) (_ *Draft, err error) {
	defer apperr.Wrap(&err, "dispatch: draft %s", month)
	townID, err := townOf(act, in.TownID)
	if err != nil {
		return nil, err
	}
	w, err := s.gather(ctx, act, townID, month)
	if err != nil {
		return nil, err
	}
	return w.draft(in.ExcludeBranchIDs)
}
