package letters_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"weike/booking"
	"weike/fixture"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/notify"
)

// TestDigestLetters: the officials' digest lists what needs them — orders
// declined or expired that can still be given to someone, deadlines within
// a day, proposals the branch has not answered — and the past day's new
// orders; a town with none of it gets nothing.
func TestDigestLetters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		A := w.A
		sec, lec := A.Actors["secretary"], A.Actors["lecturer"]
		order := func(lesson int, slots ...string) *booking.Order {
			o, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: A.Lessons[lesson].ID, LecturerID: A.Lecturers[0].ID,
				CourtyardID: A.Courtyards[0].ID, Slots: slots})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		must := func(_ *booking.Order, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		// Monday 10:00: an order declined, one proposed another time.
		declined := order(0, "2026-12-12T14:00:00+08:00")
		must(w.Booking.Decline(ctx, lec, declined.ID, "那天要去长沙"))
		proposed := order(1, "2026-12-12T15:00:00+08:00")
		must(w.Booking.Propose(ctx, lec, proposed.ID, booking.Proposal{Start: "2026-12-19T14:00:00+08:00"}))
		// A day and a half later: one order left unanswered nears its
		// deadline, another is placed.
		near := order(2, "2026-12-12T16:00:00+08:00")
		w.Now = w.Now.Add(50 * time.Hour)
		fresh := order(0, "2026-12-19T16:00:00+08:00")

		got, err := w.Letters.DigestLetters(ctx, A.Town.ID, "2026-12-02", fixture.BaseURL)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].AccountID != A.Official.AccountID || got[0].Kind != notify.KindDigest || got[0].Period != "2026-12-02" {
			t.Fatalf("letters: %+v", got)
		}
		l := got[0]
		for _, want := range []string{"春华镇待办汇总：12月2日", "谢绝或过期、可以改派（1）", "那天要去长沙", "快到答复期限（1）",
			"讲师提议了新时间、等支部答复（1）", "过去一天的新点单（1）",
			fixture.BaseURL + "/orders/" + itoa(declined.ID), fixture.BaseURL + "/orders/" + itoa(near.ID),
			fixture.BaseURL + "/orders/" + itoa(proposed.ID), fixture.BaseURL + "/orders/" + itoa(fresh.ID)} {
			if !strings.Contains(l.Subject+"\n"+l.Text, want) {
				t.Errorf("the digest lacks %q:\n%s\n%s", want, l.Subject, l.Text)
			}
		}
		// The inbox opens the town's orders with its own button.
		if l.Path != "/orders" || l.Inbox == "" || strings.Contains(l.Inbox, "http") {
			t.Errorf("inbox: path %q, text %q", l.Path, l.Inbox)
		}
		if !strings.Contains(l.HTML, `name="viewport"`) || !strings.Contains(l.Markdown, "快到答复期限") {
			t.Errorf("html or markdown: %s\n%s", l.HTML, l.Markdown)
		}
		// Once the declined order's time has passed, it is no longer the
		// officials' to give away.
		w.Now = time.Date(2026, 12, 12, 15, 0, 0, 0, time.UTC)
		got, err = w.Letters.DigestLetters(ctx, A.Town.ID, "2026-12-12", fixture.BaseURL)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && strings.Contains(got[0].Text, "那天要去长沙") {
			t.Errorf("a declined order whose time has passed is still listed:\n%s", got[0].Text)
		}
		// 漆河镇 has nothing for its officials.
		if got, err := w.Letters.DigestLetters(ctx, w.B.Town.ID, "2026-12-02", fixture.BaseURL); err != nil || len(got) != 0 {
			t.Errorf("漆河镇: %v %+v", err, got)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
