package booking_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ical "github.com/emersion/go-ical"

	"weike/booking"
	"weike/fixture"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/internal/i18n"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// parseICS reads a calendar back with go-ical's decoder, checking first
// that no line is longer than 75 octets or splits a character.
func parseICS(t *testing.T, out []byte) *ical.Calendar {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("a fold split a character: %q", line)
		}
	}
	cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	return cal
}

func mustICS(t *testing.T, c *booking.Calendar) []byte {
	t.Helper()
	out, err := booking.ICS(c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestICSFoldsLongChineseLines(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("屋场微党课等你来，春华稻花香；", 12)
	start := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	out := mustICS(t, &booking.Calendar{Owner: "黄春梅", Zone: shanghai, Lang: i18n.ZH, At: start, Events: []booking.CalendarEvent{{
		OrderID: 7, Start: start, End: start.Add(30 * time.Minute), Sequence: 3, Stamp: start,
		Lesson: long, Branch: "龙王庙村", Lecturer: "黄春梅", LecturerPhone: "13800000000", Courtyard: "抛砖屋场,",
		Address: "龙王庙村", Audience: 30, Note: "第一行\r\n第二行; 还有\\反斜杠",
	}}})
	evs := parseICS(t, out).Events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	ev := evs[0]
	for prop, want := range map[string]string{
		ical.PropSummary:     "微党课《" + long + "》· 龙王庙村",
		ical.PropDescription: "讲师：黄春梅 13800000000\n支部：龙王庙村\n屋场：抛砖屋场, 龙王庙村\n预计人数：30\n备注：第一行\n第二行; 还有\\反斜杠",
		ical.PropLocation:    "抛砖屋场, 龙王庙村",
		ical.PropUID:         "order-7@weike",
	} {
		if got, _ := ev.Props.Text(prop); got != want {
			t.Errorf("%s came back as %q, want %q", prop, got, want)
		}
	}
	st, err := ev.DateTimeStart(nil)
	if err != nil || !st.Equal(start) {
		t.Errorf("start %v %v, want %v", st, err, start)
	}
	if ev.Props.Get(ical.PropSequence).Value != "3" {
		t.Errorf("sequence %v", ev.Props.Get(ical.PropSequence))
	}
}

// TestICSZone: times are written in the town's zone with its TZID, and the
// VTIMEZONE they name is there, made from the tz database, whatever the zone.
func TestICSZone(t *testing.T) {
	t.Parallel()
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	event := func(start time.Time, cancelled bool) booking.CalendarEvent {
		return booking.CalendarEvent{OrderID: 9, Start: start, End: start.Add(20 * time.Minute), Cancelled: cancelled,
			Sequence: 2, Stamp: start.Add(-time.Hour), Lesson: "红色家书", Branch: "龙王庙村", Lecturer: "王", Audience: 1}
	}
	sat := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC) // 14:00 in Shanghai
	for _, c := range []struct {
		name   string
		zone   *time.Location
		events []booking.CalendarEvent
		want   []string // lines, in this order
	}{
		{"Shanghai", shanghai, []booking.CalendarEvent{event(sat, false)}, []string{
			"X-WR-TIMEZONE:Asia/Shanghai", "BEGIN:VTIMEZONE", "TZID:Asia/Shanghai", "BEGIN:STANDARD",
			"TZOFFSETFROM:+0900", "TZOFFSETTO:+0800", "END:STANDARD", "END:VTIMEZONE",
			"BEGIN:VEVENT", "DTEND;TZID=Asia/Shanghai:20261205T142000", "DTSTAMP:20261205T050000Z",
			"DTSTART;TZID=Asia/Shanghai:20261205T140000", "STATUS:CONFIRMED", "END:VEVENT"}},
		{"Urumqi", load("Asia/Urumqi"), []booking.CalendarEvent{event(sat, true)}, []string{
			"X-WR-TIMEZONE:Asia/Urumqi", "TZID:Asia/Urumqi", "TZOFFSETTO:+0600",
			"DTSTART;TZID=Asia/Urumqi:20261205T120000", "STATUS:CANCELLED"}},
		// A zone with daylight saving gets each change within the span.
		{"Berlin", load("Europe/Berlin"), []booking.CalendarEvent{event(time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC), false),
			event(time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC), false)}, []string{
			"BEGIN:STANDARD", "DTSTART:20251026T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD",
			"BEGIN:DAYLIGHT", "DTSTART:20260329T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "END:DAYLIGHT",
			"DTSTART;TZID=Europe/Berlin:20260301T140000", "DTSTART;TZID=Europe/Berlin:20260415T140000"}},
		// An empty calendar still names its zone (and go-ical writes no
		// calendar without a component).
		{"empty", shanghai, nil, []string{"TZID:Asia/Shanghai", "TZOFFSETTO:+0800"}},
	} {
		out := string(mustICS(t, &booking.Calendar{Owner: "王", Zone: c.zone, Lang: i18n.EN, At: sat, Events: c.events}))
		rest := out
		for _, line := range c.want {
			i := strings.Index(rest, "\r\n"+line+"\r\n")
			if i < 0 {
				t.Errorf("%s: no line %q (after the previous ones) in\n%s", c.name, line, out)
				break
			}
			rest = rest[i+len(line)+2:]
		}
		cal := parseICS(t, []byte(out))
		for _, ev := range cal.Events() {
			// go-ical resolves the TZID itself: the instant must survive.
			st, err := ev.DateTimeStart(nil)
			if err != nil || !(st.Equal(sat) || len(c.events) > 1) {
				t.Errorf("%s: start %v (%v)", c.name, st, err)
			}
			if got, _ := ev.Props.Text(ical.PropSummary); got != "Lesson “红色家书” · 龙王庙村" {
				t.Errorf("%s: English summary %q", c.name, got)
			}
			if got, _ := ev.Props.Text(ical.PropDescription); !strings.Contains(got, "Lecturer: 王\n") || !strings.HasSuffix(got, "Expected: 1 person") {
				t.Errorf("%s: English description %q", c.name, got)
			}
		}
	}
}

// TestFeedInTownZoneAndOwnerLanguage: a lecturer's private feed is written
// in the zone of the lecturer's town and in the lecturer's language.
func TestFeedInTownZoneAndOwnerLanguage(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		sec, lec := a.Actors["secretary"], a.Actors["lecturer"]
		o, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
			CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-05T14:00:00+08:00"}, Audience: 30, Note: "带党旗"})
		if err != nil {
			t.Fatal(err)
		}
		if o, err = w.Booking.Accept(ctx, lec, o.ID, 0); err != nil {
			t.Fatal(err)
		}
		feeds, err := w.Booking.CalendarFeeds(ctx, lec)
		if err != nil || len(feeds) != 1 {
			t.Fatalf("feeds %+v %v", feeds, err)
		}
		feed := func() string {
			t.Helper()
			cal, err := w.Booking.FeedCalendar(ctx, feeds[0].Token)
			if err != nil {
				t.Fatal(err)
			}
			return string(mustICS(t, cal))
		}
		ics := feed()
		for _, want := range []string{"X-WR-CALNAME:微党课 · 王ch", "DTSTART;TZID=Asia/Shanghai:20261205T140000", "TZID:Asia/Shanghai",
			"SUMMARY:微党课《ch红色家书里的初心》· 龙王庙村"} {
			if !strings.Contains(ics, "\r\n"+want+"\r\n") {
				t.Errorf("Chinese feed lacks %q:\n%s", want, ics)
			}
		}

		if err := w.Org.SetLang(ctx, lec, i18n.EN); err != nil {
			t.Fatal(err)
		}
		if err := d.W.Table("towns").Where("id = ?", a.Town.ID).Update("timezone", "Asia/Urumqi").Error; err != nil {
			t.Fatal(err)
		}
		ics = feed()
		for _, want := range []string{"X-WR-CALNAME:weike · 王ch", "X-WR-TIMEZONE:Asia/Urumqi", "TZID:Asia/Urumqi", "TZOFFSETTO:+0600",
			"DTSTART;TZID=Asia/Urumqi:20261205T120000", "SUMMARY:Lesson “ch红色家书里的初心” · 龙王庙村"} {
			if !strings.Contains(ics, "\r\n"+want+"\r\n") {
				t.Errorf("English feed in Urumqi lacks %q:\n%s", want, ics)
			}
		}
		if strings.Contains(ics, "Asia/Shanghai") || strings.Contains(ics, "+0800") {
			t.Errorf("the feed of a town in Urumqi still speaks of Shanghai:\n%s", ics)
		}
		ev := parseICS(t, []byte(ics)).Events()
		if len(ev) != 1 {
			t.Fatalf("%d events", len(ev))
		}
		if st, err := ev[0].DateTimeStart(nil); err != nil || !st.Equal(*o.StartAt) {
			t.Errorf("start %v (%v), want %v", st, err, o.StartAt)
		}
		if got, _ := ev[0].Props.Text(ical.PropDescription); !strings.HasSuffix(got, "Expected: 30 people\nNote: 带党旗") {
			t.Errorf("description %q", got)
		}
	})
}
