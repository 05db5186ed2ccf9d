package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"weike/lessons"
)

// untranslated finds catalog keys that reached a page untranslated.
var untranslated = regexp.MustCompile(`\b(cat|field|role|nav|lessons)\.[a-z_]+`)

func TestCatalogPagesByRole(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		lesson := fmt.Sprintf("/lessons/%d", A.Lessons[0].ID)
		draft := fmt.Sprintf("/lessons/%d", A.Lessons[3].ID)
		lecturer := fmt.Sprintf("/lecturers/%d", A.Lecturers[0].ID)
		branch := fmt.Sprintf("/branches/%d", A.Branches[0].ID)
		editLesson := lesson + "/edit"
		type page struct {
			path   string
			status int
			want   []string
			lack   []string
		}
		// Pages every role reads the same way.
		common := []page{
			{"/lessons", 200, []string{"ch红色家书里的初心", "红色教育", "2 位讲师可讲", "20 分钟", "摘要：红色家书里的初心"}, []string{"qh红色家书里的初心"}},
			// The free times are those the lesson can take, to its end: a
			// 20-minute lesson in 19:00–21:00 reads 19:00–21:00.
			{lesson, 200, []string{"ch红色家书里的初心", "谁能讲", "王ch", "李ch", "2026年12月2日 周三", "19:00–21:00", "2026年12月5日 周六", "14:00–18:00", "一、"},
				[]string{"19:00–20:30", "14:00–17:30"}},
			{"/lecturers", 200, []string{"王ch", "李ch", "龙王庙村", "可讲 3 堂课"}, []string{"王qh"}},
			{lecturer, 200, []string{"王ch", "每周可讲时段", "周六", "14:00-18:00", "龙王庙村", "可讲的微党课", "ch稻花香里说振兴", "近期可约日期", "2026年12月2日 周三"}, nil},
			{"/films", 200, []string{"ch《抛砖屋场》", "本土", "30 分钟", "https://example.test/film"}, []string{"qh《抛砖屋场》"}},
			{"/branches", 200, []string{"龙王庙村", "金鼎山社区", "社区", "1 个屋场"}, []string{"漆河村"}},
			{branch, 200, []string{"龙王庙村屋场", "春华镇龙王庙村", "王ch"}, []string{"uri.amap.com"}},
			{"/account", 200, []string{"API 令牌", "创建令牌", "中文"}, nil},
			{"/lessons/99999", 404, []string{"没有这堂微党课"}, nil},
			{"/lessons/abc", 404, nil, nil},
		}
		officialOnly := []string{editLesson, "/lessons/new", lecturer + "/edit", "/lecturers/new", "/films/new",
			fmt.Sprintf("/films/%d/edit", A.Films[0].ID), "/branches/new", branch + "/edit", branch + "/courtyards/new",
			fmt.Sprintf("/courtyards/%d/edit", A.Courtyards[0].ID)}
		roles := []struct {
			login   string
			edits   bool
			drafts  bool
			account string
		}{
			{"ch-official", true, true, "组织委员"},
			{"ch-secretary", false, false, "支部书记"},
			{"ch-lecturer", false, false, "讲师"},
			{"cs-county", false, true, "县委组织部"},
		}
		for _, r := range roles {
			t.Run(r.login, func(t *testing.T) {
				b := signIn(t, e, r.login)
				pages := append([]page{}, common...)
				for i := range pages {
					switch {
					case pages[i].path == "/lessons" && r.drafts:
						pages[i].want = append(pages[i].want, "共 4 堂", "ch草稿课", "已发布")
					case pages[i].path == "/lessons":
						pages[i].lack = append(pages[i].lack, "ch草稿课", "已发布")
						pages[i].want = append(pages[i].want, "共 3 堂")
					case pages[i].path == "/account":
						pages[i].want = append(pages[i].want, r.login, r.account)
					}
					if r.edits {
						switch pages[i].path {
						case "/lessons":
							pages[i].want = append(pages[i].want, "新建微党课", `href="/lessons/new"`)
						case lesson:
							pages[i].want = append(pages[i].want, `href="`+editLesson+`"`)
						case "/films":
							pages[i].want = append(pages[i].want, "新增教育片", "已发布")
						case branch:
							pages[i].want = append(pages[i].want, "新增屋场", "/courtyards/")
						}
					} else {
						pages[i].lack = append(pages[i].lack, "新建微党课", "/edit", "新增讲师", "新增教育片", "新增支部", "新增屋场")
					}
				}
				if r.drafts {
					pages = append(pages, page{draft, 200, []string{"ch草稿课", "草稿"}, nil})
				} else {
					pages = append(pages, page{draft, 404, nil, nil})
				}
				for _, p := range officialOnly {
					if r.edits {
						pages = append(pages, page{p, 200, []string{`name="_csrf"`, "保存"}, nil})
					} else {
						pages = append(pages, page{p, 403, nil, nil})
					}
				}
				for _, p := range pages {
					res := b.get(p.path)
					if res.Code != p.status {
						t.Errorf("GET %s: %d, want %d", p.path, res.Code, p.status)
						continue
					}
					mustContain(t, res, p.want...)
					mustLack(t, res, p.lack...)
					if m := untranslated.FindString(res.Body.String()); m != "" {
						t.Errorf("GET %s shows the untranslated key %q", p.path, m)
					}
				}
			})
		}
	})
}

func TestCatalogPagesInEnglish(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		b := signIn(t, e, "ch-secretary")
		if res := b.get("/lang/en?next=/lessons"); res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/lessons" {
			t.Fatalf("switch: %d %s", res.Code, res.Header().Get("Location"))
		}
		cases := []struct {
			path string
			want []string
		}{
			{"/lessons", []string{`lang="en"`, "3 lessons", "Red history", "2 lecturers", "20 min", "Sort"}},
			{fmt.Sprintf("/lessons/%d", e.W.A.Lessons[0].ID), []string{"Who can give it", "Wed 2 Dec 2026", "Next free days"}},
			{fmt.Sprintf("/lecturers/%d", e.W.A.Lecturers[0].ID), []string{"Weekly availability", "Sat", "14:00-18:00", "Lessons they give"}},
			{"/films", []string{"Local", "Watch"}},
			{"/branches", []string{"1 courtyard</span>"}}, // each branch of the fixture has one
			{fmt.Sprintf("/branches/%d", e.W.A.Branches[0].ID), []string{"Courtyards", "Village", "Party members"}},
			{"/account", []string{"API tokens", "Secretary", "Create token"}},
		}
		for _, c := range cases {
			res := b.get(c.path)
			if res.Code != http.StatusOK {
				t.Fatalf("GET %s: %d", c.path, res.Code)
			}
			mustContain(t, res, c.want...)
			mustLack(t, res, "谁能讲", "每周可讲时段", "共 3 堂", "1 courtyards", "1 lecturers", "1 lessons")
		}
	})
}

func TestLessonFormCreateEdit(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		topics, err := e.W.Lessons.Topics(context.Background(), A.Official)
		if err != nil {
			t.Fatal(err)
		}
		var topicID int64
		for _, tp := range topics {
			if tp.Name == "基层治理" && tp.TownID == A.Town.ID {
				topicID = tp.ID
			}
		}
		off := signIn(t, e, "ch-official")
		off.get("/lessons/new")
		form := url.Values{"title": {"ch屋场说法"}, "topic_id": {strconv.FormatInt(topicID, 10)}, "duration_minutes": {"25"},
			"summary": {"讲身边的法"}, "outline": {"第一，讲案例\n第二，讲条文"}, "materials": {"https://example.test/slides\n\n"},
			"status": {"published"}, "lecturer_ids": {strconv.FormatInt(A.Lecturers[1].ID, 10)}}
		res := off.post("/lessons/new", form)
		if res.Code != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.Code, res.Body)
		}
		loc := res.Header().Get("Location")
		m := regexp.MustCompile(`^/lessons/(\d+)\?saved=1$`).FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("redirect to %q", loc)
		}
		mustContain(t, off.get(loc), "已保存", "ch屋场说法", "基层治理", "25 分钟", "第二，讲条文", "https://example.test/slides", "李ch")

		off.get("/lessons/" + m[1] + "/edit")
		form.Set("title", "ch屋场说法（修订）")
		form.Set("duration_minutes", "30")
		form["lecturer_ids"] = []string{strconv.FormatInt(A.Lecturers[0].ID, 10), strconv.FormatInt(A.Lecturers[1].ID, 10)}
		if res := off.post("/lessons/"+m[1]+"/edit", form); res.Code != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", res.Code, res.Body)
		}

		sec := signIn(t, e, "ch-secretary")
		res = sec.get("/lessons/" + m[1])
		if res.Code != http.StatusOK {
			t.Fatalf("secretary reads: %d", res.Code)
		}
		mustContain(t, res, "ch屋场说法（修订）", "30 分钟", "王ch", "李ch")
		mustLack(t, res, "已保存", "/edit")
		mustContain(t, sec.get("/lessons?q=修订"), "ch屋场说法（修订）", "共 1 堂")

		// Read-only roles: the form is refused even with a valid token.
		for _, login := range []string{"ch-secretary", "ch-lecturer", "cs-county"} {
			b := signIn(t, e, login)
			b.get("/lessons")
			if res := b.post("/lessons/"+m[1]+"/edit", form); res.Code != http.StatusForbidden {
				t.Errorf("%s posts the edit form: %d", login, res.Code)
			}
			if res := b.post("/lessons/new", form); res.Code != http.StatusForbidden {
				t.Errorf("%s posts the new form: %d", login, res.Code)
			}
		}
		// Another town's official cannot even see it.
		qh := signIn(t, e, "qh-official")
		qh.get("/lessons")
		if res := qh.post("/lessons/"+m[1]+"/edit", form); res.Code != http.StatusNotFound {
			t.Errorf("qh official edits a ch lesson: %d", res.Code)
		}
		// Without the CSRF token the form is refused before anything else.
		res = off.do(http.MethodPost, "/lessons/"+m[1]+"/edit", form)
		if res.Code != http.StatusForbidden {
			t.Errorf("no CSRF token: %d", res.Code)
		}
		mustContain(t, res, "页面已过期")
		l, err := e.W.Lessons.Lesson(context.Background(), A.Official, mustID(t, m[1]))
		if err != nil || l.Title != "ch屋场说法（修订）" || l.DurationMinutes != 30 {
			t.Fatalf("after refused posts: %+v %v", l, err)
		}
	})
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCatalogFormsRejectBadInput(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		lessonForm := url.Values{"title": {"ch新课"}, "topic": {""}, "duration_minutes": {"20"}, "status": {"draft"}}
		lessonEdit := fmt.Sprintf("/lessons/%d/edit", A.Lessons[0].ID)
		with := func(base url.Values, kv ...string) url.Values {
			f := url.Values{}
			for k, v := range base {
				f[k] = v
			}
			for i := 0; i+1 < len(kv); i += 2 {
				f.Set(kv[i], kv[i+1])
			}
			return f
		}
		topics, _ := e.W.Lessons.Topics(context.Background(), A.Official)
		lessonForm.Set("topic_id", strconv.FormatInt(topics[0].ID, 10))
		lecturerForm := url.Values{"name": {"张三"}, "monthly_capacity": {"4"}, "active": {"1"}}
		cases := []struct {
			name   string
			path   string
			form   url.Values
			status int
			want   []string // the messages and the kept input
		}{
			{"duration not a number", "/lessons/new", with(lessonForm, "duration_minutes", "abc", "title", "ch保留的标题"), 422,
				[]string{`value="abc"`, "请输入数字", `value="ch保留的标题"`, `aria-invalid="true"`}},
			{"duration out of range", "/lessons/new", with(lessonForm, "duration_minutes", "50"), 422, []string{"时长应在 10–45 分钟之间", `value="50"`}},
			{"title missing", lessonEdit, with(lessonForm, "title", "  "), 422, []string{"必填", "输入有误"}},
			{"bad material link", "/lessons/new", with(lessonForm, "materials", "ftp://x\nhttps://ok.test"), 422, []string{"链接应以", "ftp://x\nhttps://ok.test"}},
			{"unknown topic", "/lessons/new", with(lessonForm, "topic_id", "999999"), 422, []string{"本镇没有这个主题"}},
			{"lecturer of another town", "/lessons/new", with(lessonForm, "lecturer_ids", strconv.FormatInt(e.W.B.Lecturers[0].ID, 10)), 422, []string{"本镇没有这位讲师"}},
			{"title taken", "/lessons/new", with(lessonForm, "title", "ch稻花香里说振兴"), 409, []string{"微党课《ch稻花香里说振兴》已存在"}},
			{"availability line", "/lecturers/new", with(lecturerForm, "availability", "周六 14:00-18:00\n周八 9:00-10:00"), 422,
				[]string{"时段格式应为", "周八 9:00-10:00"}},
			{"window backwards", "/lecturers/new", with(lecturerForm, "availability", "Sat 18:00-14:00"), 422, []string{"时段格式应为"}},
			{"blackout date", "/lecturers/new", with(lecturerForm, "blackouts", "2026-02-30"), 422, []string{"日期格式应为", "2026-02-30"}},
			{"capacity text", "/lecturers/new", with(lecturerForm, "monthly_capacity", "四"), 422, []string{"请输入数字", `value="四"`}},
			{"capacity zero", "/lecturers/new", with(lecturerForm, "monthly_capacity", "0"), 422, []string{"超出允许范围"}},
			{"film category", "/films/new", url.Values{"title": {"片"}, "category": {"科幻"}, "status": {"published"}}, 422, []string{"类别应为"}},
			{"film link", "/films/new", url.Values{"title": {"片"}, "category": {"本土"}, "link": {"javascript:alert(1)"}, "status": {"published"}}, 422, []string{"链接应以"}},
			{"branch members", "/branches/new", url.Values{"name": {"新村"}, "kind": {"village"}, "member_count": {"很多"}}, 422, []string{"请输入数字", `value="很多"`}},
			{"branch name taken", "/branches/new", url.Values{"name": {"龙王庙村"}, "kind": {"village"}}, 409, []string{"支部“龙王庙村”已存在"}},
			{"courtyard latitude", fmt.Sprintf("/branches/%d/courtyards/new", A.Branches[0].ID), url.Values{"name": {"新屋场"}, "lat": {"north"}, "lng": {"113.1"}}, 422,
				[]string{"请输入数字", `value="north"`, `value="113.1"`}},
			{"courtyard half coordinates", fmt.Sprintf("/courtyards/%d/edit", A.Courtyards[0].ID), url.Values{"name": {"龙王庙村屋场"}, "lat": {"28.2"}}, 422,
				[]string{"经纬度需同时填写"}},
		}
		off := signIn(t, e, "ch-official")
		off.get("/lessons")
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := off.post(c.path, c.form)
				if res.Code != c.status {
					t.Fatalf("%d, want %d: %s", res.Code, c.status, res.Body)
				}
				body := html.UnescapeString(res.Body.String())
				for _, w := range c.want {
					if !strings.Contains(body, w) && !strings.Contains(res.Body.String(), w) {
						t.Errorf("lacks %q:\n%s", w, res.Body)
					}
				}
				mustContain(t, res, `class="field-error"`, `role="alert"`)
			})
		}
		// Nothing was written by the rejected forms.
		page, err := e.W.Lessons.Lessons(context.Background(), A.Official, lessons.LessonFilter{})
		if err != nil || page.Total != 4 {
			t.Fatalf("lessons after rejected forms: %v %v", page.Total, err)
		}
		ls, _ := e.W.Lessons.Lecturers(context.Background(), A.Official, lessons.LecturerFilter{})
		if len(ls) != 2 {
			t.Fatalf("lecturers after rejected forms: %d", len(ls))
		}
	})
}

func TestLecturerFormAvailability(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		off := signIn(t, e, "ch-official")
		off.get("/lecturers/new")
		res := off.post("/lecturers/new", url.Values{"name": {"赵老师"}, "phone": {"13900000000"},
			"branch_id": {strconv.FormatInt(e.W.A.Branches[1].ID, 10)}, "monthly_capacity": {"6"}, "active": {"1"},
			"availability": {"周六 14:00-18:00\n星期三：19:00～21:00\nMon 8:30 - 11:00, 14-16\n"},
			"blackouts":    {"2026-12-05 外出学习\n2026年12月9日"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.Code, res.Body)
		}
		page := off.get(res.Header().Get("Location"))
		mustContain(t, page, "已保存", "赵老师", "春华山村", "每月 6 次", "19:00-21:00", "08:30-11:00", "14:00-16:00",
			"2026年12月5日 周六", "外出学习", "2026年12月9日 周三",
			// He gives no lesson yet, so no day can be ordered from him
			// (the free days follow the order form's rules); not even
			// today's window, inside the lead time.
			"近期没有可约的日子")
		mustLack(t, page, "2026年11月30日 周一")
	})
}

func TestLessonListFiltersAndPaging(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		for i := 0; i < 18; i++ {
			if _, err := e.W.Lessons.CreateLesson(context.Background(), A.Official, lessons.LessonInput{
				Title: fmt.Sprintf("ch批量课%02d", i), Topic: "文旅融合", DurationMinutes: 40, Status: lessons.StatusPublished}); err != nil {
				t.Fatal(err)
			}
		}
		off := signIn(t, e, "ch-official")
		cases := []struct {
			path   string
			status int
			want   []string
			lack   []string
		}{
			{"/lessons", 200, []string{"共 22 堂", "第 1 / 2 页", `href="/lessons?page=2"`}, []string{`rel="prev"`}},
			{"/lessons?page=2", 200, []string{"第 2 / 2 页", `href="/lessons" rel="prev"`, "ch屋场夜话议村事", "ch草稿课"}, []string{`rel="next"`, "ch批量课17"}},
			{"/lessons?sort=title", 200, []string{"共 22 堂", `href="/lessons?page=2&amp;sort=title"`, `value="title" selected`}, nil},
			{"/lessons?topic=" + url.QueryEscape("文旅融合") + "&sort=title&page=1", 200, []string{"共 18 堂", `value="文旅融合" selected`}, []string{"ch稻花香里说振兴"}},
			{"/lessons?min_duration=21&max_duration=30", 200, []string{"共 2 堂", "ch稻花香里说振兴", "ch屋场夜话议村事"}, []string{"ch红色家书里的初心"}},
			{"/lessons?status=draft", 200, []string{"共 1 堂", "ch草稿课"}, nil},
			{fmt.Sprintf("/lessons?lecturer_id=%d", A.Lecturers[0].ID), 200, []string{"共 3 堂"}, []string{"ch批量课"}},
			{"/lessons?q=" + url.QueryEscape("夜话"), 200, []string{"共 1 堂", "清除筛选"}, nil},
			{"/lessons?featured=1", 200, []string{"共 0 堂", "没有符合条件的微党课"}, nil},
			{"/lessons?min_duration=abc", 400, []string{"请求无法识别"}, nil},
		}
		for _, c := range cases {
			res := off.get(c.path)
			if res.Code != c.status {
				t.Errorf("GET %s: %d, want %d", c.path, res.Code, c.status)
				continue
			}
			mustContain(t, res, c.want...)
			mustLack(t, res, c.lack...)
		}
	})
}

func TestCatalogPagesTownScope(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		qh := signIn(t, e, "qh-secretary")
		for _, p := range []string{
			fmt.Sprintf("/lessons/%d", A.Lessons[0].ID),
			fmt.Sprintf("/lecturers/%d", A.Lecturers[0].ID),
			fmt.Sprintf("/branches/%d", A.Branches[0].ID),
		} {
			res := qh.get(p)
			if res.Code != http.StatusNotFound {
				t.Errorf("qh secretary GET %s: %d", p, res.Code)
			}
			mustLack(t, res, "ch红色家书里的初心", "王ch", "龙王庙村")
		}
		qhOff := signIn(t, e, "qh-official")
		for _, p := range []string{
			fmt.Sprintf("/lessons/%d/edit", A.Lessons[0].ID),
			fmt.Sprintf("/films/%d/edit", A.Films[0].ID),
			fmt.Sprintf("/courtyards/%d/edit", A.Courtyards[0].ID),
		} {
			if res := qhOff.get(p); res.Code != http.StatusNotFound {
				t.Errorf("qh official GET %s: %d", p, res.Code)
			}
		}
	})
}

func TestCourtyardMapLink(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		off := signIn(t, e, "ch-official")
		path := fmt.Sprintf("/courtyards/%d/edit", e.W.A.Courtyards[0].ID)
		off.get(path)
		res := off.post(path, url.Values{"name": {"龙王庙村屋场"}, "address": {"龙王庙村村部"}, "lat": {"28.3214"}, "lng": {"113.1357"}, "active": {"1"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("save: %d %s", res.Code, res.Body)
		}
		sec := signIn(t, e, "ch-secretary")
		mustContain(t, sec.get(fmt.Sprintf("/branches/%d", e.W.A.Branches[0].ID)),
			"https://uri.amap.com/marker?position=113.1357,28.3214", "龙王庙村村部")
	})
}

func TestAccountTokensPage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		b := signIn(t, e, "ch-secretary")
		b.get("/account")
		res := b.post("/account/tokens", url.Values{"name": {"报表脚本"}})
		if res.Code != http.StatusOK {
			t.Fatalf("create: %d %s", res.Code, res.Body)
		}
		secret := regexp.MustCompile(`<code>(wk_[^<]+)</code>`).FindStringSubmatch(res.Body.String())
		if secret == nil {
			t.Fatalf("no secret shown:\n%s", res.Body)
		}
		mustContain(t, res, "令牌已创建", "只显示这一次", "报表脚本", "有效")
		if r := e.do(http.MethodGet, "/api/v1/me", secret[1], nil); r.Code != http.StatusOK {
			t.Fatalf("new token on the API: %d", r.Code)
		}
		again := b.get("/account")
		mustContain(t, again, "报表脚本")
		mustLack(t, again, secret[1])

		ts, err := e.W.Org.Tokens(context.Background(), e.W.A.Actors["secretary"])
		if err != nil || len(ts) != 1 {
			t.Fatalf("tokens: %v %v", ts, err)
		}
		// Someone else's token is not ours to revoke.
		other := signIn(t, e, "ch-lecturer")
		other.get("/account")
		if r := other.post(fmt.Sprintf("/account/tokens/%d/revoke", ts[0].ID), nil); r.Code != http.StatusNotFound {
			t.Fatalf("revoke another's token: %d", r.Code)
		}
		res = b.post(fmt.Sprintf("/account/tokens/%d/revoke", ts[0].ID), nil)
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/account?revoked=1" {
			t.Fatalf("revoke: %d %s", res.Code, res.Header().Get("Location"))
		}
		mustContain(t, b.get("/account?revoked=1"), "令牌已撤销", "已撤销")
		if r := e.do(http.MethodGet, "/api/v1/me", secret[1], nil); r.Code != http.StatusUnauthorized {
			t.Fatalf("revoked token on the API: %d", r.Code)
		}
		// Too long a name is a field problem, not a crash.
		res = b.post("/account/tokens", url.Values{"name": {strings.Repeat("长", 101)}})
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("long name: %d", res.Code)
		}
		mustContain(t, res, "太长了")
		// Without the CSRF token nothing is created.
		if r := b.do(http.MethodPost, "/account/tokens", url.Values{"name": {"x"}}); r.Code != http.StatusForbidden {
			t.Fatalf("no CSRF: %d", r.Code)
		}
	})
}

func TestCatalogPagesNeedSignIn(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		b := newBrowser(t, e)
		cases := []struct{ path, loc string }{
			{"/lessons", "/login?next=%2Flessons"},
			{"/lessons?topic=x", "/login?next=%2Flessons%3Ftopic%3Dx"},
			{"/account", "/login?next=%2Faccount"},
			{"/branches/1", "/login?next=%2Fbranches%2F1"},
		}
		for _, c := range cases {
			res := b.get(c.path)
			if res.Code != http.StatusSeeOther || res.Header().Get("Location") != c.loc {
				t.Errorf("GET %s signed out: %d → %q, want %q", c.path, res.Code, res.Header().Get("Location"), c.loc)
			}
		}
	})
}

func TestParseWindowLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		ok   bool
		want string // weekday:start-end, ...
	}{
		{"周六 14:00-18:00", true, "6:840-1080"},
		{"星期三：19:00～21:00", true, "3:1140-1260"},
		{"礼拜天 8:00 至 12:00", true, "0:480-720"},
		{"Mon 8:30 - 11:00, 14-16", true, "1:510-660,1:840-960"},
		{"saturday 14:00-24:00", true, "6:840-1440"},
		{"周日14：00—16：30", true, "0:840-990"},
		{"周八 14:00-18:00", false, ""},
		{"14:00-18:00", false, ""},
		{"周六", false, ""},
		{"周六 18:00-14:00", false, ""},
		{"周六 25:00-26:00", false, ""},
		{"周六 14:60-15:00", false, ""},
		{"周六 下午", false, ""},
	}
	for _, c := range cases {
		ws, ok := parseWindowLine(c.in)
		var got []string
		for _, w := range ws {
			got = append(got, fmt.Sprintf("%d:%d-%d", w.Weekday, w.StartMinute, w.EndMinute))
		}
		if ok != c.ok || strings.Join(got, ",") != c.want {
			t.Errorf("%q: %v %v, want %v %q", c.in, got, ok, c.ok, c.want)
		}
	}
}

func TestParseBlackout(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, day, reason string }{
		{"2026-12-05", "2026-12-05", ""},
		{"2026/12/5 外出学习", "2026-12-05", "外出学习"},
		{"2026年1月9日 开会", "2026-01-09", "开会"},
		{"2026.02.28", "2026-02-28", ""},
		{"2026-02-30", "", ""},
		{"明天", "", ""},
		{"12-05", "", ""},
	}
	for _, c := range cases {
		b, ok := parseBlackout(c.in)
		if ok != (c.day != "") || b.Day != c.day || b.Reason != c.reason {
			t.Errorf("%q: %+v %v", c.in, b, ok)
		}
	}
}

// FuzzParseWindowLine: whatever is typed, the parser either refuses it or
// returns windows the store accepts.
func FuzzParseWindowLine(f *testing.F) {
	for _, s := range []string{"周六 14:00-18:00", "Mon 8-9, 10:30-11", "星期三：19:00～21:00", "周日 24:00-24:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ws, ok := parseWindowLine(s)
		if !ok {
			return
		}
		in := lessons.LecturerInput{Name: "x", Availability: ws}
		if err := in.Validate(); err != nil {
			t.Fatalf("%q parsed to %+v, which the store refuses: %v", s, ws, err)
		}
	})
}

func TestCountyPicksATown(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tw, _, err := e.W.Org.EnsureTown(ctx, e.W.County.CountyID, "黄兴镇")
		if err != nil {
			t.Fatal(err)
		}
		b := signIn(t, e, "cs-county")
		all := b.get("/lessons")
		mustContain(t, all, "全部镇", "春华镇", "黄兴镇", "共 4 堂")
		mustLack(t, all, "漆河镇")
		only := b.get(fmt.Sprintf("/lessons?town_id=%d", tw.ID))
		mustContain(t, only, "共 0 堂", fmt.Sprintf(`value="%d" selected`, tw.ID))
		mustContain(t, b.get(fmt.Sprintf("/branches?town_id=%d", e.W.A.Town.ID)), "龙王庙村")
		// A town outside the county finds nothing rather than failing.
		mustContain(t, b.get(fmt.Sprintf("/lessons?town_id=%d", e.W.B.Town.ID)), "共 0 堂")
		mustLack(t, b.get(fmt.Sprintf("/lecturers?town_id=%d", e.W.B.Town.ID)), "王qh")
		// The secretary of one town gets no town picker.
		mustLack(t, signIn(t, e, "ch-secretary").get("/lessons"), "全部镇")
	})
}

// TestExpiredSessionPostReturnsToTheForm: a form sent after the session ran
// out leads to sign-in and then back to the page the form was on; a
// referrer on another site is not followed.
func TestExpiredSessionPostReturnsToTheForm(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		b := signIn(t, e, "ch-official")
		edit := fmt.Sprintf("/lessons/%d/edit", e.W.A.Lessons[0].ID)
		if res := b.get(edit); res.Code != http.StatusOK {
			t.Fatalf("edit page: %d", res.Code)
		}
		delete(b.jar, sessionCookie) // the session ran out meanwhile
		send := func(referer string) string {
			form := url.Values{"title": {"x"}, "_csrf": {b.csrf}}
			req := httptest.NewRequest(http.MethodPost, edit, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Referer", referer)
			for _, c := range b.jar {
				req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
			}
			rec := httptest.NewRecorder()
			e.S.ServeHTTP(rec, req)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			return rec.Header().Get("Location")
		}
		if got, want := send("http://example.com"+edit+"?from=list"), "/login?next="+url.QueryEscape(edit+"?from=list"); got != want {
			t.Errorf("Location %q, want %q", got, want)
		}
		if got := send("http://evil.example" + edit); got != "/login" {
			t.Errorf("another site's referrer: Location %q", got)
		}
	})
}

// TestSignInForm goes through the sign-in form with the password, as a person
// does (the other page tests take their sessions from the store): a wrong
// password keeps the login typed and says why; the right one leads to the
// page asked for, signed in; signing out ends the session.
func TestSignInForm(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		b := newBrowser(t, e)
		if res := b.get("/login?next=%2Faccount"); res.Code != http.StatusOK || b.csrf == "" {
			t.Fatalf("login page: %d", res.Code)
		}
		res := b.post("/login", url.Values{"login": {"ch-secretary"}, "password": {"wrong-password"}, "next": {"/account"}})
		if res.Code != http.StatusUnauthorized || b.jar[sessionCookie] != nil {
			t.Fatalf("wrong password: %d, session %v", res.Code, b.jar[sessionCookie])
		}
		mustContain(t, res, `value="ch-secretary"`, "账号或密码不正确")
		b = formSignIn(t, e, "ch-secretary")
		if res := b.get("/account"); res.Code != http.StatusOK {
			t.Fatalf("account page after sign-in: %d", res.Code)
		}
		if res := b.post("/logout", nil); res.Code != http.StatusSeeOther {
			t.Fatalf("sign out: %d", res.Code)
		}
		if res := b.get("/account"); res.Code != http.StatusSeeOther {
			t.Fatalf("account page after sign-out: %d", res.Code)
		}
	})
}

// TestLecturerPageFreeDaysKeepTheLeadTime: the lecturer's page lists the
// days an order could get, by the order form's rules. On Wednesday 2
// December at 10:00, with 48 hours' notice, that evening's window is out
// of reach: neither her page, the lesson's page nor the API offer it, and
// Saturday comes first, with the times the lesson takes.
func TestLecturerPageFreeDaysKeepTheLeadTime(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		e.W.Now = time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC) // Wednesday 10:00 in Shanghai
		b := signIn(t, e, "ch-secretary")
		for _, path := range []string{fmt.Sprintf("/lecturers/%d", A.Lecturers[0].ID), fmt.Sprintf("/lessons/%d", A.Lessons[0].ID)} {
			page := html.UnescapeString(b.get(path).Body.String())
			wantIn(t, path, page, "近期可约日期", "2026年12月5日 周六", "14:00–18:00")
			lackIn(t, path, page, "2026年12月2日 周三")
		}
		res := e.as("ch-secretary", http.MethodGet, fmt.Sprintf("/api/v1/lecturers/%d", A.Lecturers[0].ID), nil)
		body := res.Body.String()
		if res.Code != http.StatusOK || strings.Contains(body, `"date":"2026-12-02"`) || !strings.Contains(body, `{"date":"2026-12-05","windows":["14:00–18:00"]}`) {
			t.Errorf("the API's free days: %d %s", res.Code, body)
		}
	})
}
