package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"weike/booking"
)

// Times of the fixture's lecturers (free Saturdays 14:00–18:00, Wednesdays
// 19:00–21:00) as the order form sends them.
const (
	sat14 = "2026-12-05T14:00:00+08:00"
	sat15 = "2026-12-05T15:00:00+08:00"
	wed19 = "2026-12-09T19:00:00+08:00"
)

// untranslatedOp finds catalog keys that reached an ordering page untranslated.
var untranslatedOp = regexp.MustCompile(`\b(op|status|order|member|field|role|nav|cat|lessons|message|calendar|points)\.[a-z_]+`)

func pageText(t *testing.T, b *browser, path string, status int) string {
	t.Helper()
	res := b.get(path)
	if res.Code != status {
		t.Fatalf("GET %s: %d, want %d\n%s", path, res.Code, status, res.Body)
	}
	return html.UnescapeString(res.Body.String())
}

func wantIn(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func lackIn(t *testing.T, what, text string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			t.Errorf("%s shows %q but should not", what, w)
		}
	}
}

var orderLoc = regexp.MustCompile(`^/orders/(\d+)\?(created|again)=1$`)

// placeOrder sends the order form as the secretary and returns the order's id.
func placeOrder(t *testing.T, b *browser, lessonID int64, form url.Values, want string) int64 {
	t.Helper()
	res := b.post(fmt.Sprintf("/lessons/%d/order", lessonID), form)
	if res.Code != http.StatusSeeOther {
		t.Fatalf("order: %d %s", res.Code, res.Body)
	}
	m := orderLoc.FindStringSubmatch(res.Header().Get("Location"))
	if m == nil || m[2] != want {
		t.Fatalf("order redirects to %q, want ?%s=1", res.Header().Get("Location"), want)
	}
	return mustID(t, m[1])
}

func TestOrderPagesJourney(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		ctx := context.Background()
		lesson, lec := A.Lessons[0], A.Lecturers[0]
		sec := signIn(t, e, "ch-secretary")

		// The lesson page offers 点单 to the secretary.
		page := pageText(t, sec, fmt.Sprintf("/lessons/%d", lesson.ID), 200)
		wantIn(t, "lesson page", page, "点单", fmt.Sprintf(`href="/lessons/%d/order"`, lesson.ID))

		// The form lists the free times by day, any lecturer at first…
		formPath := fmt.Sprintf("/lessons/%d/order", lesson.ID)
		page = pageText(t, sec, formPath, 200)
		wantIn(t, "order form", page, "由系统安排第一位有空的讲师", "王ch", "李ch", "龙王庙村屋场",
			"12月2日 周三", "12月5日 周六", ">14:00<", ">19:00<", sat14, sat15, `name="_csrf"`)
		// …then the chosen lecturer's, after a GET reload.
		page = pageText(t, sec, fmt.Sprintf("%s?lecturer_id=%d", formPath, lec.ID), 200)
		wantIn(t, "order form for a lecturer", page, "讲师：王ch", fmt.Sprintf(`name="lecturer_id" value="%d"`, lec.ID), sat14)
		// Only future free times within the lead time: nothing today or tomorrow.
		lackIn(t, "order form", page, `"slot-date">11月30日`, "12月1日 周二", "17:45")

		form := url.Values{"lecturer_id": {strconv.FormatInt(lec.ID, 10)}, "courtyard_id": {strconv.FormatInt(A.Courtyards[0].ID, 10)},
			"slots": {sat14, sat15}, "audience": {"30"}, "note": {"请带上投影资料"}}
		id := placeOrder(t, sec, lesson.ID, form, "created")
		page = pageText(t, sec, fmt.Sprintf("/orders/%d?created=1", id), 200)
		wantIn(t, "new order", page, "点单已提交", "待接单", "ch红色家书里的初心", "王ch", "龙王庙村屋场",
			"2026年12月5日 周六 14:00", "2026年12月5日 周六 15:00", "请带上投影资料", "取消点单", "处理记录")
		lackIn(t, "new order", page, "接 2026", "改派讲师", "登记讲课情况")

		// A double tap sends the same form again: still one order.
		if again := placeOrder(t, sec, lesson.ID, form, "again"); again != id {
			t.Fatalf("second submit made order %d, first was %d", again, id)
		}
		mine, err := e.W.Booking.List(ctx, A.Actors["secretary"], booking.OrderFilter{})
		if err != nil || mine.Total != 1 {
			t.Fatalf("orders after a double submit: %v %v", mine.Total, err)
		}
		page = pageText(t, sec, "/orders", 200)
		wantIn(t, "my orders", page, "我的点单", "共 1 个点单", "ch红色家书里的初心", "待接单", "意向：")

		// The secretary may not take the lecturer's move.
		sec.get(fmt.Sprintf("/orders/%d", id))
		if res := sec.post(fmt.Sprintf("/orders/%d/accept", id), url.Values{"slot": {"0"}}); res.Code != http.StatusForbidden {
			t.Fatalf("secretary accepts: %d", res.Code)
		}
		// Another town sees nothing.
		for _, login := range []string{"qh-official", "qh-secretary", "qh-lecturer"} {
			b := signIn(t, e, login)
			if res := b.get(fmt.Sprintf("/orders/%d", id)); res.Code != http.StatusNotFound {
				t.Errorf("%s reads the order: %d", login, res.Code)
			}
			if res := b.post(fmt.Sprintf("/orders/%d/cancel", id), url.Values{"reason": {"x"}}); res.Code != http.StatusNotFound {
				t.Errorf("%s cancels the order: %d", login, res.Code)
			}
		}

		// The lecturer sees it waiting and accepts the first time.
		lecB := signIn(t, e, "ch-lecturer")
		page = pageText(t, lecB, "/agenda", 200)
		wantIn(t, "agenda before", page, "待接单", fmt.Sprintf(`href="/orders/%d"`, id))
		page = pageText(t, lecB, fmt.Sprintf("/orders/%d", id), 200)
		wantIn(t, "lecturer's order", page, "接 2026年12月5日 周六 14:00", "婉拒", "提议其他时间", `type="datetime-local"`)
		res := lecB.post(fmt.Sprintf("/orders/%d/accept", id), url.Values{"slot": {"0"}})
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != fmt.Sprintf("/orders/%d?done=accept", id) {
			t.Fatalf("accept: %d %s", res.Code, res.Header().Get("Location"))
		}
		page = pageText(t, lecB, res.Header().Get("Location"), 200)
		wantIn(t, "accepted order", page, "已接单", "已确认", "2026年12月5日 周六 14:00", "–14:20")

		// The agenda shows it, with a private calendar link that serves the feed.
		page = pageText(t, lecB, "/agenda", 200)
		wantIn(t, "agenda", page, "即将开讲", "ch红色家书里的初心", "2026年12月5日 周六 14:00", "龙王庙村 · 龙王庙村屋场", "日历订阅", "复制链接", "webcal://")
		m := regexp.MustCompile(`<code id="cal-0"[^>]*>(https?://[^<]+/calendar/[^<]+\.ics)</code>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no calendar link:\n%s", page)
		}
		u, err := url.Parse(m[1])
		if err != nil {
			t.Fatal(err)
		}
		ics := e.do(http.MethodGet, u.Path, "", nil)
		if ics.Code != http.StatusOK || !strings.HasPrefix(ics.Header().Get("Content-Type"), "text/calendar") ||
			!strings.Contains(ics.Body.String(), "BEGIN:VEVENT") {
			t.Fatalf("calendar feed: %d %s\n%s", ics.Code, ics.Header().Get("Content-Type"), ics.Body)
		}

		// A stale form: the secretary orders another lesson from the same
		// lecturer at the time just taken. The clash is named, input kept.
		lesson2 := A.Lessons[1]
		form2 := url.Values{"lecturer_id": {strconv.FormatInt(lec.ID, 10)}, "courtyard_id": {strconv.FormatInt(A.Courtyards[0].ID, 10)},
			"slots": {sat14}, "audience": {"12"}, "note": {"第二堂课"}}
		res = sec.post(fmt.Sprintf("/lessons/%d/order", lesson2.ID), form2)
		if res.Code != http.StatusConflict {
			t.Fatalf("clash: %d %s", res.Code, res.Body)
		}
		page = html.UnescapeString(res.Body.String())
		wantIn(t, "clash", page, "已在", "龙王庙村", "12月5日 周六 14:00", `role="alert"`,
			`value="`+sat14+`" checked`, `value="12"`, "第二堂课", "讲师：王ch")
		if m := untranslatedOp.FindString(page); m != "" {
			t.Errorf("clash page shows the untranslated key %q", m)
		}
		// No times at all is a field problem.
		res = sec.post(fmt.Sprintf("/lessons/%d/order", lesson2.ID), url.Values{"lecturer_id": {"0"}, "courtyard_id": {strconv.FormatInt(A.Courtyards[0].ID, 10)}, "audience": {"很多"}})
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("no times: %d", res.Code)
		}
		wantIn(t, "no times", html.UnescapeString(res.Body.String()), "请输入数字", `value="很多"`, `class="field-error"`)

		// After the lesson: the lecturer records it, the secretary reviews it.
		e.W.Now = time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC) // 15:00 in Shanghai
		page = pageText(t, lecB, fmt.Sprintf("/orders/%d", id), 200)
		wantIn(t, "started order", page, "登记讲课情况")
		res = lecB.post(fmt.Sprintf("/orders/%d/deliver", id), url.Values{"attendees": {"三十"}, "minutes": {"25"}, "summary": {"讲得好"}})
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad delivery: %d", res.Code)
		}
		wantIn(t, "bad delivery", html.UnescapeString(res.Body.String()), "请输入数字", `value="三十"`, `value="25"`, "讲得好")
		res = lecB.post(fmt.Sprintf("/orders/%d/deliver", id), url.Values{"attendees": {"32"}, "minutes": {"25"}, "summary": {"讲得好"},
			"photo_links": {"https://example.test/p1.jpg\nhttps://example.test/p2.jpg"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("deliver: %d %s", res.Code, res.Body)
		}
		page = pageText(t, sec, fmt.Sprintf("/orders/%d", id), 200)
		wantIn(t, "delivered", page, "已开讲", "32", "https://example.test/p2.jpg", "评价这堂课")
		res = sec.post(fmt.Sprintf("/orders/%d/review", id), url.Values{"stars": {"5"}, "comment": {"很实在"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("review: %d %s", res.Code, res.Body)
		}
		page = pageText(t, sec, fmt.Sprintf("/orders/%d?done=review", id), 200)
		wantIn(t, "reviewed", page, "感谢评价", "已评价", "5 星", "很实在", "★★★★★")

		page = pageText(t, lecB, "/points?month=2026-12", 200)
		wantIn(t, "points", page, "累计积分", "<strong>12</strong>", "2026年12月 讲师积分榜", "王ch", "五星好评", "讲课")
		page = pageText(t, lecB, "/agenda", 200)
		wantIn(t, "agenda after", page, "最近讲过", "已评价")
		if res := lecB.get("/points?month=12-2026"); res.Code != http.StatusBadRequest {
			t.Errorf("bad month: %d", res.Code)
		}
		off := signIn(t, e, "ch-official")
		wantIn(t, "official's leaderboard", pageText(t, off, "/points?month=2026-12", 200), "王ch", "12")
		wantIn(t, "county's leaderboard", pageText(t, signIn(t, e, "cs-county"), "/points?month=2026-12", 200), "王ch")
	})
}

func TestOrderPagesOfficialReassignsAndCancels(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		ctx := context.Background()
		o, _, err := e.W.Booking.Create(ctx, A.Actors["secretary"], booking.NewOrder{LessonID: A.Lessons[2].ID,
			LecturerID: A.Lecturers[0].ID, CourtyardID: A.Courtyards[0].ID, Slots: []string{wed19}})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/orders/%d", o.ID)
		lec := signIn(t, e, "ch-lecturer")
		lec.get(path)
		res := lec.post(path+"/decline", url.Values{"reason": {"  "}})
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("decline without reason: %d", res.Code)
		}
		wantIn(t, "decline without reason", res.Body.String(), "必填", `class="field-error"`)
		if res := lec.post(path+"/decline", url.Values{"reason": {"那天要开会"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("decline: %d %s", res.Code, res.Body)
		}
		// The secretary cannot reassign; the official can.
		sec := signIn(t, e, "ch-secretary")
		sec.get(path)
		if res := sec.post(path+"/reassign", url.Values{"lecturer_id": {strconv.FormatInt(A.Lecturers[1].ID, 10)}}); res.Code != http.StatusForbidden {
			t.Fatalf("secretary reassigns: %d", res.Code)
		}
		off := signIn(t, e, "ch-official")
		page := pageText(t, off, path, 200)
		wantIn(t, "declined order", page, "讲师婉拒", "那天要开会", "改派讲师", "李ch", "取消点单")
		res = off.post(path+"/reassign", url.Values{"lecturer_id": {""}})
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("reassign to nobody: %d", res.Code)
		}
		res = off.post(path+"/reassign", url.Values{"lecturer_id": {strconv.FormatInt(A.Lecturers[1].ID, 10)}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("reassign: %d %s", res.Code, res.Body)
		}
		page = pageText(t, off, res.Header().Get("Location"), 200)
		wantIn(t, "reassigned", page, "已改派", "待接单", "李ch", "改派给 李ch", "那天要开会")
		// The first lecturer no longer sees it.
		if res := lec.get(path); res.Code != http.StatusNotFound {
			t.Errorf("former lecturer reads it: %d", res.Code)
		}
		// Officials filter the town's orders. The order, placed in
		// November, is December's: the month of its lesson.
		wantIn(t, "town orders", pageText(t, off, fmt.Sprintf("/orders?status=requested&lecturer_id=%d&month=2026-12", A.Lecturers[1].ID), 200),
			"点单管理", "共 1 个点单", "ch屋场夜话议村事")
		wantIn(t, "the month it was placed in", pageText(t, off, fmt.Sprintf("/orders?status=requested&lecturer_id=%d&month=2026-11", A.Lecturers[1].ID), 200),
			"共 0 个点单")
		wantIn(t, "town orders", pageText(t, off, "/orders?status=cancelled", 200), "共 0 个点单")
		if res := off.get("/orders?status=bogus"); res.Code != http.StatusBadRequest {
			t.Errorf("bad status filter: %d", res.Code)
		}
		if res := off.get("/orders?month=2026-13"); res.Code != http.StatusBadRequest {
			t.Errorf("bad month filter: %d", res.Code)
		}
		// Cancel needs a reason, then works.
		res = off.post(path+"/cancel", url.Values{"reason": {""}})
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("cancel without reason: %d", res.Code)
		}
		res = off.post(path+"/cancel", url.Values{"reason": {"镇里统一安排"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("cancel: %d %s", res.Code, res.Body)
		}
		page = pageText(t, off, res.Header().Get("Location"), 200)
		wantIn(t, "cancelled", page, "点单已取消", "已取消", "镇里统一安排")
		lackIn(t, "cancelled", page, `action="`+path+`/cancel"`, `action="`+path+`/reassign"`)
		// Acting on a finished order is a conflict shown on the page.
		res = off.post(path+"/cancel", url.Values{"reason": {"再取消一次"}})
		if res.Code != http.StatusConflict {
			t.Fatalf("cancel twice: %d", res.Code)
		}
		wantIn(t, "cancel twice", res.Body.String(), "已取消", `role="alert"`)
	})
}

func TestOrderPagesProposal(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		o, _, err := e.W.Booking.Create(context.Background(), A.Actors["secretary"], booking.NewOrder{LessonID: A.Lessons[0].ID,
			LecturerID: A.Lecturers[0].ID, CourtyardID: A.Courtyards[0].ID, Slots: []string{wed19}})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/orders/%d", o.ID)
		lec := signIn(t, e, "ch-lecturer")
		lec.get(path)
		// Tomorrow is inside the lead time: refused, the typed time kept.
		res := lec.post(path+"/propose", url.Values{"start": {"2026-12-01T10:00"}})
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("too soon: %d", res.Code)
		}
		wantIn(t, "too soon", html.UnescapeString(res.Body.String()), "太近了：时间至少要在 48 小时以后", `value="2026-12-01T10:00"`)
		// No time, a time past and one beyond the horizon (in another
		// year, which is named) each say what they are.
		for _, c := range []struct {
			start      string
			want, lack []string
		}{
			{"", []string{"请填写时间"}, []string{"时间格式应为"}},
			{"2026-11-20T19:00", []string{"11月20日 周五 19:00 已经过去了"}, []string{"太近了"}},
			{"2028-06-10T10:00", []string{"2028年6月10日 周六 10:00 太远了：时间只能在 90 天以内"}, nil},
		} {
			res := lec.post(path+"/propose", url.Values{"start": {c.start}})
			if res.Code != http.StatusUnprocessableEntity {
				t.Fatalf("proposing %q: %d", c.start, res.Code)
			}
			page := html.UnescapeString(res.Body.String())
			wantIn(t, "proposing "+c.start, page, c.want...)
			lackIn(t, "proposing "+c.start, page, c.lack...)
		}
		// A Thursday morning is outside her weekly hours: she is warned, her
		// time and note kept, and asked to confirm.
		proposal := url.Values{"start": {"2026-12-10T09:30"}, "note": {"那周只有上午有空"}, "confirm_outside_hours": {"0"}}
		res = lec.post(path+"/propose", proposal)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("outside her hours: %d", res.Code)
		}
		wantIn(t, "outside her hours", html.UnescapeString(res.Body.String()), "不在您平常的可讲时间", "周六 14:00-18:00",
			`name="confirm_outside_hours" value="1"`, "确认，仍然提议这个时间", `value="2026-12-10T09:30"`, "那周只有上午有空")
		proposal.Set("confirm_outside_hours", "1")
		if res := lec.post(path+"/propose", proposal); res.Code != http.StatusSeeOther {
			t.Fatalf("propose: %d %s", res.Code, res.Body)
		}
		sec := signIn(t, e, "ch-secretary")
		page := pageText(t, sec, path, 200)
		wantIn(t, "proposed", page, "讲师提议改期", "2026年12月10日 周四 09:30", "同意新时间", "留言：那周只有上午有空")
		if res := sec.post(path+"/respond", url.Values{"accept": {"1"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("respond: %d %s", res.Code, res.Body)
		}
		wantIn(t, "confirmed", pageText(t, sec, path, 200), "已确认", "2026年12月10日 周四 09:30", "支部同意提议的时间")
	})
}

func TestInboxPage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		ctx := context.Background()
		o, _, err := e.W.Booking.Create(ctx, A.Actors["secretary"], booking.NewOrder{LessonID: A.Lessons[0].ID,
			LecturerID: A.Lecturers[0].ID, CourtyardID: A.Courtyards[0].ID, Slots: []string{wed19}})
		if err != nil {
			t.Fatal(err)
		}
		e.W.Now = e.W.Now.Add(73 * time.Hour)
		if n, err := e.W.Booking.ExpireDue(ctx); err != nil || n != 1 {
			t.Fatalf("expire: %d %v", n, err)
		}
		off := signIn(t, e, "ch-official")
		wantIn(t, "home", pageText(t, off, "/", 200), `<span class="badge"`, "1 条未读")
		page := pageText(t, off, "/inbox", 200)
		wantIn(t, "inbox", page, "点单已过期：ch红色家书里的初心", "龙王庙村", "未读", "查看")
		ms, _, err := e.W.Notify.Inbox(ctx, A.Official, 10)
		if err != nil || len(ms) != 1 {
			t.Fatalf("inbox: %v %v", ms, err)
		}
		// Someone else's message is not theirs to read.
		other := signIn(t, e, "ch-secretary")
		other.get("/inbox")
		if res := other.post(fmt.Sprintf("/inbox/%d/read", ms[0].ID), nil); res.Code != http.StatusNotFound {
			t.Fatalf("another's message: %d", res.Code)
		}
		res := off.post(fmt.Sprintf("/inbox/%d/read", ms[0].ID), nil)
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != fmt.Sprintf("/orders/%d", o.ID) {
			t.Fatalf("read: %d %q", res.Code, res.Header().Get("Location"))
		}
		page = pageText(t, off, "/inbox", 200)
		lackIn(t, "inbox after", page, "未读", `class="badge"`)
		wantIn(t, "expired order", pageText(t, off, fmt.Sprintf("/orders/%d", o.ID), 200), "已过期", "超时未答复", "系统", "改派讲师")
	})
}

func TestMemberLessonPages(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		sec := signIn(t, e, "ch-secretary")
		wantIn(t, "form", pageText(t, sec, "/member-lessons/new", 200), `value="2026-11-30"`, "主讲党员")
		res := sec.post("/member-lessons/new", url.Values{"title": {"身边的好党员"}, "speaker": {"张三"}, "date": {"2026-12-30"}, "attendees": {"20"}})
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("future date: %d", res.Code)
		}
		wantIn(t, "future date", res.Body.String(), "日期不能晚于今天", `value="身边的好党员"`)
		res = sec.post("/member-lessons/new", url.Values{"title": {"身边的好党员"}, "topic": {"红色教育"}, "speaker": {"张三"}, "date": {"2026-11-28"}, "attendees": {"20"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("record: %d %s", res.Code, res.Body)
		}
		wantIn(t, "list", pageText(t, sec, "/member-lessons?saved=1", 200), "已保存", "身边的好党员", "张三", "2026年11月28日 周六", "20 人听课")
		off := signIn(t, e, "ch-official")
		wantIn(t, "official's form", pageText(t, off, "/member-lessons/new", 200), "春华山村")
		res = off.post("/member-lessons/new", url.Values{"branch_id": {strconv.FormatInt(e.W.A.Branches[1].ID, 10)}, "title": {"春华山村讲"},
			"speaker": {"李四"}, "date": {"2026-11-29"}, "attendees": {"15"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("official records: %d %s", res.Code, res.Body)
		}
		wantIn(t, "official's list", pageText(t, off, "/member-lessons?month=2026-11", 200), "共 2 次", "春华山村讲", "春华山村")
		lackIn(t, "secretary's list", pageText(t, sec, "/member-lessons", 200), "春华山村讲")
		if res := signIn(t, e, "ch-lecturer").get("/member-lessons/new"); res.Code != http.StatusForbidden {
			t.Errorf("lecturer's form: %d", res.Code)
		}
	})
}

func TestOrderPagesByRole(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		o, _, err := e.W.Booking.Create(context.Background(), A.Actors["secretary"], booking.NewOrder{LessonID: A.Lessons[0].ID,
			LecturerID: A.Lecturers[0].ID, CourtyardID: A.Courtyards[0].ID, Slots: []string{sat14, wed19}})
		if err != nil {
			t.Fatal(err)
		}
		order := fmt.Sprintf("/orders/%d", o.ID)
		orderForm := fmt.Sprintf("/lessons/%d/order", A.Lessons[0].ID)
		type page struct {
			path   string
			status int
			want   []string
		}
		roles := []struct {
			login string
			pages []page
			nav   []string
		}{
			{"ch-secretary", []page{{"/", 200, []string{"我的点单"}}, {"/orders", 200, []string{"我的点单", "共 1 个点单"}}, {order, 200, []string{"取消点单"}},
				{orderForm, 200, []string{"提交点单"}}, {"/agenda", 200, []string{"日历订阅"}}, {"/points", 403, nil}, {"/settings", 403, nil},
				{"/inbox", 200, []string{"没有消息"}}, {"/member-lessons", 200, nil}, {"/member-lessons/new", 200, nil}},
				[]string{`href="/orders"`, `href="/inbox"`, "本月"}},
			{"ch-lecturer", []page{{"/", 200, []string{"日程"}}, {"/orders", 200, []string{"收到的点单", "共 1 个点单"}}, {order, 200, []string{"婉拒"}},
				{orderForm, 403, nil}, {"/agenda", 200, []string{"待接单", "日历订阅"}}, {"/points", 200, []string{"累计积分"}}, {"/settings", 403, nil},
				{"/inbox", 200, nil}, {"/member-lessons", 200, nil}, {"/member-lessons/new", 403, nil}},
				[]string{`href="/agenda"`, `href="/points"`, `href="/inbox"`}},
			{"ch-official", []page{{"/", 200, []string{"点单管理"}}, {"/orders", 200, []string{"点单管理", "共 1 个点单", "龙王庙村"}}, {order, 200, []string{"取消点单"}},
				{orderForm, 403, nil}, {"/agenda", 403, nil}, {"/points", 200, []string{"讲师积分榜"}}, {"/settings", 200, []string{"路程缓冲"}},
				{"/inbox", 200, nil}, {"/member-lessons", 200, nil}, {"/member-lessons/new", 200, []string{"龙王庙村"}}},
				[]string{`href="/orders"`, `href="/settings"`, `href="/inbox"`}},
			{"cs-county", []page{{"/", 200, nil}, {"/orders", 200, []string{"共 1 个点单"}}, {order, 200, []string{"处理记录"}},
				{orderForm, 403, nil}, {"/agenda", 403, nil}, {"/points", 200, nil}, {"/settings", 403, nil},
				{"/inbox", 200, nil}, {"/member-lessons", 200, nil}, {"/member-lessons/new", 403, nil}},
				[]string{`href="/inbox"`}},
		}
		for _, r := range roles {
			t.Run(r.login, func(t *testing.T) {
				b := signIn(t, e, r.login)
				for _, p := range r.pages {
					res := b.get(p.path)
					if res.Code != p.status {
						t.Errorf("GET %s: %d, want %d", p.path, res.Code, p.status)
						continue
					}
					text := html.UnescapeString(res.Body.String())
					wantIn(t, p.path, text, p.want...)
					if p.status == 200 {
						wantIn(t, p.path, text, r.nav...)
					}
					if m := untranslatedOp.FindString(text); m != "" {
						t.Errorf("GET %s shows the untranslated key %q", p.path, m)
					}
				}
				// The county viewer reads but never acts.
				if r.login == "cs-county" {
					b.get(order)
					if res := b.post(order+"/cancel", url.Values{"reason": {"x"}}); res.Code != http.StatusForbidden {
						t.Errorf("county cancels: %d", res.Code)
					}
				}
				// The same pages in English.
				if res := b.get("/lang/en?next=/orders"); res.Code != http.StatusSeeOther {
					t.Fatalf("switch: %d", res.Code)
				}
				for _, p := range r.pages {
					if p.status != 200 {
						continue
					}
					res := b.get(p.path)
					if res.Code != 200 {
						t.Errorf("GET %s in English: %d", p.path, res.Code)
						continue
					}
					text := html.UnescapeString(res.Body.String())
					wantIn(t, p.path+" (en)", text, `lang="en"`, "Inbox")
					lackIn(t, p.path+" (en)", text, "我的点单", "待接单", "点单管理", "消息", "意向时间", "取消点单", "处理记录", "积分")
					if m := untranslatedOp.FindString(text); m != "" {
						t.Errorf("GET %s in English shows the untranslated key %q", p.path, m)
					}
				}
			})
		}
	})
}
