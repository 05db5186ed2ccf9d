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
		// hours' notice and looks 90 days ahead. A time of another year
		// names its year; one already past says so, not "too soon".
		cases := []struct {
			slot, code, zh, en string
		}{
			{"2026-12-01T14:00", "order.too_soon",
				"12月1日 周二 14:00 太近了：时间至少要在 48 小时以后",
				"Tue 1 Dec 14:00 is too soon: times must be at least 48 hours ahead"},
			{"2026-11-20T19:00", "order.slot_passed",
				"11月20日 周五 19:00 已经过去了",
				"Fri 20 Nov 19:00 has passed"},
			{"2025-12-20T19:00", "order.slot_passed",
				"2025年12月20日 周六 19:00 已经过去了",
				"Sat 20 Dec 2025 19:00 has passed"},
			{"2027-06-05T14:00", "order.too_far",
				"2027年6月5日 周六 14:00 太远了：时间只能在 90 天以内",
				"Sat 5 Jun 2027 14:00 is too far ahead: times must be within 90 days"},
			{"2026-12-07T14:00", "order.outside_availability",
				"12月7日 周一 14:00 不在讲师王ch的可讲时段内（周三 19:00-21:00、周六 14:00-18:00）",
				"Mon 7 Dec 14:00 is outside lecturer 王ch's hours (Wed 19:00–21:00, Sat 14:00–18:00)"},
		}
		check := func(how string, e *apperr.Error, code, zh, en string) {
			t.Helper()
			if e.Code != code {
				t.Fatalf("%s: %s, want %s", how, e, code)
			}
			for k, v := range e.Params {
				if _, text := v.(string); text && k != "lecturer" {
					t.Errorf("%s: parameter %s is text %q, not a typed value", how, k, v)
				}
			}
			if got := render(e, i18n.ZH); got != zh {
				t.Errorf("%s in Chinese: %q, want %q", how, got, zh)
			}
			if got := render(e, i18n.EN); got != en {
				t.Errorf("%s in English: %q, want %q", how, got, en)
			}
		}
		for _, c := range cases {
			check("order at "+c.slot, order(c.slot), c.code, c.zh, c.en)
		}

		// The lecturer proposing another time hears the same words (the
		// rules of time bar her own hours, which she may step out of).
		o, _, err := w.Booking.Create(ctx, a.Actors["secretary"], booking.NewOrder{LessonID: a.Lessons[0].ID,
			LecturerID: a.Lecturers[0].ID, CourtyardID: a.Courtyards[0].ID, Slots: []string{"2026-12-05T14:00"}, Audience: 20})
		if err != nil {
			t.Fatal(err)
		}
		propose := func(at string) *apperr.Error {
			t.Helper()
			_, err := w.Booking.Propose(ctx, a.Actors["lecturer"], o.ID, booking.Proposal{Start: at, ConfirmOutsideHours: true})
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("proposing %q: %v, want a domain error", at, err)
			}
			return e
		}
		for _, c := range cases {
			if c.code != "order.outside_availability" {
				check("proposal of "+c.slot, propose(c.slot), c.code, c.zh, c.en)
			}
		}

		// No time at all is asked for, not "times look like …".
		for _, c := range []struct {
			how   string
			e     *apperr.Error
			field string
		}{
			{"an order without a time", order(" "), "slots.0"},
			{"a proposal without a time", propose(""), "start"},
		} {
			if c.e.Code != "validation" || c.e.Fields[c.field] != "order.slot_required" {
				t.Errorf("%s: %s, want %s: order.slot_required", c.how, c.e, c.field)
			}
		}
		if zh, en := i18n.T(i18n.ZH, "order.slot_required"), i18n.T(i18n.EN, "order.slot_required"); zh != "请填写时间" || en != "Give a time" {
			t.Errorf("order.slot_required reads %q, %q", zh, en)
		}

		// A town in another zone reads its times there: 14:00 in Urumqi is
		// 16:00 in Shanghai.
		if err := d.W.Table("towns").Where("id = ?", a.Town.ID).Update("timezone", "Asia/Urumqi").Error; err != nil {
			t.Fatal(err)
		}
		e := order("2026-12-01T14:00")
		if got, want := render(e, i18n.EN), "Tue 1 Dec 14:00 is too soon: times must be at least 48 hours ahead"; got != want {
			t.Errorf("in Urumqi: %q, want %q", got, want)
		}
		if at, ok := e.Params["start_at"].(time.Time); !ok || !at.Equal(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)) {
			t.Errorf("in Urumqi: start_at %v", e.Params["start_at"])
		}
	})
}
