package web

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
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
