package dispatch

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"weike/dispatch/solver"
	"weike/internal/i18n"
)

// The draft's costs, in the order of their weight (issue 14): topic variety
// first, then travel, then the load. A topic heard again costs as much as
// 30 km more travel; one more lesson for a lecturer as 1.5 km.
const (
	costFreshTopic   = 100  // a topic the branch has not heard in six months
	costTopicHeard   = 400  // one it has
	costLessonHeard  = 1000 // the very lesson it had
	featuredDiscount = 100  // a featured lesson (精选) of the month costs this much less
	costPerKM        = 10   // per kilometre from the lecturer's home branch to the courtyard
	costLoadStep     = 15   // a lecturer's k-th lesson of the month costs this much more than her (k−1)-th
)

// topicCost is what a lesson costs a branch for the variety of its topics.
func (w *world) topicCost(b *branch, ls *lesson) int64 {
	c := int64(costFreshTopic)
	switch {
	case b.lessons[ls.id]:
		c = costLessonHeard
	case b.topics[ls.topicID] || b.topicNames[ls.topic]:
		c = costTopicHeard
	}
	if ls.featured {
		c = max(0, c-featuredDiscount)
	}
	return c
}

// courtFor is the branch's courtyard nearest the lecturer's home, and the
// distance to it in tenths of a kilometre.
func (w *world) courtFor(b *branch, l *lecturer) (court, int64) {
	best, bestD := b.courts[0], int64(math.MaxInt64)
	for _, c := range b.courts {
		if d := int64(math.Round(km(l.home, c.at) * 10)); d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD
}

// loadCost is the extra cost of a lecturer's k-th lesson of the month.
func loadCost(k int) int64 { return costLoadStep * int64(k-1) }

// optionCost is what the solver charges for a branch hearing a lesson from
// a lecturer, before her load: topic variety and travel.
func (w *world) optionCost(b *branch, l *lecturer, ls *lesson) int64 {
	_, d := w.courtFor(b, l)
	return w.topicCost(b, ls) + d*costPerKM/10
}

// need is the minutes a lesson takes of a session: itself and the buffer.
func (w *world) need(ls *lesson) int { return ls.minutes + int(w.buffer/time.Minute) }

// problem is a draft's solver.Problem and what it stands for.
type problem struct {
	p         solver.Problem
	branches  []*branch   // solver branch i
	lecturers []*lecturer // solver lecturer i
	sessions  []session   // solver session i
}

// problem turns the world into the solver's input: the candidate branches
// (those given, each with a courtyard), every lecturer's free capacity with
// the convex cost of her next lessons, her sessions, and one option per
// branch, lecturer and lesson she gives.
func (w *world) problem(cands []*branch) *problem {
	pr := &problem{branches: cands, lecturers: w.lecturers}
	for li, l := range w.lecturers {
		free := l.free()
		loads := make([]int64, free)
		for k := range loads {
			loads[k] = loadCost(l.used + k + 1)
		}
		pr.p.Lecturers = append(pr.p.Lecturers, solver.Lecturer{Capacity: free, LoadCost: loads})
		for _, s := range l.sessions {
			pr.sessions = append(pr.sessions, s)
			pr.p.Sessions = append(pr.p.Sessions, solver.Session{Lecturer: li, Length: s.minutes})
		}
	}
	pr.p.Branches = len(cands)
	for bi, b := range cands {
		for li, l := range w.lecturers {
			for _, k := range l.lessons {
				ls := w.lessons[k]
				pr.p.Options = append(pr.p.Options, solver.Option{Branch: bi, Lecturer: li, Need: w.need(ls),
					Cost: w.optionCost(b, l, ls), Tag: k})
			}
		}
	}
	return pr
}

// candidates are the branches a draft is for: active, without a lesson in
// the month, not excluded. Those without a courtyard are set apart.
func (w *world) candidates(exclude []int64) (cands []*branch, noCourt []*branch) {
	for _, b := range w.branches {
		if b.covered || slices.Contains(exclude, b.id) {
			continue
		}
		if len(b.courts) == 0 {
			noCourt = append(noCourt, b)
			continue
		}
		cands = append(cands, b)
	}
	return cands, noCourt
}

// draft solves the month and reads the answer back as proposals.
func (w *world) draft(exclude []int64) (*Draft, error) {
	cands, noCourt := w.candidates(exclude)
	pr := w.problem(cands)
	started := time.Now()
	sol, err := solver.Solve(pr.p)
	took := time.Since(started)
	if err != nil {
		return nil, err
	}
	d := &Draft{Month: w.month, TownID: w.town.ID, Items: []Item{}, Unplaced: []Unplaced{}, Total: sol.Cost,
		Stats: Stats{Branches: len(cands) + len(noCourt), Placed: len(sol.Assign), SolverMS: math.Round(float64(took.Microseconds())/10) / 100}}
	taken := map[int64]int{} // lecturer → lessons in the draft
	for _, a := range sol.Assign {
		o := pr.p.Options[a.Option]
		l := pr.lecturers[o.Lecturer]
		d.Items = append(d.Items, w.item(pr.branches[a.Branch], l, w.lessons[a.Tag], pr.sessions[a.Session].start))
		taken[l.id]++
	}
	w.rank(d.Items, nil)
	sort.SliceStable(d.Items, func(i, j int) bool {
		if !d.Items[i].Start.Equal(d.Items[j].Start) {
			return d.Items[i].Start.Before(d.Items[j].Start)
		}
		return d.Items[i].BranchID < d.Items[j].BranchID
	})
	for _, b := range noCourt {
		d.Unplaced = append(d.Unplaced, Unplaced{BranchID: b.id, Branch: b.name, Reason: note(i18n.Key("plan.unplaced.no_courtyard"))})
	}
	for _, bi := range sol.Unplaced {
		b := pr.branches[bi]
		d.Unplaced = append(d.Unplaced, Unplaced{BranchID: b.id, Branch: b.name, Reason: w.whyUnplaced(b, taken)})
	}
	sort.Slice(d.Unplaced, func(i, j int) bool { return d.Unplaced[i].BranchID < d.Unplaced[j].BranchID })
	return d, nil
}

// whyUnplaced says why a branch has no proposal: every lecturer who could
// give it a lesson is full this month (her own orders and the draft's),
// or none of them has a free session left that a lesson of hers fits.
func (w *world) whyUnplaced(b *branch, taken map[int64]int) Note {
	some := false
	for _, l := range w.lecturers {
		if len(l.lessons) == 0 {
			continue
		}
		fits := false
		for _, k := range l.lessons {
			need := w.need(w.lessons[k])
			for _, s := range l.sessions {
				fits = fits || s.minutes >= need
			}
		}
		if !fits {
			continue
		}
		some = true
		if l.free()-taken[l.id] > 0 {
			return note(i18n.Key("plan.unplaced.no_session"))
		}
	}
	if some {
		return note(i18n.Key("plan.unplaced.at_capacity"))
	}
	return note(i18n.Key("plan.unplaced.no_session"))
}

// item is a proposal with its names, cost and reasons; rank fills in its
// load.
func (w *world) item(b *branch, l *lecturer, ls *lesson, start time.Time) Item {
	c, d := w.courtFor(b, l)
	it := Item{BranchID: b.id, CourtyardID: c.id, LessonID: ls.id, LecturerID: l.id, Start: start,
		End: start.Add(time.Duration(ls.minutes) * time.Minute), Branch: b.name, Courtyard: c.name, Lesson: ls.title,
		Topic: ls.topic, Lecturer: l.name}
	it.Cost.Topic = w.topicCost(b, ls)
	it.Cost.TravelKM = float64(d) / 10
	switch {
	case b.lessons[ls.id]:
		it.Reasons = append(it.Reasons, note(i18n.Key("plan.reason.lesson_heard")))
	case b.topics[ls.topicID] || b.topicNames[ls.topic]:
		it.Reasons = append(it.Reasons, note(i18n.Key("plan.reason.topic_heard")))
	default:
		it.Reasons = append(it.Reasons, note(i18n.Key("plan.reason.topic_fresh")))
	}
	if ls.featured {
		it.Reasons = append(it.Reasons, note(i18n.Key("plan.reason.featured")))
	}
	kmText := strconv.FormatFloat(it.Cost.TravelKM, 'f', 1, 64)
	if c.known && l.homeKnown {
		it.Reasons = append(it.Reasons, note(i18n.Key("plan.reason.distance"), "km", kmText))
	} else {
		it.Reasons = append(it.Reasons, note(i18n.Key("plan.reason.distance_estimated"), "km", kmText))
	}
	return it
}

// rank gives each item its place in its lecturer's month (her orders
// already in it first, then the items in the order of their starts,
// others' too) and says so among its reasons.
func (w *world) rank(items []Item, others []Item) {
	byLecturer := map[int64][]*Item{}
	for i := range items {
		byLecturer[items[i].LecturerID] = append(byLecturer[items[i].LecturerID], &items[i])
	}
	for i := range others {
		byLecturer[others[i].LecturerID] = append(byLecturer[others[i].LecturerID], &others[i])
	}
	for id, its := range byLecturer {
		sort.SliceStable(its, func(i, j int) bool { return its[i].Start.Before(its[j].Start) })
		used := 0
		if l := w.byLecturer[id]; l != nil {
			used = l.used
		}
		for k, it := range its {
			it.Cost.Load = used + k + 1
			it.Reasons = append(slices.DeleteFunc(it.Reasons, func(n Note) bool { return n.Key == string(loadKey) }),
				note(loadKey, "n", it.Cost.Load))
		}
	}
}

// loadKey says which of her lessons of the month an item is.
const loadKey = i18n.Key("plan.reason.load")
