package e2e

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"weike/booking"
)

// TestDispatchJourney is issue 14's "done when": on a desktop, the official
// opens next month's draft from her home page, sees every branch without a
// lesson placed or explained, and dispatches it with one button; then each
// lecturer signs in on her phone and accepts every order dispatched to her,
// none refused.
func TestDispatchJourney(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	ctx := context.Background()
	next := start.AddDate(0, 1, 0).Format("2006-01")

	var rows int
	ok := t.Run("official dispatches next month on a desktop", func(t *testing.T) {
		tb := openTab(t, a, desktop)
		if got := tb.signIn("official", demoPassword); got != "/" {
			t.Fatalf("signed in at %s, want /", got)
		}
		tb.click("#tile-dispatch")
		tb.wantPath("/plans/" + next + "/dispatch")
		rows = eval[int](tb, `document.querySelectorAll('table.sheet tbody tr').length`)
		unplaced := eval[int](tb, `document.querySelectorAll('#unplaced li').length`)
		stats := tb.text("#sheet-stats")
		if rows == 0 || !strings.Contains(stats, fmt.Sprintf("已安排 %d 个", rows)) ||
			!strings.Contains(stats, fmt.Sprintf("%d 个支部待安排", rows+unplaced)) {
			t.Fatalf("%d rows, %d unplaced, stats %q", rows, unplaced, stats)
		}
		// Every row says why: the topic, the distance, the lecturer's load.
		why := tb.text("table.sheet tbody tr td:nth-child(7)")
		for _, w := range []string{"近6个月", "km", "本月第"} {
			if !strings.Contains(why, w) {
				t.Fatalf("the first row's reasons lack %q: %q", w, why)
			}
		}
		tb.audit()
		tb.shot("dispatch")
		tb.click("#dispatch-all")
		tb.wantText(fmt.Sprintf("已派出 %d 堂微党课", rows))
		if tb.has("#refused") {
			t.Fatalf("rows refused:\n%s", tb.text("#refused"))
		}
		tb.audit()
	})
	if !ok {
		return
	}

	// The dispatched orders, by lecturer.
	off := a.actor(t, "official")
	list, err := a.Booking.List(ctx, off, booking.OrderFilter{Statuses: []booking.Status{booking.Requested}, PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	byLecturer := map[int64][]int64{}
	n := 0
	for _, o := range list.Items {
		if o.DispatchedBy != nil {
			byLecturer[o.LecturerID] = append(byLecturer[o.LecturerID], o.ID)
			n++
		}
	}
	if n != rows {
		t.Fatalf("%d dispatched orders, the page dispatched %d rows", n, rows)
	}
	lecturers := make([]int64, 0, len(byLecturer))
	for id := range byLecturer {
		lecturers = append(lecturers, id)
	}
	sort.Slice(lecturers, func(i, j int) bool { return lecturers[i] < lecturers[j] })

	for _, lid := range lecturers {
		var login string
		if err := a.DB.R.Raw("SELECT login FROM accounts WHERE lecturer_id = ? AND role = 'lecturer'", lid).Scan(&login).Error; err != nil || login == "" {
			t.Fatalf("the login of lecturer %d: %v", lid, err)
		}
		t.Run("lecturer "+login+" accepts on a phone", func(t *testing.T) {
			tb := openTab(t, a, phone)
			if got := tb.signIn(login, demoPassword); got != "/" {
				t.Fatalf("signed in at %s, want /", got)
			}
			tb.open("/agenda")
			pending := tb.text("#pending")
			for _, id := range byLecturer[lid] {
				if !tb.has(fmt.Sprintf(`#pending a[href="/orders/%d"]`, id)) {
					t.Fatalf("order %d is not among her pending orders:\n%s", id, pending)
				}
			}
			for _, id := range byLecturer[lid] {
				tb.open("/orders/" + strconv.FormatInt(id, 10))
				if !strings.Contains(tb.bodyText(), "镇里派单") {
					t.Fatalf("order %d's history does not say the town dispatched it:\n%s", id, tb.bodyText())
				}
				tb.click(`#accept button[name=slot][value="0"]`)
				tb.wantText("已确认")
			}
		})
	}
	for _, ids := range byLecturer {
		for _, id := range ids {
			o, err := a.Booking.Get(ctx, off, id)
			if err != nil || o.Status != booking.Confirmed {
				t.Fatalf("order %d: %v, status %v", id, err, o)
			}
		}
	}
}
