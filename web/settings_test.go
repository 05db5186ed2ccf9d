package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// TestSettingsPage: the official tunes the town's rules; the monthly
// schedule is a day of the month and a time, never a cron expression, and
// every bad value is explained in the reader's language with her input
// kept.
func TestSettingsPage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		off := signIn(t, e, "ch-official")
		page := pageText(t, off, "/settings", 200)
		wantIn(t, "settings", page, `value="30"`, `value="48"`, "路程缓冲", "每月安排的推送时间",
			`<option value="25" selected>25 日</option>`, `type="time"`, `value="09:00"`,
			// The coverage reminders, by default the 20th at 09:00, the same way.
			"覆盖提醒的推送时间", `<option value="20" selected>20 日</option>`)
		lackIn(t, "settings", page, "cron", "0 9 25 * *")
		good := url.Values{"travel_buffer_minutes": {"45"}, "lead_time_hours": {"24"}, "horizon_days": {"60"},
			"answer_deadline_hours": {"48"}, "points_delivered": {"8"}, "points_five_star": {"3"},
			"schedule_day": {"24"}, "schedule_time": {"08:30"}, "reminder_day": {"18"}, "reminder_time": {"10:15"}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for k, v := range good {
				f[k] = v
			}
			f.Set(k, v)
			return f
		}
		cases := []struct {
			name string
			form url.Values
			want []string
		}{
			{"buffer out of range", with("travel_buffer_minutes", "-5"), []string{"超出允许范围", `value="-5"`, `id="f-travel_buffer_minutes-err"`, `value="08:30"`}},
			{"buffer in words", with("travel_buffer_minutes", "半小时"), []string{"请输入数字", `value="半小时"`}},
			{"day 31, missing from most months", with("schedule_day", "31"), []string{"请选择 1–28 日中的一天", `id="f-schedule_day-err"`}},
			{"no day", with("schedule_day", ""), []string{"请选择 1–28 日中的一天"}},
			{"a day in words", with("schedule_day", "每月"), []string{"请选择 1–28 日中的一天"}},
			{"no time", with("schedule_time", ""), []string{"请填写时间，如 09:00", `id="f-schedule_time-err"`}},
			{"25 o'clock", with("schedule_time", "25:00"), []string{"请填写时间，如 09:00", `value="25:00"`}},
			{"a cron expression for a time", with("schedule_time", "0 9 25 * *"), []string{"请填写时间，如 09:00"}},
			{"reminders on day 30", with("reminder_day", "30"), []string{"请选择 1–28 日中的一天", `id="f-reminder_day-err"`}},
			{"reminders at no time", with("reminder_time", ""), []string{"请填写时间，如 09:00", `id="f-reminder_time-err"`}},
		}
		for _, c := range cases {
			res := off.post("/settings", c.form)
			if res.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422", c.name, res.Code)
				continue
			}
			wantIn(t, c.name, res.Body.String(), c.want...)
		}
		res := off.post("/settings", good)
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/settings?saved=1" {
			t.Fatalf("save: %d %s", res.Code, res.Body)
		}
		wantIn(t, "saved", pageText(t, off, "/settings?saved=1", 200), "已保存", `value="45"`,
			`<option value="24" selected>24 日</option>`, `value="08:30"`, `<option value="18" selected>18 日</option>`, `value="10:15"`)
		tw, err := e.W.Org.Town(context.Background(), e.W.A.Official, e.W.A.Town.ID)
		if err != nil || tw.TravelBufferMinutes != 45 || tw.PointsFiveStar != 3 || tw.ScheduleSpec != "30 8 24 * *" {
			t.Fatalf("town after save: %+v %v", tw, err)
		}
		// Seconds from a time input are fine when they are zero.
		if res := off.post("/settings", with("schedule_time", "07:05:00")); res.Code != http.StatusSeeOther {
			t.Fatalf("time with seconds: %d", res.Code)
		}
		if tw, _ = e.W.Org.Town(context.Background(), e.W.A.Official, e.W.A.Town.ID); tw.ScheduleSpec != "5 7 24 * *" {
			t.Fatalf("spec %q, want 5 7 24 * *", tw.ScheduleSpec)
		}

		// In English, the same words in English.
		en := signIn(t, e, "ch-official")
		en.get("/lang/en?next=/settings")
		wantIn(t, "english", pageText(t, en, "/settings", 200), "When the monthly schedule is sent", "Day 24")
		res = en.post("/settings", with("schedule_day", "30"))
		wantIn(t, "english error", res.Body.String(), "Choose a day from 1 to 28")

		// A schedule set through the API that is not "a day at a time"
		// is shown, kept when the official saves other rules, and replaced
		// only when she picks a day.
		if res := e.as("ch-official", http.MethodPut, "/api/v1/town/settings", map[string]any{"travel_buffer_minutes": 30,
			"lead_time_hours": 48, "horizon_days": 90, "answer_deadline_hours": 72, "points_delivered": 10, "points_five_star": 2,
			"schedule_spec": "0 9 * * 1"}); res.Code != http.StatusOK {
			t.Fatalf("API: %d %s", res.Code, res.Body)
		}
		wantIn(t, "custom", pageText(t, off, "/settings", 200), `<option value="keep" selected>`, "0 9 * * 1")
		if res := off.post("/settings", with("schedule_day", "keep")); res.Code != http.StatusSeeOther {
			t.Fatalf("keep: %d %s", res.Code, res.Body)
		}
		if tw, _ = e.W.Org.Town(context.Background(), e.W.A.Official, e.W.A.Town.ID); tw.ScheduleSpec != "0 9 * * 1" || tw.TravelBufferMinutes != 45 {
			t.Fatalf("kept: %+v", tw)
		}
		if res := off.post("/settings", good); res.Code != http.StatusSeeOther {
			t.Fatalf("replace: %d", res.Code)
		}
		if tw, _ = e.W.Org.Town(context.Background(), e.W.A.Official, e.W.A.Town.ID); tw.ScheduleSpec != "30 8 24 * *" {
			t.Fatalf("replaced: %q", tw.ScheduleSpec)
		}
		// "keep" means nothing once the schedule is a day and a time.
		if res := off.post("/settings", with("schedule_day", "keep")); res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("keep without a custom schedule: %d", res.Code)
		}

		for _, login := range []string{"ch-secretary", "ch-lecturer", "cs-county"} {
			b := signIn(t, e, login)
			if res := b.get("/settings"); res.Code != http.StatusForbidden {
				t.Errorf("%s GET /settings: %d", login, res.Code)
			}
		}
	})
}
