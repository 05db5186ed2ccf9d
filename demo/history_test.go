package demo

import (
	"context"
	"maps"
	"reflect"
	"testing"
	"time"

	"weike/themeday"

	"weike/booking"
	"weike/fixture"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/lessons"
	"weike/org"
)

func storesWithBooking(d *db.DB) Stores {
	st := stores(d)
	st.Booking = booking.NewStore(d, clock, st.Org, st.Lessons)
	st.ThemeDay = themeday.NewStore(d, clock, st.Booking)
	return st
}

// historyCounts is every history table's row count.
func historyCounts(t *testing.T, d *db.DB) map[string]int64 {
	t.Helper()
	out := counts(t, d)
	for _, table := range []string{"orders", "order_events", "points_ledger", "member_lessons", "viewings", "practices"} {
		var n int64
		if err := d.R.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func officialOf(t *testing.T, st Stores, login string) org.Actor {
	t.Helper()
	ctx := context.Background()
	a, err := st.Org.AccountByLogin(ctx, login)
	if err != nil {
		t.Fatal(err)
	}
	act, err := st.Org.ActorFor(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return act
}

// yearOf is the twelve complete months before the clock's month.
func yearOf(now time.Time) (string, string) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	cur := time.Date(now.In(loc).Year(), now.In(loc).Month(), 1, 0, 0, 0, 0, loc)
	return cur.AddDate(0, -12, 0).Format("2006-01"), cur.AddDate(0, -1, 0).Format("2006-01")
}

func TestHistoryTellsTheStory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := storesWithBooking(d)
		start := time.Now()
		if _, err := Load(ctx, st, testPassword); err != nil {
			t.Fatal(err)
		}
		t.Logf("load with history took %v", time.Since(start))
		before := historyCounts(t, d)
		if _, err := Load(ctx, st, testPassword); err != nil {
			t.Fatalf("second load: %v", err)
		}
		if after := historyCounts(t, d); !maps.Equal(before, after) {
			t.Errorf("second load changed the counts:\nbefore %v\nafter  %v", before, after)
		}
		checkStory(t, st, clock())
	})
}

// TestHistoryWheneverStarted: the story holds whatever day the demo is
// started on: the first hour of a month (nothing yet in it), mid-summer.
func TestHistoryWheneverStarted(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	for _, now := range []time.Time{
		time.Date(2027, 2, 1, 0, 30, 0, 0, cst),
		time.Date(2026, 7, 15, 20, 0, 0, 0, cst),
	} {
		t.Run(now.Format("2006-01-02"), func(t *testing.T) {
			d := dbtest.SQLite(t)
			clock := func() time.Time { return now }
			st := Stores{Org: org.NewStore(d, clock, fixture.OrgOptions()...), Lessons: lessons.NewStore(d, clock), Now: clock}
			st.Booking = booking.NewStore(d, clock, st.Org, st.Lessons)
			st.ThemeDay = themeday.NewStore(d, clock, st.Booking)
			if _, err := Load(context.Background(), st, testPassword); err != nil {
				t.Fatal(err)
			}
			checkStory(t, st, now)
		})
	}
}

// checkStory checks 春华镇's year against the article and 漆河镇's lighter one.
func checkStory(t *testing.T, st Stores, now time.Time) {
	t.Helper()
	ctx := context.Background()
	off := officialOf(t, st, "official")
	from, to := yearOf(now)
	tot, err := st.ThemeDay.Totals(ctx, off, from, to, themeday.CoverageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s–%s: %d orders, %d delivered, %d member lessons, %d person-times, %d viewings, %d practices, %d opinions, %d service items, %d/%d branches reached",
		from, to, tot.Orders, tot.DeliveredLessons, tot.MemberLessons, tot.LecturingPersonTimes, tot.FilmViewings,
		tot.Practices, tot.Opinions, tot.ServiceItems, tot.BranchesReached, tot.Branches)
	checks := []struct {
		name     string
		got      int64
		min, max int64
	}{
		{"orders (点单150余次)", tot.Orders, 140, 190},
		{"lecturing person-times (1300余人次)", tot.LecturingPersonTimes, 1200, 1450},
		{"opinions (社情民意925件)", tot.Opinions, 850, 1000},
		{"service items (为民服务事项1509件)", tot.ServiceItems, 1400, 1650},
		{"branches reached (全覆盖)", tot.BranchesReached, tot.Branches, tot.Branches},
		{"film viewings", tot.FilmViewings, 200, 400},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s = %d, want %d–%d", c.name, c.got, c.min, c.max)
		}
	}

	mx, err := st.ThemeDay.Matrix(ctx, off, from, to, themeday.CoverageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var lesson, film, practice, all, cells float64
	gappy := 0
	for _, b := range mx.Branches {
		missed := 0
		for _, c := range b.Cells {
			cells++
			for _, x := range []struct {
				ok  bool
				sum *float64
			}{{c.Lesson, &lesson}, {c.Film, &film}, {c.Practice, &practice}, {c.All(), &all}} {
				if x.ok {
					*x.sum++
				}
			}
			if !c.Lesson {
				missed++
			}
		}
		if missed >= 3 {
			gappy++
		}
	}
	lesson, film, practice, all = lesson/cells, film/cells, practice/cells, all/cells
	t.Logf("coverage: lesson %.2f film %.2f practice %.2f all three %.2f; %d branches missed lessons in 3+ months",
		lesson, film, practice, all, gappy)
	if lesson < 0.75 || lesson > 0.95 {
		t.Errorf("lesson coverage %.2f, want 0.75–0.95", lesson)
	}
	if film < 0.8 || film > 0.97 || practice < 0.7 || practice > 0.92 || all < 0.55 || all > 0.8 {
		t.Errorf("coverage film %.2f practice %.2f all %.2f out of the story's range", film, practice, all)
	}
	if gappy < 1 {
		t.Error("no branch has gaps of three months or more")
	}
	// July and August: fewer lessons, more flood-season practices.
	var summer, rest, summerN, restN float64
	for _, tr := range mx.Trend {
		if m := tr.Month[5:]; m == "07" || m == "08" {
			summer, summerN = summer+tr.Lesson, summerN+1
		} else {
			rest, restN = rest+tr.Lesson, restN+1
		}
	}
	if summer/summerN >= rest/restN {
		t.Errorf("summer lesson coverage %.2f not below the rest of the year's %.2f", summer/summerN, rest/restN)
	}
	ps, err := st.ThemeDay.Practices(ctx, off, themeday.RecordFilter{From: from, To: to, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	flood := map[bool]int{}
	for _, p := range ps {
		m := p.Month[5:]
		flood[m == "07" || m == "08"] = flood[m == "07" || m == "08"] + map[bool]int{true: 1}[p.Type == "抗洪防汛"]
	}
	if flood[true] < 10 || flood[true] <= flood[false] {
		t.Errorf("抗洪防汛 practices: %d in July–August, %d otherwise", flood[true], flood[false])
	}

	// The current month so far has history too (none on its first day),
	// and nothing of it lies ahead: what does is next month's orders of a
	// third of 春华镇's branches (upcoming.go).
	local := now.In(time.FixedZone("CST", 8*3600))
	cur := local.Format("2006-01")
	ct, err := st.ThemeDay.Totals(ctx, off, cur, cur, themeday.CoverageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if first := local.Day() == 1; first != (ct.DeliveredLessons+ct.MemberLessons+ct.FilmViewings+ct.Practices == 0) {
		t.Errorf("current month %s (day %d): %d delivered, %d member lessons, %d viewings, %d practices", cur, local.Day(),
			ct.DeliveredLessons, ct.MemberLessons, ct.FilmViewings, ct.Practices)
	}
	if local.Day() > 10 && (ct.DeliveredLessons == 0 || ct.FilmViewings == 0) {
		t.Errorf("current month %s: %d delivered, %d viewings", cur, ct.DeliveredLessons, ct.FilmViewings)
	}
	ms, err := st.ThemeDay.MemberLessons(ctx, off, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Day > local.Format("2006-01-02") {
			t.Errorf("member lesson %d on %s, after today", m.ID, m.Day)
		}
	}
	os, err := st.Booking.List(ctx, off, booking.OrderFilter{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	next := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, local.Location()).AddDate(0, 1, 0)
	ahead := map[int64]bool{}
	for _, o := range os.Items {
		if o.StartAt != nil && o.StartAt.After(now) && (o.StartAt.Before(next) || o.Status != booking.Confirmed) {
			t.Errorf("order %d starts %v, after now", o.ID, o.StartAt)
		}
	}
	live, err := st.Booking.LiveOrders(ctx, off, off.TownID, next.UTC(), next.AddDate(0, 1, 0).UTC())
	if err != nil {
		t.Fatal(err)
	}
	confirmed := 0
	for _, o := range live {
		ahead[o.BranchID] = true
		if o.Status == booking.Confirmed {
			confirmed++
		}
	}
	if sec := officialOf(t, st, "secretary"); len(ahead) != 7 || ahead[sec.BranchID] || confirmed == 0 || confirmed == len(live) {
		t.Errorf("next month: %d branches ordered (want 7 of 22, not 龙王庙村), %d of %d orders confirmed", len(ahead), confirmed, len(live))
	}

	// Reviews are mostly good; the catalog is as the demo tests expect.
	var stars, reviewed int
	for page := 1; ; page++ {
		p, err := st.Booking.List(ctx, off, booking.OrderFilter{Statuses: []booking.Status{booking.Reviewed}, Page: page, PerPage: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Items {
			stars += *o.Stars
			reviewed++
		}
		if int64(page*200) >= p.Total {
			break
		}
	}
	if reviewed < 60 || float64(stars)/float64(reviewed) < 4.2 {
		t.Errorf("%d reviewed orders averaging %.2f stars", reviewed, float64(stars)/float64(reviewed))
	}
	lp, err := st.Lessons.Lessons(ctx, off, lessons.LessonFilter{Status: lessons.StatusPublished, PerPage: 100})
	if err != nil || lp.Total != 35 {
		t.Errorf("%v published lessons, want 35 (%v)", lp.Total, err)
	}

	// 漆河镇 has its own, lighter year.
	qh := officialOf(t, st, "qh-official")
	qt, err := st.ThemeDay.Totals(ctx, qh, from, to, themeday.CoverageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("漆河镇: %d orders, %d person-times, %d viewings", qt.Orders, qt.LecturingPersonTimes, qt.FilmViewings)
	if qt.FilmViewings < 350 || qt.FilmViewings > 480 || qt.BranchesReached != qt.Branches {
		t.Errorf("漆河镇: %d viewings (400多场次), %d of %d branches reached", qt.FilmViewings, qt.BranchesReached, qt.Branches)
	}
}

// TestHistoryIsDeterministic: two fresh databases get the same history.
func TestHistoryIsDeterministic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var got []map[string]int64
	var totals []themeday.Totals
	for range 2 {
		d := dbtest.SQLite(t)
		st := storesWithBooking(d)
		if _, err := Load(ctx, st, testPassword); err != nil {
			t.Fatal(err)
		}
		got = append(got, historyCounts(t, d))
		from, to := yearOf(clock())
		tot, err := st.ThemeDay.Totals(ctx, officialOf(t, st, "official"), from, to, themeday.CoverageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		totals = append(totals, *tot)
	}
	if !maps.Equal(got[0], got[1]) || !reflect.DeepEqual(totals[0], totals[1]) {
		t.Errorf("two loads differ:\n%v\n%v\n%+v\n%+v", got[0], got[1], totals[0], totals[1])
	}
}

// TestLoadOncePerDatabase: after an official renamed a demo lesson, loading
// the demo again (the next start) does not make the lesson a second time,
// nor anything else.
func TestLoadOncePerDatabase(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	ctx := context.Background()
	st := storesWithBooking(d)
	if _, err := Load(ctx, st, testPassword); err != nil {
		t.Fatal(err)
	}
	offAcc, err := st.Org.AccountByLogin(ctx, "official")
	if err != nil {
		t.Fatal(err)
	}
	off, err := st.Org.ActorFor(ctx, offAcc)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Lessons.Lessons(ctx, off, lessons.LessonFilter{PerPage: 1})
	if err != nil || len(p.Items) == 0 {
		t.Fatal(err, p)
	}
	l := p.Items[0]
	in := lessons.LessonInput{Title: l.Title + "（修订）", TopicID: l.TopicID, Summary: l.Summary, Outline: l.Outline,
		DurationMinutes: l.DurationMinutes, Status: l.Status, Materials: l.MaterialLinks, LecturerIDs: l.LecturerIDs}
	if _, err := st.Lessons.UpdateLesson(ctx, off, l.ID, in); err != nil {
		t.Fatal(err)
	}
	before := counts(t, d)
	if _, err := Load(ctx, st, testPassword); err != nil {
		t.Fatal(err)
	}
	if after := counts(t, d); !maps.Equal(before, after) {
		t.Errorf("loading again changed the counts:\nbefore %v\nafter  %v", before, after)
	}
}
