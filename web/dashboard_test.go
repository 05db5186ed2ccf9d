package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/thedatashed/xlsxreader"

	"weike/fixture"
	"weike/org"
)

// dashWorld adds December's records to the fixture (龙王庙村: a lesson
// given, a viewing, a practice; 春华山村: a member lesson) and a second town
// of 长沙县, 黄花镇 with 黄花村, so the county viewer has two towns. It
// returns the order's id and 黄花镇's.
func dashWorld(t *testing.T, e *env) (orderID, hhTown int64) {
	t.Helper()
	ctx := context.Background()
	a := e.W.A
	o, code, body := e.order(t, "ch-secretary", 0, sat1400)
	if code != http.StatusCreated {
		t.Fatalf("order: %d %s", code, body)
	}
	if res := e.as("ch-lecturer", http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/accept", o.ID), map[string]int{"slot": 0}); res.Code != 200 {
		t.Fatalf("accept: %d %s", res.Code, res.Body)
	}
	e.W.Now = mustTime("2026-12-13T12:00:00+08:00")
	steps := []struct {
		login, path string
		body        map[string]any
	}{
		{"ch-lecturer", fmt.Sprintf("/api/v1/orders/%d/deliver", o.ID), map[string]any{"attendees": 30, "minutes": 20}},
		{"ch-secretary", "/api/v1/viewings", map[string]any{"film_id": a.Films[0].ID, "date": "2026-12-06", "attendees": 25, "notes": "观后感：农为邦本"}},
		{"ch-secretary", "/api/v1/practices", map[string]any{"type": "义诊", "date": "2026-12-12", "participants": 12, "opinions": 4, "service_items": 9}},
		{"ch-official", "/api/v1/member-lessons", map[string]any{"branch_id": a.Branches[1].ID, "title": "我的入党故事", "topic": "红色教育", "speaker": "老党员李", "date": "2026-12-10", "attendees": 20}},
		{"qh-secretary", "/api/v1/viewings", map[string]any{"film_id": e.W.B.Films[0].ID, "date": "2026-12-04", "attendees": 9}},
	}
	for _, s := range steps {
		if res := e.as(s.login, http.MethodPost, s.path, s.body); res.Code != 200 && res.Code != 201 {
			t.Fatalf("%s %s: %d %s", s.login, s.path, res.Code, res.Body)
		}
	}
	cty, err := e.W.Org.CountyByName(ctx, "长沙县")
	if err != nil {
		t.Fatal(err)
	}
	tw, _, err := e.W.Org.EnsureTown(ctx, cty.ID, "黄花镇")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := e.W.Org.CreateAccount(ctx, org.NewAccount{Login: "hh-official", Password: fixture.Password, Name: "hh-official", Role: org.RoleOfficial, TownID: tw.ID})
	if err != nil {
		t.Fatal(err)
	}
	off, err := e.W.Org.ActorFor(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.W.Org.CreateBranch(ctx, off, org.BranchInput{Name: "黄花村", Kind: org.KindVillage, MemberCount: 30}); err != nil {
		t.Fatal(err)
	}
	return o.ID, tw.ID
}

var dashData = regexp.MustCompile(`(?s)<script type="application/json" id="dash-data">(.*?)</script>`)

func TestDashboardPages(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		orderID, hh := dashWorld(t, e)
		a := e.W.A
		off := signIn(t, e, "ch-official")

		res := off.get("/dashboard?from=2026-01&to=2026-12")
		if res.Code != http.StatusOK {
			t.Fatalf("dashboard: %d %s", res.Code, res.Body)
		}
		page := html.UnescapeString(res.Body.String())
		wantIn(t, "dashboard", page, "龙王庙村", "春华山村", "金鼎山社区",
			"点单", "巡讲微党课", "上台讲微党课人次", "观看教育片场次", "收集社情民意", "办理为民服务事项", "巡讲进支部", "1/3",
			fmt.Sprintf(`<td class="cov full"><a href="/coverage/cell?branch_id=%d&month=2026-12"><span aria-hidden="true">课✓ 片✓ 实✓</span>`, a.Branches[0].ID),
			fmt.Sprintf(`<td class="cov some"><a href="/coverage/cell?branch_id=%d&month=2026-12"><span aria-hidden="true">课✓ 片· 实·</span>`, a.Branches[1].ID),
			fmt.Sprintf(`<td class="cov none"><a href="/coverage/cell?branch_id=%d&month=2026-12"><span aria-hidden="true">课· 片· 实·</span>`, a.Branches[2].ID),
			"龙王庙村 2026年12月：微党课已完成，教育片已完成，微实践已完成",
			// The charts come after the page's load event (dashboard-loader.js).
			`<script src="/static/dashboard-loader.js?v=`, `data-echarts="/static/vendor/echarts-custom-5.6.0.min.js?v=`, `data-charts="/static/dashboard.js?v=`,
			`href="/dashboard/export.xlsx?from=2026-01&to=2026-12"`, `href="/dashboard/export.csv?from=2026-01&to=2026-12"`,
			"<td>67%</td>", // December's lesson rate in the trend's table
		)
		lackIn(t, "春华镇's dashboard", page, "漆河", "黄花", "dash.")
		if untranslatedOp.MatchString(page) {
			t.Errorf("untranslated key: %s", untranslatedOp.FindString(page))
		}
		m := dashData.FindStringSubmatch(res.Body.String())
		if m == nil {
			t.Fatal("no chart data block")
		}
		var chart struct {
			Months      []string
			Lesson, All []float64
			Topics      []string
			TopicN      []int64 `json:"topic_n"`
			Lecturers   []string
			Delivered   []int64
			Labels      map[string]string
		}
		if err := json.Unmarshal([]byte(m[1]), &chart); err != nil {
			t.Fatalf("chart data: %v\n%s", err, m[1])
		}
		if len(chart.Months) != 12 || chart.Months[11] != "2026-12\n进行中" || chart.Lesson[11] != 66.7 || chart.All[11] != 33.3 || chart.Lesson[10] != 0 ||
			len(chart.Topics) != 1 || chart.Topics[0] != "红色教育" || chart.TopicN[0] != 2 || len(chart.Delivered) != 1 || chart.Delivered[0] != 1 ||
			chart.Labels["all"] != "三项全覆盖" {
			t.Errorf("chart data: %+v", chart)
		}

		// The default range is the twelve months up to this one.
		page = pageText(t, off, "/dashboard", 200)
		wantIn(t, "default range", page, `name="from" type="month" value="2026-01"`, `name="to" type="month" value="2026-12"`)
		// The kind filter.
		page = pageText(t, off, "/dashboard?kind=community", 200)
		wantIn(t, "community", page, "金鼎山社区")
		lackIn(t, "community", page, "龙王庙村", "春华山村")
		// A range that ends before it starts is said on the form.
		page = pageText(t, off, "/dashboard?from=2026-12&to=2026-01", http.StatusUnprocessableEntity)
		wantIn(t, "backwards range", page, "结束月份不能早于开始月份", `value="2026-12"`)
		pageText(t, off, "/dashboard?kind=castle", http.StatusBadRequest)

		// Only the dashboard loads ECharts.
		for _, p := range []string{"/", "/orders", "/lessons", "/branches", "/county", fmt.Sprintf("/coverage/cell?branch_id=%d&month=2026-12", a.Branches[0].ID)} {
			if res := off.get(p); strings.Contains(res.Body.String(), "echarts") {
				t.Errorf("%s loads ECharts", p)
			}
		}
		if res := off.get("/static/vendor/echarts-custom-5.6.0.min.js"); res.Code != 200 || res.Body.Len() < 100_000 {
			t.Errorf("echarts: %d, %d bytes", res.Code, res.Body.Len())
		}

		// The records behind a cell.
		page = pageText(t, off, fmt.Sprintf("/coverage/cell?branch_id=%d&month=2026-12", a.Branches[0].ID), 200)
		wantIn(t, "cell", page, fmt.Sprintf(`href="/orders/%d"`, orderID), "ch红色家书里的初心", "王ch", "已开讲 · 30 人", "ch《抛砖屋场》", "观后感：农为邦本", "义诊",
			"收集社情民意 4 条，办理为民服务事项 9 件", `href="/dashboard?from=2026-01&to=2026-12"`)
		page = pageText(t, off, fmt.Sprintf("/coverage/cell?branch_id=%d&month=2026-12", a.Branches[1].ID), 200)
		wantIn(t, "member lesson cell", page, "我的入党故事", "老党员李")
		pageText(t, off, fmt.Sprintf("/coverage/cell?branch_id=%d&month=2026-12", e.W.B.Branches[0].ID), http.StatusNotFound)
		pageText(t, off, fmt.Sprintf("/coverage/cell?branch_id=%d&month=12-2026", a.Branches[0].ID), http.StatusBadRequest)

		// Another town's official sees their own town only.
		qh := signIn(t, e, "qh-official")
		page = pageText(t, qh, "/dashboard", 200)
		wantIn(t, "漆河镇", page, "漆河村", "新铺社区")
		lackIn(t, "漆河镇", page, "龙王庙村", "黄花村")
		pageText(t, qh, fmt.Sprintf("/coverage/cell?branch_id=%d&month=2026-12", a.Branches[0].ID), http.StatusNotFound)
		pageText(t, qh, "/county", http.StatusForbidden)

		// The county viewer: both towns of 长沙县, each one tap away.
		cty := signIn(t, e, "cs-county")
		page = pageText(t, cty, "/county", 200)
		wantIn(t, "county", page, "春华镇", "黄花镇", fmt.Sprintf(`href="/dashboard?town_id=%d"`, a.Town.ID), fmt.Sprintf(`href="/dashboard?town_id=%d"`, hh))
		lackIn(t, "county", page, "漆河镇", "dash.")
		page = pageText(t, cty, "/dashboard", 200)
		wantIn(t, "county dashboard", page, "龙王庙村", "黄花村", `<th scope="col">镇</th>`)
		lackIn(t, "county dashboard", page, "漆河村")
		page = pageText(t, cty, fmt.Sprintf("/dashboard?town_id=%d", hh), 200)
		wantIn(t, "黄花镇 dashboard", page, "黄花镇 覆盖情况", "黄花村", fmt.Sprintf(`export.csv?from=2026-01&to=2026-12&town_id=%d`, hh))
		lackIn(t, "黄花镇 dashboard", page, "龙王庙村")
		page = pageText(t, cty, fmt.Sprintf("/dashboard?town_id=%d", e.W.B.Town.ID), 200)
		lackIn(t, "another county's town", page, "漆河村", "新铺社区")
		page = pageText(t, cty, fmt.Sprintf("/coverage/cell?branch_id=%d&month=2026-12", a.Branches[0].ID), 200)
		wantIn(t, "county cell", page, "观后感：农为邦本")
		lackIn(t, "county cell", page, "<form method=\"post\" action=\"/orders")

		// Secretaries and lecturers have no dashboard.
		for _, login := range []string{"ch-secretary", "ch-lecturer"} {
			b := signIn(t, e, login)
			for _, p := range []string{"/dashboard", "/dashboard/export.csv", "/county", fmt.Sprintf("/coverage/cell?branch_id=%d&month=2026-12", a.Branches[0].ID)} {
				if res := b.get(p); res.Code != http.StatusForbidden {
					t.Errorf("%s GET %s: %d", login, p, res.Code)
				}
			}
		}

		// In English.
		off.get("/lang/en?next=/dashboard")
		page = pageText(t, off, "/dashboard", 200)
		wantIn(t, "English", page, "Coverage", "Branches reached by the tour", "All three")
	})
}

// xlsxCells reads a sheet with a reader other than the writer.
func xlsxCells(t *testing.T, body []byte, sheet string) map[string]xlsxreader.Cell {
	t.Helper()
	x, err := xlsxreader.NewReader(body)
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	cells := map[string]xlsxreader.Cell{}
	for row := range x.ReadRows(sheet) {
		if row.Error != nil {
			t.Fatal(row.Error)
		}
		for _, c := range row.Cells {
			cells[fmt.Sprintf("%s%d", c.Column, c.Row)] = c
		}
	}
	return cells
}

// csvRows strips the byte-order mark and parses the rest.
func csvRows(t *testing.T, res *httptest.ResponseRecorder) [][]string {
	t.Helper()
	raw, ok := bytes.CutPrefix(res.Body.Bytes(), []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("no byte-order mark: %q", res.Body.String())
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestCoverageExports(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		_, hh := dashWorld(t, e)
		res := e.as("ch-official", http.MethodGet, "/api/v1/exports/coverage.xlsx?from=2026-01&to=2026-12", nil)
		if res.Code != 200 {
			t.Fatalf("xlsx: %d %s", res.Code, res.Body)
		}
		if ct := res.Header().Get("Content-Type"); ct != mimeXLSX {
			t.Errorf("content type %q", ct)
		}
		cd := res.Header().Get("Content-Disposition")
		if want := `attachment; filename="coverage_2026-01_2026-12.xlsx"; filename*=UTF-8''%E8%A6%86%E7%9B%96%E6%83%85%E5%86%B5_2026-01_2026-12.xlsx`; cd != want {
			t.Errorf("Content-Disposition %q, want %q", cd, want)
		}
		mx := xlsxCells(t, res.Body.Bytes(), "覆盖矩阵")
		for ref, want := range map[string]string{"A1": "镇", "B1": "支部", "D1": "2026年01月", "O1": "2026年12月（进行中）",
			"B2": "龙王庙村", "O2": "课✓ 片✓ 实✓", "N2": "课· 片· 实·", "O3": "课✓ 片· 实·"} {
			if got := mx[ref].Value; got != want {
				t.Errorf("matrix %s = %q, want %q", ref, got, want)
			}
		}
		ord := xlsxCells(t, res.Body.Bytes(), "点单")
		if ord["B1"].Value != "日期" || ord["I1"].Value != "状态" || ord["I2"].Value != "已开讲" {
			t.Errorf("orders: %+v %+v %+v", ord["B1"], ord["I1"], ord["I2"])
		}
		if c := ord["B2"]; c.Type != xlsxreader.TypeDateTime || c.Value != "2026-12-05" {
			t.Errorf("order day: %+v", c)
		}

		// The CSV, through the API and through the dashboard's link.
		checkDocumented(t, "GET /api/v1/exports/coverage.xlsx", res)
		res = e.as("ch-official", http.MethodGet, "/api/v1/exports/coverage.csv?from=2026-11&to=2026-12&kind=village", nil)
		if res.Code != 200 || res.Header().Get("Content-Type") != mimeCSV ||
			!strings.Contains(res.Header().Get("Content-Disposition"), "filename*=UTF-8''%E8%A6%86%E7%9B%96%E6%83%85%E5%86%B5_2026-11_2026-12.csv") {
			t.Fatalf("csv: %d %v", res.Code, res.Header())
		}
		checkDocumented(t, "GET /api/v1/exports/coverage.csv", res)
		recs := csvRows(t, res)
		want := "镇,支部,类型,2026年11月,2026年12月|春华镇,龙王庙村,村,课· 片· 实·,课✓ 片✓ 实✓|春华镇,春华山村,村,课· 片· 实·,课✓ 片· 实·"
		var got []string
		for _, r := range recs {
			got = append(got, strings.Join(r, ","))
		}
		if strings.Join(got, "|") != want {
			t.Errorf("csv:\n%s\nwant\n%s", strings.Join(got, "|"), want)
		}
		b := signIn(t, e, "ch-official")
		page := b.get("/dashboard/export.csv?from=2026-11&to=2026-12&kind=village")
		if page.Code != 200 || !bytes.Equal(page.Body.Bytes(), res.Body.Bytes()) {
			t.Errorf("the page's CSV differs from the API's: %d %q", page.Code, page.Body)
		}
		if page := b.get("/dashboard/export.xlsx?from=2026-11&to=2026-12"); page.Code != 200 || page.Header().Get("Content-Type") != mimeXLSX {
			t.Errorf("the page's xlsx: %d", page.Code)
		}
		// The API takes bearer tokens only, not the session cookie.
		if page := b.get("/api/v1/exports/coverage.csv"); page.Code != http.StatusUnauthorized {
			t.Errorf("API with a cookie: %d", page.Code)
		}

		// Who sees what.
		towns := func(login string) string {
			res := e.as(login, http.MethodGet, "/api/v1/exports/coverage.csv?from=2026-12&to=2026-12", nil)
			if res.Code != 200 {
				t.Fatalf("%s: %d %s", login, res.Code, res.Body)
			}
			var names []string
			for _, r := range csvRows(t, res)[1:] {
				names = append(names, r[0]+r[1])
			}
			return strings.Join(names, ",")
		}
		if got := towns("ch-official"); got != "春华镇龙王庙村,春华镇春华山村,春华镇金鼎山社区" {
			t.Errorf("ch-official: %s", got)
		}
		if got := towns("qh-official"); got != "漆河镇漆河村,漆河镇新铺社区" {
			t.Errorf("qh-official: %s", got)
		}
		if got := towns("cs-county"); got != "春华镇龙王庙村,春华镇春华山村,春华镇金鼎山社区,黄花镇黄花村" {
			t.Errorf("cs-county: %s", got)
		}
		res = e.as("cs-county", http.MethodGet, fmt.Sprintf("/api/v1/exports/coverage.csv?from=2026-12&to=2026-12&town_id=%d", hh), nil)
		if recs := csvRows(t, res); len(recs) != 2 || recs[1][1] != "黄花村" {
			t.Errorf("county, one town: %q", recs)
		}
		res = e.as("cs-county", http.MethodGet, "/api/v1/exports/coverage.xlsx?from=2026-12&to=2026-12", nil)
		if vw := xlsxCells(t, res.Body.Bytes(), "观看记录"); vw["C2"].Value != "春华镇" || vw["A3"].Value != "" {
			t.Errorf("county viewings: %+v %+v", vw["C2"], vw["A3"])
		}
		for _, c := range []struct {
			login, path string
			code        int
		}{
			{"ch-secretary", "/api/v1/exports/coverage.xlsx", 403},
			{"ch-lecturer", "/api/v1/exports/coverage.csv", 403},
			{"", "/api/v1/exports/coverage.csv", 401},
			{"ch-official", "/api/v1/exports/coverage.csv?from=2026-12&to=2026-01", 422},
			{"ch-official", "/api/v1/exports/coverage.xlsx?from=2026-1", 400},
			{"ch-official", "/api/v1/exports/coverage.csv?kind=castle", 400},
			{"ch-official", "/api/v1/exports/coverage.csv?town_id=x", 400},
		} {
			res := e.as(c.login, http.MethodGet, c.path, nil)
			if res.Code != c.code {
				t.Errorf("%s %s: %d, want %d %s", c.login, c.path, res.Code, c.code, res.Body)
			}
			route, _, _ := strings.Cut(c.path, "?")
			checkDocumented(t, "GET "+route, res)
			if c.code >= 400 && !strings.Contains(res.Header().Get("Content-Type"), "application/json") {
				t.Errorf("%s %s: an error that is not JSON: %q", c.login, c.path, res.Header().Get("Content-Type"))
			}
		}
	})
}

// exportRows are the exports' rows of the access matrix: officials and the
// county viewer download, every other role is stopped by the role gate.
// (Which towns each caller's file holds is checked by TestCoverageExports:
// the matrix checks JSON bodies only.)
func exportRows(*env) []accessRow {
	watchers := statuses(403, "ch-official", 200, "qh-official", 200, "cs-county", 200)
	return []accessRow{
		{route: "GET /api/v1/exports/coverage.xlsx", want: watchers, req: fixed("/api/v1/exports/coverage.xlsx?from=2026-01&to=2026-12", nil)},
		{route: "GET /api/v1/exports/coverage.csv", want: watchers, req: fixed("/api/v1/exports/coverage.csv?from=2026-01&to=2026-12&kind=village", nil)},
		{route: "GET /api/v1/exports/coverage.csv", name: "backwards range", want: statuses(403, "ch-official", 422, "qh-official", 422, "cs-county", 422),
			req: fixed("/api/v1/exports/coverage.csv?from=2026-12&to=2026-01", nil)},
	}
}
