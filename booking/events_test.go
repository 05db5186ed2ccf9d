package booking_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"weike/booking"
	"weike/fixture"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/internal/tz"
	"weike/notify"
	"weike/org"
)

// TestMessagesSay: what each party reads, in its own language, names what
// happened: who, which lesson, when, and the reason or note given; the
// link opens the order.
func TestMessagesSay(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		sec, lec, off := a.Actors["secretary"], a.Actors["lecturer"], a.Official
		// The lecturer reads English.
		if err := d.W.Exec("UPDATE accounts SET lang = 'en' WHERE id = ?", lec.AccountID).Error; err != nil {
			t.Fatal(err)
		}
		newest := func(act org.Actor) notify.Message {
			t.Helper()
			ms, _, err := w.Notify.Inbox(ctx, act, 1)
			if err != nil || len(ms) == 0 {
				t.Fatalf("inbox of %s: %v", act.Login, err)
			}
			return ms[0]
		}
		says := func(what string, m notify.Message, want ...string) {
			t.Helper()
			for _, s := range want {
				if !strings.Contains(m.Title+" | "+m.Body, s) {
					t.Errorf("%s: %q | %q lacks %q", what, m.Title, m.Body, s)
				}
			}
		}
		order := func(slot string) *booking.Order {
			t.Helper()
			o, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
				CourtyardID: a.Courtyards[0].ID, Slots: []string{slot}, Audience: 20})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		must := func(o *booking.Order, err error) *booking.Order {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		lesson := a.Lessons[0].Title

		o := order("2026-12-05T14:00:00+08:00")
		m := newest(lec)
		says("new order, to the lecturer in English", m, "New order: "+lesson, "龙王庙村", "Sat 5 Dec 14:00", "Please accept")
		if m.Link != "/orders/"+itoa(o.ID) {
			t.Errorf("inbox link %q", m.Link)
		}
		must(w.Booking.Propose(ctx, lec, o.ID, booking.Proposal{Start: "2026-12-12T15:00:00+08:00", Note: "那周只有周六下午有空"}))
		says("proposal, to the branch", newest(sec), "讲师提议换个时间", "12月12日 周六 15:00", "留言：那周只有周六下午有空")
		must(w.Booking.Respond(ctx, sec, o.ID, true))
		says("agreed, to the lecturer", newest(lec), "New time agreed", "Sat 12 Dec 15:00")
		must(w.Booking.Withdraw(ctx, lec, o.ID, "家里老人住院"))
		says("withdrawn, to the branch", newest(sec), "讲师退出了已接的课", "12月12日 周六 15:00", "家里老人住院")
		says("withdrawn, to the officials", newest(off), "讲师退出了已接的课", "家里老人住院")

		o2 := order("2026-12-05T15:00:00+08:00")
		must(w.Booking.Cancel(ctx, off, o2.ID, "村里临时安排防汛"))
		says("cancelled by the town, to the lecturer", newest(lec), "Order cancelled", a.Official.Login+" (Official)", "村里临时安排防汛")
		says("cancelled by the town, to the branch", newest(sec), "点单已取消", "村里临时安排防汛")

		o3 := order("2026-12-05T16:00:00+08:00")
		must(w.Booking.Reassign(ctx, off, o3.ID, a.Lecturers[1].ID))
		says("reassigned, to the branch", newest(sec), "点单已改派", a.Lecturers[0].Name, a.Lecturers[1].Name)
		says("reassigned, to the former lecturer", newest(lec), "Order reassigned", "nothing more to do")
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestCreateTellsFromWhatItHolds: a new order's message to its lecturer is
// written from what Create holds rather than read back; it must say
// exactly what a read of the order would.
func TestCreateTellsFromWhatItHolds(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		o, _, err := w.Booking.Create(ctx, a.Actors["secretary"], booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
			CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-05T14:00", "2026-12-12T14:00"}, Note: "请提前联系"})
		if err != nil {
			t.Fatal(err)
		}
		held := fmt.Sprint(booking.ParamsOfCreated(o, tz.Shanghai, a.Town.AnswerDeadlineHours))
		stored, err := w.Booking.StoredParams(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if read := fmt.Sprint(stored); held != read {
			t.Fatalf("a new order's message would say\n%s\nwhere its order reads\n%s", held, read)
		}
	})
}

// TestAnsweringReadsTheMessage: a move on an order answers what its
// messages asked of whoever made it; they no longer count as unread in her
// inbox, while the other party's stay unread until they act or open them.
func TestAnsweringReadsTheMessage(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		sec, lec := a.Actors["secretary"], a.Actors["lecturer"]
		unread := func(act org.Actor) int64 {
			t.Helper()
			n, err := w.Notify.Unread(ctx, act)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		o, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID,
			CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-05T14:00:00+08:00"}})
		if err != nil {
			t.Fatal(err)
		}
		if unread(lec) != 1 {
			t.Fatalf("the lecturer has %d unread messages, want the new order's", unread(lec))
		}
		if _, err := w.Booking.Accept(ctx, lec, o.ID, 0); err != nil {
			t.Fatal(err)
		}
		if n := unread(lec); n != 0 {
			t.Errorf("the lecturer accepted, yet %d messages still wait for her answer", n)
		}
		if n := unread(sec); n != 1 {
			t.Errorf("the secretary has %d unread messages, want the acceptance", n)
		}
	})
}
