package letters_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"weike/letters"

	ical "github.com/emersion/go-ical"

	"weike/booking"
	"weike/fixture"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/lessons"
	"weike/notify"
	"weike/org"
)

func TestSchedulePeriodsAcrossMonthAndYearEnds(t *testing.T) {
	t.Parallel()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, sh)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	months := []struct {
		at   time.Time
		want string
	}{
		{at("2026-11-25 09:00"), "2026-12"},
		{at("2026-12-25 09:00"), "2027-01"}, // the year's end
		{at("2026-12-01 09:00"), "2026-12"}, // a town that sends on the 1st
		{at("2026-12-07 23:59"), "2026-12"},
		{at("2026-12-08 00:00"), "2027-01"},
		// 16:30 UTC on Dec 31st is already January 1st in Shanghai.
		{time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC), "2027-01"},
		{time.Date(2026, 12, 31, 15, 30, 0, 0, time.UTC), "2027-01"},
	}
	for _, c := range months {
		if got := letters.ScheduleMonth(c.at, sh); got != c.want {
			t.Errorf("ScheduleMonth(%v) = %s, want %s", c.at, got, c.want)
		}
	}
	days := []struct {
		at   time.Time
		want string
	}{
		{at("2026-11-30 18:00"), "2026-12-01"},
		{at("2026-12-31 18:00"), "2027-01-01"},
		{at("2027-02-28 18:00"), "2027-03-01"},
		{at("2028-02-28 18:00"), "2028-02-29"},
		{time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC), "2027-01-01"}, // 18:00 in Shanghai
	}
	for _, c := range days {
		if got := letters.ReminderDay(c.at, sh); got != c.want {
			t.Errorf("ReminderDay(%v) = %s, want %s", c.at, got, c.want)
		}
	}
}

// scheduleWorld publishes 春华镇's December plan and books a confirmed
// lesson (Saturday Dec 5th, 14:00) and a pending order for its first branch
// with its first lecturer.
func scheduleWorld(t *testing.T, d *db.DB) (*fixture.World, *booking.Order) {
	t.Helper()
	ctx := context.Background()
	w := fixture.New(t, d)
	a := w.A
	if _, err := w.Lessons.PutPlan(ctx, a.Official, "2026-12", lessons.PlanInput{Note: "十二月",
		LessonIDs: []int64{a.Lessons[0].ID, a.Lessons[1].ID, a.Lessons[2].ID},
		Films:     []lessons.PlanFilmInput{{FilmID: a.Films[0].ID, PreviewDate: "2026-12-03", Link: "https://example.test/preview"}}}); err != nil {
		t.Fatal(err)
	}
	sec, lec := a.Actors["secretary"], a.Actors["lecturer"]
	o, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
		CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-05T14:00:00+08:00"}, Audience: 30})
	if err != nil {
		t.Fatal(err)
	}
	if o, err = w.Booking.Accept(ctx, lec, o.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: a.Lessons[1].ID, LecturerID: a.Lecturers[0].ID,
		CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-12T14:00:00+08:00"}, Audience: 20}); err != nil {
		t.Fatal(err)
	}
	return w, o
}

func letterOf(t *testing.T, ls []notify.Letter, kind string, accountID int64) notify.Letter {
	t.Helper()
	for _, l := range ls {
		if l.Kind == kind && l.AccountID == accountID {
			return l
		}
	}
	t.Fatalf("no %s letter for account %d", kind, accountID)
	return notify.Letter{}
}

func mustHave(t *testing.T, what, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

func TestMonthlyLetters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, o := scheduleWorld(t, d)
		a := w.A
		ls, err := w.Letters.MonthlyLetters(ctx, a.Town.ID, "2026-12", "https://weike.test/")
		if err != nil {
			t.Fatal(err)
		}
		// One letter per secretary, lecturer and official of the town, one
		// for the town's robot and one per branch: nobody of 漆河镇.
		kinds := map[string]int{}
		for _, l := range ls {
			kinds[l.Kind]++
			if l.TownID != a.Town.ID || l.Period != "2026-12" {
				t.Errorf("letter of town %d, period %s", l.TownID, l.Period)
			}
			for _, qh := range w.B.Actors {
				if l.AccountID == qh.AccountID {
					t.Errorf("漆河镇's %s gets 春华镇's schedule", qh.Login)
				}
			}
		}
		want := map[string]int{letters.KindMonthlySecretary: 1, letters.KindMonthlyLecturer: 1, letters.KindMonthlyOfficial: 1,
			letters.KindMonthlyTown: 1, letters.KindMonthlyBranch: len(a.Branches)}
		for k, n := range want {
			if kinds[k] != n {
				t.Errorf("%d %s letters, want %d (all: %v)", kinds[k], k, n, kinds)
			}
		}

		sec := letterOf(t, ls, letters.KindMonthlySecretary, a.Actors["secretary"].AccountID)
		mustHave(t, "secretary's letter", sec.Subject, "春华镇", "2026年12月", a.Branches[0].Name)
		mustHave(t, "secretary's letter", sec.Text, "ch红色家书里的初心", "ch稻花香里说振兴", "ch《抛砖屋场》",
			"放映日期 12月3日 周四", "https://example.test/preview", "12月5日 周六 14:00–14:20", "王ch", "2026年11月本支部尚缺",
			"https://weike.test/orders/")
		mustHave(t, "secretary's HTML", sec.HTML, `name="viewport"`, "ch红色家书里的初心", "https://example.test/preview")
		mustHave(t, "secretary's markdown", sec.Markdown, "### ", "[《ch红色家书里的初心》](https://weike.test/lessons/")

		lec := letterOf(t, ls, letters.KindMonthlyLecturer, a.Actors["lecturer"].AccountID)
		mustHave(t, "lecturer's letter", lec.Text, "12月5日 周六 14:00", a.Branches[0].Name, "待您答复的点单", "ch稻花香里说振兴")
		if lec.Attachment == nil || !strings.HasSuffix(lec.Attachment.Name, ".ics") {
			t.Fatalf("lecturer's letter has no .ics: %+v", lec.Attachment)
		}
		cal, err := ical.NewDecoder(bytes.NewReader(lec.Attachment.Data)).Decode()
		if err != nil {
			t.Fatalf("the .ics does not parse: %v", err)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events in the .ics, want the one confirmed lesson", len(evs))
		}
		if start, err := evs[0].DateTimeStart(time.UTC); err != nil || !start.Equal(*o.StartAt) {
			t.Errorf("event starts %v (%v), want %v", start, err, o.StartAt)
		}
		mustHave(t, "lecturer's .ics", string(lec.Attachment.Data), "X-WR-CALNAME:微党课 · 王ch · 2026年12月", "TZID:Asia/Shanghai")

		off := letterOf(t, ls, letters.KindMonthlyOfficial, a.Official.AccountID)
		mustHave(t, "official's letter", off.Text, "2026年11月覆盖情况", "未完成的支部", a.Branches[1].Name, "精选课 3 节")

		// English for an account that reads English: its words, its plurals,
		// the film's category as the catalog names it, and its .ics.
		for _, act := range []org.Actor{a.Actors["secretary"], a.Actors["lecturer"], a.Official} {
			if err := w.Org.SetLang(ctx, act, "en"); err != nil {
				t.Fatal(err)
			}
		}
		ls, err = w.Letters.MonthlyLetters(ctx, a.Town.ID, "2026-12", "https://weike.test")
		if err != nil {
			t.Fatal(err)
		}
		sec = letterOf(t, ls, letters.KindMonthlySecretary, a.Actors["secretary"].AccountID)
		mustHave(t, "English letter", sec.Subject+sec.Text, "December 2026", "Featured lessons", "Sat 5 Dec 14:00")
		mustHave(t, "English letter", sec.Text, "Local · 30 min · screening Thu 3 Dec", "“ch红色家书里的初心”", "Open weike: https://weike.test/")
		off = letterOf(t, ls, letters.KindMonthlyOfficial, a.Official.AccountID)
		mustHave(t, "English official's letter", off.Text, "3 featured lessons, 1 film, 1 confirmed lesson, 1 order waiting for an answer",
			"Coverage in November 2026")
		lec = letterOf(t, ls, letters.KindMonthlyLecturer, a.Actors["lecturer"].AccountID)
		mustHave(t, "English lecturer's .ics", string(lec.Attachment.Data), "X-WR-CALNAME:weike · 王ch · December 2026",
			"SUMMARY:Lesson “ch红色家书里的初心” · 龙王庙村")
		for _, l := range []notify.Letter{sec, off, lec} {
			if strings.ContainsAny(l.Subject+l.Text, "【课讲请") {
				t.Errorf("Chinese words in an English letter:\n%s\n%s", l.Subject, l.Text)
			}
		}

		// A month without a plan says so rather than sending empty lists.
		if err := w.Org.SetLang(ctx, a.Official, "zh-CN"); err != nil {
			t.Fatal(err)
		}
		ls, err = w.Letters.MonthlyLetters(ctx, a.Town.ID, "2027-01", "https://weike.test")
		if err != nil {
			t.Fatal(err)
		}
		off = letterOf(t, ls, letters.KindMonthlyOfficial, a.Official.AccountID)
		mustHave(t, "official's January letter", off.Text, "尚未发布")
	})
}

func TestReminderLetters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, _ := scheduleWorld(t, d)
		a := w.A
		ls, err := w.Letters.ReminderLetters(ctx, "2026-12-05", "https://weike.test")
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != 3 {
			t.Fatalf("%d reminders, want lecturer, secretary and the branch's robot: %+v", len(ls), ls)
		}
		lec := letterOf(t, ls, letters.KindReminderLecturer, a.Actors["lecturer"].AccountID)
		mustHave(t, "lecturer's reminder", lec.Subject+lec.Text, "明天", "12月5日 周六", "14:00", a.Courtyards[0].Name)
		letterOf(t, ls, letters.KindReminderBranch, a.Actors["secretary"].AccountID)
		for _, day := range []string{"2026-12-04", "2026-12-06", "2026-12-12"} {
			ls, err := w.Letters.ReminderLetters(ctx, day, "https://weike.test")
			if err != nil || len(ls) != 0 {
				t.Errorf("%s: %d reminders (%v), want none: only confirmed lessons of the day", day, len(ls), err)
			}
		}
	})
}
