package web

import (
	"fmt"
	"net/http"
	"testing"
)

func TestThemeDayCoverage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		a := e.W.A
		// The official publishes December's plan.
		plan := map[string]any{"lesson_ids": []int64{a.Lessons[0].ID, a.Lessons[1].ID, a.Lessons[2].ID},
			"films": []map[string]any{{"film_id": a.Films[0].ID, "preview_date": "2026-11-28", "link": "https://www.12371.cn/x"}}}
		if res := e.as("ch-official", http.MethodPut, "/api/v1/plans/2026-12", plan); res.Code != 200 {
			t.Fatalf("plan: %d %s", res.Code, res.Body)
		}
		bad := map[string]any{"lesson_ids": []int64{a.Lessons[0].ID, a.Lessons[3].ID, a.Lessons[1].ID}}
		if res := e.as("ch-official", http.MethodPut, "/api/v1/plans/2026-12", bad); res.Code != 422 {
			t.Fatalf("a draft featured: %d %s", res.Code, res.Body)
		}
		if res := e.as("ch-secretary", http.MethodPut, "/api/v1/plans/2026-12", plan); res.Code != 403 {
			t.Fatalf("secretary publishes: %d", res.Code)
		}
		var p struct {
			Lessons []struct{ ID int64 }
			Films   []struct {
				ID          int64
				PreviewDate string `json:"preview_date"`
			}
		}
		mustJSON(t, e.as("ch-secretary", http.MethodGet, "/api/v1/plans/2026-12", nil), &p)
		if len(p.Lessons) != 3 || len(p.Films) != 1 || p.Films[0].PreviewDate != "2026-11-28" {
			t.Fatalf("plan read back: %+v", p)
		}
		// December: a lesson given, a film watched, a practice done by 龙王庙村.
		o, code, body := e.order(t, "ch-secretary", 0, sat1400)
		if code != 201 {
			t.Fatalf("%d %s", code, body)
		}
		e.as("ch-lecturer", http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/accept", o.ID), map[string]int{"slot": 0})
		e.W.Now = mustTime("2026-12-13T12:00:00+08:00")
		if res := e.as("ch-lecturer", http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/deliver", o.ID), map[string]any{"attendees": 30, "minutes": 20}); res.Code != 200 {
			t.Fatalf("deliver: %d %s", res.Code, res.Body)
		}
		res := e.as("ch-secretary", http.MethodPost, "/api/v1/viewings", map[string]any{"film_id": a.Films[0].ID, "date": "2026-12-06", "attendees": 25, "notes": "观后感：农为邦本"})
		if res.Code != 201 {
			t.Fatalf("viewing: %d %s", res.Code, res.Body)
		}
		var v struct{ ID int64 }
		mustJSON(t, res, &v)
		if res := e.as("ch-secretary", http.MethodPost, "/api/v1/viewings", map[string]any{"branch_id": a.Branches[1].ID, "film_id": a.Films[0].ID, "date": "2026-12-06", "attendees": 5}); res.Code != 403 {
			t.Fatalf("another branch's viewing: %d", res.Code)
		}
		if res := e.as("ch-secretary", http.MethodPost, "/api/v1/viewings", map[string]any{"film_id": a.Films[0].ID, "date": "2026-12-26", "attendees": 5}); res.Code != 422 {
			t.Fatalf("a future viewing: %d", res.Code)
		}
		if res := e.as("ch-secretary", http.MethodPost, "/api/v1/practices", map[string]any{"type": "义诊", "date": "2026-12-12", "participants": 12, "opinions": 4, "service_items": 9}); res.Code != 201 {
			t.Fatalf("practice: %d %s", res.Code, res.Body)
		}
		// 春华山村 only records a member lesson: lesson ✓, nothing else.
		if res := e.as("ch-official", http.MethodPost, "/api/v1/member-lessons", map[string]any{"branch_id": a.Branches[1].ID, "title": "我的入党故事", "topic": "红色教育", "speaker": "老党员李", "date": "2026-12-10", "attendees": 20}); res.Code != 201 {
			t.Fatalf("member lesson: %d %s", res.Code, res.Body)
		}
		// The official corrects the viewing; the change is kept.
		res = e.as("ch-official", http.MethodPut, fmt.Sprintf("/api/v1/viewings/%d", v.ID), map[string]any{"film_id": a.Films[0].ID, "date": "2026-12-06", "attendees": 27, "notes": "观后感：农为邦本"})
		if res.Code != 200 {
			t.Fatalf("edit viewing: %d %s", res.Code, res.Body)
		}
		var ve struct {
			Attendees int
			Changes   []struct {
				Fields map[string][2]string
				Who    string
			}
		}
		mustJSON(t, res, &ve)
		if ve.Attendees != 27 || len(ve.Changes) != 1 || ve.Changes[0].Fields["attendees"] != [2]string{"25", "27"} || ve.Changes[0].Who != "ch-official" {
			t.Fatalf("change log: %+v", ve)
		}
		var cov struct {
			Branches []struct {
				BranchID               int64 `json:"branch_id"`
				Lesson, Film, Practice bool
				Records                struct {
					Orders, Viewings, Practices []int64
					MemberLessons               []int64 `json:"member_lessons"`
				}
			}
			Rates struct{ Lesson, Film, Practice, All float64 }
		}
		res = e.as("ch-official", http.MethodGet, "/api/v1/coverage?month=2026-12", nil)
		mustJSON(t, res, &cov)
		if len(cov.Branches) != 3 {
			t.Fatalf("coverage: %s", res.Body)
		}
		b0, b1, b2 := cov.Branches[0], cov.Branches[1], cov.Branches[2]
		if !(b0.Lesson && b0.Film && b0.Practice) || len(b0.Records.Orders) != 1 || b0.Records.Orders[0] != o.ID {
			t.Errorf("龙王庙村: %+v", b0)
		}
		if !b1.Lesson || b1.Film || b1.Practice || len(b1.Records.MemberLessons) != 1 {
			t.Errorf("春华山村: %+v", b1)
		}
		if b2.Lesson || b2.Film || b2.Practice {
			t.Errorf("金鼎山社区: %+v", b2)
		}
		if cov.Rates.Lesson != 2.0/3 || cov.Rates.Film != 1.0/3 || cov.Rates.All != 1.0/3 {
			t.Errorf("rates: %+v", cov.Rates)
		}
		var mx struct {
			Months   []string
			Legend   map[string]int
			Branches []struct {
				Cells string
			}
			Trend []struct {
				Month  string
				Lesson float64
			}
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/coverage/matrix?from=2026-11&to=2027-01", nil), &mx)
		// One character a month, the digit of lesson 1 + film 2 + practice 4.
		has := func(cells string, month int, kind string) bool {
			return int(cells[month]-'0')&mx.Legend[kind] != 0
		}
		if len(mx.Months) != 3 || len(mx.Branches) != 3 || len(mx.Branches[0].Cells) != 3 || !has(mx.Branches[0].Cells, 1, "film") ||
			has(mx.Branches[0].Cells, 0, "film") || mx.Trend[1].Lesson != 2.0/3 || mx.Legend["lesson"] != 1 {
			t.Errorf("matrix: %+v", mx)
		}
		var tot struct {
			Orders, FilmViewings, Opinions int64
			Delivered                      int64 `json:"delivered_lessons"`
			PersonTimes                    int64 `json:"lecturing_person_times"`
			Viewings                       int64 `json:"film_viewings"`
			ServiceItems                   int64 `json:"service_items"`
		}
		res = e.as("cs-county", http.MethodGet, "/api/v1/totals?from=2026-01&to=2026-12", nil)
		mustJSON(t, res, &tot)
		if tot.Orders != 1 || tot.Delivered != 1 || tot.PersonTimes != 2 || tot.Viewings != 1 || tot.Opinions != 4 || tot.ServiceItems != 9 {
			t.Errorf("totals: %s", res.Body)
		}
		// Who may see coverage, and across towns.
		cases := []struct {
			login, path string
			code        int
		}{
			{"ch-secretary", "/api/v1/coverage?month=2026-12", 403},
			{"ch-lecturer", "/api/v1/totals", 403},
			{"cs-county", "/api/v1/coverage?month=2026-12", 200},
			{"cs-county", "/api/v1/coverage/towns?month=2026-12", 200},
			{"qh-official", fmt.Sprintf("/api/v1/viewings/%d", v.ID), 404},
			{"cs-county", fmt.Sprintf("/api/v1/viewings/%d", v.ID), 200},
			{"ch-official", "/api/v1/coverage/matrix?from=2026-12&to=2026-01", 422},
			{"ch-official", "/api/v1/coverage?month=12-2026", 400},
		}
		for _, c := range cases {
			if res := e.as(c.login, http.MethodGet, c.path, nil); res.Code != c.code {
				t.Errorf("%s GET %s: %d, want %d (%s)", c.login, c.path, res.Code, c.code, res.Body)
			}
		}
		if res := e.as("cs-county", http.MethodPut, fmt.Sprintf("/api/v1/viewings/%d", v.ID), map[string]any{"film_id": a.Films[0].ID, "date": "2026-12-06", "attendees": 1}); res.Code != 403 {
			t.Errorf("county edits: %d", res.Code)
		}
		var qh struct {
			Branches []struct {
				BranchID int64 `json:"branch_id"`
			}
		}
		mustJSON(t, e.as("qh-official", http.MethodGet, "/api/v1/coverage?month=2026-12", nil), &qh)
		for _, b := range qh.Branches {
			for _, own := range a.Branches {
				if b.BranchID == own.ID {
					t.Errorf("漆河镇 sees 春华镇's branch %d", b.BranchID)
				}
			}
		}
	})
}
