package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"weike/internal/apperr"
	"weike/internal/i18n"
)

// TestTranslateParams renders a domain error's parameters by their type,
// as booking sends them: times in the town's zone, days, months, statuses,
// weekly windows, and counts under n that pick the plural form.
func TestTranslateParams(t *testing.T) {
	at := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC) // Sat 14:00 in Shanghai
	sat := i18n.Window{Weekday: time.Saturday, From: 14 * 60, To: 18 * 60}
	for _, c := range []struct {
		name string
		err  *apperr.Error
		zh   string
		en   string
	}{
		{"a time", apperr.New(apperr.Invalid, "order.slot_passed").With("start_at", at),
			"12月5日 周六 14:00 已经过去了", "Sat 5 Dec 14:00 has passed"},
		{"a status", apperr.New(apperr.Conflict, "order.wrong_status").With("status", i18n.Key("status.declined")),
			"点单现在是“讲师婉拒”，不能执行此操作", "The order is “Declined” and cannot do this"},
		{"a day", apperr.New(apperr.Invalid, "order.blackout").With("lecturer", "王").With("day", i18n.Day("2026-12-06")),
			"讲师王 12月6日 周日 不能讲课", "Lecturer 王 is unavailable on Sun 6 Dec"},
		{"one hour", apperr.New(apperr.Invalid, "order.too_soon").With("n", 1).With("start_at", at),
			"12月5日 周六 14:00 太近了：时间至少要在 1 小时以后", "Sat 5 Dec 14:00 is too soon: times must be at least 1 hour ahead"},
		{"hours", apperr.New(apperr.Invalid, "order.too_soon").With("n", 24).With("start_at", at),
			"12月5日 周六 14:00 太近了：时间至少要在 24 小时以后", "Sat 5 Dec 14:00 is too soon: times must be at least 24 hours ahead"},
		{"one day", apperr.New(apperr.Invalid, "order.too_far").With("n", 1).With("start_at", at),
			"12月5日 周六 14:00 太远了：时间只能在 1 天以内", "Sat 5 Dec 14:00 is too far ahead: times must be within 1 day"},
		{"a time of another year", apperr.New(apperr.Invalid, "order.too_far").With("n", 90).With("start_at", i18n.TimeFrom(at.AddDate(1, 0, 0), at)),
			"2027年12月5日 周日 14:00 太远了：时间只能在 90 天以内", "Sun 5 Dec 2027 14:00 is too far ahead: times must be within 90 days"},
		{"a month and a count", apperr.New(apperr.Invalid, "order.capacity").With("lecturer", "王").With("month", i18n.Month("2026-12")).With("n", 1),
			"讲师王 2026年12月 已排满 1 场课", "Lecturer 王 is fully booked in December 2026 (1 lesson)"},
		{"buffer minutes", apperr.New(apperr.Conflict, "order.lecturer_busy").With("lecturer", "王").With("branch", "龙王庙村").
			With("start_at", at).With("end_hm", i18n.Clock(15*60)).With("n", 30),
			"讲师王 12月5日 周六 14:00–15:00 已在龙王庙村讲课（前后需留 30 分钟路程）",
			"Lecturer 王 is lecturing at 龙王庙村 Sat 5 Dec 14:00–15:00 (with 30 minutes to travel)"},
		{"weekly windows", apperr.New(apperr.Invalid, "order.outside_availability").With("lecturer", "王").With("start_at", at).
			With("windows", i18n.List{sat, i18n.Window{Weekday: time.Wednesday, From: 19 * 60, To: 21 * 60}}),
			"12月5日 周六 14:00 不在讲师王的可讲时段内（周六 14:00-18:00、周三 19:00-21:00）",
			"Sat 5 Dec 14:00 is outside lecturer 王's hours (Sat 14:00–18:00, Wed 19:00–21:00)"},
		{"a word that looks like nothing", apperr.New(apperr.Conflict, "topic.name_taken").With("name", "2026-12"),
			"主题“2026-12”已存在", "The topic “2026-12” exists already"},
	} {
		if got, _ := translate(LangZH, c.err); got != c.zh {
			t.Errorf("%s: zh %q, want %q", c.name, got, c.zh)
		}
		if got, _ := translate(LangEN, c.err); got != c.en {
			t.Errorf("%s: en %q, want %q", c.name, got, c.en)
		}
	}
}

// TestLanguageFromHeader: the API speaks what Accept-Language prefers,
// q-values and all (pages stay Chinese until the reader switches).
func TestLanguageFromHeader(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		const zh, en = "请先登录", "Please sign in"
		for header, want := range map[string]string{
			"":                   zh,
			"en;q=0.9, zh;q=0.8": en,
			"zh;q=0.8, en;q=0.9": en,
			"zh;q=0.9, en;q=0.8": zh,
			"en-GB":              en,
			"zh-TW, en;q=0.5":    zh,
			"fr":                 zh,
			"fr, en;q=0.1":       en,
		} {
			res := e.do(http.MethodGet, "/api/v1/lessons", "", nil, "Accept-Language", header)
			if res.Code != http.StatusUnauthorized || !strings.Contains(res.Body.String(), want) {
				t.Errorf("Accept-Language %q: %d %s, want %s", header, res.Code, res.Body, want)
			}
		}
	})
}
