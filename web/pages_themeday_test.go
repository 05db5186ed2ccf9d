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

	"weike/themeday"

	"weike/fixture"
	"weike/lessons"
	"weike/org"
)

// untranslatedTD finds theme-day catalog keys that reached a page untranslated.
var untranslatedTD = regexp.MustCompile(`\b(td|plan|record|viewing|practice)\.[a-z_]+`)

var tags = regexp.MustCompile(`<[^>]+>`)

// visibleText is a page as a reader sees it: tags gone, entities decoded,
// runs of white space folded.
func visibleText(body string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(body, " "))), " ")
}

func checkTranslated(t *testing.T, what, body string) {
	t.Helper()
	for _, re := range []*regexp.Regexp{untranslated, untranslatedOp, untranslatedTD} {
		if m := re.FindString(body); m != "" {
			t.Errorf("%s shows the untranslated key %q", what, m)
		}
	}
}

var (
	viewingLoc  = regexp.MustCompile(`^/viewings/(\d+)\?saved=1$`)
	practiceLoc = regexp.MustCompile(`^/practices/(\d+)\?saved=1$`)
)

// postRecord sends a record form and returns the new or edited record's id.
func postRecord(t *testing.T, b *browser, path string, form url.Values, loc *regexp.Regexp) int64 {
	t.Helper()
	b.get(path) // the form's page carries the CSRF token
	res := b.post(path, form)
	if res.Code != http.StatusSeeOther {
		t.Fatalf("POST %s: %d\n%s", path, res.Code, visibleText(res.Body.String()))
	}
	m := loc.FindStringSubmatch(res.Header().Get("Location"))
	if m == nil {
		t.Fatalf("POST %s redirects to %q", path, res.Header().Get("Location"))
	}
	return mustID(t, m[1])
}

func monthFilter(m string) themeday.RecordFilter { return themeday.RecordFilter{Month: m} }

func sampleViewing(filmID int64) themeday.ViewingInput {
	return themeday.ViewingInput{FilmID: filmID, Date: "2026-11-28", Attendees: 25, Notes: "大家很受触动"}
}

func samplePractice() themeday.PracticeInput {
	return themeday.PracticeInput{Type: "义诊", Date: "2026-11-29", Participants: 12, Opinions: 3, ServiceItems: 2}
}

func samplePracticeEdit() themeday.PracticeInput {
	in := samplePractice()
	in.Type = "义剪"
	return in
}

// publishNovember publishes 春华镇's plan for 2026-11 (the fixture's month)
// through the official's form: the three published lessons and two films.
func publishNovember(t *testing.T, e *env) (*browser, *lessons.Film) {
	t.Helper()
	A := e.W.A
	f2, err := e.W.Lessons.CreateFilm(context.Background(), A.Official, lessons.FilmInput{Title: "ch《初心》", Category: "红色历史", Link: "https://example.test/chuxin"})
	if err != nil {
		t.Fatal(err)
	}
	off := signIn(t, e, "ch-official")
	page := pageText(t, off, "/plans/2026-11/edit", 200)
	wantIn(t, "plan form", page, "ch红色家书里的初心", "红色教育", "乡村振兴", "ch《抛砖屋场》", "ch《初心》", `type="date"`, `min="2026-10-17"`, `max="2026-11-30"`)
	lackIn(t, "plan form", page, "ch草稿课", " checked")
	f1 := strconv.FormatInt(A.Films[0].ID, 10)
	id2 := strconv.FormatInt(f2.ID, 10)
	form := url.Values{
		"lesson_ids":    {strconv.FormatInt(A.Lessons[0].ID, 10), strconv.FormatInt(A.Lessons[1].ID, 10)},
		"film_ids":      {f1, id2},
		"preview_" + f1: {"2026-11-28"}, "link_" + f1: {""},
		"preview_" + id2: {"2026-12-15"}, "link_" + id2: {"https://example.test/chuxin-11"},
		"note": {"十一月主题：不忘初心"},
	}
	// Two lessons and a preview in the next month: refused, input kept.
	res := off.post("/plans/2026-11/edit", form)
	if res.Code != http.StatusUnprocessableEntity {
		t.Fatalf("two lessons: %d", res.Code)
	}
	body := html.UnescapeString(res.Body.String())
	wantIn(t, "refused plan", body, "每月精选 3–8 堂微党课", "放映日期应在当月，或月初前的半个月内", "十一月主题：不忘初心",
		`value="2026-12-15"`, `value="https://example.test/chuxin-11"`,
		fmt.Sprintf(`id="lesson-%d" name="lesson_ids" value="%d" checked`, A.Lessons[0].ID, A.Lessons[0].ID), fmt.Sprintf(`id="film-%s-err"`, id2))
	lackIn(t, "refused plan", body, fmt.Sprintf(`id="lesson-%d" name="lesson_ids" value="%d" checked`, A.Lessons[2].ID, A.Lessons[2].ID), fmt.Sprintf(`id="film-%s-err"`, f1))
	if p, err := e.W.Lessons.Plan(context.Background(), A.Official, "2026-11", 0); err != nil || p.PublishedAt != nil {
		t.Fatalf("a refused plan was saved: %+v %v", p, err)
	}

	form["lesson_ids"] = append(form["lesson_ids"], strconv.FormatInt(A.Lessons[2].ID, 10))
	form.Set("preview_"+id2, "2026-11-20")
	res = off.post("/plans/2026-11/edit", form)
	if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/plans/2026-11?saved=1" {
		t.Fatalf("publish: %d %q\n%s", res.Code, res.Header().Get("Location"), visibleText(res.Body.String()))
	}
	wantIn(t, "plan page", visibleText(pageText(t, off, "/plans/2026-11?saved=1", 200)), "已保存", "2026年11月计划", "已发布",
		"ch稻花香里说振兴", "ch《初心》", "放映日期：11月20日 周五", "十一月主题：不忘初心")
	// The edit form now starts from the published plan.
	wantIn(t, "plan form again", pageText(t, off, "/plans/2026-11/edit", 200),
		fmt.Sprintf(`id="lesson-%d" name="lesson_ids" value="%d" checked`, A.Lessons[2].ID, A.Lessons[2].ID), `value="2026-11-28"`)
	return off, f2
}

func TestThemeDayPlanReachesSecretary(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		off := signIn(t, e, "ch-official")
		plans := visibleText(pageText(t, off, "/plans", 200))
		wantIn(t, "plans", plans, "2026年10月", "2026年11月 本月 未发布", "2026年12月", "2027年1月", "发布计划")

		off, _ = publishNovember(t, e)
		wantIn(t, "plans after", visibleText(pageText(t, off, "/plans", 200)), "2026年11月 本月 已发布", "精选 3 堂 · 教育片 2 部")

		sec := signIn(t, e, "ch-secretary")
		page := pageText(t, sec, "/this-month", 200)
		wantIn(t, "this month", page, fmt.Sprintf(`href="/lessons/%d"`, e.W.A.Lessons[1].ID), "ch屋场夜话议村事",
			`<a href="https://example.test/film" rel="noopener">`, `<a href="https://example.test/chuxin-11" rel="noopener">`,
			fmt.Sprintf(`href="/viewings/new?film_id=%d"`, e.W.A.Films[0].ID))
		text := visibleText(page)
		wantIn(t, "this month", text, "2026年11月 · 龙王庙村", "ch《抛砖屋场》", "放映日期：11月28日 周六", "ch《初心》", "放映日期：11月20日 周五")
		// The order of the films is the plan's.
		if strings.Index(text, "ch《抛砖屋场》") > strings.Index(text, "ch《初心》") {
			t.Errorf("films out of the plan's order")
		}
		// Another month has no plan yet; a bad month is a 400.
		wantIn(t, "next month", visibleText(pageText(t, sec, "/this-month?month=2026-12", 200)), "该月计划尚未发布", "2026年12月还差：微党课、观看教育片、微实践")
		pageText(t, sec, "/this-month?month=2026-13", 400)
		// The secretary reads plans through her month only; she may not publish.
		pageText(t, sec, "/plans/2026-11/edit", 403)
		sec.get("/this-month")
		if res := sec.post("/plans/2026-11/edit", url.Values{}); res.Code != http.StatusForbidden {
			t.Errorf("secretary publishes: %d", res.Code)
		}
		// The other town sees nothing of it.
		qh := signIn(t, e, "qh-secretary")
		lackIn(t, "qh month", pageText(t, qh, "/this-month", 200), "ch《初心》", "ch红色家书里的初心")
	})
}

func TestThemeDayRecordsJourney(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		publishNovember(t, e)
		sec := signIn(t, e, "ch-secretary")
		text := visibleText(pageText(t, sec, "/this-month", 200))
		wantIn(t, "month before", text, "本月还差：微党课、观看教育片、微实践", "课 ✗ 还差", "片 ✗ 还差", "实践 ✗ 还差")

		// The viewing form: the month's list first, then "其他"; max is today.
		form := pageText(t, sec, fmt.Sprintf("/viewings/new?film_id=%d", A.Films[0].ID), 200)
		wantIn(t, "viewing form", form, "2026年11月教育片清单", fmt.Sprintf(`<option value="%d" selected>ch《抛砖屋场》`, A.Films[0].ID),
			`<option value="other">其他（填写片名）`, `max="2026-11-30"`, `value="2026-11-30"`, "龙王庙村", `for="f-attendees"`, `for="f-notes"`)
		lackIn(t, "viewing form", form, `name="branch_id"`)
		vid := postRecord(t, sec, "/viewings/new", url.Values{"film_id": {strconv.FormatInt(A.Films[0].ID, 10)}, "date": {"2026-11-28"},
			"attendees": {"25"}, "notes": {"大家很受触动"}}, viewingLoc)
		wantIn(t, "viewing", visibleText(pageText(t, sec, fmt.Sprintf("/viewings/%d?saved=1", vid), 200)),
			"已保存", "ch《抛砖屋场》", "2026年11月28日 周六", "25 人", "大家很受触动", "没有修改过", "修改")
		text = visibleText(pageText(t, sec, "/this-month", 200))
		wantIn(t, "month after viewing", text, "本月还差：微党课、微实践", "片 ✓ 已完成", "实践 ✗ 还差")
		lackIn(t, "month after viewing", text, "观看教育片、")

		// A bad practice: refused with the problems by the fields, input kept.
		bad := url.Values{"type": {"义诊"}, "date": {"2026-12-05"}, "participants": {"0"}, "opinions": {"3"}, "service_items": {"2"}, "notes": {"村部义诊"}}
		sec.get("/practices/new")
		res := sec.post("/practices/new", bad)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad practice: %d", res.Code)
		}
		body := html.UnescapeString(res.Body.String())
		wantIn(t, "bad practice", body, "输入有误，请检查标出的项目", `id="f-date-err">日期不能晚于今天`, `id="f-participants-err">超出允许范围`,
			`<option value="义诊" selected>`, `value="2026-12-05"`, `value="0"`, "村部义诊", `aria-invalid="true"`)
		if ps, _ := e.W.ThemeDay.Practices(context.Background(), A.Actors["secretary"], monthFilter("2026-11")); len(ps) != 0 {
			t.Fatalf("a refused practice was saved: %+v", ps)
		}
		// Words for numbers are refused before the store.
		res = sec.post("/practices/new", url.Values{"type": {"义诊"}, "date": {"2026-11-29"}, "participants": {"十二"}})
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), "请输入数字") {
			t.Errorf("words for a number: %d", res.Code)
		}
		pid := postRecord(t, sec, "/practices/new", url.Values{"type": {"义诊"}, "date": {"2026-11-29"}, "participants": {"12"},
			"opinions": {"3"}, "service_items": {"2"}, "notes": {"村部义诊"}}, practiceLoc)
		wantIn(t, "practice", visibleText(pageText(t, sec, fmt.Sprintf("/practices/%d", pid), 200)), "义诊", "2026年11月29日 周日", "12 人", "村部义诊")
		text = visibleText(pageText(t, sec, "/this-month", 200))
		wantIn(t, "month after practice", text, "本月还差：微党课", "片 ✓", "实践 ✓ 已完成", "课 ✗ 还差", "社情民意 3 条", "为民服务事项 2 件", "25 人观看")

		// A member lesson makes the lesson mark.
		sec.get("/member-lessons/new")
		if res := sec.post("/member-lessons/new", url.Values{"title": {"身边的好党员"}, "speaker": {"张三"}, "date": {"2026-11-27"}, "attendees": {"20"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("member lesson: %d", res.Code)
		}
		text = visibleText(pageText(t, sec, "/this-month", 200))
		wantIn(t, "month complete", text, "本月的课、片、实践都已完成", "课 ✓", "片 ✓", "实践 ✓", "身边的好党员")
		lackIn(t, "month complete", text, "还差")

		// A film outside the catalog.
		oid := postRecord(t, sec, "/viewings/new", url.Values{"film_id": {"other"}, "film_title": {"自选纪录片"}, "date": {"2026-11-29"}, "attendees": {"9"}}, viewingLoc)
		wantIn(t, "other film", visibleText(pageText(t, sec, fmt.Sprintf("/viewings/%d", oid), 200)), "自选纪录片")
		sec.get("/viewings/new")
		if res := sec.post("/viewings/new", url.Values{"film_id": {"other"}, "date": {"2026-11-29"}, "attendees": {"9"}}); res.Code != http.StatusUnprocessableEntity ||
			!strings.Contains(res.Body.String(), "请填写片名") {
			t.Errorf("other film without a title: %d", res.Code)
		}

		// The official edits the secretary's viewing; the history names her.
		off := signIn(t, e, "ch-official")
		edit := pageText(t, off, fmt.Sprintf("/viewings/%d/edit", vid), 200)
		wantIn(t, "edit form", edit, `value="25"`, "大家很受触动", "龙王庙村")
		lackIn(t, "edit form", edit, `name="branch_id"`)
		postRecord(t, off, fmt.Sprintf("/viewings/%d/edit", vid), url.Values{"film_id": {"other"}, "film_title": {"自选纪录片"},
			"date": {"2026-11-27"}, "attendees": {"30"}, "notes": {"大家很受触动，讨论热烈"}}, viewingLoc)
		detail := visibleText(pageText(t, sec, fmt.Sprintf("/viewings/%d", vid), 200))
		wantIn(t, "history", detail, "修改记录", "ch-official 修改", "观看人数 ： 25 → 30", "教育片 ： ch《抛砖屋场》 → 自选纪录片",
			"教育片（片库） ： ch《抛砖屋场》 → 其他（填写片名）", "日期 ： 2026年11月28日 周六 → 2026年11月27日 周五", "观后感 ： 大家很受触动 → 大家很受触动，讨论热烈")
		// The official's practice edit reads in its own words too.
		postRecord(t, off, fmt.Sprintf("/practices/%d/edit", pid), url.Values{"type": {"义剪"}, "date": {"2026-11-29"}, "participants": {"12"},
			"opinions": {"5"}, "service_items": {"2"}, "notes": {"村部义诊"}}, practiceLoc)
		wantIn(t, "practice history", visibleText(pageText(t, sec, fmt.Sprintf("/practices/%d", pid), 200)),
			"ch-official 修改", "实践类型 ： 义诊 → 义剪", "收集社情民意（条） ： 3 → 5")

		// A secretary of another branch of the same town: not found.
		acc, err := e.W.Org.CreateAccount(context.Background(), org.NewAccount{Login: "ch-secretary2", Password: fixture.Password,
			Name: "春华山村书记", Role: org.RoleSecretary, TownID: A.Town.ID, BranchID: A.Branches[1].ID})
		if err != nil || acc == nil {
			t.Fatal(err)
		}
		other := signIn(t, e, "ch-secretary2")
		for _, p := range []string{fmt.Sprintf("/viewings/%d", vid), fmt.Sprintf("/viewings/%d/edit", vid), fmt.Sprintf("/practices/%d", pid), fmt.Sprintf("/practices/%d/edit", pid)} {
			pageText(t, other, p, 404)
		}
		other.get("/this-month")
		if res := other.post(fmt.Sprintf("/viewings/%d/edit", vid), url.Values{"film_id": {"other"}, "film_title": {"x"}, "date": {"2026-11-27"}, "attendees": {"1"}}); res.Code != http.StatusNotFound {
			t.Errorf("other branch edits: %d", res.Code)
		}
		ot := visibleText(pageText(t, other, "/this-month", 200))
		wantIn(t, "other branch's month", ot, "本月还差：微党课、观看教育片、微实践", "春华山村")
		lackIn(t, "other branch's month", ot, "自选纪录片", "义剪")
		lackIn(t, "other branch's list", pageText(t, other, "/viewings", 200), "自选纪录片")
		// Another town's official: not found either.
		pageText(t, signIn(t, e, "qh-official"), fmt.Sprintf("/viewings/%d", vid), 404)

		// The county viewer reads plans and records but changes nothing.
		cty := signIn(t, e, "cs-county")
		wantIn(t, "county plans", visibleText(pageText(t, cty, "/plans", 200)), "2026年11月 本月 已发布")
		lackIn(t, "county plans", pageText(t, cty, "/plans", 200), "/edit")
		wantIn(t, "county plan", visibleText(pageText(t, cty, "/plans/2026-11", 200)), "ch《初心》")
		wantIn(t, "county viewings", visibleText(pageText(t, cty, "/viewings?month=2026-11", 200)), "共 2 条", "自选纪录片", "龙王庙村")
		wantIn(t, "county practices", visibleText(pageText(t, cty, fmt.Sprintf("/practices?branch_id=%d", A.Branches[0].ID), 200)), "共 1 条", "义剪")
		cv := pageText(t, cty, fmt.Sprintf("/viewings/%d", vid), 200)
		lackIn(t, "county viewing", cv, "/edit")
		for _, p := range []string{"/viewings/new", "/practices/new", "/plans/2026-11/edit", fmt.Sprintf("/viewings/%d/edit", vid)} {
			pageText(t, cty, p, 403)
		}
		for _, p := range []string{"/viewings/new", "/practices/new", "/plans/2026-11/edit", fmt.Sprintf("/viewings/%d/edit", vid), fmt.Sprintf("/practices/%d/edit", pid)} {
			if res := cty.post(p, url.Values{"film_id": {"other"}, "film_title": {"x"}, "date": {"2026-11-27"}, "attendees": {"1"}}); res.Code != http.StatusForbidden {
				t.Errorf("county POST %s: %d", p, res.Code)
			}
		}
		if v, _ := e.W.ThemeDay.Viewing(context.Background(), A.Official, vid); v == nil || v.Attendees != 30 {
			t.Errorf("viewing after refused edits: %+v", v)
		}
		pageText(t, cty, "/this-month", 403)
		pageText(t, signIn(t, e, "ch-lecturer"), "/viewings", 403)
	})
}

func TestThemeDayOfficialRecordsForABranch(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		off := signIn(t, e, "ch-official")
		form := pageText(t, off, "/practices/new", 200)
		wantIn(t, "official's form", form, `name="branch_id"`, "春华山村", "金鼎山社区", `<option value="走访慰问">`, `<option value="助农秋收">`)
		off.get("/practices/new")
		res := off.post("/practices/new", url.Values{"type": {"走访慰问"}, "date": {"2026-11-20"}, "participants": {"6"}})
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(res.Body.String()), `id="f-branch_id-err">必填`) {
			t.Fatalf("no branch: %d", res.Code)
		}
		pid := postRecord(t, off, "/practices/new", url.Values{"branch_id": {strconv.FormatInt(A.Branches[1].ID, 10)}, "type": {"走访慰问"},
			"date": {"2026-11-20"}, "participants": {"6"}}, practiceLoc)
		wantIn(t, "official's practice", visibleText(pageText(t, off, fmt.Sprintf("/practices/%d", pid), 200)), "春华山村", "走访慰问", "6 人")
		wantIn(t, "official's list", visibleText(pageText(t, off, "/practices?month=2026-11", 200)), "共 1 条", "春华山村")
		wantIn(t, "other month", visibleText(pageText(t, off, "/practices?month=2026-10", 200)), "共 0 条")
		pageText(t, off, "/practices?month=11-2026", 400)
		// A branch of the other town is refused.
		off.get("/practices/new")
		res = off.post("/practices/new", url.Values{"branch_id": {strconv.FormatInt(e.W.B.Branches[0].ID, 10)}, "type": {"走访慰问"}, "date": {"2026-11-20"}, "participants": {"6"}})
		if res.Code != http.StatusUnprocessableEntity {
			t.Errorf("other town's branch: %d", res.Code)
		}
		// Secretaries never name a branch: their own is taken.
		sec := signIn(t, e, "ch-secretary")
		sec.get("/viewings/new")
		res = sec.post("/viewings/new", url.Values{"branch_id": {strconv.FormatInt(A.Branches[1].ID, 10)}, "film_id": {"other"}, "film_title": {"x"}, "date": {"2026-11-20"}, "attendees": {"3"}})
		if res.Code != http.StatusForbidden {
			t.Errorf("secretary names another branch: %d", res.Code)
		}
	})
}

func TestThemeDayPagesInBothLanguages(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		publishNovember(t, e)
		ctx := context.Background()
		sa := A.Actors["secretary"]
		v, err := e.W.ThemeDay.CreateViewing(ctx, sa, sampleViewing(A.Films[0].ID))
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.W.ThemeDay.CreatePractice(ctx, sa, samplePractice())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.W.ThemeDay.UpdatePractice(ctx, A.Official, p.ID, samplePracticeEdit()); err != nil {
			t.Fatal(err)
		}
		vp, pp := fmt.Sprintf("/viewings/%d", v.ID), fmt.Sprintf("/practices/%d", p.ID)
		type page struct {
			path string
			zh   []string
			en   []string
		}
		roles := map[string][]page{
			"ch-secretary": {
				{"/this-month", []string{"本月还差：微党课", "片 ✓"}, []string{"Still to do this month: a lesson", "Film ✓ done", "Screening: Sat 28 Nov", "Record a film viewing"}},
				{"/this-month?month=2026-10", []string{"2026年10月还差"}, []string{"Missing in October 2026: a lesson, a film viewing, a practice activity"}},
				{"/", []string{"本月的课、片、实践"}, []string{"This month's lesson, film and practice"}},
				{"/viewings", []string{"观看记录"}, []string{"Film viewings", "1 record · See also"}},
				{"/viewings/new", []string{"登记观看教育片"}, []string{"Branch: 龙王庙村", "Other (give the title)", "Discussion notes"}},
				{vp, []string{"观看记录"}, []string{"Attendees", "Never changed"}},
				{vp + "/edit", []string{"修改观看记录"}, []string{"Edit the film viewing"}},
				{"/practices", []string{"微实践记录"}, []string{"Practice activities", "Free haircuts"}},
				{"/practices/new", []string{"登记微实践"}, []string{"Visiting and caring", "Public opinions collected", "Service items handled"}},
				{pp, []string{"实践类型 ： 义诊 → 义剪"}, []string{"Type : Free clinic → Free haircuts", "changed by ch-official"}},
				{pp + "/edit", []string{"修改微实践记录"}, []string{"Edit the practice activity"}},
			},
			"ch-official": {
				{"/plans", []string{"月度计划", "2026年11月"}, []string{"Monthly plans", "November 2026", "Published", "Not published"}},
				{"/plans/2026-11", []string{"精选微党课", "教育片清单"}, []string{"Plan for November 2026", "Featured lessons", "Film list", "Screening: Fri 20 Nov"}},
				{"/plans/2026-12", []string{"该月计划尚未发布"}, []string{"not published yet"}},
				{"/plans/2026-11/edit", []string{"精选微党课（选 3–8 堂）"}, []string{"Featured lessons (choose three to eight)", "Screening date", "Red history"}},
				{"/viewings", []string{"全部支部"}, []string{"All branches"}},
				{"/viewings/new", []string{"请选择"}, []string{"Branch", "Choose…"}},
				{vp, []string{"修改"}, []string{"Edit"}},
				{"/practices", []string{"微实践记录"}, []string{"Practice activities"}},
				{"/practices/new", []string{"实践类型"}, []string{"Type"}},
				{pp, []string{"修改记录"}, []string{"Change history"}},
			},
			"cs-county": {
				{"/plans", []string{"月度计划"}, []string{"Monthly plans"}},
				{"/plans/2026-11", []string{"精选微党课"}, []string{"Featured lessons"}},
				{"/viewings", []string{"观看记录"}, []string{"Film viewings"}},
				{vp, []string{"观看记录"}, []string{"Film viewing"}},
				{"/practices", []string{"微实践记录"}, []string{"Practice activities"}},
				{pp, []string{"修改记录"}, []string{"Change history"}},
			},
		}
		for login, pages := range roles {
			t.Run(login, func(t *testing.T) {
				b := signIn(t, e, login)
				for _, lang := range []string{"zh-CN", "en"} {
					if res := b.get("/lang/" + lang + "?next=/"); res.Code != http.StatusSeeOther {
						t.Fatalf("switch to %s: %d", lang, res.Code)
					}
					for _, p := range pages {
						res := b.get(p.path)
						if p.path == "/viewings/new" && lang == "en" {
							wantIn(t, "optgroup (en)", res.Body.String(), `<optgroup label="Film list of November 2026">`)
						}
						if res.Code != http.StatusOK {
							t.Errorf("GET %s (%s): %d", p.path, lang, res.Code)
							continue
						}
						body := res.Body.String()
						checkTranslated(t, p.path+" ("+lang+")", body)
						text := visibleText(body)
						if lang == "en" {
							wantIn(t, p.path+" (en)", text, p.en...)
							lackIn(t, p.path+" (en)", text, p.zh...)
							lackIn(t, p.path+" (en)", text, "本月", "教育片", "观看记录", "微实践", "精选", "修改", "还差")
							if login == "ch-secretary" && p.path != "/" {
								wantIn(t, "nav (en)", body, `href="/this-month">This month`)
							}
						} else {
							wantIn(t, p.path, text, p.zh...)
							switch login {
							case "ch-secretary":
								wantIn(t, "nav", body, `href="/this-month">本月`)
								lackIn(t, "nav", body, `href="/plans"`)
							default:
								wantIn(t, "nav", body, `href="/plans">月度计划`)
							}
						}
					}
				}
			})
		}
	})
}
