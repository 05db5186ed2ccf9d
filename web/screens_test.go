package web

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"weike/booking"
	"weike/fixture"
	"weike/lessons"
)

// TestPageLinksTakeTheRequestsAddress: with no --base-url, the calendar
// link on the agenda (and in the API) names the host the browser used,
// never localhost:8080; a proxy's X-Forwarded-Proto and -Host count only
// from a trusted proxy; a configured base URL wins. The box shows the whole
// link, with a copy button.
func TestPageLinksTakeTheRequestsAddress(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		_, proxies, _ := net.ParseCIDR("192.0.2.0/24")
		behind := e.S.Deps
		behind.TrustedProxies = []*net.IPNet{proxies}
		proxied, err := New(behind)
		if err != nil {
			t.Fatal(err)
		}
		configured := e.S.Deps
		configured.BaseURL = "https://weike.example.cn/"
		fixed, err := New(configured)
		if err != nil {
			t.Fatal(err)
		}
		session := e.session("ch-lecturer")
		cases := []struct {
			name    string
			srv     *Server
			host    string
			peer    string
			headers []string
			want    string
		}{
			{"direct", e.S, "weike.town.test:9000", "203.0.113.9:5555", nil, "http://weike.town.test:9000"},
			{"forwarded headers from anyone", e.S, "10.1.2.3", "203.0.113.9:5555",
				[]string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"}, "http://10.1.2.3"},
			{"forwarded headers from a trusted proxy", proxied, "127.0.0.1:8080", "192.0.2.7:4444",
				[]string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "weike.town.gov.cn"}, "https://weike.town.gov.cn"},
			{"trusted proxy, a junk host", proxied, "weike.town.test", "192.0.2.7:4444",
				[]string{"X-Forwarded-Proto", "gopher", "X-Forwarded-Host", "a/b@evil"}, "http://localhost"},
			{"configured", fixed, "weike.town.test:9000", "203.0.113.9:5555", nil, "https://weike.example.cn"},
		}
		for _, c := range cases {
			get := func(path string, auth bool) string {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Host, req.RemoteAddr = c.host, c.peer
				for i := 0; i+1 < len(c.headers); i += 2 {
					req.Header.Set(c.headers[i], c.headers[i+1])
				}
				if auth {
					req.Header.Set("Authorization", "Bearer "+session)
				} else {
					req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
				}
				rec := httptest.NewRecorder()
				c.srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: %s answers %d", c.name, path, rec.Code)
				}
				return rec.Body.String()
			}
			page := get("/agenda", false)
			webcal := "webcal://" + strings.SplitN(c.want, "://", 2)[1] + "/calendar/"
			for _, w := range []string{`<code id="cal-0" aria-labelledby="cal-0-label">` + c.want + "/calendar/", `href="` + webcal, `data-copy="cal-0"`} {
				if !strings.Contains(page, w) {
					t.Errorf("%s: the agenda lacks %q", c.name, w)
				}
			}
			if strings.Contains(page, "localhost:8080") {
				t.Errorf("%s: the agenda links to localhost:8080", c.name)
			}
			if api := get("/api/v1/calendar-links", true); !strings.Contains(api, `"url":"`+c.want+"/calendar/") {
				t.Errorf("%s: the API's link: %s", c.name, api)
			}
		}
	})
}

// TestFilmPage: every film has a page of its own in its town; a film with
// no link of its own says how to watch it there, and the list's button for
// it leads to that page instead of nowhere.
func TestFilmPage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		f := e.W.A.Films[0]
		local, err := e.W.Lessons.CreateFilm(ctx, e.W.A.Actors["official"], lessons.FilmInput{Title: "稻韵春华", Category: "本土", DurationMinutes: 12})
		if err != nil {
			t.Fatal(err)
		}
		sec := signIn(t, e, "ch-secretary")
		list := sec.get("/films")
		mustContain(t, list, fmt.Sprintf(`href="/films/%d#watch"`, local.ID), `href="https://example.test/film"`, "怎样观看")
		page := sec.get(fmt.Sprintf("/films/%d", local.ID))
		if page.Code != http.StatusOK {
			t.Fatalf("the local film's page: %d", page.Code)
		}
		mustContain(t, page, "稻韵春华", "没有在线观看的链接", fmt.Sprintf(`href="/viewings/new?film_id=%d"`, local.ID))
		mustLack(t, page, "没有找到该页面或记录")
		mustContain(t, sec.get(fmt.Sprintf("/films/%d", f.ID)), `href="https://example.test/film"`)
		// Another town's film is not found; a lecturer reads but records nothing.
		if res := signIn(t, e, "qh-secretary").get(fmt.Sprintf("/films/%d", local.ID)); res.Code != http.StatusNotFound {
			t.Errorf("another town's film: %d", res.Code)
		}
		lec := signIn(t, e, "ch-lecturer").get(fmt.Sprintf("/films/%d", local.ID))
		if lec.Code != http.StatusOK || strings.Contains(lec.Body.String(), "/viewings/new") {
			t.Errorf("the lecturer's film page: %d", lec.Code)
		}
	})
}

// TestLessonSearchFindsTopicsAndLecturers: the search box finds a topic's
// lessons as the topic filter does, and a lecturer's lessons by her name,
// only in the caller's town.
func TestLessonSearchFindsTopicsAndLecturers(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		ids := func(login, query string) []int64 {
			t.Helper()
			res := e.as(login, http.MethodGet, "/api/v1/lessons?per_page=100&"+query, nil)
			var out struct{ Items []lessons.Lesson }
			mustJSON(t, res, &out)
			var got []int64
			for _, l := range out.Items {
				got = append(got, l.ID)
			}
			sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
			return got
		}
		// A second lesson of the topic whose title and summary do not name it.
		if _, err := e.W.Lessons.CreateLesson(t.Context(), e.W.A.Official, lessons.LessonInput{Title: "老兵说长征", Topic: "红色教育",
			DurationMinutes: 20, Status: lessons.StatusPublished, LecturerIDs: []int64{e.W.A.Lecturers[1].ID}}); err != nil {
			t.Fatal(err)
		}
		q := url.QueryEscape
		byTopic := ids("ch-secretary", "topic="+q("红色教育"))
		if len(byTopic) != 2 {
			t.Fatalf("the topic filter finds %v", byTopic)
		}
		for _, c := range []struct {
			login, search string
			want          []int64
		}{
			{"ch-secretary", "红色教育", byTopic},
			{"ch-secretary", "红色", byTopic},
			{"ch-secretary", "王ch", ids("ch-secretary", fmt.Sprintf("lecturer_id=%d", e.W.A.Lecturers[0].ID))},
			{"ch-secretary", "李ch", ids("ch-secretary", fmt.Sprintf("lecturer_id=%d", e.W.A.Lecturers[1].ID))},
			// Another town's lecturer and topic find nothing here.
			{"qh-secretary", "王ch", nil},
			{"qh-secretary", "李ch", nil},
		} {
			if got := ids(c.login, "q="+q(c.search)); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s searching %q finds %v, want %v", c.login, c.search, got, c.want)
			}
		}
		// The page's search box says what it searches.
		mustContain(t, signIn(t, e, "ch-secretary").get("/lessons?q="+q("红色教育")), "老兵说长征", "搜索标题、简介、主题或讲师")
	})
}

// TestOrderFormWeekAtATime: the order form shows one week of times, with
// "previous week" and "next week" buttons that work without JavaScript
// (they post the form back, keeping every input, and order nothing); a
// failed submit lists each problem linked to its field, and the first
// field in error gets the focus.
func TestOrderFormWeekAtATime(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		lesson := A.Lessons[0]
		sec := signIn(t, e, "ch-secretary")
		path := fmt.Sprintf("/lessons/%d/order", lesson.ID)
		weekRe := regexp.MustCompile(`<div class="slot-week" id="week-([0-9-]+)" data-week="[0-9-]+"( hidden)?>`)
		shown := func(page string) (string, int) {
			t.Helper()
			var s []string
			all := weekRe.FindAllStringSubmatch(page, -1)
			for _, m := range all {
				if m[2] == "" {
					s = append(s, m[1])
				}
			}
			if len(s) != 1 {
				t.Fatalf("%d weeks shown of %d", len(s), len(all))
			}
			return s[0], len(all)
		}
		page := sec.get(path).Body.String()
		// The fixture's clock is Monday 30 November 2026.
		if w, n := shown(page); w != "2026-11-30" || n < 5 {
			t.Fatalf("the form shows the week of %s of %d", w, n)
		}
		for _, want := range []string{`data-week-nav="prev" disabled`, `name="week" value="2026-12-07" formnovalidate data-week-nav="next"`,
			"11月30日 周一 至 12月6日 周日"} {
			if !strings.Contains(page, want) {
				t.Errorf("the form lacks %q", want)
			}
		}
		if w, _ := shown(sec.get(path + "?week=2026-12-07").Body.String()); w != "2026-12-07" {
			t.Errorf("?week=2026-12-07 shows %s", w)
		}
		// "Next week" without JavaScript: the form comes back with the next
		// week shown, the checked time and the note kept, and no order.
		form := url.Values{"lecturer_id": {"0"}, "courtyard_id": {strconv.FormatInt(A.Courtyards[0].ID, 10)},
			"slots": {sat14}, "audience": {"30"}, "note": {"带上党旗"}, "week": {"2026-12-07"}}
		res := sec.post(path, form)
		page = html.UnescapeString(res.Body.String())
		if w, _ := shown(page); res.Code != http.StatusOK || w != "2026-12-07" {
			t.Fatalf("next week: %d, week %s", res.Code, w)
		}
		for _, want := range []string{`data-label="12月5日 周六 14:00" value="` + sat14 + `" checked`, "带上党旗", "已选：12月5日 周六 14:00"} {
			if !strings.Contains(page, want) {
				t.Errorf("next week lost %q", want)
			}
		}
		if n, err := e.W.Booking.List(t.Context(), A.Actors["secretary"], booking.OrderFilter{}); err != nil || n.Total != 0 {
			t.Fatalf("next week ordered: %v %v", n.Total, err)
		}
		// A failed submit: the summary links to the fields, the first in
		// error (top to bottom) has the focus, the checked time's week shows.
		form.Del("week")
		form.Set("audience", "很多")
		res = sec.post(path, form)
		page = res.Body.String()
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a bad audience: %d", res.Code)
		}
		for _, want := range []string{`<div class="error summary" role="alert" id="problems">`, `<a href="#f-audience">预计听课人数：`,
			`id="f-audience" name="audience" type="text" inputmode="numeric" value="很多" autofocus aria-invalid="true"`, `data-focus="f-audience"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the failed form lacks %q", want)
			}
		}
		if w, _ := shown(page); w != "2026-11-30" {
			t.Errorf("the failed form shows the week of %s, not that of the time checked", w)
		}
		form.Del("slots")
		page = sec.post(path, form).Body.String()
		if !strings.Contains(page, `<a href="#f-slots">`) || !strings.Contains(page, `<a href="#f-audience">`) ||
			!strings.Contains(page, `<fieldset id="f-slots" class="checks slots" tabindex="-1" aria-describedby="f-slots-err" autofocus>`) ||
			strings.Count(page, "autofocus") != 1 {
			t.Errorf("two problems: the times first, focused, and both linked:\n%s", page)
		}
	})
}

// formValues reads a page's form as a browser would send it untouched:
// every named input with its value, checkboxes only when checked.
func formValues(page, action string) url.Values {
	i := strings.Index(page, `action="`+action+`"`)
	if i < 0 {
		return nil
	}
	form := page[i:]
	form = form[:strings.Index(form, "</form>")]
	out := url.Values{}
	for _, m := range regexp.MustCompile(`<input ([^>]*)>`).FindAllStringSubmatch(form, -1) {
		attr := func(name string) (string, bool) {
			a := regexp.MustCompile(`\b` + name + `="([^"]*)"`).FindStringSubmatch(m[1])
			if a == nil {
				return "", false
			}
			return html.UnescapeString(a[1]), true
		}
		name, ok := attr("name")
		if !ok || name == "_csrf" {
			continue
		}
		if typ, _ := attr("type"); typ == "checkbox" && !strings.Contains(m[1], " checked") {
			continue
		}
		v, _ := attr("value")
		out.Add(name, v)
	}
	return out
}

// TestLecturerKeepsHerHours: a lecturer changes her own weekly hours and
// days off (page and API), never another's; officials of her town may;
// her home speaks to her (orders to answer, next lessons, her hours), and
// never asks her to order for a branch.
func TestLecturerKeepsHerHours(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		own, other := A.Lecturers[0], A.Lecturers[1]
		lec := signIn(t, e, "ch-lecturer")
		home := lec.get("/")
		mustContain(t, home, "等您答复的点单", "即将开讲", "我的可讲时间", fmt.Sprintf(`href="/lecturers/%d/hours"`, own.ID), "19:00-21:00")
		mustLack(t, home, "为支部点单", "挑一堂课点单")
		mustContain(t, lec.get(fmt.Sprintf("/lecturers/%d", own.ID)), fmt.Sprintf(`href="/lecturers/%d/hours"`, own.ID), "修改我的可讲时间")
		mustLack(t, lec.get(fmt.Sprintf("/lecturers/%d", other.ID)), "/hours")
		for _, c := range []struct {
			login string
			id    int64
			code  int
		}{
			{"ch-lecturer", own.ID, 200}, {"ch-lecturer", other.ID, 403}, {"ch-official", other.ID, 200},
			{"ch-secretary", own.ID, 403}, {"qh-lecturer", own.ID, 404}, {"qh-official", own.ID, 404}, {"cs-county", own.ID, 403},
		} {
			if res := signIn(t, e, c.login).get(fmt.Sprintf("/lecturers/%d/hours", c.id)); res.Code != c.code {
				t.Errorf("%s opens the hours of lecturer %d: %d, want %d", c.login, c.id, res.Code, c.code)
			}
		}

		// She works Mondays 09:00–11:00 now, no longer on Saturdays, and
		// is away on Christmas Eve.
		path := fmt.Sprintf("/lecturers/%d/hours", own.ID)
		page := lec.get(path).Body.String()
		form := formValues(page, path)
		if form.Get("win_6_0_from") != "14:00" || form.Get("win_3_0_to") != "21:00" {
			t.Fatalf("the form shows %v", form)
		}
		form.Set("win_1_0_from", "09:00")
		form.Set("win_1_0_to", "11:00")
		form.Set("win_6_0_from", "")
		form.Set("win_6_0_to", "")
		form.Set("off_0_day", "2026-12-24")
		form.Set("off_0_reason", "镇里开会")
		// A window that ends before it begins is refused, input kept.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("win_3_0_to", "18:00")
		res := lec.post(path, bad)
		body := res.Body.String()
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#f-win_3_0_from">`) || !strings.Contains(body, `name="win_3_0_from" value="19:00" step="300" autofocus`) ||
			!strings.Contains(body, `value="镇里开会"`) || !strings.Contains(body, `data-focus="f-win_3_0_from"`) {
			t.Fatalf("a backwards window: %d\n%s", res.Code, body)
		}
		// Its message gives an example of a row, not of another day.
		bad = url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("win_1_0_from", "21:00")
		bad.Set("win_1_0_to", "19:00")
		res = lec.post(path, bad)
		shown := html.UnescapeString(res.Body.String())
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(shown, "起止时间应如 14:00 至 17:00") || strings.Contains(shown, "周六 14:00-17:00") {
			t.Errorf("a backwards Monday window: %d\n%s", res.Code, shown)
		}
		// Two windows of a day that overlap, and a day off already past,
		// are refused, naming the day.
		for _, c := range []struct {
			name string
			set  map[string]string
			want string
		}{
			{"overlapping windows", map[string]string{"win_3_1_from": "20:00", "win_3_1_to": "22:00"}, "周三的时段有重叠"},
			{"a past day off", map[string]string{"off_1_day": "2026-11-01"}, "11月1日 周日已经过去了，不能再设为休息日"},
		} {
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			for k, v := range c.set {
				bad.Set(k, v)
			}
			res := lec.post(path, bad)
			if page := html.UnescapeString(res.Body.String()); res.Code != http.StatusUnprocessableEntity || !strings.Contains(page, c.want) {
				t.Errorf("%s: %d, want 422 saying %q\n%s", c.name, res.Code, c.want, page)
			}
		}
		res = lec.post(path, form)
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != fmt.Sprintf("/lecturers/%d?saved=1#hours", own.ID) {
			t.Fatalf("save: %d %s\n%s", res.Code, res.Header().Get("Location"), res.Body)
		}
		got, err := e.W.Lessons.Lecturer(t.Context(), A.Official, own.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !hasWindows(got.Availability, "1 540 660", "3 1140 1260") {
			t.Errorf("her week is now %v", got.Availability)
		}
		if len(got.Blackouts) != 1 || got.Blackouts[0].Day != "2026-12-24" || got.Blackouts[0].Reason != "镇里开会" {
			t.Errorf("her days off are now %+v", got.Blackouts)
		}
		// The orders follow at once: Monday 7 December 10:40 is a time now.
		slots, err := e.W.Booking.FreeSlots(t.Context(), A.Actors["secretary"], A.Lessons[0].ID, own.ID, 2, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range slots {
			found = found || s.Start.Equal(time.Date(2026, 12, 7, 2, 40, 0, 0, time.UTC))
		}
		if !found {
			t.Errorf("no Monday 10:40 in %v", slots)
		}

		// The API: hers yes, another's no. Her page as the API serves it
		// (from memory, under the catalog's version) follows at once.
		lecPath := fmt.Sprintf("/api/v1/lecturers/%d", own.ID)
		if res := e.as("ch-secretary", http.MethodGet, lecPath, nil); !strings.Contains(res.Body.String(), `{"weekday":1,"start_minute":540,"end_minute":660}`) {
			t.Errorf("the API's lecturer after the page's change: %s", res.Body)
		}
		body2 := map[string]any{"availability": []map[string]int{{"weekday": 6, "start_minute": 840, "end_minute": 1080}}, "blackouts": []any{}}
		if res := e.as("ch-lecturer", http.MethodPut, fmt.Sprintf("/api/v1/lecturers/%d/hours", own.ID), body2); res.Code != http.StatusOK ||
			!strings.Contains(res.Body.String(), `"availability":[{"weekday":6,"start_minute":840,"end_minute":1080}]`) {
			t.Errorf("PUT her own hours: %d %s", res.Code, res.Body)
		}
		if res := e.as("ch-secretary", http.MethodGet, lecPath, nil); !strings.Contains(res.Body.String(), `"availability":[{"weekday":6,"start_minute":840,"end_minute":1080}]`) {
			t.Errorf("the API's lecturer after PUT …/hours: %s", res.Body)
		}
		if res := e.as("ch-lecturer", http.MethodPut, fmt.Sprintf("/api/v1/lecturers/%d/hours", other.ID), body2); res.Code != http.StatusForbidden ||
			!strings.Contains(res.Body.String(), "只能修改自己的可讲时间") {
			t.Errorf("PUT another's hours: %d %s", res.Code, res.Body)
		}
		if res := e.as("ch-lecturer", http.MethodPut, fmt.Sprintf("/api/v1/lecturers/%d/hours", own.ID),
			map[string]any{"availability": []map[string]int{{"weekday": 9, "start_minute": 840, "end_minute": 800}}}); res.Code != http.StatusUnprocessableEntity {
			t.Errorf("PUT a bad window: %d %s", res.Code, res.Body)
		}
	})
}

// hasWindows reports whether ws are exactly the windows "weekday start end".
func hasWindows(ws []lessons.Window, want ...string) bool {
	var got []string
	for _, w := range ws {
		got = append(got, fmt.Sprintf("%d %d %d", w.Weekday, w.StartMinute, w.EndMinute))
	}
	sort.Strings(got)
	sort.Strings(want)
	return fmt.Sprint(got) == fmt.Sprint(want)
}

// TestAccountPassword: every role changes its password on the account page
// (current one asked, the new one twice) and through PUT /api/v1/me/password;
// the account's other sessions end, the one used stays. The API tokens are
// folded under "advanced" for secretaries and lecturers, open for
// officials and county viewers, and reachable by all.
func TestAccountPassword(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		for _, login := range []string{"ch-secretary", "ch-lecturer", "ch-official", "cs-county"} {
			b := signIn(t, e, login)
			elsewhere := e.session(login)
			page := b.get("/account").Body.String()
			if !strings.Contains(page, `action="/account/password"`) || !strings.Contains(page, `autocomplete="current-password"`) {
				t.Fatalf("%s: no password form", login)
			}
			open := strings.Contains(page, `<details class="card advanced" id="tokens" open>`)
			if wantOpen := login == "ch-official" || login == "cs-county"; open != wantOpen || !strings.Contains(page, `action="/account/tokens"`) {
				t.Errorf("%s: the tokens open %v, want %v (and there)", login, open, wantOpen)
			}
			// The two new ones differ: refused, nothing changed.
			res := b.post("/account/password", url.Values{"current_password": {fixture.Password}, "new_password": {"new-password-1"}, "new_password2": {"new-password-2"}})
			if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), "两次输入的新密码不一样") ||
				strings.Contains(res.Body.String(), "new-password-1") {
				t.Errorf("%s: mismatched new passwords: %d", login, res.Code)
			}
			res = b.post("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"new-password-1"}, "new_password2": {"new-password-1"}})
			if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), "现在的密码不对") {
				t.Errorf("%s: a wrong current password: %d", login, res.Code)
			}
			res = b.post("/account/password", url.Values{"current_password": {fixture.Password}, "new_password": {"new-password-1"}, "new_password2": {"new-password-1"}})
			if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/account?password=1#password" {
				t.Fatalf("%s: change: %d %s", login, res.Code, res.Body)
			}
			mustContain(t, b.get("/account?password=1"), "密码已修改")
			if code := e.do(http.MethodGet, "/api/v1/me", elsewhere, nil).Code; code != http.StatusUnauthorized {
				t.Errorf("%s: the other session after the change: %d", login, code)
			}
		}
		// The API: the session used stays, another ends.
		tok, other := e.session("qh-lecturer"), e.session("qh-lecturer")
		e.do(http.MethodGet, "/api/v1/me", other, nil) // cached
		res := e.do(http.MethodPut, "/api/v1/me/password", tok, map[string]string{"current_password": fixture.Password, "new_password": "brand-new-pass"})
		if res.Code != http.StatusNoContent {
			t.Fatalf("PUT /me/password: %d %s", res.Code, res.Body)
		}
		if e.do(http.MethodGet, "/api/v1/me", tok, nil).Code != http.StatusOK || e.do(http.MethodGet, "/api/v1/me", other, nil).Code != http.StatusUnauthorized {
			t.Error("after the API change: the session used should stay, the other end")
		}
		if res := e.do(http.MethodPut, "/api/v1/me/password", tok, map[string]string{"current_password": "brand-new-pass", "new_password": "short"}); res.Code != http.StatusUnprocessableEntity ||
			!strings.Contains(res.Body.String(), `"new_password"`) {
			t.Errorf("a short new password: %d %s", res.Code, res.Body)
		}
	})
}

// TestFilmListSaysWhenItIsShown: December's film list names its dates as
// screening dates, and one in late November says it is the month before
// (the trial read "预告：11月28日" under December).
func TestFilmListSaysWhenItIsShown(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		late, err := e.W.Lessons.CreateFilm(t.Context(), A.Official, lessons.FilmInput{Title: "初心", Category: "红色历史", DurationMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		body := map[string]any{"note": "十二月", "lesson_ids": []int64{A.Lessons[0].ID, A.Lessons[1].ID, A.Lessons[2].ID},
			"films": []map[string]any{{"film_id": A.Films[0].ID, "preview_date": "2026-11-28"}, {"film_id": late.ID, "preview_date": "2026-12-12"}}}
		if res := e.as("ch-official", http.MethodPut, "/api/v1/plans/2026-12", body); res.Code != http.StatusOK {
			t.Fatalf("publish December: %d %s", res.Code, res.Body)
		}
		b := signIn(t, e, "ch-official")
		zh := html.UnescapeString(b.get("/plans/2026-12").Body.String())
		for _, want := range []string{"放映日期：11月28日 周六（上月）", "放映日期：12月12日 周六<"} {
			if !strings.Contains(zh, want) {
				t.Errorf("December's plan lacks %q", want)
			}
		}
		if strings.Contains(zh, "预告") {
			t.Error("December's plan still says 预告")
		}
		b.get("/lang/en?next=/")
		en := html.UnescapeString(b.get("/plans/2026-12").Body.String())
		for _, want := range []string{"Screening: Sat 28 Nov (the month before)", "Screening: Sat 12 Dec<"} {
			if !strings.Contains(en, want) {
				t.Errorf("December's plan in English lacks %q", want)
			}
		}
	})
}

// TestHomeByRole: each role's home offers what that person came for — a
// secretary ordering goes to the lessons, a county viewer to the towns and
// the coverage, and is never asked to order for a branch.
func TestHomeByRole(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		sec := signIn(t, e, "ch-secretary").get("/")
		mustContain(t, sec, `<a href="/lessons">挑一堂课点单</a>`, `<a href="/orders">我的点单</a>`)
		cty := signIn(t, e, "cs-county")
		home := cty.get("/")
		mustContain(t, home, `href="/county"`, `href="/dashboard"`, "全县各镇")
		mustLack(t, home, "为支部点单", "挑一堂课点单")
		cty.get("/lang/en?next=/")
		mustContain(t, cty.get("/"), "every town and branch of the county")
	})
}
