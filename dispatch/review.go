package dispatch

import (
	"context"
	"slices"
	"sort"
	"time"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/lessons"
	"weike/org"
)

// MaxRows bounds the rows of one dispatch or review: a town has some
// dozens of branches.
const MaxRows = 500

// Row is a row of the dispatch page: a proposal as the official keeps or
// changes it, whether it still keeps the rules beside the other rows, and
// what else the branch could be given instead.
type Row struct {
	Item
	// Problem is why the row does not keep the rules as it stands; nil
	// when it does.
	Problem *apperr.Error
	// Choices are other lessons, lecturers and times for the branch that
	// keep the rules beside the other rows, the row's own first when it
	// keeps them, then by time.
	Choices []Item
	// Removed: the official took the row out (DraftInput's
	// ExcludeBranchIDs); it is neither checked nor in the others' way.
	Removed bool
}

// Sheet is the dispatch page's table: a month's draft, or the rows the
// official kept and changed, each checked beside the others.
type Sheet struct {
	Month    string
	TownID   int64
	Rows     []Row
	Unplaced []Unplaced
	Stats    Stats
}

// maxChoices bounds the choices offered for one row.
const maxChoices = 40

// Sheet drafts the month (rows nil) or checks the rows given, and offers
// each row its choices; rows of excluded branches are kept aside as
// removed. Readers of the town (officials, county viewers) may look; only
// officials dispatch.
func (s *Store) Sheet(ctx context.Context, act org.Actor, month string, in DraftInput, rows []Item) (_ *Sheet, err error) {
	defer apperr.Wrap(&err, "dispatch: sheet %s", month)
	townID, err := townOf(act, in.TownID)
	if err != nil {
		return nil, err
	}
	if len(rows) > MaxRows {
		return nil, apperr.New(apperr.Invalid, "validation").Field("items", "field.too_many")
	}
	w, err := s.gather(ctx, act, townID, month)
	if err != nil {
		return nil, err
	}
	sh := &Sheet{Month: w.month, TownID: townID, Unplaced: []Unplaced{}}
	if rows == nil {
		d, err := w.draft(in.ExcludeBranchIDs)
		if err != nil {
			return nil, err
		}
		rows, sh.Unplaced, sh.Stats = d.Items, d.Unplaced, d.Stats
	}
	var items, removed []Item
	for _, r := range rows {
		if slices.Contains(in.ExcludeBranchIDs, r.BranchID) {
			removed = append(removed, w.describe(r))
		} else {
			items = append(items, w.describe(r))
		}
	}
	w.rank(items, nil)
	for i, it := range items {
		others := slices.Delete(slices.Clone(items), i, i+1)
		row := Row{Item: it}
		if e := w.check(it, others); e != nil {
			row.Problem = e
		}
		row.Choices = w.choices(it, others, row.Problem == nil)
		sh.Rows = append(sh.Rows, row)
	}
	for _, it := range removed {
		sh.Rows = append(sh.Rows, Row{Item: it, Removed: true})
	}
	return sh, nil
}

// describe fills in a row's names and costs from the world; a row naming
// what the world does not know keeps its ids alone.
func (w *world) describe(it Item) Item {
	out := Item{BranchID: it.BranchID, CourtyardID: it.CourtyardID, LessonID: it.LessonID, LecturerID: it.LecturerID, Start: it.Start.UTC()}
	b, l := w.byBranch[it.BranchID], w.byLecturer[it.LecturerID]
	k, ok := w.byLesson[it.LessonID]
	if b == nil || l == nil || !ok || len(b.courts) == 0 {
		if b != nil {
			out.Branch = b.name
		}
		return out
	}
	full := w.item(b, l, w.lessons[k], out.Start)
	// The official may have picked another of the branch's courtyards.
	for _, c := range b.courts {
		if c.id == it.CourtyardID {
			full.CourtyardID, full.Courtyard = c.id, c.name
		}
	}
	return full
}

// check says whether a row keeps the rules beside the other rows of the
// same dispatch: the branch is active and has no lesson in the month, the
// courtyard is one of its own, the lesson is published and the lecturer
// active and qualified for it; the lesson and its buffer fit in one of her
// free sessions (her weekly hours, not a blackout, clear of her live
// orders, after the lead time, within the horizon and the month); she has
// room in her month; and no other row is hers within the buffer or is for
// the same branch.
func (w *world) check(it Item, others []Item) *apperr.Error {
	b := w.byBranch[it.BranchID]
	if b == nil {
		return apperr.New(apperr.Invalid, "validation").Field("branch_id", "field.branch_unknown")
	}
	if b.covered {
		return apperr.New(apperr.Conflict, "plan.refused.covered").With("branch", b.name).With("month", i18n.Month(w.month))
	}
	for _, o := range others {
		if o.BranchID == it.BranchID {
			return apperr.New(apperr.Conflict, "plan.refused.branch_twice").With("branch", b.name)
		}
	}
	if !slices.ContainsFunc(b.courts, func(c court) bool { return c.id == it.CourtyardID }) {
		return apperr.New(apperr.Invalid, "validation").Field("courtyard_id", "order.courtyard_not_yours")
	}
	k, ok := w.byLesson[it.LessonID]
	if !ok || !w.lessons[k].published {
		return apperr.New(apperr.Invalid, "validation").Field("lesson_id", "plan.refused.lesson")
	}
	ls := w.lessons[k]
	l := w.byLecturer[it.LecturerID]
	if l == nil || !slices.Contains(l.lessons, k) {
		return apperr.New(apperr.Invalid, "validation").Field("lecturer_id", "plan.refused.not_qualified")
	}
	start := it.Start.UTC()
	if start.Before(w.from) || !start.Before(w.to) {
		return apperr.New(apperr.Invalid, "validation").Field("start", "order.dispatch_outside_month")
	}
	need := time.Duration(w.need(ls)) * time.Minute
	if !slices.ContainsFunc(l.sessions, func(s session) bool {
		return !start.Before(s.start) && !start.Add(need).After(s.start.Add(time.Duration(s.minutes)*time.Minute))
	}) {
		return apperr.New(apperr.Invalid, "plan.refused.not_free").With("lecturer", l.name).With("start_at", start.In(w.loc))
	}
	mine := span{start, start.Add(need)}
	n := 0
	for _, o := range others {
		if o.LecturerID != l.id {
			continue
		}
		n++
		if k, ok := w.byLesson[o.LessonID]; ok {
			theirs := span{o.Start, o.Start.Add(time.Duration(w.need(w.lessons[k])) * time.Minute)}
			if mine.overlaps(theirs) {
				return apperr.New(apperr.Conflict, "plan.refused.clash").With("lecturer", l.name).
					With("start_at", o.Start.In(w.loc)).With("branch", w.branchName(o.BranchID)).With("n", w.town.TravelBufferMinutes)
			}
		}
	}
	if l.used+n >= l.capacity {
		return apperr.New(apperr.Invalid, "plan.refused.capacity").With("lecturer", l.name).
			With("month", i18n.Month(w.month)).With("n", l.capacity)
	}
	return nil
}

func (w *world) branchName(id int64) string {
	if b := w.byBranch[id]; b != nil {
		return b.name
	}
	return ""
}

// choices are what a row may become instead, beside the other rows: the
// same time and lecturer with another lesson, the same lesson with another
// lecturer, the same lecturer and lesson at other times, then whatever is
// cheapest, each keeping every rule. The row's own choice leads when it
// keeps them.
func (w *world) choices(it Item, others []Item, ok bool) []Item {
	b := w.byBranch[it.BranchID]
	if b == nil || len(b.courts) == 0 || b.covered {
		return nil
	}
	type cand struct {
		Item
		cost int64
	}
	var all []cand
	for _, l := range w.lecturers {
		n := 0
		var theirs []span
		for _, o := range others {
			if o.LecturerID == l.id {
				n++
				if k, ok := w.byLesson[o.LessonID]; ok {
					theirs = append(theirs, span{o.Start, o.Start.Add(time.Duration(w.need(w.lessons[k])) * time.Minute)})
				}
			}
		}
		if l.used+n >= l.capacity {
			continue
		}
		for _, k := range l.lessons {
			ls := w.lessons[k]
			need := w.need(ls)
			base := w.optionCost(b, l, ls) + loadCost(l.used+n+1)
			for _, s := range l.sessions {
				if s.minutes < need {
					continue
				}
				mine := span{s.start, s.start.Add(time.Duration(need) * time.Minute)}
				if slices.ContainsFunc(theirs, mine.overlaps) {
					continue
				}
				c := cand{Item: w.item(b, l, ls, s.start), cost: base}
				c.Cost.Load = l.used + n + 1
				all = append(all, c)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].cost != all[j].cost {
			return all[i].cost < all[j].cost
		}
		return all[i].Start.Before(all[j].Start)
	})
	same := func(a Item) bool {
		return a.LessonID == it.LessonID && a.LecturerID == it.LecturerID && a.Start.Equal(it.Start)
	}
	picked := map[int]bool{}
	var out []Item
	pick := func(limit int, want func(a Item) bool) {
		for i, c := range all {
			if limit == 0 || len(out) >= maxChoices {
				return
			}
			if !picked[i] && !same(c.Item) && want(c.Item) {
				picked[i] = true
				out = append(out, c.Item)
				limit--
			}
		}
	}
	pick(-1, func(a Item) bool { return a.LecturerID == it.LecturerID && a.Start.Equal(it.Start) })
	seen := map[int64]bool{}
	pick(-1, func(a Item) bool {
		if a.LessonID != it.LessonID || a.LecturerID == it.LecturerID || seen[a.LecturerID] {
			return false
		}
		seen[a.LecturerID] = true
		return true
	})
	pick(8, func(a Item) bool { return a.LecturerID == it.LecturerID && a.LessonID == it.LessonID })
	pick(-1, func(Item) bool { return true })
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	if ok {
		own := it
		own.Reasons = slices.Clone(it.Reasons)
		out = append([]Item{own}, out...)
	}
	return out
}

// Refusal is a row that was not dispatched, and why.
type Refusal struct {
	BranchID int64
	Err      *apperr.Error
}

// Dispatched is what a dispatch did: the orders it made (or found made by
// the same row before), and the rows it refused.
type Dispatched struct {
	Orders  []*booking.Order
	Refused []Refusal
}

// Dispatch makes one order per row for the official's town (派单), in the
// order given: each row is checked beside the rows dispatched before it,
// then goes through booking's create path marked as the town's. A row that
// no longer holds is refused with its reason and the others go through; a
// row dispatched before returns its order and creates nothing.
func (s *Store) Dispatch(ctx context.Context, act org.Actor, month string, rows []Item) (_ *Dispatched, err error) {
	defer apperr.Wrap(&err, "dispatch: dispatch %s", month)
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	if _, err := lessons.ParseMonth(month); err != nil {
		return nil, err
	}
	switch {
	case len(rows) == 0:
		return nil, apperr.New(apperr.Invalid, "validation").Field("items", "field.required")
	case len(rows) > MaxRows:
		return nil, apperr.New(apperr.Invalid, "validation").Field("items", "field.too_many")
	}
	w, err := s.gather(ctx, act, act.TownID, month)
	if err != nil {
		return nil, err
	}
	out := &Dispatched{Orders: []*booking.Order{}, Refused: []Refusal{}}
	var done []Item
	for _, r := range rows {
		r.Start = r.Start.UTC()
		if !w.dispatchedBefore(r) {
			if e := w.check(r, done); e != nil {
				out.Refused = append(out.Refused, Refusal{BranchID: r.BranchID, Err: e})
				continue
			}
		}
		o, created, err := s.book.Create(ctx, act, booking.NewOrder{LessonID: r.LessonID, LecturerID: r.LecturerID,
			CourtyardID: r.CourtyardID, Slots: []string{r.Start.Format(time.RFC3339)},
			Dispatch: &booking.Dispatch{BranchID: r.BranchID, Month: w.month}})
		if err != nil {
			e, ok := apperr.As(err)
			if !ok {
				return nil, err
			}
			out.Refused = append(out.Refused, Refusal{BranchID: r.BranchID, Err: e})
			continue
		}
		out.Orders = append(out.Orders, o)
		if created {
			// One dispatched before is among the live orders already.
			done = append(done, r)
		}
	}
	return out, nil
}

// dispatchedBefore reports whether the row was dispatched already, as it
// stands: booking then gives back its order rather than make another.
func (w *world) dispatchedBefore(r Item) bool {
	for _, o := range w.orders {
		if o.DispatchedBy != nil && o.Status == booking.Requested && o.BranchID == r.BranchID && o.LessonID == r.LessonID &&
			o.LecturerID == r.LecturerID && o.CourtyardID == r.CourtyardID && len(o.Slots) == 1 && o.Slots[0].Equal(r.Start) {
			return true
		}
	}
	return false
}
