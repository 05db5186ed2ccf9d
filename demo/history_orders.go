package demo

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"weike/booking"
	"weike/internal/apperr"
	"weike/lessons"
)

// The history's orders: how many a month, for which branches, with which
// lessons, lecturers and times.

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
