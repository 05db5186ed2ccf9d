package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"weike/lessons"
)

// TestFilmWatchLinks: in the demo, every "观看" (watch) link of every film,
// on the film list and on the film's own page, leads somewhere: a page of
// weike that answers 200 and is no "not found" page, or a page elsewhere
// (which this machine cannot open). The local films (稻韵春华, 抛砖屋场,
// 春华讲到秋实) linked to files weike never had.
func TestFilmWatchLinks(t *testing.T) {
	a := newApp(t)
	acc, err := a.Org.AccountByLogin(context.Background(), "secretary")
	if err != nil {
		t.Fatal(err)
	}
	session, err := a.Org.CreateSession(context.Background(), acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, a.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "weike_session", Value: session})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, list := get("/films")
	if code != http.StatusOK {
		t.Fatalf("/films: %d", code)
	}
	films := regexp.MustCompile(`<li id="film-\d+">[\s\S]*?</li>`).FindAllString(list, -1)
	if len(films) < 10 {
		t.Fatalf("%d films on the list", len(films))
	}
	watch := regexp.MustCompile(`<a class="button[^"]*" href="([^"]+)"[^>]*>(观看|怎样观看)</a>`)
	follow := func(where, href string) {
		t.Helper()
		href = strings.ReplaceAll(href, "&amp;", "&")
		if strings.HasPrefix(href, "https://") || strings.HasPrefix(href, "http://") {
			return // elsewhere: out of this machine's reach
		}
		path, _, _ := strings.Cut(href, "#")
		code, body := get(path)
		if code != http.StatusOK || strings.Contains(body, "没有找到该页面或记录") {
			t.Errorf("%s: its watch link %s answers %d", where, href, code)
		}
	}
	for _, want := range []string{"稻韵春华", "抛砖屋场", "春华”讲到“秋实"} {
		if !strings.Contains(list, want) {
			t.Errorf("the list lacks %s", want)
		}
	}
	for _, li := range films {
		title := regexp.MustCompile(`<h2><a href="(/films/\d+)">([^<]+)</a></h2>`).FindStringSubmatch(li)
		m := watch.FindStringSubmatch(li)
		if title == nil || m == nil {
			t.Errorf("a film without its page or a watch link:\n%s", li)
			continue
		}
		follow(title[2], m[1])
		code, page := get(title[1])
		if code != http.StatusOK {
			t.Errorf("%s: its page answers %d", title[2], code)
			continue
		}
		if pm := watch.FindStringSubmatch(page); pm != nil {
			follow(title[2]+"'s page", pm[1])
		} else if !strings.Contains(page, "没有在线观看的链接") {
			t.Errorf("%s: its page neither links to the film nor says how to watch it", title[2])
		}
	}
}

// TestDemoSearchByTopic: in the demo, "红色教育" typed into the search box
// finds the same lessons as the topic filter (the trial found 1 and 6).
func TestDemoSearchByTopic(t *testing.T) {
	a := newApp(t)
	sec := a.actor(t, "secretary")
	ids := func(f lessons.LessonFilter) string {
		f.PerPage = 100
		p, err := a.Lessons.Lessons(context.Background(), sec, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, l := range p.Items {
			out = append(out, l.ID)
		}
		sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
		return fmt.Sprint(out)
	}
	byTopic, bySearch := ids(lessons.LessonFilter{Topic: "红色教育"}), ids(lessons.LessonFilter{Q: "红色教育"})
	if byTopic != bySearch || strings.Count(byTopic, " ") != 5 {
		t.Errorf("the topic filter finds %s, the search %s; want the same 6", byTopic, bySearch)
	}
}
