package booking_test

import (
	"context"
	"testing"
	"time"

	"weike/booking"
	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/internal/i18n"
)

// TestRuleMessages: a broken rule comes back as a message key with typed
// parameters (times in the town's zone, counts under n, weekly windows),
// never as words, so each reader gets it in their own language.
func TestRuleMessages(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		order := func(slot string) *apperr.Error {
			t.Helper()
			_, _, err := w.Booking.Create(ctx, a.Actors["secretary"], booking.NewOrder{LessonID: a.Lessons[0].ID,
				LecturerID: a.Lecturers[0].ID, CourtyardID: a.Courtyards[0].ID, Slots: []string{slot}, Audience: 20})
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("%s: %v, want a domain error", slot, err)
			}
			return e
		}
		render := func(e *apperr.Error, lang string) string {
			var ps []any
			for k, v := range e.Params {
				ps = append(ps, k, v)
			}
			return i18n.T(lang, e.Code, ps...)
		}
		// The fixture's clock is Monday 2026-11-30 10:00; the town asks 48
		// hours' notice and looks 90 days ahead.
		cases := []struct {
			slot, code, zh, en string
		}{
			{"2026-12-01T14:00", "order.too_soon",
				"12月1日 周二 14:00 太近了：至少要提前 48 小时点单",
				"Tue 1 Dec 14:00 is too soon: order at least 48 hours ahead"},
			{"2027-06-05T14:00", "order.too_far",
				"6月5日 周六 14:00 太远了：只能预约 90 天以内的时间",
				"Sat 5 Jun 14:00 is too far ahead: order within 90 days"},
			{"2026-12-07T14:00", "order.outside_availability",
				"12月7日 周一 14:00 不在讲师王ch的可讲时段内（周三 19:00-21:00、周六 14:00-18:00）",
				"Mon 7 Dec 14:00 is outside lecturer 王ch's hours (Wed 19:00–21:00, Sat 14:00–18:00)"},
		}
		for _, c := range cases {
			e := order(c.slot)
			if e.Code != c.code {
				t.Fatalf("%s: %s, want %s", c.slot, e, c.code)
			}
			for k, v := range e.Params {
				if _, text := v.(string); text && k != "lecturer" {
					t.Errorf("%s: parameter %s is text %q, not a typed value", c.code, k, v)
				}
			}
			if got := render(e, i18n.ZH); got != c.zh {
				t.Errorf("%s in Chinese: %q, want %q", c.code, got, c.zh)
			}
			if got := render(e, i18n.EN); got != c.en {
				t.Errorf("%s in English: %q, want %q", c.code, got, c.en)
			}
		}

		// A town in another zone reads its times there: 14:00 in Urumqi is
		// 16:00 in Shanghai.
		if err := d.W.Table("towns").Where("id = ?", a.Town.ID).Update("timezone", "Asia/Urumqi").Error; err != nil {
			t.Fatal(err)
		}
		e := order("2026-12-01T14:00")
		if got, want := render(e, i18n.EN), "Tue 1 Dec 14:00 is too soon: order at least 48 hours ahead"; got != want {
			t.Errorf("in Urumqi: %q, want %q", got, want)
		}
		if at, ok := e.Params["start_at"].(time.Time); !ok || !at.Equal(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)) {
			t.Errorf("in Urumqi: start_at %v", e.Params["start_at"])
		}
	})
}
