package booking_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"weike/booking"
	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/lessons"
	"weike/org"
)

// TestOrderWritesRaiseTheVersion: every write of booking goes through
// Store.tx, which raises the version of the orders of every branch and
// lecturer it touched; a transaction opened around it would let a kept list
// outlive the change.
func TestOrderWritesRaiseTheVersion(t *testing.T) {
	t.Parallel()
	dbtest.OnlyWritesThrough(t, regexp.MustCompile(`s\.db\.Tx\b`), "listcache.go", "so kept order lists would not see its writes")
}

// TestKeptListsFollowEveryMove: a list read again is the one kept, yet every
// move of an order shows at once in the lists of everyone who sees it, on
// this instance and on another one of the same database (a second store
// stands for it), and a list is never kept longer than its time to live.
func TestKeptListsFollowEveryMove(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		sec, lec, off := a.Actors["secretary"], a.Actors["lecturer"], a.Official
		clock := func() time.Time { return w.Now }
		other := booking.NewStore(d, clock, org.NewStore(d, clock), w.Lessons)

		status := func(s *booking.Store, act org.Actor, id int64) booking.Status {
			t.Helper()
			p, err := s.List(ctx, act, booking.OrderFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range p.Items {
				if o.ID == id {
					return o.Status
				}
			}
			return ""
		}
		want := func(id int64, st booking.Status) {
			t.Helper()
			for _, s := range []*booking.Store{w.Booking, other} {
				for _, act := range []org.Actor{sec, lec, off} {
					if got := status(s, act, id); got != st {
						t.Fatalf("%s's list shows order %d %q, want %q", act.Role, id, got, st)
					}
				}
			}
		}

		o, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
			CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-05T14:00", "2026-12-12T14:00"}})
		if err != nil {
			t.Fatal(err)
		}
		want(o.ID, booking.Requested)
		// Each move made on one instance, read on both.
		if _, err := other.Accept(ctx, lec, o.ID, 0); err != nil {
			t.Fatal(err)
		}
		want(o.ID, booking.Confirmed)
		if _, err := w.Booking.Cancel(ctx, sec, o.ID, "村里临时有事"); err != nil {
			t.Fatal(err)
		}
		want(o.ID, booking.Cancelled)
		// The job's expiry, a move nobody makes.
		o2, _, err := other.Create(ctx, sec, booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
			CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-19T14:00"}})
		if err != nil {
			t.Fatal(err)
		}
		want(o2.ID, booking.Requested)
		w.Now = o2.AnswerBy.Add(time.Minute)
		if n, err := w.Booking.ExpireDue(ctx); err != nil || n != 1 {
			t.Fatalf("expire: %d %v", n, err)
		}
		want(o2.ID, booking.Expired)

		// A reassigned order leaves its former lecturer's kept list and
		// joins the new one's.
		acc, err := w.Org.CreateAccount(ctx, org.NewAccount{Login: "ch-lecturer-2", PasswordHash: fixture.PasswordHash(), Name: "李ch",
			Role: org.RoleLecturer, TownID: a.Town.ID, LecturerID: a.Lecturers[1].ID})
		if err != nil {
			t.Fatal(err)
		}
		lec2, err := w.Org.ActorFor(ctx, acc)
		if err != nil {
			t.Fatal(err)
		}
		o3, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
			CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-26T14:00"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []*booking.Store{w.Booking, other} {
			if status(s, lec, o3.ID) != booking.Requested || status(s, lec2, o3.ID) != "" {
				t.Fatal("the new order is not on its lecturer's list alone")
			}
		}
		if _, err := other.Reassign(ctx, off, o3.ID, a.Lecturers[1].ID); err != nil {
			t.Fatal(err)
		}
		for _, s := range []*booking.Store{w.Booking, other} {
			if got := status(s, lec, o3.ID); got != "" {
				t.Fatalf("the former lecturer's list still shows the reassigned order (%q)", got)
			}
			if got := status(s, lec2, o3.ID); got != booking.Requested {
				t.Fatalf("the new lecturer's list shows the reassigned order %q", got)
			}
		}

		// A change that goes around the store (as a rename of a branch
		// does) is not seen while the list is kept, and is once it has
		// lived its time.
		audience := func() int {
			p, err := w.Booking.List(ctx, sec, booking.OrderFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range p.Items {
				if x.ID == o2.ID {
					return x.Audience
				}
			}
			return -1
		}
		if got := audience(); got == 77 {
			t.Fatal("the order's audience is 77 before it was changed")
		}
		if err := d.W.Exec("UPDATE orders SET audience = 77 WHERE id = ?", o2.ID).Error; err != nil {
			t.Fatal(err)
		}
		if got := audience(); got == 77 {
			t.Fatal("the list was built again although none of the branch's orders changed: it is not kept")
		}
		w.Now = w.Now.Add(31 * time.Second)
		if got := audience(); got != 77 {
			t.Fatalf("a kept list outlived its time: audience %d", got)
		}
		// A caller changing its page does not change the kept one.
		p, err := w.Booking.List(ctx, sec, booking.OrderFilter{})
		if err != nil || len(p.Items) == 0 {
			t.Fatal(err, p)
		}
		p.Items[0].Status = "mangled"
		if got := status(w.Booking, sec, p.Items[0].ID); got == "mangled" {
			t.Fatal("a caller's change reached the kept list")
		}
	})
}

// TestCreateSeesHoursChangedMeanwhile: Create reads the lecturer's world
// before its transaction; hours changed between that read and the
// transaction are the ones the order is checked against.
func TestCreateSeesHoursChangedMeanwhile(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		in := booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
			CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-05T14:00"}}
		w.Booking.SetAfterPreload(func() {
			// Wednesday evenings only from now on: Saturday afternoon is gone.
			if _, err := w.Lessons.UpdateHours(ctx, a.Official, a.Lecturers[0].ID, lessons.HoursInput{
				Availability: []lessons.Window{{Weekday: 3, StartMinute: 19 * 60, EndMinute: 21 * 60}}}); err != nil {
				t.Error(err)
			}
		})
		_, _, err := w.Booking.Create(ctx, a.Actors["secretary"], in)
		if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.Invalid {
			t.Fatalf("an order at hours the lecturer gave up meanwhile: %v", err)
		}
		// With nothing in between, the world read before holds.
		w.Booking.SetAfterPreload(nil)
		in.Slots = []string{"2026-12-09T19:00"}
		if _, _, err := w.Booking.Create(ctx, a.Actors["secretary"], in); err != nil {
			t.Fatal(err)
		}
	})
}

// TestReassignOnlyToWhoIsFree: an order goes only to a lecturer free at one
// of its times, keeping just the times she can take; the choices say so.
func TestReassignOnlyToWhoIsFree(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		sec, lec, off := a.Actors["secretary"], a.Actors["lecturer"], a.Official
		other := a.Lecturers[1].ID
		hours := func(ws ...lessons.Window) {
			t.Helper()
			if _, err := w.Lessons.UpdateHours(ctx, off, other, lessons.HoursInput{Availability: ws}); err != nil {
				t.Fatal(err)
			}
		}
		o, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
			CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-05T14:00", "2026-12-09T19:00"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Booking.Decline(ctx, lec, o.ID, "那几天不在村里"); err != nil {
			t.Fatal(err)
		}
		// Mondays only: free at neither time.
		hours(lessons.Window{Weekday: 1, StartMinute: 9 * 60, EndMinute: 12 * 60})
		if ids, err := w.Booking.ReassignChoices(ctx, off, o.ID); err != nil || len(ids) != 0 {
			t.Fatalf("choices with nobody free: %v %v", ids, err)
		}
		if _, err := w.Booking.Reassign(ctx, off, o.ID, other); err == nil {
			t.Fatal("an order was given to a lecturer free at none of its times")
		} else if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.Invalid {
			t.Fatalf("refusal: %v", err)
		}
		// Wednesday evenings: free at the second time only, which she gets.
		hours(lessons.Window{Weekday: 3, StartMinute: 19 * 60, EndMinute: 21 * 60})
		if ids, err := w.Booking.ReassignChoices(ctx, off, o.ID); err != nil || len(ids) != 1 || ids[0] != other {
			t.Fatalf("choices: %v %v", ids, err)
		}
		got, err := w.Booking.Reassign(ctx, off, o.ID, other)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Slots) != 1 || got.Slots[0].Format("2006-01-02") != "2026-12-09" {
			t.Fatalf("the reassigned order's times: %v", got.Slots)
		}
		// The first lecturer, free on Wednesday evenings too, may have it
		// back; the official sees she declined it once.
		if ids, err := w.Booking.ReassignChoices(ctx, off, o.ID); err != nil || len(ids) != 1 || ids[0] != a.Lecturers[0].ID {
			t.Fatalf("choices after the reassign: %v %v", ids, err)
		}
		if ids, err := w.Booking.DeclinedBy(ctx, off, o.ID); err != nil || len(ids) != 1 || ids[0] != a.Lecturers[0].ID {
			t.Fatalf("declined by: %v %v", ids, err)
		}
	})
}
