package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"weike/themeday"
)

// seedRecords gives the fixture's first branch n viewings, n practices and
// n member lessons, one a day back from 2026-11-30, the oldest with a
// title of its own so that a test can look for it.
func seedRecords(t *testing.T, e *env, n int) {
	t.Helper()
	ctx := context.Background()
	sec := e.W.A.Actors["secretary"]
	day := e.W.Now
	for i := 0; i < n; i++ {
		d := day.AddDate(0, 0, -i).Format("2006-01-02")
		title := "片" + strconv.Itoa(i)
		if i == n-1 {
			title = "最老的片"
		}
		if _, err := e.W.ThemeDay.CreateViewing(ctx, sec, themeday.ViewingInput{FilmTitle: title, Date: d, Attendees: 10}); err != nil {
			t.Fatal(err)
		}
		notes := ""
		if i == n-1 {
			notes = "最老的实践"
		}
		if _, err := e.W.ThemeDay.CreatePractice(ctx, sec, themeday.PracticeInput{Type: "义诊", Date: d, Participants: 5, Notes: notes}); err != nil {
			t.Fatal(err)
		}
		ml := "自讲" + strconv.Itoa(i)
		if i == n-1 {
			ml = "最老的自讲"
		}
		if _, err := e.W.ThemeDay.RecordMemberLesson(ctx, sec, themeday.NewMemberLesson{Title: ml, Speaker: "党员甲", Date: d, Attendees: 8}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRecordListsPage: the lists of viewings, practices and member lessons
// show their true total and a page at a time, the oldest record reachable
// through the pages, the month filter kept by the page links; the API
// pages too, and a client that does not page still gets the first page.
func TestRecordListsPage(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		const n = 120 // 50 + 50 + 20, from 2026-11-30 back to 2026-08-03
		seedRecords(t, e, n)
		rows := func(body, prefix string) int { return strings.Count(body, prefix) }
		lists := []struct {
			path, total, oldest, row string
		}{
			{"/viewings", "共 120 条", "最老的片", `<h2><a href="/viewings/`},
			{"/practices", "共 120 条", "", `<h2><a href="/practices/`},
			{"/member-lessons", "共 120 次", "最老的自讲", "<li>\n<h2>"},
		}
		for _, login := range []string{"ch-official", "ch-secretary"} {
			b := signIn(t, e, login)
			for _, l := range lists {
				what := login + " " + l.path
				page := pageText(t, b, l.path, 200)
				wantIn(t, what, page, l.total, `rel="next"`, l.path+"?page=2")
				lackIn(t, what, page, `rel="prev"`)
				if got := rows(page, l.row); got != 50 {
					t.Errorf("%s shows %d rows, want 50", what, got)
				}
				last := pageText(t, b, l.path+"?page=3", 200)
				wantIn(t, what+" page 3", last, l.total, `rel="prev"`, "第 3 / 3 页")
				lackIn(t, what+" page 3", last, `rel="next"`)
				if l.oldest != "" {
					wantIn(t, what+" page 3", last, l.oldest)
				}
				if got := rows(last, l.row); got != 20 {
					t.Errorf("%s page 3 shows %d rows, want 20", what, got)
				}
				// The month filter is kept by the pages: October has 31 of each.
				oct := pageText(t, b, l.path+"?month=2026-10", 200)
				wantIn(t, what+" october", oct, strings.Replace(l.total, "120", "31", 1))
				lackIn(t, what+" october", oct, `rel="next"`)
			}
		}
		// The practice list's oldest is on its last page.
		off := signIn(t, e, "ch-official")
		last := pageText(t, off, "/practices?page=3", 200)
		var ids []string
		for _, part := range strings.Split(last, `<h2><a href="/practices/`)[1:] {
			ids = append(ids, part[:strings.IndexByte(part, '"')])
		}
		if len(ids) == 0 {
			t.Fatal("no practices on page 3")
		}
		wantIn(t, "oldest practice", pageText(t, off, "/practices/"+ids[len(ids)-1], 200), "最老的实践")

		// The API: the true total; per_page and page; no paging asked, the first 500.
		for _, path := range []string{"/api/v1/viewings", "/api/v1/practices", "/api/v1/member-lessons"} {
			for _, q := range []struct {
				query           string
				items, page, pp int
			}{
				{"", n, 1, 500},
				{"?per_page=50", 50, 1, 50},
				{"?per_page=50&page=3", 20, 3, 50},
				{"?per_page=50&page=4", 0, 4, 50},
				{"?per_page=9999", n, 1, 500},
				{"?month=2026-10&per_page=10&page=4", 1, 4, 10},
			} {
				res := e.as("ch-official", http.MethodGet, path+q.query, nil)
				if res.Code != http.StatusOK {
					t.Fatalf("%s%s: %d %s", path, q.query, res.Code, res.Body)
				}
				checkDocumented(t, "GET "+path, res)
				var p struct {
					Items         []map[string]any
					Total         int64
					Page, PerPage int `json:"-"`
				}
				var raw map[string]any
				mustJSON(t, res, &p)
				mustJSON(t, res, &raw)
				want := int64(n)
				if strings.Contains(q.query, "month=2026-10") {
					want = 31
				}
				if len(p.Items) != q.items || p.Total != want || raw["page"] != float64(q.page) || raw["per_page"] != float64(q.pp) {
					t.Errorf("%s%s: %d items, total %d, page %v, per_page %v; want %d, %d, %d, %d", path, q.query,
						len(p.Items), p.Total, raw["page"], raw["per_page"], q.items, want, q.page, q.pp)
				}
			}
			if res := e.as("ch-official", http.MethodGet, path+"?page=x", nil); res.Code != http.StatusBadRequest {
				t.Errorf("%s?page=x: %d", path, res.Code)
			}
		}
	})
}

// TestBadMonthFilterShowsList: a month a list cannot read is not a dead
// end; the list shows, unfiltered, with the typed month kept in its field
// and a message saying it was ignored.
func TestBadMonthFilterShowsList(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		seedRecords(t, e, 3)
		cases := []struct {
			login, path, want string
		}{
			{"ch-official", "/member-lessons?month=2026-13", "共 3 次"},
			{"ch-secretary", "/member-lessons?month=abc", "共 3 次"},
			{"ch-official", "/orders?month=2026-13", "点单管理"},
			{"ch-secretary", "/orders?month=2026-13", "共 "},
			{"ch-official", "/viewings?month=2026-13", "共 3 条"},
			{"ch-secretary", "/practices?month=1999-01", "共 3 条"},
			{"cs-county", "/viewings?month=2026-00&page=1", "共 3 条"},
		}
		for _, c := range cases {
			b := signIn(t, e, c.login)
			res := b.get(c.path)
			if res.Code != http.StatusBadRequest {
				t.Errorf("%s %s: %d, want 400 with the list", c.login, c.path, res.Code)
			}
			body := res.Body.String()
			typed, _ := url.ParseQuery(c.path[strings.IndexByte(c.path, '?')+1:])
			text := visibleText(body)
			wantIn(t, c.login+" "+c.path, text, c.want, "已忽略")
			lackIn(t, c.login+" "+c.path, text, "请求无法识别", "出错了")
			if strings.Contains(body, `id="f-month"`) && !strings.Contains(body, `value="`+typed.Get("month")+`"`) {
				t.Errorf("%s %s: the month field lost %q", c.login, c.path, typed.Get("month"))
			}
			checkTranslated(t, c.path, body)
		}
		// A good month still filters, without the message.
		off := signIn(t, e, "ch-official")
		lackIn(t, "good month", pageText(t, off, "/member-lessons?month=2026-11", 200), "已忽略")
	})
}

// TestRecordFormsKeepBadDates: a date a record form cannot take, too old,
// too far ahead or not a date, comes back as the date field's problem on
// the same form (422) with everything typed kept, on a new record's form
// and on an edit's.
func TestRecordFormsKeepBadDates(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		seedRecords(t, e, 1)
		ctx := context.Background()
		vs, err := e.W.ThemeDay.Viewings(ctx, e.W.A.Actors["secretary"], themeday.RecordFilter{})
		if err != nil || len(vs) != 1 {
			t.Fatalf("viewings: %v %d", err, len(vs))
		}
		ps, err := e.W.ThemeDay.Practices(ctx, e.W.A.Actors["secretary"], themeday.RecordFilter{})
		if err != nil || len(ps) != 1 {
			t.Fatalf("practices: %v %d", err, len(ps))
		}
		forms := []struct {
			path string
			form url.Values
			kept []string
		}{
			{"/viewings/new", url.Values{"film_id": {"other"}, "film_title": {"村史片打字"}, "attendees": {"23"}, "notes": {"观后讨论热烈"}},
				[]string{"村史片打字", `value="23"`, "观后讨论热烈"}},
			{fmt.Sprintf("/viewings/%d/edit", vs[0].ID), url.Values{"film_id": {"other"}, "film_title": {"改名的片"}, "attendees": {"31"}, "notes": {"改过的备注"}},
				[]string{"改名的片", `value="31"`, "改过的备注"}},
			{"/practices/new", url.Values{"type": {"义剪"}, "participants": {"17"}, "opinions": {"4"}, "service_items": {"6"}, "notes": {"理发二十人"}},
				[]string{`value="17"`, `value="4"`, `value="6"`, "理发二十人"}},
			{fmt.Sprintf("/practices/%d/edit", ps[0].ID), url.Values{"type": {"义修"}, "participants": {"19"}, "opinions": {"2"}, "service_items": {"3"}, "notes": {"修了水泵"}},
				[]string{`value="19"`, "修了水泵"}},
			{"/member-lessons/new", url.Values{"title": {"我讲家风"}, "speaker": {"党员乙"}, "attendees": {"14"}},
				[]string{"我讲家风", "党员乙", `value="14"`}},
		}
		dates := []struct{ date, msg string }{
			{"1999-01-15", "不能早于 2000 年"},
			{"1899-12-31", "不能早于 2000 年"},
			{"2026-02-30", "日期格式应为"},
			{"abc", "日期格式应为"},
			{"3000-01-01", "不能晚于今天"},
			{"2026-12-01", "不能晚于今天"},
		}
		sec := signIn(t, e, "ch-secretary")
		for _, f := range forms {
			for _, d := range dates {
				what := f.path + " " + d.date
				sec.get(f.path)
				form := url.Values{"date": {d.date}}
				for k, v := range f.form {
					form[k] = v
				}
				res := sec.post(f.path, form)
				if res.Code != http.StatusUnprocessableEntity {
					t.Errorf("%s: %d, want 422\n%s", what, res.Code, visibleText(res.Body.String()))
					continue
				}
				body := res.Body.String()
				wantIn(t, what, body, `id="f-date-err"`, `value="`+d.date+`"`, d.msg)
				wantIn(t, what, body, f.kept...)
				checkTranslated(t, what, body)
			}
		}
	})
}
