package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"weike/internal/tz"

	"weike/themeday"

	"weike/booking"
	"weike/internal/apperr"
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

// orderWeight is how busy lesson ordering is in a calendar month.
var orderWeight = [13]float64{0, 1.0, 0.6, 1.2, 1.2, 1.1, 1.2, 0.6, 0.6, 1.1, 1.2, 1.2, 1.0}

type plannedOrder struct {
	branch, month int
	outcome       booking.Status // "", booking.Declined, booking.Cancelled
}

// writeOrders plans the year's orders — each branch reached at least once,
// the rest where branches had lessons, weighted by members — and records them.
func (h *historian) writeOrders(ctx context.Context) error {
	quota := make([]float64, len(h.months))
	year := 0.0
	for m := 0; m < complete; m++ {
		year += orderWeight[h.season(m)]
	}
	for m := range h.months {
		quota[m] = float64(h.plan.Orders) * orderWeight[h.season(m)] / year * h.share(m)
	}
	perMonth := largestRemainder(h.plan.Orders, quota[:complete])
	perMonth = append(perMonth, int(math.Round(quota[complete])))

	var planned []plannedOrder
	taken := make([]int, len(h.months))
	// Failed orders first: about one in eighteen, anywhere.
	for m, n := range perMonth {
		for k := 0; k < n; k++ {
			if h.r.Float64() < 0.055 && h.lastDay(m) > 0 {
				out := booking.Declined
				if h.r.IntN(5) < 2 {
					out = booking.Cancelled
				}
				planned = append(planned, plannedOrder{branch: h.memberWeighted(nil), month: m, outcome: out})
				taken[m]++
			}
		}
	}
	// Every branch reached: one delivered lesson in a month it had lessons.
	for _, i := range h.r.Perm(len(h.branches)) {
		var ms []int
		for m := 0; m < complete; m++ {
			if h.cells[i][m].lesson {
				ms = append(ms, m)
			}
		}
		if len(ms) == 0 {
			m := h.plan.Late[h.branches[i].Name] + h.r.IntN(complete-h.plan.Late[h.branches[i].Name])
			h.cells[i][m].lesson = true
			ms = []int{m}
		}
		m := ms[h.r.IntN(len(ms))]
		planned = append(planned, plannedOrder{branch: i, month: m})
		h.cells[i][m].delivered++
		taken[m]++
	}
	for m, n := range perMonth {
		for k := taken[m]; k < n; k++ {
			i := h.memberWeighted(func(i int) bool { c := h.cells[i][m]; return c.lesson && c.delivered < 2 })
			if i < 0 {
				break
			}
			planned = append(planned, plannedOrder{branch: i, month: m})
			h.cells[i][m].delivered++
		}
	}
	sort.SliceStable(planned, func(a, b int) bool { return planned[a].month < planned[b].month })

	// The year goes in as one batch, its times kept apart in memory; should
	// the store still refuse one (an order made meanwhile), each lesson is
	// recorded on its own, another time tried on each refusal.
	delivered := make([][]int, len(h.cells))
	for i := range h.cells {
		for _, c := range h.cells[i] {
			delivered[i] = append(delivered[i], c.delivered)
		}
	}
	var batch []booking.PastLesson
	busy := map[string][][2]time.Time{}
	inMemory := func(in booking.PastLesson, minutes int) error {
		if in.Outcome == "" {
			end := in.Start.Add(time.Duration(minutes) * time.Minute)
			lec := fmt.Sprint("lecturer ", in.LecturerID)
			branch := fmt.Sprint("branch ", h.courtBranch[in.CourtyardID])
			if overlaps(busy[lec], in.Start, end.Add(h.buffer)) || overlaps(busy[branch], in.Start, end) {
				return apperr.New(apperr.Conflict, "order.slot_taken")
			}
			busy[lec] = append(busy[lec], [2]time.Time{in.Start, end.Add(h.buffer)})
			busy[branch] = append(busy[branch], [2]time.Time{in.Start, end})
		}
		batch = append(batch, in)
		return nil
	}
	if err := h.recordOrders(planned, inMemory); err != nil {
		return err
	}
	_, err := h.st.Booking.RecordPastLessons(ctx, h.off, batch)
	if !apperr.Is(err, apperr.Conflict) {
		return err
	}
	for i := range h.cells {
		for m := range h.cells[i] {
			h.cells[i][m].delivered = delivered[i][m]
		}
	}
	clear(h.load)
	return h.recordOrders(planned, func(in booking.PastLesson, _ int) error {
		_, err := h.st.Booking.RecordPastLesson(ctx, h.off, in)
		return err
	})
}

// overlaps reports whether [from, to) meets any of the ranges.
func overlaps(ranges [][2]time.Time, from, to time.Time) bool {
	for _, r := range ranges {
		if from.Before(r[1]) && r[0].Before(to) {
			return true
		}
	}
	return false
}

func (h *historian) recordOrders(planned []plannedOrder, write func(booking.PastLesson, int) error) error {
	for _, p := range planned {
		ok, err := h.recordOrder(p, write)
		if err != nil {
			return err
		}
		if !ok && p.outcome == "" {
			h.cells[p.branch][p.month].delivered--
		}
	}
	return nil
}

// memberWeighted picks a branch, bigger ones more often, among those ok allows.
func (h *historian) memberWeighted(ok func(int) bool) int {
	ws := make([]float64, len(h.branches))
	for i, b := range h.branches {
		if ok == nil || ok(i) {
			ws[i] = float64(b.MemberCount)
		}
	}
	return h.weighted(ws)
}

// topicWeight is how much a topic is asked for in a calendar month:
// red history around 清明, 七一 and 国庆, rural revitalisation at sowing and
// harvest, governance in flood season, integrity at the year's end.
func topicWeight(topic string, month int) float64 {
	w := 1.0
	switch topic {
	case "红色教育":
		if month == 4 || month == 6 || month == 7 || month == 9 {
			w = 2.5
		}
	case "乡村振兴":
		if month == 3 || month == 4 || month == 9 || month == 10 {
			w = 2
		}
	case "基层治理":
		if summer(month) || month == 6 {
			w = 2
		}
	case "廉洁教育":
		if month == 12 || month == 1 {
			w = 2.5
		}
	case "政策理论":
		if month == 11 || month == 3 {
			w = 1.8
		}
	}
	return w
}

// recordOrder finds a lesson, a qualified lecturer with room that month and
// a time inside the lecturer's weekly windows, and records it; a time the
// store refuses (lecturer or branch busy) is swapped for another.
func (h *historian) recordOrder(p plannedOrder, write func(booking.PastLesson, int) error) (bool, error) {
	b := h.branches[p.branch]
	season := h.season(p.month)
	ws := make([]float64, len(h.lessons))
	for i, l := range h.lessons {
		ws[i] = topicWeight(l.Topic, season)
		if l.Title == "防汛不松劲：党员应急突击队" && (summer(season) || season == 6) {
			ws[i] = 8
		}
	}
	for tries := 0; tries < 12; tries++ {
		li := h.weighted(ws)
		lesson := h.lessons[li]
		ws[li] = 0 // a lesson tried is not tried again for this order
		for _, k := range h.r.Perm(len(lesson.LecturerIDs)) {
			lec, ok := h.lects[lesson.LecturerIDs[k]]
			key := [2]int64{lec.ID, int64(p.month)}
			if !ok || (p.outcome == "" && h.load[key] >= lec.MonthlyCapacity) {
				continue
			}
			for attempt := 0; attempt < 6; attempt++ {
				start, ok := h.startFor(lec, lesson.DurationMinutes, p.month)
				if !ok {
					break
				}
				in := h.pastLesson(b, lesson, lec, start, p)
				err := write(in, lesson.DurationMinutes)
				if apperr.Is(err, apperr.Conflict) {
					continue
				}
				if err != nil {
					return false, fmt.Errorf("%s %s %s: %w", b.Name, lesson.Title, start.Format(time.RFC3339), err)
				}
				if p.outcome == "" {
					h.load[key]++
				}
				return true, nil
			}
		}
		if slices.Max(ws) == 0 {
			break
		}
	}
	return false, nil
}

// startFor picks a start inside one of the lecturer's weekly windows on a
// day of month m, on the half hour, over an hour before now.
func (h *historian) startFor(lec lessons.Lecturer, minutes, m int) (time.Time, bool) {
	last := h.lastDay(m)
	type slot struct {
		day time.Time
		min int
	}
	var slots []slot
	for d := 0; d < last; d++ {
		day := h.months[m].AddDate(0, 0, d)
		for _, w := range lec.Availability {
			if w.Weekday != int(day.Weekday()) {
				continue
			}
			for s := w.StartMinute; s+minutes <= w.EndMinute; s += 30 {
				slots = append(slots, slot{day, s})
			}
		}
	}
	for len(slots) > 0 {
		k := h.r.IntN(len(slots))
		s := slots[k]
		t := s.day.Add(time.Duration(s.min) * time.Minute)
		if t.Add(time.Duration(minutes+60) * time.Minute).Before(h.now) {
			return t, true
		}
		slots = slices.Delete(slots, k, k+1)
	}
	return time.Time{}, false
}

var (
	orderSummaries = []string{
		"在{courtyard}讲《{lesson}》，到场党员群众{n}人。讲完后大家围坐交流，不少老党员也上台说了几句。",
		"屋场微党课，{n}人参加。结合村里的实事讲{topic}，讲得接地气，群众听得进。",
		"《{lesson}》进{branch}，{n}名党员和群众到场，会后收集意见建议3条。",
		"在{courtyard}开讲，天气好，来了{n}人。课后留了半小时答乡亲们问。",
		"{branch}主题党日微党课，{n}人参加，讲师带来了村里的老照片，现场气氛热烈。",
		"按点单时间在{courtyard}讲课，到场{n}人，支部书记主持，课后开展了讨论。",
	}
	comments5 = []string{"讲得实在，乡亲们都说听得懂、用得上。", "例子都是身边的事，老党员听了很受触动。",
		"准备充分，互动好，下次还点这堂课。", "用村里的账本讲政策，一听就明白。", "讲师很守时，课讲得生动，大家意犹未尽。",
		"年轻党员也愿意来听了，效果很好。"}
	comments4 = []string{"内容好，时间稍微短了点。", "讲得不错，希望多留点时间互动。", "总体很好，课件字可以再大一些。",
		"讲得好，就是屋场里音响效果差了点。"}
	comments3 = []string{"内容可以，和我们村的实际结合得还不够。", "天太热，大家有点坐不住，建议换个时间。"}
	declines  = []string{"当天要去县里参加培训，建议改期", "家中有事，这周来不了，请改约下周", "那几天在外地，抱歉"}
	cancels   = []string{"遇暴雨，屋场会改期", "村里临时安排防汛值守，取消本次点单", "与村“两委”会议冲突，改下月再点"}
)

func fill(tmpl string, kv ...string) string {
	return strings.NewReplacer(kv...).Replace(tmpl)
}

func (h *historian) pick(xs []string) string { return xs[h.r.IntN(len(xs))] }

func (h *historian) pastLesson(b histBranch, l lessons.Lesson, lec lessons.Lecturer, start time.Time, p plannedOrder) booking.PastLesson {
	court := b.Courtyards[h.r.IntN(len(b.Courtyards))]
	requested := start.AddDate(0, 0, -(3 + h.r.IntN(10))).Add(-time.Duration(h.r.IntN(8)) * time.Hour)
	if requested.Before(h.first) {
		requested = h.first.Add(9 * time.Hour)
		if requested.After(start) {
			requested = start.Add(-time.Hour)
		}
	}
	n := b.MemberCount*(25+h.r.IntN(25))/100 + 5 + h.r.IntN(12)
	in := booking.PastLesson{LessonID: l.ID, LecturerID: lec.ID, CourtyardID: court.ID, Start: start, RequestedAt: requested,
		Attendees: n, Outcome: p.outcome}
	switch p.outcome {
	case booking.Declined:
		in.Reason = h.pick(declines)
		return in
	case booking.Cancelled:
		in.Reason = h.pick(cancels)
		return in
	}
	in.Minutes = l.DurationMinutes + 5*h.r.IntN(4)
	in.Summary = fill(h.pick(orderSummaries), "{courtyard}", court.Name, "{lesson}", l.Title, "{n}", fmt.Sprint(n),
		"{topic}", l.Topic, "{branch}", b.Name)
	// Recent lessons may still await the branch's review.
	if h.r.Float64() < 0.72 && start.Before(h.now.AddDate(0, 0, -3)) {
		switch x := h.r.Float64(); {
		case x < 0.62:
			in.Stars, in.Comment = 5, h.pick(comments5)
		case x < 0.93:
			in.Stars, in.Comment = 4, h.pick(comments4)
		default:
			in.Stars, in.Comment = 3, h.pick(comments3)
		}
	}
	return in
}

var (
	surnames   = []rune("李王张刘陈杨黄周吴胡罗彭汤易谭邓曾廖龚许谢蒋毛孙朱何郭袁余姚黎贺文")
	givenNames = []string{"建国", "国华", "桂英", "秀兰", "志明", "海军", "春生", "冬梅", "小平", "红英", "德胜", "玉兰", "卫国",
		"家旺", "翠华", "明亮", "少华", "和平", "伟", "敏", "勇", "静", "芳", "强", "丽", "军辉", "建军", "新民", "福生", "金凤",
		"满秀", "再兴", "湘平", "立新", "爱华", "春梅", "铁牛", "永红"}
)

// speakerPool makes the members of a branch who give its lessons: a few
// regulars and, in bigger branches, more occasional speakers.
func (h *historian) speakerPool(members int) []string {
	n := 4 + members/12
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		name := string(surnames[h.r.IntN(len(surnames))]) + givenNames[h.r.IntN(len(givenNames))]
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// memberTitles are lessons members give in their own branch, by topic.
var memberTitles = map[string][]string{
	"乡村振兴": {"我家的稻田账", "合作社分红那一天", "从打工仔到种粮大户", "我们组的路修通了", "一粒种子的故事"},
	"文旅融合": {"屋场里来了游客", "我家的农家乐", "讲讲村里的老屋场"},
	"红色教育": {"我入党时的誓言", "爷爷讲的抛砖屋场", "重温入党誓词", "读一封红色家书", "老兵说长征"},
	"基层治理": {"我当片长这一年", "屋场会上的一件事", "民情日记里的小事", "垃圾分类我带头", "防汛值守的一个晚上"},
	"政策理论": {"学习二十届三中全会精神的体会", "医保政策我来讲", "惠农补贴怎么领", "养老保险算笔账"},
	"廉洁教育": {"我家的家训", "人情往来的分寸", "村务公开我来监督"},
}

var memberTopics = []string{"乡村振兴", "文旅融合", "红色教育", "基层治理", "政策理论", "廉洁教育"}

// writeMemberLessons tops lecturing person-times up to the plan with the
// branches' own lessons: at least one in each month a branch had lessons but
// no delivered order, the rest in proportion to members.
func (h *historian) writeMemberLessons(ctx context.Context) error {
	delivered := 0
	for i := range h.branches {
		for m := 0; m < complete; m++ {
			delivered += h.cells[i][m].delivered
		}
	}
	type slotRef struct{ i, m int }
	var refs []slotRef
	var ws []float64
	need := make(map[slotRef]int)
	base := 0
	for i, b := range h.branches {
		for m := range h.months {
			c := h.cells[i][m]
			if !c.lesson {
				continue
			}
			w := float64(b.MemberCount) * h.share(m)
			if c.delivered > 0 {
				w *= 0.5
			} else {
				need[slotRef{i, m}] = 1
				if m < complete {
					base++
				}
			}
			if summer(h.season(m)) {
				w *= 0.7
			}
			refs = append(refs, slotRef{i, m})
			ws = append(ws, w)
		}
	}
	// The twelve months add up to the plan; the current month gets as many
	// for its weight as the year had.
	var yearW, curW []float64
	for k, r := range refs {
		if r.m < complete {
			yearW = append(yearW, ws[k])
		} else {
			curW = append(curW, ws[k])
		}
	}
	extra := max(h.plan.PersonTimes-delivered-base, 0)
	split := largestRemainder(extra, yearW)
	if y := sum(yearW); y > 0 {
		split = append(split, largestRemainder(int(math.Round(float64(extra)*sum(curW)/y)), curW)...)
	}
	var ins []themeday.NewMemberLesson
	var yi, ci int
	for _, r := range refs {
		b := h.branches[r.i]
		k := yi
		if r.m < complete {
			yi++
		} else {
			k = len(yearW) + ci
			ci++
		}
		for n := need[r] + split[k]; n > 0; n-- {
			topic := memberTopics[h.r.IntN(len(memberTopics))]
			if summer(h.season(r.m)) && h.r.IntN(3) == 0 {
				topic = "基层治理"
			}
			// The first speakers of a branch's pool are its regulars.
			sp := b.speakers[min(h.r.IntN(len(b.speakers)), h.r.IntN(len(b.speakers)))]
			ins = append(ins, themeday.NewMemberLesson{BranchID: b.ID, Title: h.pick(memberTitles[topic]), Topic: topic,
				Speaker: sp, Date: h.day(r.m).Format("2006-01-02"), Attendees: 8 + b.MemberCount*(12+h.r.IntN(20))/100})
		}
	}
	_, err := h.st.ThemeDay.RecordMemberLessons(ctx, h.off, ins)
	return err
}

// filmWeight favours red history around 清明, 七一 and 国庆, warning films at
// the year's end, the town's own films all year.
func filmWeight(category string, month int) float64 {
	switch category {
	case "红色历史":
		if month == 4 || month == 6 || month == 7 || month == 9 {
			return 3
		}
	case "警示教育":
		if month == 12 || month == 1 {
			return 3
		}
	case "本土":
		return 1.5
	}
	return 1
}

var (
	offCatalogFilms = []string{"榜样8", "信仰的力量", "山河岁月"}
	viewingNotes    = map[string][]string{
		"": {
			"观看《{film}》后，党员们围坐在屋场里交流感受，大家表示要学以致用，带头把村里的事办好。",
			"组织党员在屋场微阵地集中观看《{film}》，会后每人写了一句话观后感，贴在支部公示栏。",
			"结合本月主题党日观看，大家找差距、谈感受，支部书记作了小结。",
			"行动不便的老党员由网格员上门用手机播放，确保一个不落。",
			"{name}说：看完心里热乎乎的，作为农村党员，应该带头发展特色产业，为乡村振兴出把力。",
		},
		"红色历史": {
			"老党员{name}说：“看了这部片子，想起了当年修水库的日子，党员就是要吃苦在前。”",
			"观看后重温入党誓词，年轻党员{name}分享了自己的入党初心。",
			"片子讲的是先辈的信仰，大家说红色家底不能忘，要讲给孩子们听。",
		},
		"警示教育": {
			"观看后开展讨论：身边的“微腐败”怎样防？大家一致认为要把村务公开做细。",
			"{name}发言：小节不守，大节难保，人情往来也要有分寸。",
			"村“两委”成员全部参加，观后签订了廉洁承诺书。",
		},
		"政策理论": {
			"片中的事例给了大家很大启发，{name}说：农为邦本，本固邦宁，我们要坚持城乡融合发展。",
			"观看后围绕进一步全面深化改革谈体会，大家提出了两条发展村集体经济的建议。",
		},
		"本土": {
			"看到片子里熟悉的屋场和乡亲，大家很有亲切感，{name}说这就是我们自己的故事。",
			"观看本土教育片，党员们说身边人讲身边事，最能打动人。",
		},
	}
)

func (h *historian) writeViewings(ctx context.Context) error {
	var ins []themeday.ViewingInput
	for i, b := range h.branches {
		for m := range h.months {
			if !h.cells[i][m].film {
				continue
			}
			n := int(h.plan.ViewingsPerMonth)
			if h.r.Float64() < h.plan.ViewingsPerMonth-float64(n) {
				n++
			}
			for ; n > 0; n-- {
				in := themeday.ViewingInput{BranchID: b.ID, Date: h.day(m).Format("2006-01-02"),
					Attendees: 6 + b.MemberCount*(30+h.r.IntN(35))/100}
				category := ""
				if h.r.Float64() < 0.07 || len(h.films) == 0 {
					in.FilmTitle = h.pick(offCatalogFilms)
				} else {
					ws := make([]float64, len(h.films))
					for k, f := range h.films {
						ws[k] = filmWeight(f.Category, h.season(m))
					}
					f := h.films[h.weighted(ws)]
					in.FilmID, in.FilmTitle, category = f.ID, f.Title, f.Category
				}
				notes := viewingNotes[""]
				if own := viewingNotes[category]; len(own) > 0 && h.r.IntN(2) == 0 {
					notes = own
				}
				in.Notes = fill(h.pick(notes), "{film}", in.FilmTitle, "{name}", b.speakers[h.r.IntN(len(b.speakers))])
				if in.FilmID != 0 {
					in.FilmTitle = ""
				}
				ins = append(ins, in)
			}
		}
	}
	_, err := h.st.ThemeDay.RecordViewings(ctx, h.off, ins)
	return err
}

// practiceSeason weighs the practice types of themeday.PracticeTypes by
// calendar month.
func practiceSeason(typ string, month int) float64 {
	switch typ {
	case "走访慰问":
		if month == 1 || month == 2 || month == 12 || month == 10 {
			return 4 // before Spring Festival; 重阳 in October
		}
	case "助农春耕":
		if month >= 3 && month <= 5 {
			return 5
		}
		return 0
	case "助农秋收":
		if month >= 9 && month <= 10 {
			return 5
		}
		return 0
	case "抗洪防汛":
		if summer(month) || month == 6 {
			return 9
		}
		if month == 5 {
			return 2
		}
		return 0
	case "义诊", "义剪", "义修":
		if month == 3 {
			return 2.5 // 学雷锋
		}
		return 0.7
	case "环境整治":
		if month == 4 || month == 11 || month == 1 {
			return 2
		}
	case "文明劝导":
		if month == 2 || month == 4 {
			return 2.5 // 烟花爆竹, 文明祭扫
		}
		return 0.5
	case "其他":
		return 0.2
	}
	return 1
}

// opinionsOf and servicesOf are how many opinions and service items a
// practice of a type typically yields, before scaling to the plan.
var (
	opinionsOf = map[string]float64{"民情走访": 8, "走访慰问": 5, "政策宣讲": 4, "送学上门": 3, "便民服务": 3, "文明劝导": 2,
		"抗洪防汛": 2, "助农春耕": 2, "助农秋收": 2, "环境整治": 2, "义诊": 2, "义剪": 1, "义修": 2, "其他": 2}
	servicesOf = map[string]float64{"便民服务": 10, "义修": 9, "义诊": 9, "义剪": 8, "助农春耕": 7, "助农秋收": 7, "走访慰问": 6,
		"抗洪防汛": 6, "环境整治": 5, "民情走访": 4, "送学上门": 3, "政策宣讲": 2, "文明劝导": 2, "其他": 2}
	practiceNotes = map[string]string{
		"走访慰问": "党员分组走访困难党员、留守老人和儿童，送去米油和慰问金，逐户记下需求。",
		"送学上门": "为年老体弱、行动不便的党员送学上门，读文件、讲政策，顺带帮着修了电灯。",
		"环境整治": "党员带头清理房前屋后和沟渠垃圾，拆除乱搭乱建，评出“美丽屋场”。",
		"文明劝导": "党员志愿者上路口、进屋场开展文明劝导，宣传移风易俗和安全用火。",
		"便民服务": "在党群服务中心摆摊设点，代办社保认证、医保缴费，帮老人用手机。",
		"抗洪防汛": "汛期党员突击队分班巡堤查险，清理排水沟，转移安置低洼处独居老人。",
		"义诊":   "联合镇卫生院党员医生义诊，量血压、测血糖，为慢病老人建健康档案。",
		"义剪":   "党员理发师进屋场义剪，老人孩子排起了长队。",
		"义修":   "党员电工、农机手义修电器和农机具，顺带检查线路安全。",
		"助农春耕": "党员带头帮缺劳力的农户育秧、机插，协调农资统一配送。",
		"助农秋收": "党员组织收割机帮缺劳力的农户抢收，联系烘干和收购。",
		"民情走访": "结合“三长制”，片长、组长带党员逐户走访，收集急难愁盼问题，建台账跟进办理。",
		"政策宣讲": "党员进屋场宣讲惠农补贴、医保和养老政策，当场解答乡亲们的问题。",
		"其他":   "支部结对共建单位党员来村开展志愿服务，帮学校整理图书室。",
	}
)

func (h *historian) writePractices(ctx context.Context) error {
	type planned struct {
		in  themeday.PracticeInput
		m   int
		opW float64
		svW float64
	}
	var ps []planned
	for i, b := range h.branches {
		for m := range h.months {
			if !h.cells[i][m].practice {
				continue
			}
			season := h.season(m)
			n := 1
			if h.r.Float64() < 0.2 || (summer(season) && h.r.Float64() < 0.6) {
				n++
			}
			for ; n > 0; n-- {
				ws := make([]float64, len(themeday.PracticeTypes))
				for k, t := range themeday.PracticeTypes {
					ws[k] = practiceSeason(t, season)
				}
				typ := themeday.PracticeTypes[h.weighted(ws)]
				jitter := 0.6 + 0.8*h.r.Float64()
				size := math.Sqrt(float64(b.MemberCount) / 70)
				ps = append(ps, planned{in: themeday.PracticeInput{BranchID: b.ID, Type: typ, Date: h.day(m).Format("2006-01-02"),
					Participants: 5 + b.MemberCount*(8+h.r.IntN(15))/100, Notes: practiceNotes[typ]},
					m: m, opW: opinionsOf[typ] * jitter * size, svW: servicesOf[typ] * (0.6 + 0.8*h.r.Float64()) * size})
			}
		}
	}
	// The twelve months add up to the plan exactly; the current month gets
	// as many per practice as the year had.
	var opW, svW, curOp, curSv []float64
	var yearOp, yearSv float64
	for _, p := range ps {
		if p.m < complete {
			opW, svW = append(opW, p.opW), append(svW, p.svW)
			yearOp, yearSv = yearOp+p.opW, yearSv+p.svW
		} else {
			curOp, curSv = append(curOp, p.opW), append(curSv, p.svW)
		}
	}
	ops := largestRemainder(h.plan.Opinions, opW)
	svs := largestRemainder(h.plan.Services, svW)
	if yearOp > 0 && yearSv > 0 {
		ops = append(ops, largestRemainder(int(math.Round(float64(h.plan.Opinions)*sum(curOp)/yearOp)), curOp)...)
		svs = append(svs, largestRemainder(int(math.Round(float64(h.plan.Services)*sum(curSv)/yearSv)), curSv)...)
	}
	// ops and svs list the year's practices first, then the current month's.
	var yi, ci int
	ins := make([]themeday.PracticeInput, 0, len(ps))
	for _, p := range ps {
		k := yi
		if p.m < complete {
			yi++
		} else {
			k = len(opW) + ci
			ci++
		}
		if k < len(ops) {
			p.in.Opinions = ops[k]
		}
		if k < len(svs) {
			p.in.ServiceItems = svs[k]
		}
		ins = append(ins, p.in)
	}
	_, err := h.st.ThemeDay.RecordPractices(ctx, h.off, ins)
	return err
}
