package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"weike/notify"
)

// eventPrefRows are the access matrix's rows of the event preferences:
// every signed-in account reads and sets its own.
func eventPrefRows(e *env) []accessRow {
	return []accessRow{
		{route: "GET /api/v1/me/events", want: signedIn(200), list: true, mayBeEmpty: true, req: fixed("/api/v1/me/events", nil)},
		{route: "PUT /api/v1/me/events", want: signedIn(200), list: true, mayBeEmpty: true, req: fixed("/api/v1/me/events", map[string]any{"off": []string{}})},
	}
}

func TestEventPrefsAPI(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		type list struct{ Items []notify.KindPref }
		prefs := func(login string) map[string]notify.KindPref {
			var l list
			mustJSON(t, e.as(login, http.MethodGet, "/api/v1/me/events", nil), &l)
			m := map[string]notify.KindPref{}
			for _, p := range l.Items {
				m[p.Kind] = p
			}
			return m
		}
		// Each role sees the kinds that reach it, all on at first; those
		// that ask for an answer are marked required.
		lec := prefs("ch-lecturer")
		if p := lec[notify.KindOrderRequested]; !p.On || !p.Required {
			t.Errorf("lecturer, new orders: %+v", p)
		}
		if p, ok := lec[notify.KindOrderProposalAnswered]; !ok || !p.On || p.Required {
			t.Errorf("lecturer, proposal answered: %+v", p)
		}
		if _, ok := lec[notify.KindOrderAccepted]; ok {
			t.Error("a lecturer is offered the secretary's kind order.accepted")
		}
		if len(prefs("cs-county")) != 0 {
			t.Error("the county viewer gets event messages")
		}
		cases := []struct {
			name, login string
			off         any
			code        int
		}{
			{"a secretary turns acceptances off", "ch-secretary", []string{notify.KindOrderAccepted, notify.KindOrderAccepted}, 200},
			{"not the proposals she answers", "ch-secretary", []string{notify.KindOrderProposed}, 422},
			{"nor a kind that is not hers", "ch-secretary", []string{notify.KindOrderRequested}, 422},
			{"nor an unknown one", "ch-secretary", []string{"order.nope"}, 422},
			{"a lecturer cannot turn new orders off", "ch-lecturer", []string{notify.KindOrderRequested}, 422},
			{"an official, the digest", "ch-official", []string{notify.KindDigest}, 422},
			{"an official, cancellations", "ch-official", []string{notify.KindOrderCancelled}, 200},
			{"not a list", "ch-official", `{"off": "order.cancelled"}`, 400},
		}
		for _, c := range cases {
			body := c.off
			if l, ok := c.off.([]string); ok {
				body = map[string]any{"off": l}
			}
			if res := e.as(c.login, http.MethodPut, "/api/v1/me/events", body); res.Code != c.code {
				t.Errorf("%s: %d %s", c.name, res.Code, res.Body)
			}
		}
		if p := prefs("ch-secretary")[notify.KindOrderAccepted]; p.On {
			t.Errorf("acceptances still on: %+v", p)
		}
		if p := prefs("ch-secretary")[notify.KindOrderProposed]; !p.On {
			t.Errorf("a refused change turned proposals off: %+v", p)
		}
	})
}

// TestAccountEventsPage: the account page lists the kinds of message that
// reach the account's role; unticking one turns it off, the ones that ask
// for an answer are shown ticked and cannot be turned off by leaving them
// out; the group robot is a channel, naming the phone it @-mentions.
func TestAccountEventsPage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		if err := e.W.DB.W.Exec("UPDATE accounts SET phone = '13907310001' WHERE login = 'ch-lecturer'").Error; err != nil {
			t.Fatal(err)
		}
		lec := signIn(t, e, "ch-lecturer")
		page := pageText(t, lec, "/account", 200)
		wantIn(t, "account", page, "接收哪些消息", "新点单", "需要您答复", "支部答复新时间", `value="webhook"`, "13907310001",
			`id="f-ev-order.requested" name="on" value="order.requested" checked disabled`)
		if strings.Contains(page, `value="order.accepted"`) {
			t.Error("a lecturer is offered the secretary's acceptances")
		}
		// Everything unticked: only what needs no answer goes off.
		res := lec.post("/account/events", url.Values{})
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/account?events=1#events" {
			t.Fatalf("save: %d %s", res.Code, res.Body)
		}
		var l struct{ Items []notify.KindPref }
		mustJSON(t, e.as("ch-lecturer", http.MethodGet, "/api/v1/me/events", nil), &l)
		for _, p := range l.Items {
			if p.On != p.Required {
				t.Errorf("after unticking all: %+v", p)
			}
		}
		page = pageText(t, lec, "/account?events=1", 200)
		wantIn(t, "saved", page, "已保存要接收的消息", `value="order.proposal_answered">`)
		// Ticked again.
		if res := lec.post("/account/events", url.Values{"on": {notify.KindOrderProposalAnswered}}); res.Code != http.StatusSeeOther {
			t.Fatalf("save: %d", res.Code)
		}
		wantIn(t, "on again", pageText(t, lec, "/account", 200), `value="order.proposal_answered" checked>`)
		// The county viewer gets no event messages: no such section.
		if strings.Contains(pageText(t, signIn(t, e, "cs-county"), "/account", 200), "接收哪些消息") {
			t.Error("the county viewer is offered event messages")
		}
	})
}

// TestSettingsQuietHours: the official sets the town's quiet hours and the
// time of the digest; a time that is not one is refused, her input kept.
func TestSettingsQuietHours(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		off := signIn(t, e, "ch-official")
		wantIn(t, "settings", pageText(t, off, "/settings", 200), "免打扰开始", `value="21:00"`, `value="07:30"`, `value="08:00"`)
		form := url.Values{"travel_buffer_minutes": {"30"}, "lead_time_hours": {"48"}, "horizon_days": {"90"},
			"answer_deadline_hours": {"72"}, "points_delivered": {"10"}, "points_five_star": {"2"},
			"schedule_day": {"25"}, "schedule_time": {"09:00"}, "reminder_day": {"20"}, "reminder_time": {"09:00"},
			"quiet_from": {"22:00"}, "quiet_until": {"25:00"}, "digest_at": {"07:45"}}
		res := off.post("/settings", form)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("25:00: %d", res.Code)
		}
		wantIn(t, "25:00", res.Body.String(), "请填写时间", `value="25:00"`, `value="22:00"`, `id="f-quiet_until-err"`)
		form.Set("quiet_until", "22:00")
		res = off.post("/settings", form)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("22:00 to 22:00: %d", res.Code)
		}
		wantIn(t, "22:00 to 22:00", res.Body.String(), "不能是同一时间", `id="f-quiet_until-err"`)
		form.Set("quiet_until", "06:30")
		// An empty number is missing, a huge one out of range, not "not a number".
		for _, c := range []struct{ field, value, says string }{
			{"horizon_days", "", "必填"}, {"lead_time_hours", "99999999999", "超出允许范围"}, {"points_delivered", "十", "请输入数字"},
		} {
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			bad.Set(c.field, c.value)
			res := off.post("/settings", bad)
			if res.Code != http.StatusUnprocessableEntity {
				t.Fatalf("%s=%q: %d", c.field, c.value, res.Code)
			}
			wantIn(t, c.field+"="+c.value, res.Body.String(), `id="f-`+c.field+`-err"`, c.says)
		}
		if res := off.post("/settings", form); res.Code != http.StatusSeeOther {
			t.Fatalf("save: %d %s", res.Code, res.Body)
		}
		var town struct {
			QuietFrom  string `json:"quiet_from"`
			QuietUntil string `json:"quiet_until"`
			DigestAt   string `json:"digest_at"`
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/town/settings", nil), &town)
		if town.QuietFrom != "22:00" || town.QuietUntil != "06:30" || town.DigestAt != "07:45" {
			t.Errorf("saved: %+v", town)
		}
		// The API: empty means the default, a bad time is a field error.
		body := map[string]any{"travel_buffer_minutes": 30, "lead_time_hours": 48, "horizon_days": 90, "answer_deadline_hours": 72,
			"points_delivered": 10, "points_five_star": 2, "digest_at": "8:00"}
		if res := e.as("ch-official", http.MethodPut, "/api/v1/town/settings", body); res.Code != 422 || !strings.Contains(res.Body.String(), "digest_at") {
			t.Errorf("digest at 8:00: %d %s", res.Code, res.Body)
		}
		delete(body, "digest_at")
		mustJSON(t, e.as("ch-official", http.MethodPut, "/api/v1/town/settings", body), &town)
		if town.QuietFrom != "21:00" || town.QuietUntil != "07:30" || town.DigestAt != "08:00" {
			t.Errorf("defaults: %+v", town)
		}
	})
}
