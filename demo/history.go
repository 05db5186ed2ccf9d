package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"weike/internal/tz"

	"weike/themeday"

	"weike/booking"
	"weike/lessons"
	"weike/org"
)

// A year of history, so that the matrix, the trend and the totals have a
// story to tell on the day the demo is started: the twelve complete months
// before the current one and the current month so far, counted back from
// Stores.Now. A fixed seed makes every load generate the same records; a
// town that already has a delivered lesson, a viewing or a practice gets
// none, so a second load (or a demo somebody has used) is left alone. (The
// year is written in four batches, one transaction each; a load killed
// between two leaves a part of the year, which later loads keep as it is.)
//
// The story of 春华镇 follows the article: over the twelve months about 150
// orders (点单150余次), every branch reached by a delivered lesson, about
// 1300 lecturing person-times (delivered lessons and member lessons,
// 上台讲微党课1300余人次), 925 opinions collected and 1509 service items
// handled. Most branches are covered most months; July and August (flood
// season) have fewer lessons and more 抗洪防汛 practices. A few branches
// have gaps an official would notice:
//   - 高塘村 (a small branch whose secretary was away for months) has no
//     lesson and no film in the fourth to seventh of the twelve months;
//   - 双冲村 (many members working in the city) misses lessons in four
//     scattered months and practices in three;
//   - 新湖社区, a new community, started its theme days only in the sixth.

// historyPlan is a town's year in numbers.
type historyPlan struct {
	Seed uint64
	// Totals over the twelve complete months.
	Orders      int // placed, declined and cancelled ones included
	PersonTimes int // delivered lessons + member lessons
	Opinions    int
	Services    int
	// Chances that a branch's month has a lesson, a film, a practice.
	Lesson, Film, Practice float64
	// ViewingsPerMonth is the mean number of viewings of a branch in a
	// month it watched a film (漆河镇's 党小组 watch separately).
	ViewingsPerMonth float64
	Gaps             []gapSeed
	// Late: a branch's first month with records, counted 0–11.
	Late map[string]int
}

// gapSeed is a branch's run of months (0–11) without some marks.
type gapSeed struct {
	Branch                 string
	Months                 []int
	Lesson, Film, Practice bool
}

var histories = map[string]*historyPlan{
	"春华镇": {Seed: 20240501, Orders: 158, PersonTimes: 1306, Opinions: 925, Services: 1509,
		Lesson: 0.96, Film: 0.94, Practice: 0.82, ViewingsPerMonth: 1.25,
		Gaps: []gapSeed{
			{Branch: "高塘村", Months: []int{3, 4, 5, 6}, Lesson: true, Film: true},
			{Branch: "双冲村", Months: []int{1, 6, 7, 10}, Lesson: true},
			{Branch: "双冲村", Months: []int{2, 7, 9}, Practice: true},
		},
		Late: map[string]int{"新湖社区": 5}},
	// 漆河镇's lighter year: four branches, every member on the stage
	// (人人上讲台) and some 400 viewings (观看党员教育片达400多场次).
	"漆河镇": {Seed: 20240701, Orders: 22, PersonTimes: 240, Opinions: 180, Services: 260,
		Lesson: 0.95, Film: 1, Practice: 0.85, ViewingsPerMonth: 8.5},
}

// cell is one branch in one month of the history.
type cell struct {
	lesson, film, practice bool
	delivered              int // delivered orders placed in it
}

type histBranch struct {
	org.Branch
	speakers []string
}

// historian writes one town's history.
type historian struct {
	st    Stores
	off   org.Actor
	plan  *historyPlan
	r     *rand.Rand
	loc   *time.Location
	now   time.Time // local
	first time.Time // local midnight of the first month's first day
	// months are the twelve complete months and the current one (index 12).
	months   []time.Time
	branches []histBranch
	cells    [][]cell // [branch][month]
	lessons  []lessons.Lesson
	lects    map[int64]lessons.Lecturer
	// courtBranch is each courtyard's branch; buffer the town's travel buffer.
	courtBranch map[int64]int64
	buffer      time.Duration
	films       []lessons.Film
	// load counts a lecturer's lessons in a month, against their capacity.
	load map[[2]int64]int
}

const complete = 12 // months of history before the current one

func (l *loader) seedHistory(ctx context.Context, ts *townSeed) error {
	plan := histories[ts.Town]
	if plan == nil || l.st.Booking == nil {
		return nil
	}
	acc, err := l.st.Org.AccountByLogin(ctx, ts.Official.Login)
	if err != nil {
		return err
	}
	off, err := l.st.Org.ActorFor(ctx, acc)
	if err != nil {
		return err
	}
	if done, err := hasHistory(ctx, l.st.Booking, l.st.ThemeDay, off); err != nil || done {
		return err
	}
	town, err := l.st.Org.TownByName(ctx, ts.Town)
	if err != nil {
		return err
	}
	loc := tz.Load(town.Timezone)
	h := &historian{st: l.st, off: off, plan: plan, r: rand.New(rand.NewPCG(plan.Seed, 0x5eed)), loc: loc,
		now: l.now().In(loc), lects: map[int64]lessons.Lecturer{}, load: map[[2]int64]int{}, courtBranch: map[int64]int64{},
		buffer: time.Duration(town.TravelBufferMinutes) * time.Minute}
	cur := time.Date(h.now.Year(), h.now.Month(), 1, 0, 0, 0, 0, loc)
	for i := complete; i >= 0; i-- {
		h.months = append(h.months, cur.AddDate(0, -i, 0))
	}
	h.first = h.months[0]
	if err := h.read(ctx); err != nil {
		return err
	}
	h.markCells()
	if err := h.writeOrders(ctx); err != nil {
		return fmt.Errorf("history orders: %w", err)
	}
	if err := h.writeMemberLessons(ctx); err != nil {
		return fmt.Errorf("history member lessons: %w", err)
	}
	if err := h.writeViewings(ctx); err != nil {
		return fmt.Errorf("history viewings: %w", err)
	}
	if err := h.writePractices(ctx); err != nil {
		return fmt.Errorf("history practices: %w", err)
	}
	return nil
}

// hasHistory reports whether the town already has records that only time
// (or a user) makes: then the demo writes no history.
func hasHistory(ctx context.Context, b *booking.Store, td *themeday.Store, off org.Actor) (bool, error) {
	p, err := b.List(ctx, off, booking.OrderFilter{Statuses: []booking.Status{booking.Delivered, booking.Reviewed}, PerPage: 1})
	if err != nil || p.Total > 0 {
		return err == nil, err
	}
	vs, err := td.Viewings(ctx, off, themeday.RecordFilter{Limit: 1})
	if err != nil || len(vs) > 0 {
		return err == nil, err
	}
	ps, err := td.Practices(ctx, off, themeday.RecordFilter{Limit: 1})
	return err == nil && len(ps) > 0, err
}

// read loads the town's branches, published lessons, lecturers and films.
func (h *historian) read(ctx context.Context) error {
	bs, err := h.st.Org.Branches(ctx, h.off, org.BranchFilter{})
	if err != nil {
		return err
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].ID < bs[j].ID })
	for _, b := range bs {
		for _, c := range b.Courtyards {
			h.courtBranch[c.ID] = b.ID
		}
		if b.Active && len(b.Courtyards) > 0 {
			h.branches = append(h.branches, histBranch{Branch: b, speakers: h.speakerPool(b.MemberCount)})
		}
	}
	for page := 1; ; page++ {
		p, err := h.st.Lessons.Lessons(ctx, h.off, lessons.LessonFilter{Status: lessons.StatusPublished, Page: page, PerPage: 100})
		if err != nil {
			return err
		}
		for _, x := range p.Items {
			if x.Status == lessons.StatusPublished && len(x.LecturerIDs) > 0 {
				h.lessons = append(h.lessons, x)
			}
		}
		if len(p.Items) == 0 || int64(page*p.PerPage) >= p.Total {
			break
		}
	}
	sort.Slice(h.lessons, func(i, j int) bool { return h.lessons[i].ID < h.lessons[j].ID })
	ls, err := h.st.Lessons.Lecturers(ctx, h.off, lessons.LecturerFilter{ActiveOnly: true})
	if err != nil {
		return err
	}
	for _, x := range ls {
		h.lects[x.ID] = x
	}
	fs, err := h.st.Lessons.Films(ctx, h.off, lessons.FilmFilter{})
	if err != nil {
		return err
	}
	for _, f := range fs {
		if f.Status == lessons.StatusPublished {
			h.films = append(h.films, f)
		}
	}
	sort.Slice(h.films, func(i, j int) bool { return h.films[i].ID < h.films[j].ID })
	if len(h.branches) == 0 || len(h.lessons) == 0 {
		return fmt.Errorf("town has no branches or lessons to make a history of")
	}
	return nil
}

// lastDay is the last day of month m that may hold records: the month's
// end, or yesterday in the current month (0: none yet).
func (h *historian) lastDay(m int) int {
	if m < complete {
		return h.months[m].AddDate(0, 1, -1).Day()
	}
	return h.now.Day() - 1
}

// share is how much of month m has passed: 1, or a fraction for the current one.
func (h *historian) share(m int) float64 {
	if m < complete {
		return 1
	}
	days := h.months[m].AddDate(0, 1, -1).Day()
	return float64(h.lastDay(m)) / float64(days)
}

func (h *historian) day(m int) time.Time {
	return h.months[m].AddDate(0, 0, h.r.IntN(h.lastDay(m)))
}

// season is the calendar month (1–12) of history month m.
func (h *historian) season(m int) int { return int(h.months[m].Month()) }

func summer(month int) bool { return month == 7 || month == 8 }

// markCells decides which branch did what in each month.
func (h *historian) markCells() {
	p := h.plan
	h.cells = make([][]cell, len(h.branches))
	for i, b := range h.branches {
		h.cells[i] = make([]cell, len(h.months))
		late := p.Late[b.Name]
		for m := range h.months {
			if m < late || h.lastDay(m) < 1 {
				continue
			}
			s, sh := h.season(m), h.share(m)
			lesson, practice := p.Lesson, p.Practice
			switch {
			case summer(s): // flood season: fewer lessons, everyone on the dykes
				lesson, practice = lesson*0.8, math.Min(1, practice*1.15)
			case s == 2: // Spring Festival
				lesson, practice = lesson*0.92, practice*0.85
			}
			c := &h.cells[i][m]
			c.lesson = h.r.Float64() < lesson*sh
			c.film = h.r.Float64() < p.Film*sh
			c.practice = h.r.Float64() < practice*sh
		}
	}
	// Chance alone would give a few more branches long gaps; the story
	// keeps those to the branches it names: any other misses at most two
	// months of lessons or films, three of practices.
	story := map[string]bool{}
	for _, g := range p.Gaps {
		story[g.Branch] = true
	}
	for name := range p.Late {
		story[name] = true
	}
	for i, b := range h.branches {
		if story[b.Name] {
			continue
		}
		for _, mark := range []struct {
			of     func(c *cell) *bool
			misses int
		}{
			{func(c *cell) *bool { return &c.lesson }, 2},
			{func(c *cell) *bool { return &c.film }, 2},
			{func(c *cell) *bool { return &c.practice }, 3},
		} {
			var missed []int
			for m := 0; m < complete; m++ {
				if !*mark.of(&h.cells[i][m]) {
					missed = append(missed, m)
				}
			}
			for len(missed) > mark.misses {
				j := h.r.IntN(len(missed))
				*mark.of(&h.cells[i][missed[j]]) = true
				missed = slices.Delete(missed, j, j+1)
			}
		}
	}
	for _, g := range p.Gaps {
		i := h.branchIndex(g.Branch)
		if i < 0 {
			continue
		}
		for _, m := range g.Months {
			c := &h.cells[i][m]
			c.lesson, c.film, c.practice = c.lesson && !g.Lesson, c.film && !g.Film, c.practice && !g.Practice
		}
	}
}

func (h *historian) branchIndex(name string) int {
	for i, b := range h.branches {
		if b.Name == name {
			return i
		}
	}
	return -1
}

// weighted picks an index with chance proportional to its weight.
func (h *historian) weighted(ws []float64) int {
	total := sum(ws)
	if total <= 0 {
		return -1
	}
	x := h.r.Float64() * total
	for i, w := range ws {
		if x < w {
			return i
		}
		x -= w
	}
	return len(ws) - 1
}

// largestRemainder splits total in proportion to weights, in whole numbers.
func largestRemainder(total int, ws []float64) []int {
	out := make([]int, len(ws))
	sum := 0.0
	for _, w := range ws {
		sum += w
	}
	if sum <= 0 || total <= 0 {
		return out
	}
	type rem struct {
		i int
		f float64
	}
	rs := make([]rem, len(ws))
	given := 0
	for i, w := range ws {
		x := float64(total) * w / sum
		out[i] = int(x)
		given += out[i]
		rs[i] = rem{i, x - float64(out[i])}
	}
	sort.SliceStable(rs, func(a, b int) bool { return rs[a].f > rs[b].f })
	for k := 0; k < total-given; k++ {
		out[rs[k%len(rs)].i]++
	}
	return out
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}
