package booking_test

import (
	"context"
	"strings"
	"testing"

	"weike/booking"
	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
)

// TestDispatch: an official orders for a branch of her town through the
// order's one create path (派单): the rules apply, the history names her,
// the secretary is told, the same row again creates nothing, and a branch
// that has its lesson of the month is refused.
func TestDispatch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a, b := w.A, w.B
		official := a.Official
		row := func(branch int, lesson int, slot string) booking.NewOrder {
			return booking.NewOrder{LessonID: a.Lessons[lesson].ID, LecturerID: a.Lecturers[0].ID, CourtyardID: a.Courtyards[branch].ID,
				Slots: []string{slot}, Dispatch: &booking.Dispatch{BranchID: a.Branches[branch].ID, Month: "2026-12"}}
		}
		// The secretary of branch 2 ordered for December herself.
		if _, _, err := w.Booking.Create(ctx, a.Actors["secretary"], booking.NewOrder{LessonID: a.Lessons[1].ID,
			LecturerID: a.Lecturers[1].ID, CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-09T19:00"}}); err != nil {
			t.Fatal(err)
		}

		o, created, err := w.Booking.Create(ctx, official, row(1, 0, "2026-12-05T14:00"))
		if err != nil || !created {
			t.Fatalf("dispatch: %v created=%v", err, created)
		}
		if o.Status != booking.Requested || o.BranchID != a.Branches[1].ID || o.DispatchedBy == nil || *o.DispatchedBy != official.AccountID {
			t.Fatalf("dispatched order %+v", o)
		}
		if len(o.History) != 1 || o.History[0].Role != "official" || o.History[0].Detail != "dispatched" ||
			o.History[0].AccountID == nil || *o.History[0].AccountID != official.AccountID {
			t.Fatalf("history %+v", o.History)
		}
		again, created, err := w.Booking.Create(ctx, official, row(1, 0, "2026-12-05T14:00"))
		if err != nil || created || again.ID != o.ID {
			t.Fatalf("the same row again: %v created=%v id %d, want %d", err, created, again.ID, o.ID)
		}

		tests := []struct {
			name string
			act  string
			in   booking.NewOrder
			kind apperr.Kind
			code string
		}{
			{"another lesson for a branch dispatched this month", "official", row(1, 1, "2026-12-12T14:00"), apperr.Conflict, "order.dispatch_branch_has_lesson"},
			{"a branch that ordered this month", "official", row(0, 0, "2026-12-12T14:00"), apperr.Conflict, "order.dispatch_branch_has_lesson"},
			{"a time outside the month", "official", row(2, 0, "2027-01-02T14:00"), apperr.Invalid, "validation"},
			{"outside the lecturer's hours", "official", row(2, 0, "2026-12-05T10:00"), apperr.Invalid, "order.outside_availability"},
			{"another branch, another Saturday", "official", row(2, 0, "2026-12-19T14:00"), 0, ""},
			{"a secretary may not dispatch", "secretary", row(2, 0, "2026-12-05T15:00"), apperr.Forbidden, "forbidden.official_only"},
			{"a lecturer may not dispatch", "lecturer", row(2, 0, "2026-12-05T15:00"), apperr.Forbidden, "forbidden.official_only"},
			{"no lecturer named", "official", func() booking.NewOrder { in := row(2, 0, "2026-12-05T15:00"); in.LecturerID = 0; return in }(), apperr.Invalid, "validation"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := w.Booking.Create(ctx, a.Actors[tt.act], tt.in)
				if tt.code == "" {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				wantCode(t, err, tt.kind, tt.code)
			})
		}
		// Another town's official does not see 春华镇's branch.
		in := row(2, 0, "2026-12-26T14:00")
		in.LessonID, in.LecturerID = b.Lessons[0].ID, b.Lecturers[0].ID
		_, _, err = w.Booking.Create(ctx, b.Official, in)
		wantCode(t, err, apperr.Invalid, "validation")

		// The lecturer answers it as any order.
		got, err := w.Booking.Accept(ctx, a.Actors["lecturer"], o.ID, 0)
		if err != nil || got.Status != booking.Confirmed {
			t.Fatalf("accept: %v %+v", err, got)
		}
	})
}

// TestDispatchTellsTheSecretary: the branch's secretary finds the
// dispatched order in her inbox, once.
func TestDispatchTellsTheSecretary(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		in := booking.NewOrder{LessonID: a.Lessons[2].ID, LecturerID: a.Lecturers[0].ID, CourtyardID: a.Courtyards[0].ID,
			Slots: []string{"2026-12-16T19:00"}, Dispatch: &booking.Dispatch{BranchID: a.Branches[0].ID, Month: "2026-12"}}
		for range 2 {
			if _, _, err := w.Booking.Create(ctx, a.Official, in); err != nil {
				t.Fatal(err)
			}
		}
		ms, unread, err := w.Notify.Inbox(ctx, a.Actors["secretary"], 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || unread != 1 || ms[0].Kind != "order.dispatched" {
			t.Fatalf("inbox %+v (unread %d), want one dispatched order", ms, unread)
		}
		// The lecturer is told as of any new order, in words that say the
		// town dispatched it; the official reads it in her digest.
		ms, _, err = w.Notify.Inbox(ctx, a.Actors["lecturer"], 10)
		if err != nil || len(ms) != 1 || ms[0].Kind != "order.requested" || !strings.Contains(ms[0].Body, "镇里为") {
			t.Fatalf("lecturer's inbox %+v %v", ms, err)
		}
		if ms, _, err := w.Notify.Inbox(ctx, a.Official, 10); err != nil || len(ms) != 0 {
			t.Fatalf("official's inbox %+v %v", ms, err)
		}
	})
}
