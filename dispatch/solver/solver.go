// Package solver computes a town's monthly draft: for every branch still
// without a lesson this month it proposes one lesson, lecturer and session,
// so that as many branches as possible are served and, among all drafts
// serving that many, the total cost (topic variety, travel and the
// lecturers' growing load) is least.
//
// The answer is exact, not a heuristic: the draft is a minimum-cost maximum
// flow, found by successive shortest paths. A greedy draft would be easier to
// write but would leave branches unserved that a better draft serves, and an
// official comparing drafts by hand would notice.
//
// The package knows nothing of the database. The domain turns its rows into
// a Problem of plain values and reads the Solution back; the solver does no
// I/O, keeps no state between calls and is deterministic, so the same
// Problem always yields the same Solution and a draft can be recomputed and
// compared without surprises.
package solver

import (
	"errors"
	"fmt"
	"slices"
)

// MaxTotalCost bounds the sum of every option's Cost and every lecturer's
// LoadCost[0..Capacity-1]. Shortest-path distances and potentials stay below a
// small multiple of this sum, so the bound keeps every int64 in the solver
// far from overflow.
const MaxTotalCost int64 = 1 << 59

// maxItems bounds each count of a Problem (branches, lecturers, sessions,
// options), so that node and arc indices fit the solver's int32 arrays.
const maxItems = 1 << 26

// ErrInvalid is wrapped by every error Validate returns, so that a caller can
// tell bad input (a bug in the caller) from anything else with errors.Is.
var ErrInvalid = errors.New("solver: invalid problem")

// Problem is one month's draft to compute, as plain values.
type Problem struct {
	Branches  int // branches are 0..Branches-1
	Lecturers []Lecturer
	Sessions  []Session
	Options   []Option
}

// Lecturer is what the solver needs to know of a lecturer: how many more
// lessons she may take and how much each extra lesson costs.
type Lecturer struct {
	Capacity int // how many more lessons she may take this month (>= 0)
	// LoadCost[k] is the cost of her (k+1)-th lesson of this draft; must be
	// non-decreasing (convex total load cost) and non-negative;
	// len(LoadCost) >= Capacity. Entries past Capacity are never charged.
	LoadCost []int64
}

// A Session is one window of one lecturer on one day: it holds at most one lesson.
type Session struct {
	Lecturer int // index into Lecturers
	Length   int // minutes available (lesson + travel buffer must fit)
}

// An Option is one way to serve a branch: a lecturer and a lesson, with the
// minutes it needs in a session and its cost (topic variety + travel, >= 0).
type Option struct {
	Branch   int
	Lecturer int
	Need     int   // minutes
	Cost     int64 // >= 0
	Tag      int   // opaque to the solver (the caller's lesson index), returned as is
}

// An Assignment serves one branch with one option in one session.
type Assignment struct {
	Branch  int
	Option  int // index into Options
	Session int // index into Sessions
	Tag     int // the option's Tag, so the caller need not look it up
}

// Solution is the optimal draft.
type Solution struct {
	Assign   []Assignment // sorted by Branch
	Unplaced []int        // branches with no assignment, ascending
	// Cost is the sum of the assigned options' costs plus, for each lecturer
	// with n assigned lessons, LoadCost[0]+...+LoadCost[n-1].
	Cost int64
}

// Validate reports the first thing wrong with p, wrapped around ErrInvalid,
// or nil. Solve calls it, so callers need not; it is exported so that the
// domain can check what it built in its own tests.
func (p Problem) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
	if p.Branches < 0 {
		return bad("negative branch count %d", p.Branches)
	}
	if p.Branches > maxItems || len(p.Lecturers) > maxItems || len(p.Sessions) > maxItems || len(p.Options) > maxItems {
		return bad("more than %d branches, lecturers, sessions or options", maxItems)
	}
	var total int64
	add := func(c int64) bool {
		if c > MaxTotalCost-total {
			return false
		}
		total += c
		return true
	}
	for i, l := range p.Lecturers {
		if l.Capacity < 0 {
			return bad("lecturer %d: negative capacity %d", i, l.Capacity)
		}
		if len(l.LoadCost) < l.Capacity {
			return bad("lecturer %d: %d load costs for capacity %d", i, len(l.LoadCost), l.Capacity)
		}
		for k, c := range l.LoadCost {
			if c < 0 {
				return bad("lecturer %d: negative load cost %d at %d", i, c, k)
			}
			if k > 0 && c < l.LoadCost[k-1] {
				return bad("lecturer %d: load cost decreases at %d (%d after %d)", i, k, c, l.LoadCost[k-1])
			}
			if k < l.Capacity && !add(c) {
				return bad("costs sum to more than %d", MaxTotalCost)
			}
		}
	}
	for i, s := range p.Sessions {
		if s.Lecturer < 0 || s.Lecturer >= len(p.Lecturers) {
			return bad("session %d: lecturer %d out of range [0,%d)", i, s.Lecturer, len(p.Lecturers))
		}
		if s.Length < 0 {
			return bad("session %d: negative length %d", i, s.Length)
		}
	}
	for i, o := range p.Options {
		if o.Branch < 0 || o.Branch >= p.Branches {
			return bad("option %d: branch %d out of range [0,%d)", i, o.Branch, p.Branches)
		}
		if o.Lecturer < 0 || o.Lecturer >= len(p.Lecturers) {
			return bad("option %d: lecturer %d out of range [0,%d)", i, o.Lecturer, len(p.Lecturers))
		}
		if o.Need < 0 {
			return bad("option %d: negative need %d", i, o.Need)
		}
		if o.Cost < 0 {
			return bad("option %d: negative cost %d", i, o.Cost)
		}
		if !add(o.Cost) {
			return bad("costs sum to more than %d", MaxTotalCost)
		}
	}
	return nil
}

// Solve validates p and returns the draft that places the most branches and,
// among those, has the least Cost. Ties between equally good drafts are
// broken the same way on every call, so equal Problems give equal Solutions.
func Solve(p Problem) (Solution, error) {
	if err := p.Validate(); err != nil {
		return Solution{}, err
	}
	m := newModel(p)
	m.net.minCostMaxFlow(source, sink)
	return m.readBack(), nil
}

// Node numbering: the source and the sink first, then one node per branch,
// one per session in the lecturers' length chains, one per lecturer.
const (
	source int32 = 0
	sink   int32 = 1
)

// usable is an option that can be placed at all, with the position in
// model.order of the shortest session it fits (where it enters the chain).
type usable struct {
	option int32
	entry  int32
	arc    int32 // its arc from the branch node, once built
}

// model is the flow network of one Problem and what is needed to read the
// draft back from the flow.
type model struct {
	p   Problem
	net *network
	// order lists the sessions lecturer by lecturer, each lecturer's by
	// ascending Length; lecturer l owns order[lecFirst[l]:lecFirst[l+1]].
	order    []int32
	lecFirst []int32
	options  []usable // sorted by entry, then option index
	sessArc  []int32  // per position in order: the arc from its chain node to the lecturer, or -1
}

// newModel builds the network: source → branch → (option arc, costing the
// option) → the lecturer's chain at the shortest session the option fits →
// longer sessions → lecturer → sink over one arc per lesson she may take.
func newModel(p Problem) *model {
	nb, nl, ns := int32(p.Branches), int32(len(p.Lecturers)), int32(len(p.Sessions))
	m := &model{p: p}

	m.lecFirst = make([]int32, nl+1)
	for _, s := range p.Sessions {
		m.lecFirst[s.Lecturer+1]++
	}
	for l := range nl {
		m.lecFirst[l+1] += m.lecFirst[l]
	}
	m.order = make([]int32, ns)
	fill := slices.Clone(m.lecFirst[:nl])
	for i, s := range p.Sessions {
		m.order[fill[s.Lecturer]] = int32(i)
		fill[s.Lecturer]++
	}
	for l := range nl {
		seg := m.order[m.lecFirst[l]:m.lecFirst[l+1]]
		slices.SortFunc(seg, func(a, b int32) int {
			if c := p.Sessions[a].Length - p.Sessions[b].Length; c != 0 {
				return c
			}
			return int(a - b)
		})
	}
	// loadArcs is how many of a lecturer's lessons can actually be charged:
	// never more than her capacity, her sessions or the branches.
	loadArcs := func(l int32) int32 {
		return int32(min(p.Lecturers[l].Capacity, int(m.lecFirst[l+1]-m.lecFirst[l]), p.Branches))
	}

	// Options that cannot be placed (no capacity, no session long enough)
	// are dropped, and so is an option whose branch has another option with
	// the same lecturer, no greater need and no greater cost: any draft
	// using it could use that one instead in the same session, for no more.
	cand := make([]usable, 0, len(p.Options))
	for k, o := range p.Options {
		l := int32(o.Lecturer)
		if loadArcs(l) == 0 {
			continue
		}
		lo, hi := m.lecFirst[l], m.lecFirst[l+1]
		seg := m.order[lo:hi]
		at, _ := slices.BinarySearchFunc(seg, o.Need, func(s int32, need int) int {
			if p.Sessions[s].Length < need {
				return -1
			}
			return 1
		})
		if at == len(seg) {
			continue
		}
		cand = append(cand, usable{option: int32(k), entry: lo + int32(at)})
	}
	slices.SortFunc(cand, func(a, b usable) int {
		oa, ob := &p.Options[a.option], &p.Options[b.option]
		switch {
		case oa.Branch != ob.Branch:
			return oa.Branch - ob.Branch
		case a.entry != b.entry: // entries are grouped by lecturer
			return int(a.entry - b.entry)
		case oa.Cost != ob.Cost:
			if oa.Cost < ob.Cost {
				return -1
			}
			return 1
		}
		return int(a.option - b.option)
	})
	kept := cand[:0]
	for i, c := range cand {
		o := &p.Options[c.option]
		if i > 0 {
			prev := &p.Options[kept[len(kept)-1].option]
			if prev.Branch == o.Branch && prev.Lecturer == o.Lecturer && prev.Cost <= o.Cost {
				continue
			}
		}
		kept = append(kept, c)
	}
	// Arcs in option order, so that ties are met in the caller's order.
	slices.SortFunc(kept, func(a, b usable) int { return int(a.option - b.option) })

	branchNode := func(b int) int32 { return 2 + int32(b) }
	chainNode := func(pos int32) int32 { return 2 + nb + pos }
	lecNode := func(l int32) int32 { return 2 + nb + ns + l }

	bld := builder{n: 2 + nb + ns + nl}
	served := make([]bool, nb)
	for _, c := range kept {
		served[p.Options[c.option].Branch] = true
	}
	for b := range p.Branches {
		if served[b] {
			bld.add(source, branchNode(b), 1, 0)
		}
	}
	optArcs := make([]int32, len(kept))
	for i, c := range kept {
		o := &p.Options[c.option]
		optArcs[i] = bld.add(branchNode(o.Branch), chainNode(c.entry), 1, o.Cost)
	}
	sessArcs := make([]int32, ns)
	for i := range sessArcs {
		sessArcs[i] = -1
	}
	for l := range nl {
		if loadArcs(l) == 0 {
			continue
		}
		lo, hi := m.lecFirst[l], m.lecFirst[l+1]
		for pos := lo; pos < hi; pos++ {
			// The chain lets an option flow on to any longer session.
			if pos+1 < hi {
				bld.add(chainNode(pos), chainNode(pos+1), nb, 0)
			}
			sessArcs[pos] = bld.add(chainNode(pos), lecNode(l), 1, 0)
		}
		// Convex load costs make the cheaper parallel arc the one used first,
		// so n units through them cost exactly LoadCost[0]+...+LoadCost[n-1].
		for k := range loadArcs(l) {
			bld.add(lecNode(l), sink, 1, p.Lecturers[l].LoadCost[k])
		}
	}
	var where []int32
	m.net, where = bld.build()
	for i := range kept {
		kept[i].arc = where[optArcs[i]]
	}
	for i, a := range sessArcs {
		if a >= 0 {
			sessArcs[i] = where[a]
		}
	}
	m.sessArc = sessArcs
	slices.SortFunc(kept, func(a, b usable) int {
		if a.entry != b.entry {
			return int(a.entry - b.entry)
		}
		return int(a.option - b.option)
	})
	m.options = kept
	return m
}

// readBack turns the flow into a draft. The flow says which option each
// branch uses and which sessions are taken, but along a lecturer's length
// chain it does not say which option went to which session; walking the
// chain from the shortest session, each taken session goes to the option
// that has waited longest, which always fits because it entered the chain at
// a session no longer than this one.
func (m *model) readBack() Solution {
	p := m.p
	g := m.net
	var sol Solution
	sessionOf := make([]int32, p.Branches)
	optionOf := make([]int32, p.Branches)
	for b := range sessionOf {
		sessionOf[b] = -1
	}
	var waiting []int32 // option indices, oldest first
	next := 0           // into m.options
	for l := range int32(len(p.Lecturers)) {
		waiting = waiting[:0]
		for pos := m.lecFirst[l]; pos < m.lecFirst[l+1]; pos++ {
			for ; next < len(m.options) && m.options[next].entry == pos; next++ {
				if c := m.options[next]; g.resid[c.arc] == 0 {
					waiting = append(waiting, c.option)
				}
			}
			if a := m.sessArc[pos]; a >= 0 && g.resid[a] == 0 && len(waiting) > 0 {
				k := waiting[0]
				waiting = waiting[1:]
				b := p.Options[k].Branch
				sessionOf[b], optionOf[b] = m.order[pos], k
			}
		}
	}
	lessons := make([]int, len(p.Lecturers))
	for b := range p.Branches {
		if sessionOf[b] < 0 {
			sol.Unplaced = append(sol.Unplaced, b)
			continue
		}
		o := &p.Options[optionOf[b]]
		sol.Assign = append(sol.Assign, Assignment{Branch: b, Option: int(optionOf[b]), Session: int(sessionOf[b]), Tag: o.Tag})
		sol.Cost += o.Cost
		sol.Cost += p.Lecturers[o.Lecturer].LoadCost[lessons[o.Lecturer]]
		lessons[o.Lecturer]++
	}
	return sol
}
