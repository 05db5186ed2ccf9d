package booking_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"weike/booking"
	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/internal/tz"
	"weike/lessons"
)

// TestStartsLeaveRoomForTheLesson: in a 09:00–11:00 window a 20-minute
// lesson may start at 10:40 at the latest; the free slots offer the half
// hours and 10:40, never 10:50 or 11:00, an order takes 10:40 and refuses
// 10:50, and the free days read 09:00–11:00, the time the lesson can take.
func TestStartsLeaveRoomForTheLesson(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		lec, lesson := a.Lecturers[0], a.Lessons[0]
		if lesson.DurationMinutes != 20 {
			t.Fatalf("the fixture's lesson lasts %d minutes", lesson.DurationMinutes)
		}
		fresh, err := w.Lessons.Lecturer(ctx, a.Official, lec.ID)
		if err != nil {
			t.Fatal(err)
		}
		in := fresh.Input()
		in.Availability = []lessons.Window{{Weekday: int(time.Saturday), StartMinute: 9 * 60, EndMinute: 11 * 60}}
		if _, err := w.Lessons.UpdateLecturer(ctx, a.Official, lec.ID, in); err != nil {
			t.Fatal(err)
		}
		sec := a.Actors["secretary"]
		slots, err := w.Booking.FreeSlots(ctx, sec, lesson.ID, lec.ID, 1, 100)
		if err != nil {
			t.Fatal(err)
		}
		// The fixture's clock is Monday 2026-11-30 10:00: Saturday 5
		// December is the one Saturday of the week ahead.
		var got []string
		for _, s := range slots {
			got = append(got, s.Start.In(tz.Shanghai).Format("01-02 15:04"))
		}
		if want := "12-05 09:00 12-05 09:30 12-05 10:00 12-05 10:30 12-05 10:40"; strings.Join(got, " ") != want {
			t.Errorf("free starts %v, want %s", got, want)
		}
		order := func(at string) error {
			_, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: lesson.ID, LecturerID: lec.ID,
				CourtyardID: a.Courtyards[0].ID, Slots: []string{at}, Audience: 20})
			return err
		}
		for _, late := range []string{"2026-12-05T10:50", "2026-12-05T11:00", "2026-12-05T08:50"} {
			if e, ok := apperr.As(order(late)); !ok || e.Code != "order.outside_availability" {
				t.Errorf("an order at %s: %v, want outside the lecturer's hours", late, e)
			}
		}
		if err := order("2026-12-05T10:40"); err != nil {
			t.Errorf("an order at 10:40: %v", err)
		}
		days, err := w.Booking.FreeDays(ctx, sec, lesson.ID, lec.ID, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(days) == 0 || days[0].Date != "2026-12-05" || fmt.Sprint(days[0].Windows) != "[09:00–11:00]" {
			t.Errorf("free days %+v, want 2026-12-05 09:00–11:00 first", days)
		}
	})
}
