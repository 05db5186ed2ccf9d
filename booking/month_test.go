package booking_test

import (
	"context"
	"sort"
	"testing"

	"weike/booking"
	"weike/fixture"
	"weike/internal/db"
	"weike/internal/db/dbtest"
)

// TestOrdersFiledByLessonMonth: every order is filed under the month of
// its lesson time, whatever its status and whenever it was placed — the
// start once booked, the proposed time while proposed, else its first
// preferred time. On 20 December a secretary orders for January and the
// town dispatches January's lessons: both are January's, not December's.
func TestOrdersFiledByLessonMonth(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		w.Now = local("2026-12-20 10:00")
		sec, lec, off := a.Actors["secretary"], a.Actors["lecturer"], a.Official
		create := func(in booking.NewOrder) int64 {
			t.Helper()
			by := sec
			if in.Dispatch != nil {
				by = off
			}
			o, _, err := w.Booking.Create(ctx, by, in)
			if err != nil {
				t.Fatalf("create %v: %v", in.Slots, err)
			}
			return o.ID
		}
		order := func(lesson int, slots ...string) booking.NewOrder {
			return booking.NewOrder{LessonID: a.Lessons[lesson].ID, LecturerID: a.Lecturers[0].ID, CourtyardID: a.Courtyards[0].ID, Slots: slots}
		}
		must := func(_ *booking.Order, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}

		ordered := create(order(0, "2027-01-09T14:00", "2027-01-16T14:00"))
		dispatched := create(booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[1].ID, CourtyardID: a.Courtyards[1].ID,
			Slots: []string{"2027-01-06T19:00"}, Dispatch: &booking.Dispatch{BranchID: a.Branches[1].ID, Month: "2027-01"}})
		proposed := create(order(1, "2026-12-26T14:00"))
		must(w.Booking.Propose(ctx, lec, proposed, booking.Proposal{Start: "2027-01-13T19:30"}))
		rejected := create(order(2, "2026-12-30T19:00"))
		must(w.Booking.Propose(ctx, lec, rejected, booking.Proposal{Start: "2027-01-20T19:30"}))
		must(w.Booking.Respond(ctx, sec, rejected, false))
		confirmed := create(order(0, "2027-01-02T14:00", "2026-12-26T16:00"))
		must(w.Booking.Accept(ctx, lec, confirmed, 1))
		declined := create(order(1, "2027-01-23T14:00"))
		must(w.Booking.Decline(ctx, lec, declined, "那天要去长沙"))
		withdrawn := create(order(2, "2027-01-30T14:00", "2026-12-23T19:00"))
		must(w.Booking.Accept(ctx, lec, withdrawn, 1))
		must(w.Booking.Withdraw(ctx, lec, withdrawn, "家里有事"))
		spanning := create(order(1, "2026-12-23T19:00", "2027-01-09T15:00"))

		tests := []struct {
			name string
			f    booking.OrderFilter
			want []int64
		}{
			// December keeps only what is held in December: the booked
			// lesson, the rejected proposal's preferred time, an order
			// whose first preferred time is in December.
			{"December", booking.OrderFilter{Month: "2026-12"}, []int64{rejected, confirmed, spanning}},
			{"January", booking.OrderFilter{Month: "2027-01"}, []int64{ordered, dispatched, proposed, declined, withdrawn}},
			{"November: none", booking.OrderFilter{Month: "2026-11"}, nil},
			{"December to January", booking.OrderFilter{From: "2026-12", To: "2027-01"},
				[]int64{ordered, dispatched, proposed, rejected, confirmed, declined, withdrawn, spanning}},
			{"from January on", booking.OrderFilter{From: "2027-01"}, []int64{ordered, dispatched, proposed, declined, withdrawn}},
			{"up to December", booking.OrderFilter{To: "2026-12"}, []int64{rejected, confirmed, spanning}},
			{"January, waiting for an answer", booking.OrderFilter{Month: "2027-01", Statuses: []booking.Status{booking.Requested, booking.Proposed}},
				[]int64{ordered, dispatched, proposed}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.f.PerPage = 200
				p, err := w.Booking.List(ctx, off, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, o := range p.Items {
					got = append(got, o.ID)
				}
				sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
				if !equalIDs(got, tt.want) || p.Total != int64(len(tt.want)) {
					t.Errorf("got %v (total %d), want %v", got, p.Total, tt.want)
				}
			})
		}

		// The secretary's month, as her month page lists it.
		p, err := w.Booking.List(ctx, sec, booking.OrderFilter{Month: "2026-12", PerPage: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Items {
			if o.ID != rejected && o.ID != confirmed && o.ID != spanning {
				t.Errorf("the secretary's December lists order %d (%s, times %v)", o.ID, o.Status, o.Times())
			}
		}

		// Given to another lecturer once its December time has passed,
		// the order keeps only its January time, and moves to January.
		w.Now = local("2026-12-24 10:00")
		must(w.Booking.Reassign(ctx, off, spanning, a.Lecturers[1].ID))
		for month, want := range map[string]bool{"2026-12": false, "2027-01": true} {
			p, err := w.Booking.List(ctx, off, booking.OrderFilter{Month: month, PerPage: 200})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, o := range p.Items {
				found = found || o.ID == spanning
			}
			if found != want {
				t.Errorf("reassigned order listed under %s: %v, want %v", month, found, want)
			}
		}
	})
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
