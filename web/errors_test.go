package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// apiErrorOf decodes an API error body and checks its shape: JSON, with a
// code and a message.
func apiErrorOf(t *testing.T, res *httptest.ResponseRecorder) apiErrorBody {
	t.Helper()
	if ct := res.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("status %d: content type %q, body %q", res.Code, ct, res.Body)
	}
	var raw struct {
		Error *apiErrorBody `json:"error"`
	}
	mustJSON(t, res, &raw)
	if raw.Error == nil || raw.Error.Code == "" || raw.Error.Message == "" {
		t.Fatalf("status %d: error body lacks code or message: %s", res.Code, res.Body)
	}
	return *raw.Error
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		ch := e.W.A
		lessonPath := fmt.Sprintf("/api/v1/lessons/%d", ch.Lessons[0].ID)
		valid := func(title string) string {
			return fmt.Sprintf(`{"title":%q,"topic":"红色教育","duration_minutes":20,"status":"published"}`, title)
		}
		en := []string{"Accept-Language", "en-GB,en;q=0.8"}
		// Orders of ch-secretary's branch with ch-lecturer: one requested,
		// one confirmed (Saturday 14:00), one cancelled.
		orderOf := func(lecturer int, slot string) map[string]any {
			return map[string]any{"lesson_id": ch.Lessons[0].ID, "lecturer_id": ch.Lecturers[lecturer].ID,
				"courtyard_id": ch.Courtyards[0].ID, "slots": []string{slot}}
		}
		place := func(slot string, moves ...string) string {
			t.Helper()
			res := e.as("ch-secretary", http.MethodPost, "/api/v1/orders", orderOf(0, slot))
			var o struct{ ID int64 }
			mustJSON(t, res, &o)
			if res.Code != http.StatusCreated {
				t.Fatalf("order at %s: %d %s", slot, res.Code, res.Body)
			}
			path := fmt.Sprintf("/api/v1/orders/%d", o.ID)
			for i := 0; i+2 < len(moves); i += 3 {
				if res := e.as(moves[i], http.MethodPost, path+"/"+moves[i+1], moves[i+2]); res.Code != http.StatusOK {
					t.Fatalf("%s %s: %d %s", moves[i], moves[i+1], res.Code, res.Body)
				}
			}
			return path
		}
		requested := place("2026-12-12T14:00:00+08:00")
		confirmed := place("2026-12-05T14:00:00+08:00", "ch-lecturer", "accept", `{"slot":0}`)
		cancelled := place("2026-12-12T15:00:00+08:00", "ch-secretary", "cancel", `{"reason":"村里有事"}`)
		// A viewing of ch-secretary's branch, for the corrections below.
		vres := e.as("ch-secretary", http.MethodPost, "/api/v1/viewings", map[string]any{"film_id": ch.Films[0].ID, "date": "2026-11-28", "attendees": 20})
		var viewing struct{ ID int64 }
		mustJSON(t, vres, &viewing)
		if vres.Code != http.StatusCreated {
			t.Fatalf("viewing: %d %s", vres.Code, vres.Body)
		}
		viewingPath := fmt.Sprintf("/api/v1/viewings/%d", viewing.ID)
		planOf := func(lessons ...int64) map[string]any {
			return map[string]any{"note": "十二月", "lesson_ids": lessons}
		}
		l := ch.Lessons // 0–2 published, 3 a draft
		cases := []struct {
			name         string
			login        string
			method, path string
			body         any
			headers      []string
			status       int
			code         string
			field        string // must be in error.fields
			message      string // exact message, when given
			fieldMessage string // exact message of field, when given
		}{
			{name: "malformed JSON", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: `{"title":`,
				status: 400, code: "bad_json", message: "请求内容不是有效的 JSON"},
			{name: "malformed JSON in English", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: `{"title" 1}`,
				headers: en, status: 400, code: "bad_json", field: "offset", message: "The request body is not valid JSON"},
			{name: "empty body", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: "", headers: []string{"Content-Type", "application/json"},
				status: 400, code: "bad_json"},
			{name: "two JSON values", login: "ch-official", method: http.MethodPost, path: "/api/v1/topics", body: `{"name":"甲"} {"name":"乙"}`,
				status: 400, code: "bad_json"},
			{name: "unknown field", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: `{"title":"t","duration_minutes":20,"topic":"红色教育","bogus":1}`, headers: en,
				status: 400, code: "bad_json", field: "bogus", fieldMessage: "Unknown field"},
			{name: "wrong field type", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: `{"title":"t","duration_minutes":"twenty","topic":"红色教育"}`, status: 400, code: "bad_json", field: "duration_minutes"},
			{name: "number too large for the field", login: "ch-official", method: http.MethodPost, path: "/api/v1/films",
				body: `{"title":"t","category":"本土","duration_minutes":1e30}`, status: 400, code: "bad_json", field: "duration_minutes"},
			{name: "JSON array instead of object", login: "ch-official", method: http.MethodPost, path: "/api/v1/branches", body: `[1,2]`,
				status: 400, code: "bad_json"},
			{name: "wrong content type", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: valid("x"),
				headers: []string{"Content-Type", "text/plain"}, status: 415, code: "unsupported_media"},
			{name: "form content type", login: "ch-official", method: http.MethodPut, path: lessonPath, body: "title=x",
				headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, code: "unsupported_media"},
			{name: "unparseable content type", login: "ch-official", method: http.MethodPost, path: "/api/v1/tokens", body: `{}`,
				headers: []string{"Content-Type", ";;;"}, status: 415, code: "unsupported_media"},
			{name: "invalid UTF-8", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: []byte("{\"title\":\"\xff\xfe\",\"topic\":\"红色教育\",\"duration_minutes\":20}"), status: 400, code: "bad_json"},
			{name: "too-long title", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: valid(strings.Repeat("长", 81)),
				status: 422, code: "validation", field: "title", fieldMessage: "太长了"},
			{name: "too-long title in English", login: "ch-official", method: http.MethodPut, path: lessonPath, body: valid(strings.Repeat("长", 81)),
				headers: en, status: 422, code: "validation", field: "title", message: "Some fields need attention", fieldMessage: "Too long"},
			{name: "several bad fields", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: `{"title":"","duration_minutes":5,"status":"gone"}`, status: 422, code: "validation", field: "duration_minutes"},
			{name: "duplicate lesson title", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: valid(ch.Lessons[0].Title),
				status: 409, code: "lesson.title_taken", field: "title"},
			{name: "duplicate title on update", login: "ch-official", method: http.MethodPut, path: fmt.Sprintf("/api/v1/lessons/%d", ch.Lessons[1].ID),
				body: valid(ch.Lessons[0].Title), status: 409, code: "lesson.title_taken", field: "title"},
			{name: "duplicate branch name", login: "ch-official", method: http.MethodPost, path: "/api/v1/branches",
				body: map[string]any{"name": ch.Branches[0].Name}, status: 409, code: "branch.name_taken", field: "name"},
			{name: "duplicate film title", login: "ch-official", method: http.MethodPost, path: "/api/v1/films",
				body: map[string]any{"title": ch.Films[0].Title, "category": "本土"}, status: 409, code: "film.title_taken", field: "title"},
			{name: "duplicate topic", login: "ch-official", method: http.MethodPost, path: "/api/v1/topics",
				body: map[string]any{"name": "红色教育"}, status: 409, code: "topic.name_taken", field: "name"},
			{name: "duplicate courtyard", login: "ch-official", method: http.MethodPost, path: fmt.Sprintf("/api/v1/branches/%d/courtyards", ch.Branches[0].ID),
				body: map[string]any{"name": ch.Courtyards[0].Name}, status: 409, code: "courtyard.name_taken", field: "name"},
			{name: "unknown topic id", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: map[string]any{"title": "新课", "topic_id": 999999, "duration_minutes": 20}, status: 422, code: "validation", field: "topic_id"},
			{name: "other town's lecturer", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body:   map[string]any{"title": "新课", "topic": "红色教育", "duration_minutes": 20, "lecturer_ids": []int64{e.W.B.Lecturers[0].ID}},
				status: 422, code: "validation", field: "lecturer_ids"},
			{name: "path id abc", login: "ch-official", method: http.MethodGet, path: "/api/v1/lessons/abc", status: 404, code: "not_found"},
			{name: "path id -1", login: "ch-official", method: http.MethodGet, path: "/api/v1/lessons/-1", status: 404, code: "not_found"},
			{name: "path id 0", login: "ch-official", method: http.MethodGet, path: "/api/v1/branches/0", status: 404, code: "not_found"},
			{name: "path id overflows int64", login: "ch-official", method: http.MethodGet, path: "/api/v1/films/99999999999999999999", status: 404, code: "not_found"},
			{name: "path id abc on update", login: "ch-official", method: http.MethodPut, path: "/api/v1/lecturers/abc", body: `{"name":"x"}`, status: 404, code: "not_found"},
			{name: "path id -1 on revoke", login: "ch-official", method: http.MethodDelete, path: "/api/v1/tokens/-1", status: 404, code: "not_found"},
			{name: "absent lesson", login: "ch-official", method: http.MethodGet, path: "/api/v1/lessons/987654321", status: 404, code: "lesson.not_found", message: "没有这堂微党课"},
			{name: "absent lesson in English", login: "ch-official", method: http.MethodGet, path: "/api/v1/lessons/987654321", headers: en,
				status: 404, code: "lesson.not_found", message: "No such lesson"},
			{name: "unknown API path", login: "ch-official", method: http.MethodGet, path: "/api/v1/whatever", status: 404, code: "not_found"},
			{name: "unknown API path anonymous", method: http.MethodGet, path: "/api/v1/whatever/deeper?x=1", status: 404, code: "not_found"},
			{name: "unknown API path POST", login: "ch-official", method: http.MethodPost, path: "/api/v1/no-such-thing", body: `{}`, status: 404, code: "not_found"},
			{name: "bad page number", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/lessons?page=abc", status: 400, code: "bad_request", field: "page"},
			{name: "negative per_page", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/lessons?per_page=-1", status: 400, code: "bad_request", field: "per_page"},
			{name: "bad lecturer_id", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/lessons?lecturer_id=x", status: 400, code: "bad_request", field: "lecturer_id"},
			{name: "bad town_id", login: "cs-county", method: http.MethodGet, path: "/api/v1/branches?town_id=1.5", status: 400, code: "bad_request", field: "town_id"},
			{name: "bad lesson_id", login: "cs-county", method: http.MethodGet, path: "/api/v1/lecturers?lesson_id=-3", status: 400, code: "bad_request", field: "lesson_id"},
			{name: "anonymous", method: http.MethodGet, path: "/api/v1/me", status: 401, code: "auth.required", message: "请先登录"},
			{name: "anonymous in English", method: http.MethodGet, path: "/api/v1/lessons", headers: en, status: 401, code: "auth.required", message: "Please sign in"},
			{name: "unknown bearer token", method: http.MethodGet, path: "/api/v1/me", headers: []string{"Authorization", "Bearer nope"}, status: 401, code: "auth.bad_token"},
			{name: "unknown API token", method: http.MethodGet, path: "/api/v1/me", headers: []string{"Authorization", "Bearer wk_nope"}, status: 401, code: "auth.bad_token"},
			{name: "basic auth", method: http.MethodGet, path: "/api/v1/me", headers: []string{"Authorization", "Basic Y2gtb2ZmaWNpYWw6eA=="}, status: 401, code: "auth.bad_token"},
			{name: "wrong password", method: http.MethodPost, path: "/api/v1/session", body: map[string]string{"login": "qh-lecturer", "password": "nope"},
				status: 401, code: "auth.bad_credentials"},
			{name: "sign-in with unknown field", method: http.MethodPost, path: "/api/v1/session", body: `{"login":"a","password":"b","remember":true}`,
				status: 400, code: "bad_json", field: "remember"},
			{name: "secretary may not create", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/lessons", body: valid("x"),
				status: 403, code: "forbidden"},
			{name: "county viewer reads only", login: "cs-county", method: http.MethodPut, path: lessonPath, body: valid("x"), headers: en,
				status: 403, code: "forbidden.read_only", message: "County viewers can read but not change anything"},
			{name: "too-long token name", login: "ch-lecturer", method: http.MethodPost, path: "/api/v1/tokens", body: map[string]string{"name": strings.Repeat("x", 101)},
				status: 422, code: "validation", field: "name"},
			{name: "body over 8 MB", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: `{"title":"` + strings.Repeat("x", 8<<20) + `"}`, status: 413, code: "body_too_large"},

			// Ordering.
			{name: "bad slot string", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/orders", body: orderOf(0, "next saturday"),
				headers: en, status: 422, code: "validation", field: "slots.0", fieldMessage: "Times look like 2026-12-05T14:00:00+08:00"},
			{name: "no slots", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/orders",
				body:   map[string]any{"lesson_id": ch.Lessons[0].ID, "courtyard_id": ch.Courtyards[0].ID, "slots": []string{}},
				status: 422, code: "validation", field: "slots"},
			{name: "four slots", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/orders",
				body:   map[string]any{"lesson_id": ch.Lessons[0].ID, "courtyard_id": ch.Courtyards[0].ID, "slots": []string{"a", "b", "c", "d"}},
				status: 422, code: "validation", field: "slots"},
			{name: "another branch's courtyard", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/orders",
				body:   map[string]any{"lesson_id": ch.Lessons[0].ID, "courtyard_id": ch.Courtyards[1].ID, "slots": []string{"2026-12-12T16:00:00+08:00"}},
				status: 422, code: "validation", field: "courtyard_id"},
			{name: "too soon", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/orders", body: orderOf(0, "2026-12-01T19:00:00+08:00"),
				status: 422, code: "order.too_soon"},
			{name: "the branch is busy then", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/orders", body: orderOf(1, "2026-12-05T14:00:00+08:00"),
				status: 409, code: "order.branch_busy", field: "order_id"},
			{name: "a lecturer may not order", login: "ch-lecturer", method: http.MethodPost, path: "/api/v1/orders", body: orderOf(0, "2026-12-12T16:00:00+08:00"),
				status: 403, code: "forbidden"},
			{name: "slot index out of range", login: "ch-lecturer", method: http.MethodPost, path: requested + "/accept", body: `{"slot":3}`,
				status: 422, code: "validation", field: "slot", fieldMessage: "请选择一个意向时间"},
			{name: "negative slot index", login: "ch-lecturer", method: http.MethodPost, path: requested + "/accept", body: `{"slot":-1}`,
				status: 422, code: "validation", field: "slot"},
			{name: "accept without a slot", login: "ch-lecturer", method: http.MethodPost, path: requested + "/accept", body: `{}`,
				status: 422, code: "validation", field: "slot"},
			{name: "slot as text", login: "ch-lecturer", method: http.MethodPost, path: requested + "/accept", body: `{"slot":"0"}`,
				status: 400, code: "bad_json", field: "slot"},
			{name: "the secretary may not accept", login: "ch-secretary", method: http.MethodPost, path: requested + "/accept", body: `{"slot":0}`,
				status: 403, code: "order.not_your_move"},
			{name: "another town's lecturer", login: "qh-lecturer", method: http.MethodPost, path: requested + "/accept", body: `{"slot":0}`,
				status: 404, code: "order.not_found"},
			{name: "accept a cancelled order", login: "ch-lecturer", method: http.MethodPost, path: cancelled + "/accept", body: `{"slot":0}`,
				headers: en, status: 409, code: "order.wrong_status", message: "The order is “Cancelled” and cannot do this"},
			{name: "decline without a reason", login: "ch-lecturer", method: http.MethodPost, path: requested + "/decline", body: `{"reason":"  "}`,
				status: 422, code: "validation", field: "reason"},
			{name: "propose a bad time", login: "ch-lecturer", method: http.MethodPost, path: requested + "/propose", body: `{"start":"soon"}`,
				status: 422, code: "validation", field: "start"},
			{name: "respond without an answer", login: "ch-secretary", method: http.MethodPost, path: requested + "/respond", body: `{}`,
				status: 422, code: "validation", field: "accept"},
			{name: "respond to an order not proposed", login: "ch-secretary", method: http.MethodPost, path: requested + "/respond", body: `{"accept":true}`,
				status: 409, code: "order.wrong_status"},
			{name: "deliver before the lesson", login: "ch-lecturer", method: http.MethodPost, path: confirmed + "/deliver",
				body: `{"attendees":20,"minutes":20}`, status: 422, code: "order.not_yet"},
			{name: "deliver with a bad photo link", login: "ch-lecturer", method: http.MethodPost, path: confirmed + "/deliver",
				body: `{"attendees":20,"minutes":20,"photo_links":["javascript:alert(1)"]}`, status: 422, code: "validation", field: "photo_links"},
			{name: "stars 9", login: "ch-secretary", method: http.MethodPost, path: confirmed + "/review", body: `{"stars":9}`,
				status: 422, code: "validation", field: "stars", fieldMessage: "评分为 1–5 星"},
			{name: "review before delivery", login: "ch-secretary", method: http.MethodPost, path: confirmed + "/review", body: `{"stars":5}`,
				status: 409, code: "order.wrong_status"},
			{name: "reassign a requested order to its own lecturer", login: "ch-official", method: http.MethodPost, path: requested + "/reassign",
				body: map[string]int64{"lecturer_id": ch.Lecturers[0].ID}, status: 422, code: "validation"},
			{name: "reassign a confirmed order", login: "ch-official", method: http.MethodPost, path: confirmed + "/reassign",
				body: map[string]int64{"lecturer_id": ch.Lecturers[1].ID}, status: 409, code: "order.wrong_status"},
			{name: "propose outside her hours, unconfirmed", login: "ch-lecturer", method: http.MethodPost, path: requested + "/propose",
				body: `{"start":"2026-12-10T09:30:00+08:00"}`, status: 422, code: "order.outside_own_hours"},
			{name: "unknown order id", login: "ch-official", method: http.MethodGet, path: "/api/v1/orders/987654321", status: 404, code: "order.not_found", message: "没有这个点单"},
			{name: "unknown order id on a move", login: "ch-lecturer", method: http.MethodPost, path: "/api/v1/orders/987654321/accept", body: `{"slot":0}`,
				status: 404, code: "order.not_found"},
			{name: "order id abc", login: "ch-official", method: http.MethodGet, path: "/api/v1/orders/abc", status: 404, code: "not_found"},
			{name: "unknown order status", login: "ch-official", method: http.MethodGet, path: "/api/v1/orders?status=requested,bogus", status: 400, code: "bad_request", field: "status"},
			{name: "NUL order status", login: "ch-official", method: http.MethodGet, path: "/api/v1/orders?status=%00", status: 400, code: "bad_text"},
			{name: "NUL in a decline reason", login: "ch-lecturer", method: http.MethodPost, path: requested + "/decline", body: `{"reason":"\u0000"}`,
				status: 400, code: "bad_text"},
			{name: "bad order month", login: "ch-official", method: http.MethodGet, path: "/api/v1/orders?month=2026-13", status: 400, code: "bad_request", field: "month"},
			{name: "bad branch_id", login: "ch-official", method: http.MethodGet, path: "/api/v1/orders?branch_id=x", status: 400, code: "bad_request", field: "branch_id"},
			{name: "slots of an absent lesson", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/lessons/987654321/slots", status: 404, code: "lesson.not_found"},
			{name: "member lesson in the future", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/member-lessons",
				body: map[string]any{"title": "讲堂", "speaker": "张三", "date": "2027-01-01", "attendees": 10}, status: 422, code: "validation", field: "date"},
			{name: "member lesson of another branch", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/member-lessons",
				body: map[string]any{"branch_id": ch.Branches[1].ID, "title": "讲堂", "speaker": "张三", "date": "2026-11-01", "attendees": 10}, status: 403, code: "forbidden"},
			{name: "bad member lesson month", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/member-lessons?month=11", status: 400, code: "bad_request", field: "month"},
			{name: "bad points month", login: "ch-lecturer", method: http.MethodGet, path: "/api/v1/points?month=2026-1", status: 400, code: "bad_request", field: "month"},
			{name: "someone else's message", login: "ch-official", method: http.MethodPost, path: "/api/v1/inbox/987654321/read", status: 404, code: "message.not_found"},
			{name: "settings with a bad schedule", login: "ch-official", method: http.MethodPut, path: "/api/v1/town/settings",
				body:   map[string]any{"travel_buffer_minutes": 30, "lead_time_hours": 48, "horizon_days": 90, "answer_deadline_hours": 72, "schedule_spec": "every day"},
				status: 422, code: "validation", field: "schedule_spec"},
			{name: "settings out of range", login: "ch-official", method: http.MethodPut, path: "/api/v1/town/settings",
				body:   map[string]any{"travel_buffer_minutes": -1, "lead_time_hours": 48, "horizon_days": 0, "answer_deadline_hours": 72},
				status: 422, code: "validation", field: "horizon_days"},
			{name: "settings are the officials'", login: "cs-county", method: http.MethodGet, path: "/api/v1/town/settings", status: 403, code: "forbidden.read_only"},

			// The monthly theme day.
			{name: "plan with two lessons", login: "ch-official", method: http.MethodPut, path: "/api/v1/plans/2026-12", body: planOf(l[0].ID, l[1].ID),
				status: 422, code: "validation", field: "lesson_ids", fieldMessage: "每月精选 3–8 堂微党课"},
			{name: "plan with two lessons in English", login: "ch-official", method: http.MethodPut, path: "/api/v1/plans/2026-12",
				body: planOf(l[0].ID, l[1].ID, l[1].ID), headers: en, status: 422, code: "validation", field: "lesson_ids", fieldMessage: "Feature three to eight lessons a month"},
			{name: "plan with a draft lesson", login: "ch-official", method: http.MethodPut, path: "/api/v1/plans/2026-12", body: planOf(l[0].ID, l[1].ID, l[3].ID),
				status: 422, code: "validation", field: "lesson_ids", fieldMessage: "精选的微党课须是本镇已发布的课"},
			{name: "plan with another town's lesson", login: "ch-official", method: http.MethodPut, path: "/api/v1/plans/2026-12",
				body: planOf(l[0].ID, l[1].ID, e.W.B.Lessons[0].ID), status: 422, code: "validation", field: "lesson_ids"},
			{name: "plan with a film previewed too early", login: "ch-official", method: http.MethodPut, path: "/api/v1/plans/2026-12",
				body:   map[string]any{"lesson_ids": []int64{l[0].ID, l[1].ID, l[2].ID}, "films": []map[string]any{{"film_id": ch.Films[0].ID, "preview_date": "2026-10-01"}}},
				status: 422, code: "validation", field: "films.0"},
			{name: "plan with another town's film", login: "ch-official", method: http.MethodPut, path: "/api/v1/plans/2026-12",
				body:   map[string]any{"lesson_ids": []int64{l[0].ID, l[1].ID, l[2].ID}, "films": []map[string]any{{"film_id": e.W.B.Films[0].ID}}},
				status: 422, code: "validation", field: "films"},
			{name: "plan month 2026-13", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/plans/2026-13", status: 400, code: "bad_request", field: "month"},
			{name: "plan month 2026-13 on publish", login: "ch-official", method: http.MethodPut, path: "/api/v1/plans/2026-13", body: planOf(l[0].ID, l[1].ID, l[2].ID),
				status: 400, code: "bad_request", field: "month"},
			{name: "plan of a town not read", login: "cs-county", method: http.MethodGet, path: fmt.Sprintf("/api/v1/plans/2026-12?town_id=%d", e.W.B.Town.ID),
				status: 404, code: "town.not_found"},
			{name: "viewing in the future", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/viewings",
				body: map[string]any{"film_id": ch.Films[0].ID, "date": "2026-12-01", "attendees": 20}, status: 422, code: "validation", field: "date", fieldMessage: "日期不能晚于今天"},
			{name: "viewing of another town's film", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/viewings",
				body: map[string]any{"film_id": e.W.B.Films[0].ID, "date": "2026-11-28", "attendees": 20}, status: 422, code: "validation", field: "film_id"},
			{name: "viewing of no film", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/viewings",
				body: map[string]any{"date": "2026-11-28", "attendees": 20}, status: 422, code: "validation", field: "film_id"},
			{name: "official's viewing without a branch", login: "ch-official", method: http.MethodPost, path: "/api/v1/viewings",
				body: map[string]any{"film_id": ch.Films[0].ID, "date": "2026-11-28", "attendees": 20}, status: 422, code: "validation", field: "branch_id"},
			{name: "practice with no participants", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/practices",
				body: map[string]any{"type": "走访慰问", "date": "2026-11-28", "participants": 0}, status: 422, code: "validation", field: "participants", fieldMessage: "超出允许范围"},
			{name: "practice without a type", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/practices",
				body: map[string]any{"type": " ", "date": "2026-11-28", "participants": 5}, status: 422, code: "validation", field: "type"},
			{name: "practice for another branch", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/practices",
				body: map[string]any{"branch_id": ch.Branches[1].ID, "type": "走访慰问", "date": "2026-11-28", "participants": 5}, status: 403, code: "record.own_branch_only"},
			{name: "viewing moved to another branch", login: "ch-official", method: http.MethodPut, path: viewingPath,
				body:   map[string]any{"branch_id": ch.Branches[1].ID, "film_id": ch.Films[0].ID, "date": "2026-11-28", "attendees": 25},
				status: 422, code: "validation", field: "branch_id", fieldMessage: "记录所属支部不能更改"},
			{name: "viewing corrected into the future", login: "ch-secretary", method: http.MethodPut, path: viewingPath,
				body: map[string]any{"film_id": ch.Films[0].ID, "date": "2026-12-24", "attendees": 25}, status: 422, code: "validation", field: "date"},
			{name: "unknown viewing", login: "ch-official", method: http.MethodGet, path: "/api/v1/viewings/987654321", status: 404, code: "viewing.not_found", message: "没有这条观看记录"},
			{name: "unknown practice on a correction", login: "ch-official", method: http.MethodPut, path: "/api/v1/practices/987654321",
				body: map[string]any{"type": "走访慰问", "date": "2026-11-28", "participants": 5}, status: 404, code: "practice.not_found"},
			{name: "bad viewings month", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/viewings?month=11", status: 400, code: "bad_request", field: "month"},
			{name: "bad practices branch_id", login: "ch-official", method: http.MethodGet, path: "/api/v1/practices?branch_id=x", status: 400, code: "bad_request", field: "branch_id"},
			{name: "matrix ending before it starts", login: "ch-official", method: http.MethodGet, path: "/api/v1/coverage/matrix?from=2026-12&to=2026-01",
				status: 422, code: "validation", field: "to", fieldMessage: "结束月份不能早于开始月份"},
			{name: "matrix over 120 months", login: "cs-county", method: http.MethodGet, path: "/api/v1/coverage/matrix?from=2000-01&to=2026-12",
				status: 422, code: "validation", field: "to"},
			{name: "totals ending before they start", login: "ch-official", method: http.MethodGet, path: "/api/v1/totals?from=2026-12&to=2026-11",
				status: 422, code: "validation", field: "to"},
			{name: "coverage month abc", login: "ch-official", method: http.MethodGet, path: "/api/v1/coverage?month=abc", status: 400, code: "bad_request", field: "month"},
			{name: "towns table month abc", login: "cs-county", method: http.MethodGet, path: "/api/v1/coverage/towns?month=abc", status: 400, code: "bad_request", field: "month"},
			{name: "totals bad town_id", login: "cs-county", method: http.MethodGet, path: "/api/v1/totals?town_id=-1", status: 400, code: "bad_request", field: "town_id"},
			{name: "coverage is not the secretaries'", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/coverage", status: 403, code: "forbidden"},
			{name: "county viewers record nothing", login: "cs-county", method: http.MethodPost, path: "/api/v1/practices",
				body: map[string]any{"branch_id": ch.Branches[0].ID, "type": "走访慰问", "date": "2026-11-28", "participants": 5}, status: 403, code: "forbidden.read_only"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := e.as(c.login, c.method, c.path, c.body, c.headers...)
				if res.Code != c.status {
					t.Fatalf("status %d, want %d: %.300s", res.Code, c.status, res.Body)
				}
				er := apiErrorOf(t, res)
				if er.Code != c.code {
					t.Fatalf("code %q, want %q: %s", er.Code, c.code, res.Body)
				}
				if c.message != "" && er.Message != c.message {
					t.Fatalf("message %q, want %q", er.Message, c.message)
				}
				if c.field != "" {
					got, ok := er.Fields[c.field]
					if !ok {
						t.Fatalf("fields lack %q: %s", c.field, res.Body)
					}
					if c.fieldMessage != "" && got != c.fieldMessage {
						t.Fatalf("fields.%s = %v, want %q", c.field, got, c.fieldMessage)
					}
				}
			})
		}

		// A clash names the order in the way.
		res := e.as("ch-secretary", http.MethodPost, "/api/v1/orders", orderOf(1, "2026-12-05T14:10:00+08:00"))
		if res.Code != http.StatusConflict || apiErrorOf(t, res).Fields["order_id"] != mustFloat(t, strings.TrimPrefix(confirmed, "/api/v1/orders/")) {
			t.Fatalf("clash: %d %s, want order_id of %s", res.Code, res.Body, confirmed)
		}

		// None of the refused writes above may have written anything.
		res = e.as("ch-official", http.MethodGet, "/api/v1/lessons?per_page=100", nil)
		var page struct{ Total int }
		mustJSON(t, res, &page)
		if page.Total != len(ch.Lessons) {
			t.Fatalf("refused writes left lessons behind: %d lessons, want %d", page.Total, len(ch.Lessons))
		}
		res = e.as("ch-official", http.MethodGet, "/api/v1/orders", nil)
		var orders struct {
			Items []struct{ Status string }
		}
		mustJSON(t, res, &orders)
		var states []string
		for _, o := range orders.Items {
			states = append(states, o.Status)
		}
		if got := strings.Join(states, " "); got != "cancelled confirmed requested" {
			t.Fatalf("refused moves changed orders: %s, want cancelled confirmed requested", got)
		}
		// Nor the refused plans, records and corrections.
		var plan struct {
			PublishedAt *string `json:"published_at"`
			Lessons     []any
			Films       []any
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/plans/2026-12", nil), &plan)
		if plan.PublishedAt != nil || len(plan.Lessons)+len(plan.Films) != 0 {
			t.Fatalf("refused plans published one: %+v", plan)
		}
		var v struct {
			BranchID  int64 `json:"branch_id"`
			Attendees int
			Changes   []any
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, viewingPath, nil), &v)
		if v.BranchID != ch.Branches[0].ID || v.Attendees != 20 || len(v.Changes) != 0 {
			t.Fatalf("refused corrections changed the viewing: %+v", v)
		}
		for _, p := range []string{"/api/v1/viewings", "/api/v1/practices"} {
			var list struct{ Total int }
			mustJSON(t, e.as("ch-official", http.MethodGet, p, nil), &list)
			if want := map[bool]int{true: 1, false: 0}[p == "/api/v1/viewings"]; list.Total != want {
				t.Fatalf("refused records left %d in %s, want %d", list.Total, p, want)
			}
		}
	})
}

// mustFloat parses a decimal id as JSON numbers decode.
func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestAPIBodyLimitStreamed sends an over-long body of unknown length, so the
// limit is hit while reading rather than from Content-Length.
func TestAPIBodyLimitStreamed(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		big := io.MultiReader(strings.NewReader(`{"title":"`), bytes.NewReader(bytes.Repeat([]byte("x"), 9<<20)), strings.NewReader(`"}`))
		req := httptest.NewRequest(http.MethodPost, "/api/v1/lessons", io.NopCloser(big))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.token("ch-official"))
		res := httptest.NewRecorder()
		e.S.ServeHTTP(res, req)
		if res.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413: %.300s", res.Code, res.Body)
		}
		if er := apiErrorOf(t, res); er.Code != "body_too_large" {
			t.Fatalf("code %q", er.Code)
		}
	})
}

// TestAPIErrorsNever500 throws odd input at every API route and requires a
// well-formed answer below 500 each time. Routes of one order act on a real
// order, so the odd bodies reach its rules, not just the 404.
func TestAPIErrorsNever500(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		bodies := []string{``, `null`, `{}`, `[]`, `"x"`, `{"id":1}`, `{"name":null,"title":null}`, "{\"name\":\"\x00\"}",
			`{"name":"` + strings.Repeat("字", 5000) + `","title":"` + strings.Repeat("字", 5000) + `"}`,
			`{"availability":[{"weekday":9,"start_minute":-5,"end_minute":99999}],"blackouts":[{"day":"2026-02-30"}],"name":"x"}`,
			`{"lat":"NaN","lng":1e400,"name":"x"}`, `{"lecturer_ids":[-1,0,9223372036854775807],"title":"x","topic":"红色教育","duration_minutes":20}`,
			// Ordering.
			`{"slot":-1}`, `{"slot":9223372036854775807}`, `{"slot":1.5}`, `{"start":"2026-02-30T25:61"}`, `{"start":"2026-12-09"}`, `{"reason":"\u0000"}`, `{"note":"\u0000"}`,
			`{"accept":"yes"}`, `{"accept":null}`, `{"stars":9,"comment":"x"}`, `{"stars":-9223372036854775808}`,
			`{"reason":"` + strings.Repeat("理", 301) + `"}`, `{"lecturer_id":-1}`, `{"lecturer_id":9223372036854775807}`,
			`{"attendees":-5,"minutes":1e9,"summary":"x","photo_links":["javascript:alert(1)","","http://x y"]}`,
			`{"lesson_id":9223372036854775807,"courtyard_id":-1,"slots":["x","2026-12-05T14:00:00+08:00","2026-12-05T14:00:00+08:00","", "z"],"audience":-1}`,
			`{"lesson_id":1,"courtyard_id":1,"slots":["9999-12-31T23:59:59Z","0001-01-01T00:00:00Z"]}`,
			`{"title":"t","speaker":"s","date":"0000-00-00","attendees":1,"branch_id":-1}`, `{"title":"t","speaker":"s","date":"2026-11-29","attendees":1,"branch_id":9223372036854775807}`,
			`{"travel_buffer_minutes":-1,"lead_time_hours":99999,"horizon_days":0,"answer_deadline_hours":0,"schedule_spec":"* * *"}`,
			`{"travel_buffer_minutes":30,"lead_time_hours":48,"horizon_days":90,"answer_deadline_hours":72,"schedule_spec":"` + strings.Repeat("*", 100) + `"}`,
			// The theme day.
			`{"lesson_ids":[1,2,3],"films":[{"film_id":-1,"preview_date":"2026-02-30","link":"javascript:alert(1)"},{"film_id":-1}]}`,
			`{"lesson_ids":[9223372036854775807,-1,0,0,0,0,0,0,0,0],"note":"\u0000"}`, `{"lesson_ids":null,"films":null}`, `{"lesson_ids":"1,2,3"}`,
			`{"film_id":-1,"film_title":"","date":"2026-02-30","attendees":-1}`, `{"film_title":"x","date":"1999-12-31","attendees":9223372036854775807}`,
			`{"film_title":"x","date":"9999-12-31","attendees":1,"branch_id":9223372036854775807}`,
			`{"type":"","date":"","participants":0,"opinions":-1,"service_items":1e9}`, `{"type":"义诊","date":"2026-11-28","participants":1,"branch_id":-1}`}
		queries := []string{"", "?status=requested,,bogus", "?status=%00&q=%00&topic=%00&month=%00", "?month=2026-13&page=1000000000&per_page=200",
			"?month=0000-00&town_id=9223372036854775807&lecturer_id=9223372036854775807&branch_id=1",
			"?month=%25&status=%27%3B--&lecturer_id=-1", "?month=2026-12&town_id=1&page=0&per_page=0",
			"?from=2026-12&to=2026-01&kind=bogus", "?from=0001-01&to=9999-12&kind=%27", "?from=2026-13&to=&branch_id=-1", "?kind=village&town_id=0"}
		logins := []string{"ch-official", "ch-secretary", "ch-lecturer", "cs-county"}
		for _, l := range logins {
			// Sign in first: the odd sign-ins below count as failures
			// against the test's one client address.
			e.token(l)
		}
		// A requested order of ch-secretary's branch and ch-lecturer.
		res := e.as("ch-secretary", http.MethodPost, "/api/v1/orders", map[string]any{"lesson_id": e.W.A.Lessons[0].ID,
			"lecturer_id": e.W.A.Lecturers[0].ID, "courtyard_id": e.W.A.Courtyards[0].ID, "slots": []string{"2026-12-05T14:00:00+08:00"}})
		var order struct{ ID int64 }
		mustJSON(t, res, &order)
		if res.Code != http.StatusCreated {
			t.Fatalf("order: %d %s", res.Code, res.Body)
		}
		// A viewing and a practice of the same branch, likewise.
		records := map[string]int64{}
		for kind, body := range map[string]any{
			"viewings":  map[string]any{"film_id": e.W.A.Films[0].ID, "date": "2026-11-28", "attendees": 20},
			"practices": map[string]any{"type": "义诊", "date": "2026-11-28", "participants": 6},
		} {
			res := e.as("ch-secretary", http.MethodPost, "/api/v1/"+kind, body)
			var rec struct{ ID int64 }
			mustJSON(t, res, &rec)
			if res.Code != http.StatusCreated {
				t.Fatalf("%s: %d %s", kind, res.Code, res.Body)
			}
			records[kind] = rec.ID
		}
		for route := range apiRoutes(e.S) {
			if route == "DELETE /api/v1/session" {
				continue // would sign the cached sessions out
			}
			method, path, _ := strings.Cut(route, " ")
			id := "1"
			if strings.HasPrefix(path, "/api/v1/orders/") {
				id = fmt.Sprint(order.ID)
			}
			for kind, rid := range records {
				if strings.HasPrefix(path, "/api/v1/"+kind+"/") {
					id = fmt.Sprint(rid)
				}
			}
			path = strings.NewReplacer("{id}", id, "{kind}", "lessons", "{month}", "2026-12").Replace(path)
			for _, login := range logins {
				inputs := queries
				if method == http.MethodPost || method == http.MethodPut {
					inputs = bodies
				}
				for _, in := range inputs {
					var body any
					p := path
					if method == http.MethodPost || method == http.MethodPut {
						body = in
					} else {
						p += in
					}
					res := e.as(login, method, p, body, "Content-Type", "application/json")
					if res.Code >= 500 {
						t.Errorf("%s as %s with %.60q: %d %.300s", route, login, in, res.Code, res.Body)
					}
					if res.Code >= 400 {
						apiErrorOf(t, res)
					}
				}
			}
		}
	})
}

// TestImportAPIErrors: a refused import names every bad cell in
// fields.rows and writes nothing; other failures keep the error shape.
func TestImportAPIErrors(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		upload := func(kind, filename, content string, headers ...string) *httptest.ResponseRecorder {
			body, ctype := multipartFile(t, filename, content)
			return e.as("ch-official", http.MethodPost, "/api/v1/imports/"+kind, body, append([]string{"Content-Type", ctype}, headers...)...)
		}
		res := upload("branches", "b.csv", "名称,类型\n甲村,城市\n,村\n"+e.W.A.Branches[0].Name+",村\n", "Accept-Language", "en")
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad rows: %d %s", res.Code, res.Body)
		}
		var body struct {
			Error struct {
				Code   string
				Fields struct {
					Rows []struct {
						Row     int
						Column  string
						Message string
					}
				}
			}
		}
		mustJSON(t, res, &body)
		apiErrorOf(t, res)
		rows := body.Error.Fields.Rows
		if len(rows) < 3 {
			t.Fatalf("want a problem for each of rows 2, 3 and 4: %s", res.Body)
		}
		seen := map[int]bool{}
		for _, r := range rows {
			if r.Row < 2 || r.Message == "" {
				t.Fatalf("row problem %+v", r)
			}
			seen[r.Row] = true
		}
		if !seen[2] || !seen[3] || !seen[4] {
			t.Fatalf("rows with problems %v, want 2, 3 and 4: %s", seen, res.Body)
		}
		var list struct{ Total int }
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/branches", nil), &list)
		if list.Total != len(e.W.A.Branches) {
			t.Fatalf("refused import wrote branches: %d, want %d", list.Total, len(e.W.A.Branches))
		}

		res = upload("branches", "b.csv", "名称,类型\n乙村,村\n丙社区,社区\n")
		var ok struct {
			Kind     string
			Imported int
		}
		mustJSON(t, res, &ok)
		if res.Code != http.StatusOK || ok.Kind != "branches" || ok.Imported != 2 {
			t.Fatalf("good import: %d %s", res.Code, res.Body)
		}

		cases := []struct {
			name   string
			res    *httptest.ResponseRecorder
			status int
		}{
			{"no header row", upload("lessons", "l.csv", "foo,bar\n1,2\n"), 400},
			{"unknown kind", upload("orders", "o.csv", "名称\n甲\n"), 404},
			{"file over the import limit", upload("branches", "big.csv", "名称\n"+strings.Repeat("甲村\n", 6<<20/7)), 413},
			{"JSON instead of a file", e.as("ch-official", http.MethodPost, "/api/v1/imports/branches", `{"file":"x"}`), 400},
			{"no file part", e.as("ch-official", http.MethodPost, "/api/v1/imports/branches", "--x--\r\n", "Content-Type", "multipart/form-data; boundary=x"), 400},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if c.res.Code != c.status {
					t.Fatalf("status %d, want %d: %.300s", c.res.Code, c.status, c.res.Body)
				}
				apiErrorOf(t, c.res)
			})
		}
	})
}
