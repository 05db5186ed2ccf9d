package web

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

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
