package web

import (
	"strings"
	"time"
)

// Strings of ordering: rules, statuses, the order pages.
func init() {
	addMessages(map[string]message{
		"order.not_found":            {"没有这个点单", "No such order"},
		"order.secretary_only":       {"只有支部书记可以点单", "Only a branch secretary can order a lesson"},
		"order.slots_count":          {"请选择 1–3 个意向时间", "Choose one to three preferred times"},
		"order.courtyard_not_yours":  {"请选择本支部的屋场", "Choose a courtyard of your branch"},
		"order.slot_format":          {"时间格式应为 2026-12-05T14:00:00+08:00", "Times look like 2026-12-05T14:00:00+08:00"},
		"order.slot_duplicate":       {"意向时间重复了", "The same time is given twice"},
		"order.no_lecturer":          {"这堂课暂时没有可以讲的讲师", "No lecturer can give this lesson yet"},
		"order.lesson_not_published": {"微党课《{lesson}》未发布，不能点单", "The lesson “{lesson}” is not published and cannot be ordered"},
		"order.lecturer_inactive":    {"讲师{lecturer}已停止接单", "Lecturer {lecturer} takes no orders"},
		"order.not_qualified":        {"讲师{lecturer}不讲《{lesson}》", "Lecturer {lecturer} does not give “{lesson}”"},
		"order.too_soon":             {"{start_at} 太近了：至少要提前 {hours} 小时点单", "{start_at} is too soon: order at least {hours} hours ahead"},
		"order.too_far":              {"{start_at} 太远了：只能预约 {days} 天以内的时间", "{start_at} is too far ahead: order within {days} days"},
		"order.blackout":             {"讲师{lecturer} {day} 不能讲课", "Lecturer {lecturer} is unavailable on {day}"},
		"order.outside_availability": {"{start_at} 不在讲师{lecturer}的可讲时段内（{windows}）", "{start_at} is outside lecturer {lecturer}'s hours ({windows})"},
		"order.lecturer_busy":        {"讲师{lecturer} {start_at}–{end_hm} 已在{branch}讲课（前后需留 {buffer} 分钟路程）", "Lecturer {lecturer} is lecturing at {branch} {start_at}–{end_hm} (with {buffer} minutes to travel)"},
		"order.branch_busy":          {"本支部 {start_at}–{end_hm} 已安排讲师{lecturer}讲课", "Your branch already has a lesson by {lecturer} {start_at}–{end_hm}"},
		"order.capacity":             {"讲师{lecturer} {month} 已排满 {n} 场课", "Lecturer {lecturer} is fully booked in {month} ({n} lessons)"},
		"order.slot_taken":           {"{start_at} 刚被别人约走了，请换个时间", "{start_at} was just taken; choose another time"},
		"order.not_your_move":        {"您不能对这个点单执行此操作", "You cannot do this to this order"},
		"order.wrong_status":         {"点单现在是“{status}”，不能执行此操作", "The order is “{status}” and cannot do this"},
		"order.slot_index":           {"请选择一个意向时间", "Choose one of the preferred times"},
		"order.slot_passed":          {"{start_at} 已经过去了", "{start_at} has passed"},
		"order.already_started":      {"课程已经开始，不能取消", "The lesson has started and cannot be cancelled"},
		"order.not_yet":              {"课程还没开始，不能登记讲课", "The lesson has not started yet"},
		"order.stars":                {"评分为 1–5 星", "Give one to five stars"},
		"order.slots_passed":         {"意向时间都已过去，请取消后重新点单", "Every preferred time has passed; cancel and order again"},
		"member.date_future":         {"日期不能晚于今天", "The date cannot be in the future"},
		"message.not_found":          {"没有这条消息", "No such message"},
		"calendar.not_found":         {"没有这个日历", "No such calendar"},
		"field.month":                {"月份格式应为 2026-12", "Months look like 2026-12"},
		"field.cron":                 {"时间格式有误（cron，例如 0 9 25 * *）", "Not a valid schedule (cron, e.g. 0 9 25 * *)"},
		"status.requested":           {"待接单", "Requested"},
		"status.proposed":            {"讲师提议改期", "New time proposed"},
		"status.confirmed":           {"已确认", "Confirmed"},
		"status.delivered":           {"已开讲", "Delivered"},
		"status.reviewed":            {"已评价", "Reviewed"},
		"status.declined":            {"讲师婉拒", "Declined"},
		"status.expired":             {"已过期", "Expired"},
		"status.cancelled":           {"已取消", "Cancelled"},
	})
}

// formatParam renders a message parameter for the language: times (keys
// ending in _at, RFC 3339) as 12月5日 周六 14:00, days as 12月5日, months as
// 2026年12月, statuses by name.
func formatParam(lang, key, v string) string {
	switch {
	case strings.HasSuffix(key, "_at"):
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return v
		}
		t = t.In(shanghai)
		if lang == LangEN {
			return t.Format("Mon 2 Jan 15:04")
		}
		return t.Format("1月2日 ") + weekdaysZH[t.Weekday()] + t.Format(" 15:04")
	case key == "day":
		t, err := time.ParseInLocation("2006-01-02", v, shanghai)
		if err != nil {
			return v
		}
		if lang == LangEN {
			return t.Format("Mon 2 Jan")
		}
		return t.Format("1月2日 ") + weekdaysZH[t.Weekday()]
	case key == "month":
		t, err := time.Parse("2006-01", v)
		if err != nil {
			return v
		}
		if lang == LangEN {
			return t.Format("January 2006")
		}
		return t.Format("2006年1月")
	case key == "status":
		return T(lang, "status."+v)
	}
	return v
}

// Strings of the theme day: plans, records, coverage.
func init() {
	addMessages(map[string]message{
		"plan.featured_count":     {"每月精选 3–8 堂微党课", "Feature three to eight lessons a month"},
		"plan.film_twice":         {"同一部教育片列了两次", "The same film is listed twice"},
		"plan.preview_date":       {"预告日期应在当月或月初前半个月内", "The preview date falls in the month or the fortnight before it"},
		"plan.lesson_unpublished": {"精选的微党课须是本镇已发布的课", "Featured lessons must be published lessons of the town"},
		"plan.film_unknown":       {"本镇没有这部教育片", "No such film in the town"},
		"field.film_unknown":      {"本镇没有这部教育片", "No such film in the town"},
		"record.own_branch_only":  {"只能登记本支部的记录", "You can record only for your own branch"},
		"record.branch_fixed":     {"记录所属支部不能更改", "A record's branch cannot change"},
		"viewing.not_found":       {"没有这条观看记录", "No such viewing"},
		"practice.not_found":      {"没有这条实践记录", "No such practice"},
		"coverage.range_order":    {"结束月份不能早于开始月份", "The range ends before it starts"},
		"coverage.range_long":     {"一次最多查看 120 个月", "At most 120 months at a time"},
	})
}
