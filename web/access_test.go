package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"weike/fixture"
	"weike/notify"
	"weike/org"
)

// The callers of the access matrix: every role of both towns, the 长沙县
// viewer (who reads 春华镇, not 漆河镇, which is in 桃源县) and anonymous ("").
var matrixActors = []string{"ch-official", "ch-secretary", "ch-lecturer", "qh-official", "qh-secretary", "qh-lecturer", "cs-county", ""}

// want is a row's expected status per caller.
type want map[string]int

// statuses builds a want: every signed-in caller gets def, anonymous 401,
// then the overrides ("login", status, "login", status…) apply.
func statuses(def int, over ...any) want {
	w := want{}
	for _, a := range matrixActors {
		w[a] = def
	}
	w[""] = http.StatusUnauthorized
	for i := 0; i+1 < len(over); i += 2 {
		w[over[i].(string)] = over[i+1].(int)
	}
	return w
}

var (
	// anyone signed in.
	signedIn = func(code int) want { return statuses(code) }
	// readable in 春华镇 and by the 长沙县 viewer; 漆河镇 sees nothing there.
	chRead = statuses(200, "qh-official", 404, "qh-secretary", 404, "qh-lecturer", 404)
	// readable in 漆河镇 only.
	qhRead = statuses(200, "ch-official", 404, "ch-secretary", 404, "ch-lecturer", 404, "cs-county", 404)
	// creating in one's own town: officials only.
	officialsCreate = statuses(403, "ch-official", 201, "qh-official", 201)
	// changing a 春华镇 record: its official; the other town's official does
	// not see it; every other role is stopped by the role gate.
	chWrite = statuses(403, "ch-official", 200, "qh-official", 404)
	qhWrite = statuses(403, "qh-official", 200, "ch-official", 404)
)

// hoursBody is a lecturer's week and days off, as PUT …/hours takes them:
// the fixture's own week (the matrix's orders are made in it after), and a
// day off none of them falls on.
var hoursBody = json.RawMessage(`{"availability": [{"weekday": 6, "start_minute": 840, "end_minute": 1080}, {"weekday": 3, "start_minute": 1140, "end_minute": 1260}],
	"blackouts": [{"day": "2027-02-24", "reason": "开会"}]}`)

// request is what a row sends for one caller.
type request struct {
	path string
	body any
	// token, when set, replaces the caller's cached session token.
	token *string
	// contentType, when set, replaces application/json.
	contentType string
}

type accessRow struct {
	// route is the router's pattern this row covers, as apiRoutes spells it.
	route string
	name  string
	// req builds the request for a caller; it may create what the request needs.
	req  func(t *testing.T, e *env, login string) request
	want want
	// list rows return {"items": […]}; the items are checked for towns.
	list bool
	// mayBeEmpty lets a list come back empty (filters to another town).
	mayBeEmpty bool
	// check, when set, looks further at a signed-in caller's JSON success.
	check func(t *testing.T, login string, body []byte)
}

// fixed is a request builder for a fixed path and body.
func fixed(path string, body any) func(*testing.T, *env, string) request {
	return func(*testing.T, *env, string) request { return request{path: path, body: body} }
}

// perCaller is a request builder whose body is unique per caller, so
// creates by several callers do not collide on unique names.
func perCaller(path string, body func(login string) any) func(*testing.T, *env, string) request {
	return func(_ *testing.T, _ *env, login string) request { return request{path: path, body: body(login)} }
}

func nameOf(login string) string {
	if login == "" {
		return "anon"
	}
	return login
}

// accessMatrix is every API route against every caller. Adding a route
// under /api/v1 without a row here fails TestAccessMatrixCoversRoutes.
func accessMatrix(e *env) []accessRow {
	ch, qh := e.W.A, e.W.B
	id := func(format string, v int64) string { return fmt.Sprintf(format, v) }
	newLesson := func(login string) any {
		return map[string]any{"title": "新课-" + nameOf(login), "topic": "红色教育", "duration_minutes": 25, "status": "published"}
	}
	putLesson := func(ts *fixture.TownSet) any {
		l := ts.Lessons[0]
		return map[string]any{"title": l.Title, "topic_id": l.TopicID, "summary": l.Summary, "duration_minutes": l.DurationMinutes,
			"status": "published", "lecturer_ids": l.LecturerIDs}
	}
	putLecturer := func(ts *fixture.TownSet) any {
		l := ts.Lecturers[0]
		return map[string]any{"name": l.Name, "phone": l.Phone, "branch_id": l.BranchID, "monthly_capacity": 5}
	}
	putFilm := func(ts *fixture.TownSet) any {
		f := ts.Films[0]
		return map[string]any{"title": f.Title, "category": f.Category, "duration_minutes": f.DurationMinutes, "link": f.Link, "description": "改"}
	}
	putBranch := func(ts *fixture.TownSet) any {
		b := ts.Branches[0]
		return map[string]any{"name": b.Name, "kind": b.Kind, "member_count": b.MemberCount + 1}
	}
	putCourtyard := func(ts *fixture.TownSet) any {
		c := ts.Courtyards[0]
		return map[string]any{"name": c.Name, "address": c.Address + "（改）"}
	}
	// revokeOf makes a fresh API token of owner for the caller to revoke.
	revokeOf := func(owner string) func(*testing.T, *env, string) request {
		return func(t *testing.T, e *env, _ string) request {
			res := e.as(owner, http.MethodPost, "/api/v1/tokens", map[string]string{"name": "matrix"})
			if res.Code != http.StatusCreated {
				t.Fatalf("token for %s: %d %s", owner, res.Code, res.Body)
			}
			var tok struct{ ID int64 }
			mustJSON(t, res, &tok)
			return request{path: id("/api/v1/tokens/%d", tok.ID)}
		}
	}
	// freshSession signs the caller in anew, so signing out spares the
	// cached session of the other rows.
	freshSession := func(t *testing.T, e *env, login string) request {
		tok := ""
		if login != "" {
			res := e.do(http.MethodPost, "/api/v1/session", "", map[string]string{"login": login, "password": fixture.Password})
			if res.Code != http.StatusOK {
				t.Fatalf("sign in %s: %d %s", login, res.Code, res.Body)
			}
			var out struct{ Token string }
			mustJSON(t, res, &out)
			tok = out.Token
		}
		return request{path: "/api/v1/session", token: &tok}
	}
	public := statuses(200, "", 200)
	upload := func(kind string) func(*testing.T, *env, string) request {
		return func(t *testing.T, _ *env, login string) request {
			body, ctype := multipartFile(t, kind+".csv", "名称,类型,党员人数\n导入支部-"+nameOf(login)+",社区,30\n")
			return request{path: "/api/v1/imports/" + kind, body: body, contentType: ctype}
		}
	}

	rows := []accessRow{
		{route: "POST /api/v1/session", name: "sign in", want: public,
			req: fixed("/api/v1/session", map[string]string{"login": "qh-lecturer", "password": fixture.Password})},
		{route: "DELETE /api/v1/session", name: "sign out", want: signedIn(204), req: freshSession},
		{route: "GET /api/v1/me", want: signedIn(200), req: fixed("/api/v1/me", nil)},
		// Every account changes its own password (a wrong current one here,
		// so the matrix's sessions and sign-ins stay as they are).
		{route: "PUT /api/v1/me/password", want: signedIn(422), req: fixed("/api/v1/me/password",
			map[string]string{"current_password": "not-the-password", "new_password": "a-new-password"})},
		{route: "GET /api/v1/tokens", want: signedIn(200), req: fixed("/api/v1/tokens", nil)},
		{route: "POST /api/v1/tokens", want: signedIn(201), req: perCaller("/api/v1/tokens", func(l string) any { return map[string]string{"name": "cli " + l} })},
		{route: "DELETE /api/v1/tokens/{id}", name: "revoke ch-official's token", req: revokeOf("ch-official"),
			want: statuses(404, "ch-official", 204)},
		{route: "DELETE /api/v1/tokens/{id}", name: "revoke cs-county's token", req: revokeOf("cs-county"),
			want: statuses(404, "cs-county", 204)},
		{route: "GET /api/v1/openapi.json", want: public, req: fixed("/api/v1/openapi.json", nil)},
		{route: "GET /api/v1/demo", want: public, req: fixed("/api/v1/demo", nil)},

		{route: "GET /api/v1/towns", want: signedIn(200), list: true, req: fixed("/api/v1/towns", nil)},
		{route: "GET /api/v1/topics", want: signedIn(200), list: true, req: fixed("/api/v1/topics", nil)},
		{route: "POST /api/v1/topics", want: officialsCreate, req: perCaller("/api/v1/topics", func(l string) any { return map[string]string{"name": "主题" + nameOf(l)} })},

		{route: "GET /api/v1/lessons", want: signedIn(200), list: true, req: fixed("/api/v1/lessons?per_page=100", nil)},
		{route: "GET /api/v1/lessons", name: "lessons of 漆河镇", want: signedIn(200), list: true, mayBeEmpty: true,
			req: fixed(id("/api/v1/lessons?town_id=%d", qh.Town.ID), nil)},
		{route: "GET /api/v1/lessons", name: "lessons of 春华镇 by status", want: signedIn(200), list: true, mayBeEmpty: true,
			req: fixed(id("/api/v1/lessons?status=draft&town_id=%d", ch.Town.ID), nil)},
		{route: "POST /api/v1/lessons", want: officialsCreate, req: perCaller("/api/v1/lessons", newLesson)},
		{route: "GET /api/v1/lessons/{id}", name: "春华镇 lesson", want: chRead, req: fixed(id("/api/v1/lessons/%d", ch.Lessons[0].ID), nil)},
		{route: "GET /api/v1/lessons/{id}", name: "漆河镇 lesson", want: qhRead, req: fixed(id("/api/v1/lessons/%d", qh.Lessons[0].ID), nil)},
		{route: "GET /api/v1/lessons/{id}", name: "春华镇 draft", req: fixed(id("/api/v1/lessons/%d", ch.Lessons[3].ID), nil),
			want: statuses(404, "ch-official", 200, "cs-county", 200)},
		{route: "PUT /api/v1/lessons/{id}", name: "春华镇 lesson", want: chWrite, req: fixed(id("/api/v1/lessons/%d", ch.Lessons[0].ID), putLesson(ch))},
		{route: "PUT /api/v1/lessons/{id}", name: "漆河镇 lesson", want: qhWrite, req: fixed(id("/api/v1/lessons/%d", qh.Lessons[0].ID), putLesson(qh))},
		{route: "PATCH /api/v1/lessons/{id}", name: "春华镇 lesson", want: chWrite, req: fixed(id("/api/v1/lessons/%d", ch.Lessons[0].ID), json.RawMessage(`{"summary": "只改摘要"}`))},
		{route: "PATCH /api/v1/lessons/{id}", name: "漆河镇 lesson", want: qhWrite, req: fixed(id("/api/v1/lessons/%d", qh.Lessons[0].ID), json.RawMessage(`{"summary": "只改摘要"}`))},

		{route: "GET /api/v1/lecturers", want: signedIn(200), list: true, req: fixed("/api/v1/lecturers", nil)},
		{route: "GET /api/v1/lecturers", name: "lecturers of 漆河镇", want: signedIn(200), list: true, mayBeEmpty: true,
			req: fixed(id("/api/v1/lecturers?town_id=%d", qh.Town.ID), nil)},
		{route: "GET /api/v1/lecturers", name: "lecturers of a 漆河镇 lesson", want: signedIn(200), list: true, mayBeEmpty: true,
			req: fixed(id("/api/v1/lecturers?lesson_id=%d", qh.Lessons[0].ID), nil)},
		{route: "POST /api/v1/lecturers", want: officialsCreate, req: perCaller("/api/v1/lecturers", func(l string) any {
			return map[string]any{"name": "讲师" + nameOf(l), "availability": []map[string]int{{"weekday": 6, "start_minute": 540, "end_minute": 720}}}
		})},
		{route: "GET /api/v1/lecturers/{id}", name: "春华镇 lecturer", want: chRead, req: fixed(id("/api/v1/lecturers/%d", ch.Lecturers[0].ID), nil)},
		{route: "GET /api/v1/lecturers/{id}", name: "漆河镇 lecturer", want: qhRead, req: fixed(id("/api/v1/lecturers/%d", qh.Lecturers[1].ID), nil)},
		{route: "PUT /api/v1/lecturers/{id}", name: "春华镇 lecturer", want: chWrite, req: fixed(id("/api/v1/lecturers/%d", ch.Lecturers[0].ID), putLecturer(ch))},
		{route: "PUT /api/v1/lecturers/{id}", name: "漆河镇 lecturer", want: qhWrite, req: fixed(id("/api/v1/lecturers/%d", qh.Lecturers[0].ID), putLecturer(qh))},
		{route: "PATCH /api/v1/lecturers/{id}", name: "春华镇 lecturer", want: chWrite, req: fixed(id("/api/v1/lecturers/%d", ch.Lecturers[0].ID), json.RawMessage(`{"bio": "只改简介"}`))},
		{route: "PATCH /api/v1/lecturers/{id}", name: "漆河镇 lecturer", want: qhWrite, req: fixed(id("/api/v1/lecturers/%d", qh.Lecturers[0].ID), json.RawMessage(`{"bio": "只改简介"}`))},
		// A lecturer keeps her own hours; an official those of her town's
		// lecturers; a lecturer of the town reads another's but may not
		// change them; every other role stops at the role gate.
		{route: "PUT /api/v1/lecturers/{id}/hours", name: "春华镇 lecturer's own", want: statuses(403, "ch-official", 200, "ch-lecturer", 200, "qh-official", 404, "qh-lecturer", 404),
			req: fixed(id("/api/v1/lecturers/%d/hours", ch.Lecturers[0].ID), hoursBody)},
		{route: "PUT /api/v1/lecturers/{id}/hours", name: "another 春华镇 lecturer", want: statuses(403, "ch-official", 200, "qh-official", 404, "qh-lecturer", 404),
			req: fixed(id("/api/v1/lecturers/%d/hours", ch.Lecturers[1].ID), hoursBody)},
		{route: "PUT /api/v1/lecturers/{id}/hours", name: "漆河镇 lecturer's own", want: statuses(403, "qh-official", 200, "qh-lecturer", 200, "ch-official", 404, "ch-lecturer", 404),
			req: fixed(id("/api/v1/lecturers/%d/hours", qh.Lecturers[0].ID), hoursBody)},

		{route: "GET /api/v1/films", want: signedIn(200), list: true, req: fixed("/api/v1/films", nil)},
		{route: "GET /api/v1/films", name: "films of 漆河镇", want: signedIn(200), list: true, mayBeEmpty: true,
			req: fixed(id("/api/v1/films?town_id=%d", qh.Town.ID), nil)},
		{route: "POST /api/v1/films", want: officialsCreate, req: perCaller("/api/v1/films", func(l string) any {
			return map[string]any{"title": "片-" + nameOf(l), "category": "红色历史", "duration_minutes": 40}
		})},
		{route: "GET /api/v1/films/{id}", name: "春华镇 film", want: chRead, req: fixed(id("/api/v1/films/%d", ch.Films[0].ID), nil)},
		{route: "GET /api/v1/films/{id}", name: "漆河镇 film", want: qhRead, req: fixed(id("/api/v1/films/%d", qh.Films[0].ID), nil)},
		{route: "PUT /api/v1/films/{id}", name: "春华镇 film", want: chWrite, req: fixed(id("/api/v1/films/%d", ch.Films[0].ID), putFilm(ch))},
		{route: "PUT /api/v1/films/{id}", name: "漆河镇 film", want: qhWrite, req: fixed(id("/api/v1/films/%d", qh.Films[0].ID), putFilm(qh))},
		{route: "PATCH /api/v1/films/{id}", name: "春华镇 film", want: chWrite, req: fixed(id("/api/v1/films/%d", ch.Films[0].ID), json.RawMessage(`{"description": "只改介绍"}`))},
		{route: "PATCH /api/v1/films/{id}", name: "漆河镇 film", want: qhWrite, req: fixed(id("/api/v1/films/%d", qh.Films[0].ID), json.RawMessage(`{"description": "只改介绍"}`))},

		{route: "GET /api/v1/branches", want: signedIn(200), list: true, req: fixed("/api/v1/branches", nil)},
		{route: "GET /api/v1/branches", name: "branches of 漆河镇", want: signedIn(200), list: true, mayBeEmpty: true,
			req: fixed(id("/api/v1/branches?town_id=%d&kind=village", qh.Town.ID), nil)},
		{route: "POST /api/v1/branches", want: officialsCreate, req: perCaller("/api/v1/branches", func(l string) any {
			return map[string]any{"name": "新支部-" + nameOf(l), "kind": "community", "member_count": 12}
		})},
		{route: "GET /api/v1/branches/{id}", name: "春华镇 branch", want: chRead, req: fixed(id("/api/v1/branches/%d", ch.Branches[0].ID), nil)},
		{route: "GET /api/v1/branches/{id}", name: "漆河镇 branch", want: qhRead, req: fixed(id("/api/v1/branches/%d", qh.Branches[1].ID), nil)},
		{route: "PUT /api/v1/branches/{id}", name: "春华镇 branch", want: chWrite, req: fixed(id("/api/v1/branches/%d", ch.Branches[0].ID), putBranch(ch))},
		{route: "PUT /api/v1/branches/{id}", name: "漆河镇 branch", want: qhWrite, req: fixed(id("/api/v1/branches/%d", qh.Branches[0].ID), putBranch(qh))},
		{route: "PATCH /api/v1/branches/{id}", name: "春华镇 branch", want: chWrite, req: fixed(id("/api/v1/branches/%d", ch.Branches[0].ID), json.RawMessage(`{"member_count": 77}`))},
		{route: "PATCH /api/v1/branches/{id}", name: "漆河镇 branch", want: qhWrite, req: fixed(id("/api/v1/branches/%d", qh.Branches[0].ID), json.RawMessage(`{"member_count": 77}`))},
		{route: "POST /api/v1/branches/{id}/courtyards", name: "春华镇 branch", req: perCaller(id("/api/v1/branches/%d/courtyards", ch.Branches[1].ID),
			func(l string) any { return map[string]any{"name": "新屋场-" + nameOf(l), "lat": 28.3, "lng": 113.2} }),
			want: statuses(403, "ch-official", 201, "qh-official", 404)},
		{route: "POST /api/v1/branches/{id}/courtyards", name: "漆河镇 branch", req: perCaller(id("/api/v1/branches/%d/courtyards", qh.Branches[0].ID),
			func(l string) any { return map[string]any{"name": "新屋场-" + nameOf(l)} }),
			want: statuses(403, "qh-official", 201, "ch-official", 404)},
		{route: "PUT /api/v1/courtyards/{id}", name: "春华镇 courtyard", want: chWrite, req: fixed(id("/api/v1/courtyards/%d", ch.Courtyards[0].ID), putCourtyard(ch))},
		{route: "POST /api/v1/imports/{kind}", name: "branches", want: statuses(403, "ch-official", 200, "qh-official", 200), req: upload("branches")},
		{route: "POST /api/v1/imports/{kind}", name: "unknown kind", want: statuses(403, "ch-official", 404, "qh-official", 404), req: upload("nope")},
		{route: "GET /api/v1/imports/{kind}/template.csv", want: signedIn(200), req: fixed("/api/v1/imports/lessons/template.csv", nil)},
		{route: "GET /api/v1/imports/{kind}/template.csv", name: "unknown kind", want: signedIn(404), req: fixed("/api/v1/imports/nope/template.csv", nil)},
		{route: "GET /api/v1/imports/{kind}/template.xlsx", want: signedIn(200), req: fixed("/api/v1/imports/lecturers/template.xlsx", nil)},
		{route: "GET /api/v1/imports/{kind}/template.xlsx", name: "unknown kind", want: signedIn(404), req: fixed("/api/v1/imports/nope/template.xlsx", nil)},
		{route: "PUT /api/v1/courtyards/{id}", name: "漆河镇 courtyard", want: qhWrite, req: fixed(id("/api/v1/courtyards/%d", qh.Courtyards[1].ID), putCourtyard(qh))},
		{route: "PATCH /api/v1/courtyards/{id}", name: "春华镇 courtyard", want: chWrite, req: fixed(id("/api/v1/courtyards/%d", ch.Courtyards[0].ID), json.RawMessage(`{"address": "只改地址"}`))},
		{route: "PATCH /api/v1/courtyards/{id}", name: "漆河镇 courtyard", want: qhWrite, req: fixed(id("/api/v1/courtyards/%d", qh.Courtyards[1].ID), json.RawMessage(`{"address": "只改地址"}`))},
	}
	rows = append(rows, messageRows(e)...)
	rows = append(rows, eventPrefRows(e)...)
	rows = append(rows, orderRows(e)...)
	rows = append(rows, themeRows(e)...)
	rows = append(rows, exportRows(e)...)
	return append(rows, dispatchRows(e)...)
}

// multipartFile is a multipart/form-data body with one "file" part.
func multipartFile(t *testing.T, filename, content string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(fw, content); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// matrixTowns are the towns each caller may read.
func matrixTowns(e *env) map[string][]int64 {
	ch, qh := e.W.A.Town.ID, e.W.B.Town.ID
	return map[string][]int64{
		"ch-official": {ch}, "ch-secretary": {ch}, "ch-lecturer": {ch},
		"qh-official": {qh}, "qh-secretary": {qh}, "qh-lecturer": {qh},
		"cs-county": {ch},
	}
}

func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		e.S.Demo = &Demo{Password: fixture.Password, Accounts: []DemoAccount{{Login: "ch-official", Role: "official", Name: "ch-official", Town: "春华镇", County: "长沙县"}}}
		towns := matrixTowns(e)
		party := matrixParty(e)
		for _, a := range matrixActors {
			e.token(a) // sign everyone in before any row can sign anyone out
		}
		for _, row := range accessMatrix(e) {
			name := row.route
			if row.name != "" {
				name += " " + row.name
			}
			t.Run(name, func(t *testing.T) {
				for _, login := range matrixActors {
					wantCode, ok := row.want[login]
					if !ok {
						t.Fatalf("row has no expectation for %q", login)
					}
					method, _, _ := strings.Cut(row.route, " ")
					r := row.req(t, e, login)
					tok := e.token(login)
					if r.token != nil {
						tok = *r.token
					}
					var headers []string
					if r.contentType != "" {
						headers = []string{"Content-Type", r.contentType}
					}
					res := e.do(method, r.path, tok, r.body, headers...)
					if res.Code != wantCode {
						t.Errorf("%s %s as %s: %d, want %d: %.300s", method, r.path, nameOf(login), res.Code, wantCode, res.Body)
						continue
					}
					checkDocumented(t, row.route, res)
					if res.Code >= 400 {
						apiErrorOf(t, res)
						continue
					}
					if res.Code == http.StatusNoContent || login == "" || strings.HasSuffix(r.path, "openapi.json") ||
						!strings.HasPrefix(res.Header().Get("Content-Type"), "application/json") {
						continue
					}
					checkTowns(t, login, towns[login], party[login], res.Body.Bytes(), row)
					if row.check != nil {
						row.check(t, login, res.Body.Bytes())
					}
				}
			})
		}
	})
}

// checkTowns fails when a response shows a record of a town the caller may
// not read, (for secretaries and lecturers) an unpublished one, or (see
// checkParty) an order or member lesson that is not theirs.
func checkTowns(t *testing.T, login string, towns []int64, party int64, body []byte, row accessRow) {
	t.Helper()
	var items []map[string]any
	if row.list {
		var l struct{ Items []map[string]any }
		if err := json.Unmarshal(body, &l); err != nil || l.Items == nil {
			t.Errorf("%s as %s: not a list: %.300s", row.route, login, body)
			return
		}
		items = l.Items
		if len(items) == 0 && !row.mayBeEmpty {
			t.Errorf("%s as %s: empty list, so its town scoping proves nothing", row.route, login)
		}
	} else {
		var one map[string]any
		if err := json.Unmarshal(body, &one); err != nil {
			t.Errorf("%s as %s: %v", row.route, login, err)
			return
		}
		items = []map[string]any{one}
	}
	// Orders have statuses of their own; publication is the catalog's.
	readsOnlyPublished := (strings.HasSuffix(login, "-secretary") || strings.HasSuffix(login, "-lecturer")) &&
		!strings.Contains(row.route, "/orders")
	for _, it := range items {
		key := "town_id"
		if row.route == "GET /api/v1/towns" || strings.HasSuffix(row.route, "/town/settings") {
			key = "id"
		}
		if tv, ok := it[key]; ok {
			if n, _ := tv.(float64); !slices.Contains(towns, int64(n)) {
				t.Errorf("%s as %s: record of town %v (caller reads %v): %v", row.route, login, tv, towns, it)
			}
		}
		if st, ok := it["status"].(string); ok && readsOnlyPublished && st != "published" {
			t.Errorf("%s as %s: %s record shown: %v", row.route, login, st, it)
		}
		checkParty(t, login, party, it, row)
	}
}

// matrixParty is the branch of each secretary and the lecturer record of
// each lecturer among the callers.
func matrixParty(e *env) map[string]int64 {
	return map[string]int64{"ch-secretary": e.W.A.Branches[0].ID, "qh-secretary": e.W.B.Branches[0].ID,
		"ch-lecturer": e.W.A.Lecturers[0].ID, "qh-lecturer": e.W.B.Lecturers[0].ID}
}

// checkParty fails when a secretary is shown another branch's order,
// member lesson, viewing or practice, or a lecturer another lecturer's
// order; party is the caller's branch or lecturer record.
func checkParty(t *testing.T, login string, party int64, it map[string]any, row accessRow) {
	t.Helper()
	if !slices.ContainsFunc([]string{"/orders", "/member-lessons", "/viewings", "/practices"}, func(p string) bool { return strings.Contains(row.route, p) }) {
		return
	}
	key := "branch_id"
	switch {
	case strings.HasSuffix(login, "-secretary"):
	case strings.HasSuffix(login, "-lecturer") && strings.Contains(row.route, "/orders"):
		key = "lecturer_id"
	default:
		return
	}
	if v, _ := it[key].(float64); int64(v) != party {
		t.Errorf("%s as %s: %s %v is not the caller's (%d): %v", row.route, login, key, it[key], party, it)
	}
}

// TestAccessMatrixCoversRoutes makes every API route earn a row: a new
// endpoint fails here until the matrix says who may use it.
func TestAccessMatrixCoversRoutes(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		covered := map[string]bool{}
		for _, r := range accessMatrix(e) {
			covered[r.route] = true
		}
		routes := apiRoutes(e.S)
		var missing, stale []string
		for r := range routes {
			if !covered[r] {
				missing = append(missing, r)
			}
		}
		for r := range covered {
			if !routes[r] {
				stale = append(stale, r)
			}
		}
		sort.Strings(missing)
		sort.Strings(stale)
		if len(missing) > 0 {
			t.Errorf("API routes without a row in the access matrix:\n  %s", strings.Join(missing, "\n  "))
		}
		if len(stale) > 0 {
			t.Errorf("access matrix rows for routes that do not exist:\n  %s", strings.Join(stale, "\n  "))
		}
	})
}

// TestAPITokenFlow: an API token works as a bearer, lists without its
// secret, cannot be revoked by anyone else, and stops working once revoked.
func TestAPITokenFlow(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		res := e.as("ch-secretary", http.MethodPost, "/api/v1/tokens", map[string]string{"name": "脚本"})
		if res.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", res.Code, res.Body)
		}
		var tok struct {
			ID        int64
			Name      string
			Token     string
			RevokedAt *string `json:"revoked_at"`
		}
		mustJSON(t, res, &tok)
		if !strings.HasPrefix(tok.Token, "wk_") || len(tok.Token) < 40 || tok.ID == 0 || tok.Name != "脚本" || tok.RevokedAt != nil {
			t.Fatalf("created token: %+v", tok)
		}

		me := func(token string) (int, string) {
			res := e.do(http.MethodGet, "/api/v1/me", token, nil)
			var m struct {
				Role    string
				Account struct{ Login string }
			}
			if res.Code == http.StatusOK {
				mustJSON(t, res, &m)
			} else {
				apiErrorOf(t, res)
			}
			return res.Code, m.Account.Login
		}
		if code, login := me(tok.Token); code != http.StatusOK || login != "ch-secretary" {
			t.Fatalf("me with API token: %d %q", code, login)
		}
		// The token acts with its account's rights, no more.
		if res := e.do(http.MethodPost, "/api/v1/lessons", tok.Token, map[string]any{"title": "x", "topic": "红色教育", "duration_minutes": 20}); res.Code != http.StatusForbidden {
			t.Fatalf("secretary's token created a lesson: %d", res.Code)
		}

		res = e.do(http.MethodGet, "/api/v1/tokens", tok.Token, nil)
		if res.Code != http.StatusOK || strings.Contains(res.Body.String(), tok.Token) || strings.Contains(res.Body.String(), "hash") {
			t.Fatalf("token list leaks the secret or its hash: %d %s", res.Code, res.Body)
		}
		var list struct{ Items []struct{ ID int64 } }
		mustJSON(t, res, &list)
		if len(list.Items) != 1 || list.Items[0].ID != tok.ID {
			t.Fatalf("token list: %s", res.Body)
		}
		// Another account's list does not show it.
		res = e.as("ch-official", http.MethodGet, "/api/v1/tokens", nil)
		if strings.Contains(res.Body.String(), fmt.Sprintf(`"id":%d,`, tok.ID)) {
			t.Fatalf("ch-official sees ch-secretary's token: %s", res.Body)
		}

		path := fmt.Sprintf("/api/v1/tokens/%d", tok.ID)
		for _, other := range []string{"ch-official", "qh-secretary", "cs-county"} {
			if res := e.as(other, http.MethodDelete, path, nil); res.Code != http.StatusNotFound {
				t.Fatalf("%s revoked another's token: %d %s", other, res.Code, res.Body)
			}
		}
		if code, _ := me(tok.Token); code != http.StatusOK {
			t.Fatalf("token stopped working after others' failed revokes: %d", code)
		}
		// Signing out with an API token leaves the token alone.
		if res := e.do(http.MethodDelete, "/api/v1/session", tok.Token, nil); res.Code != http.StatusNoContent {
			t.Fatalf("sign out with API token: %d", res.Code)
		}
		if code, _ := me(tok.Token); code != http.StatusOK {
			t.Fatalf("DELETE /session revoked the API token: %d", code)
		}

		// The token may revoke itself; then it is refused.
		if res := e.do(http.MethodDelete, path, tok.Token, nil); res.Code != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", res.Code, res.Body)
		}
		if code, _ := me(tok.Token); code != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d, want 401", code)
		}
		res = e.do(http.MethodGet, "/api/v1/lessons", tok.Token, nil)
		if res.Code != http.StatusUnauthorized || apiErrorOf(t, res).Code != "auth.bad_token" {
			t.Fatalf("revoked token on lessons: %d %s", res.Code, res.Body)
		}
		if res := e.as("ch-secretary", http.MethodDelete, path, nil); res.Code != http.StatusNotFound {
			t.Fatalf("second revoke: %d, want 404", res.Code)
		}
		res = e.as("ch-secretary", http.MethodGet, "/api/v1/tokens", nil)
		var after struct {
			Items []struct {
				ID        int64
				RevokedAt *string `json:"revoked_at"`
			}
		}
		mustJSON(t, res, &after)
		if len(after.Items) != 1 || after.Items[0].RevokedAt == nil {
			t.Fatalf("revoked token not marked: %s", res.Body)
		}
	})
}

// TestAPISessionSignOut: a session token stops working once signed out.
func TestAPISessionSignOut(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		res := e.do(http.MethodPost, "/api/v1/session", "", map[string]string{"login": "qh-official", "password": fixture.Password})
		var s struct {
			Token string
			Role  string
		}
		mustJSON(t, res, &s)
		if res.Code != http.StatusOK || s.Token == "" || strings.HasPrefix(s.Token, "wk_") || s.Role != "official" {
			t.Fatalf("sign in: %d %s", res.Code, res.Body)
		}
		if res := e.do(http.MethodGet, "/api/v1/me", s.Token, nil); res.Code != http.StatusOK {
			t.Fatalf("me: %d", res.Code)
		}
		if res := e.do(http.MethodDelete, "/api/v1/session", s.Token, nil); res.Code != http.StatusNoContent {
			t.Fatalf("sign out: %d", res.Code)
		}
		for _, p := range []string{"/api/v1/me", "/api/v1/lessons", "/api/v1/tokens"} {
			if res := e.do(http.MethodGet, p, s.Token, nil); res.Code != http.StatusUnauthorized {
				t.Fatalf("%s after sign-out: %d", p, res.Code)
			}
		}
		if res := e.do(http.MethodDelete, "/api/v1/session", s.Token, nil); res.Code != http.StatusUnauthorized {
			t.Fatalf("second sign-out: %d", res.Code)
		}
	})
}

// TestAPIIgnoresSessionCookie: the API takes bearer tokens only, so a
// cookie riding along on a cross-site request cannot act for the user.
func TestAPIIgnoresSessionCookie(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		tok := e.token("ch-official")
		cookie := []string{"Cookie", sessionCookie + "=" + tok}
		// The cookie is good: the pages accept it.
		if res := e.do(http.MethodGet, "/", "", nil, cookie...); res.Code != http.StatusOK {
			t.Fatalf("home page with the session cookie: %d (the cookie should be valid)", res.Code)
		}
		cases := []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/api/v1/me", nil},
			{http.MethodGet, "/api/v1/lessons", nil},
			{http.MethodPost, "/api/v1/lessons", map[string]any{"title": "跨站", "topic": "红色教育", "duration_minutes": 20}},
			{http.MethodPost, "/api/v1/tokens", map[string]string{"name": "stolen"}},
			{http.MethodDelete, "/api/v1/session", nil},
		}
		for _, c := range cases {
			res := e.do(c.method, c.path, "", c.body, cookie...)
			if res.Code != http.StatusUnauthorized {
				t.Fatalf("%s %s with only a cookie: %d, want 401: %s", c.method, c.path, res.Code, res.Body)
			}
			if er := apiErrorOf(t, res); er.Code != "auth.required" {
				t.Fatalf("%s %s: code %q", c.method, c.path, er.Code)
			}
		}
		// The session itself survived the refused sign-out.
		if res := e.do(http.MethodGet, "/api/v1/me", tok, nil); res.Code != http.StatusOK {
			t.Fatalf("bearer after cookie attempts: %d", res.Code)
		}
	})
}

func TestAPIDemoOnlyInDemoMode(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		res := e.do(http.MethodGet, "/api/v1/demo", "", nil)
		if res.Code != http.StatusNotFound {
			t.Fatalf("demo without demo mode: %d", res.Code)
		}
		apiErrorOf(t, res)
	})
}

// matrixOrders are the orders the order rows act on. They are placed
// through the API as the branches' secretaries the first time a row needs
// them, and brought into the status each move starts from.
type matrixOrders struct {
	e *env
	// ids by name; nil until set up.
	ids    map[string]int64
	failed bool
	// later is whether the clock has moved past the lessons to deliver.
	later bool
}

// The preferred times of the matrix's orders, in the fixture's windows
// (Saturdays 14:00–18:00, Wednesdays 19:00–21:00); the clock starts on
// Monday 2026-11-30 10:00 and moves to deliverBy for the deliveries.
const (
	matrixWed1900 = "2026-12-02T19:00:00+08:00"
	matrixWed2000 = "2026-12-02T20:00:00+08:00"
	matrixSat1400 = "2026-12-05T14:00:00+08:00"
	deliverBy     = "2026-12-05T15:00:00+08:00"
)

// orderBody is an order of ts's lesson 0 by lecturer (index) for the
// courtyard of branch (index).
func orderBody(ts *fixture.TownSet, branch, lecturer int, slots ...string) map[string]any {
	return map[string]any{"lesson_id": ts.Lessons[0].ID, "lecturer_id": ts.Lecturers[lecturer].ID,
		"courtyard_id": ts.Courtyards[branch].ID, "slots": slots, "audience": 30, "note": "矩阵"}
}

// post sends a JSON request that must answer want, and decodes its id.
func (o *matrixOrders) post(t *testing.T, login, path string, body any, want int) int64 {
	t.Helper()
	res := o.e.as(login, http.MethodPost, path, body)
	if res.Code != want {
		t.Fatalf("setting up the orders: POST %s as %s: %d, want %d: %s", path, login, res.Code, want, res.Body)
	}
	var out struct{ ID int64 }
	if res.Code != http.StatusNoContent {
		mustJSON(t, res, &out)
	}
	return out.ID
}

// matrixAccount makes another account of 春华镇 for the setup.
func matrixAccount(t *testing.T, e *env, login string, role org.Role, branch, lecturer int64) string {
	t.Helper()
	_, err := e.W.Org.CreateAccount(context.Background(), org.NewAccount{Login: login, Password: fixture.Password,
		Role: role, TownID: e.W.A.Town.ID, BranchID: branch, LecturerID: lecturer})
	if err != nil {
		t.Fatal(err)
	}
	return login
}

func (o *matrixOrders) need(t *testing.T) {
	t.Helper()
	if o.ids != nil {
		return
	}
	if o.failed {
		t.Fatal("the matrix's orders could not be set up: see the first failure")
	}
	o.failed = true
	e := o.e
	ch, qh := e.W.A, e.W.B
	// A secretary of 春华镇's second branch, and an account for its second
	// lecturer (李ch), who answers the orders placed with him.
	sec2 := matrixAccount(t, e, "ch-matrix-secretary", org.RoleSecretary, ch.Branches[1].ID, 0)
	lect2 := matrixAccount(t, e, "ch-matrix-lecturer", org.RoleLecturer, 0, ch.Lecturers[1].ID)
	ids := map[string]int64{}
	place := func(name, login string, ts *fixture.TownSet, branch, lecturer int, slot string) {
		ids[name] = o.post(t, login, "/api/v1/orders", orderBody(ts, branch, lecturer, slot), http.StatusCreated)
	}
	// ch-secretary's branch with ch-lecturer (王ch), one order per move.
	place("accept", "ch-secretary", ch, 0, 0, "2026-12-12T14:00:00+08:00")
	place("decline", "ch-secretary", ch, 0, 0, "2026-12-12T15:00:00+08:00")
	place("propose", "ch-secretary", ch, 0, 0, "2026-12-12T16:00:00+08:00")
	place("proposed", "ch-secretary", ch, 0, 0, "2026-12-19T14:00:00+08:00")
	place("declined", "ch-secretary", ch, 0, 0, "2026-12-19T16:00:00+08:00")
	place("declined, kept", "ch-secretary", ch, 0, 0, "2026-12-19T17:00:00+08:00")
	place("withdraw", "ch-secretary", ch, 0, 0, "2027-01-06T19:00:00+08:00")
	// Orders ch-lecturer and ch-secretary do not take part in.
	place("other lecturer", "ch-secretary", ch, 0, 1, "2026-12-12T17:00:00+08:00")
	place("other branch", sec2, ch, 1, 1, "2026-12-16T19:00:00+08:00")
	place("漆河镇", "qh-secretary", qh, 0, 0, matrixSat1400)
	// Confirmed lessons that will have been given once the clock moves:
	// one for each role that may record a delivery.
	place("deliver ch-lecturer", "ch-secretary", ch, 0, 0, matrixWed1900)
	place("deliver ch-secretary", "ch-secretary", ch, 0, 1, matrixWed2000)
	place("deliver ch-official", "ch-secretary", ch, 0, 1, matrixSat1400)

	move := func(login, name, action string, body any) {
		o.post(t, login, fmt.Sprintf("/api/v1/orders/%d/%s", ids[name], action), body, http.StatusOK)
	}
	move("ch-lecturer", "proposed", "propose", map[string]string{"start": "2026-12-19T15:00:00+08:00"})
	move("ch-lecturer", "declined", "decline", map[string]string{"reason": "那天要去长沙"})
	move("ch-lecturer", "declined, kept", "decline", map[string]string{"reason": "那天要去长沙"})
	move("ch-lecturer", "deliver ch-lecturer", "accept", map[string]int{"slot": 0})
	move("ch-lecturer", "withdraw", "accept", map[string]int{"slot": 0})
	move(lect2, "deliver ch-secretary", "accept", map[string]int{"slot": 0})
	move(lect2, "deliver ch-official", "accept", map[string]int{"slot": 0})

	for _, login := range []string{"ch-secretary", "qh-secretary", sec2} {
		o.post(t, login, "/api/v1/member-lessons", map[string]any{"title": "党员讲党课-" + login, "topic": "红色教育",
			"speaker": "张三", "date": "2026-11-28", "attendees": 25}, http.StatusCreated)
	}
	o.ids, o.failed = ids, false
}

// passTime moves the clock past the confirmed lessons and runs the hourly
// expiry job, which expires every order still unanswered and tells the
// officials in their inbox. Rows after it see the later clock.
func (o *matrixOrders) passTime(t *testing.T) {
	t.Helper()
	o.need(t)
	if o.later {
		return
	}
	at, err := time.Parse(time.RFC3339, deliverBy)
	if err != nil {
		t.Fatal(err)
	}
	o.e.W.Now = at
	n, err := o.e.W.Booking.ExpireDue(context.Background())
	if err != nil || n == 0 {
		t.Fatalf("expiry job: %d orders, %v", n, err)
	}
	o.later = true
}

// listed is a request builder for a fixed path once the orders exist.
func (o *matrixOrders) listed(path string) func(*testing.T, *env, string) request {
	return func(t *testing.T, _ *env, _ string) request {
		o.need(t)
		return request{path: path}
	}
}

// per is at with an order of its own for some callers (by login), so that
// one caller's move leaves the order as it was for the others.
func (o *matrixOrders) per(format string, names map[string]string, others string, body any) func(*testing.T, *env, string) request {
	return func(t *testing.T, e *env, login string) request {
		name, ok := names[login]
		if !ok {
			name = others
		}
		return o.at(format, name, body)(t, e, login)
	}
}

// at is a request builder for path (with the id of the named order) and body.
func (o *matrixOrders) at(format, name string, body any) func(*testing.T, *env, string) request {
	return func(t *testing.T, _ *env, _ string) request {
		o.need(t)
		return request{path: fmt.Sprintf(format, o.ids[name]), body: body}
	}
}

// orderRows are the access matrix's rows for ordering: orders and their
// moves, free times, member lessons, points, calendars, the inbox and the
// town's settings. They run after the catalog rows, in this order: the
// moves before the clock moves past the first lessons, the deliveries,
// reviews, points and inbox after.
func orderRows(e *env) []accessRow {
	ch, qh := e.W.A, e.W.B
	o := &matrixOrders{e: e}
	id := func(format string, v int64) string { return fmt.Sprintf(format, v) }
	orders := "/api/v1/orders/%d"
	// chOrder: a 春华镇 order is a 404 to 漆河镇's callers.
	chOrder := func(def int, over ...any) want {
		return statuses(def, append([]any{"qh-official", 404, "qh-secretary", 404, "qh-lecturer", 404}, over...)...)
	}
	// fresh places a new requested order for each caller (cancel takes
	// one from several callers). The same order is not placed twice while
	// the first is still requested: the callers who may not cancel share it.
	fresh := func(format string, body any) func(*testing.T, *env, string) request {
		return func(t *testing.T, e *env, _ string) request {
			o.need(t)
			res := e.as("ch-secretary", http.MethodPost, "/api/v1/orders", orderBody(ch, 0, 0, "2026-12-26T14:00:00+08:00"))
			if res.Code != http.StatusCreated && res.Code != http.StatusOK {
				t.Fatalf("fresh order: %d %s", res.Code, res.Body)
			}
			var out struct{ ID int64 }
			mustJSON(t, res, &out)
			return request{path: fmt.Sprintf(format, out.ID), body: body}
		}
	}
	// deliver gives each caller who may record a delivery a lesson of
	// their own, once its time has passed; the others get ch-lecturer's.
	deliver := func(t *testing.T, e *env, login string) request {
		o.passTime(t)
		return o.per(orders+"/deliver", map[string]string{"ch-official": "deliver ch-official", "ch-secretary": "deliver ch-secretary"},
			"deliver ch-lecturer", map[string]any{"attendees": 28, "minutes": 25, "summary": "讲得好", "photo_links": []string{"https://example.test/1.jpg"}})(t, e, login)
	}
	inboxRead := func(t *testing.T, e *env, _ string) request {
		o.passTime(t)
		var in struct{ Items []struct{ ID int64 } }
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/inbox", nil), &in)
		if len(in.Items) == 0 {
			t.Fatal("ch-official's inbox is empty after the expiry job")
		}
		return request{path: id("/api/v1/inbox/%d/read", in.Items[0].ID)}
	}
	after := func(path string) func(*testing.T, *env, string) request {
		return func(t *testing.T, _ *env, _ string) request {
			o.passTime(t)
			return request{path: path}
		}
	}
	memberLesson := func(branch map[string]int64) func(string) any {
		return func(login string) any {
			return map[string]any{"branch_id": branch[login], "title": "支部讲堂-" + nameOf(login), "speaker": "李四", "date": "2026-11-29", "attendees": 20}
		}
	}
	settings := map[string]any{"travel_buffer_minutes": 30, "lead_time_hours": 48, "horizon_days": 90, "answer_deadline_hours": 72,
		"points_delivered": 10, "points_five_star": 2, "schedule_spec": "0 9 25 * *"}
	// The points' leaderboard names lecturers of the caller's towns only,
	// and ch's, where lessons were given, is not empty; only lecturers
	// get their own ledger.
	lecturerTown := map[int64]string{}
	for _, l := range ch.Lecturers {
		lecturerTown[l.ID] = "ch"
	}
	for _, l := range qh.Lecturers {
		lecturerTown[l.ID] = "qh"
	}
	checkPoints := func(t *testing.T, login string, body []byte) {
		var r struct {
			Leaderboard []struct {
				LecturerID int64 `json:"lecturer_id"`
				Points     int
			}
			Mine *struct{ Total int }
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		town := "ch"
		if strings.HasPrefix(login, "qh-") {
			town = "qh"
		}
		for _, s := range r.Leaderboard {
			if lecturerTown[s.LecturerID] != town {
				t.Errorf("points as %s: lecturer %d of another town on the leaderboard: %s", login, s.LecturerID, body)
			}
		}
		if town == "ch" && len(r.Leaderboard) == 0 {
			t.Errorf("points as %s: empty leaderboard after lessons were given: %s", login, body)
		}
		if (r.Mine != nil) != strings.HasSuffix(login, "-lecturer") {
			t.Errorf("points as %s: own ledger present=%v: %s", login, r.Mine != nil, body)
		}
		if login == "ch-lecturer" && r.Mine.Total == 0 {
			t.Errorf("points as ch-lecturer: no points for a delivered, five-star lesson: %s", body)
		}
	}
	checkLinks := func(t *testing.T, login string, body []byte) {
		var l struct{ Items []calendarLink }
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatal(err)
		}
		want := 0
		if strings.HasSuffix(login, "-secretary") || strings.HasSuffix(login, "-lecturer") {
			want = 1
		}
		if len(l.Items) != want || (want == 1 && !strings.Contains(l.Items[0].URL, "/calendar/")) {
			t.Errorf("calendar links as %s: want %d feed: %s", login, want, body)
		}
	}
	checkHistory := func(t *testing.T, login string, body []byte) {
		var or struct {
			History []struct{ From, To, Role string }
		}
		if err := json.Unmarshal(body, &or); err != nil {
			t.Fatal(err)
		}
		if len(or.History) == 0 || or.History[0].To != "requested" || or.History[0].Role != "secretary" {
			t.Errorf("order as %s: history does not start with the secretary's request: %s", login, body)
		}
	}
	checkInbox := func(t *testing.T, login string, body []byte) {
		var in struct {
			Items  []struct{ Kind string }
			Unread int
		}
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatal(err)
		}
		// Expiries are told to the town's officials (the newest of their
		// messages); each role gets only the kinds that reach it, and the
		// parties of 春华镇's orders have been told of them.
		role := org.Role(login[strings.LastIndexByte(login, '-')+1:])
		if login == "cs-county" {
			role = org.RoleCounty
		}
		kinds := map[string]bool{}
		for _, k := range notify.KindsFor(role) {
			kinds[k.Kind] = true
		}
		for _, m := range in.Items {
			if (strings.HasPrefix(m.Kind, "order.") || strings.HasPrefix(m.Kind, "digest.")) && !kinds[m.Kind] {
				t.Errorf("inbox of %s: a message of kind %s, which is not for a %s", login, m.Kind, role)
			}
		}
		has := func(kind string) bool {
			return slices.ContainsFunc(in.Items, func(m struct{ Kind string }) bool { return m.Kind == kind })
		}
		switch login {
		case "ch-official", "qh-official":
			if len(in.Items) == 0 || in.Items[0].Kind != "order.expired" || in.Unread == 0 {
				t.Errorf("inbox of %s: no unread expiry message first: %s", login, body)
			}
		case "ch-secretary":
			if !has("order.accepted") || !has("order.declined") || !has("order.proposed") {
				t.Errorf("inbox of %s: not told of accept, decline and proposal: %s", login, body)
			}
		case "ch-lecturer":
			if !has("order.requested") {
				t.Errorf("inbox of %s: not told of new orders: %s", login, body)
			}
		case "cs-county":
			if len(in.Items) > 0 {
				t.Errorf("inbox of %s: %s", login, body)
			}
		}
	}
	return []accessRow{
		{route: "GET /api/v1/lessons/{id}/slots", name: "春华镇 lesson", want: chRead, list: true,
			req: fixed(id("/api/v1/lessons/%d/slots", ch.Lessons[0].ID), nil)},
		{route: "GET /api/v1/lessons/{id}/slots", name: "春华镇 lesson by one lecturer", want: chRead, list: true,
			req: fixed(fmt.Sprintf("/api/v1/lessons/%d/slots?lecturer_id=%d", ch.Lessons[0].ID, ch.Lecturers[1].ID), nil)},
		{route: "GET /api/v1/lessons/{id}/slots", name: "漆河镇 lesson", want: qhRead, list: true,
			req: fixed(id("/api/v1/lessons/%d/slots", qh.Lessons[1].ID), nil)},
		{route: "GET /api/v1/lessons/{id}/slots", name: "春华镇 draft", want: statuses(404, "ch-official", 200, "cs-county", 200), list: true, mayBeEmpty: true,
			req: fixed(id("/api/v1/lessons/%d/slots", ch.Lessons[3].ID), nil)},

		// Secretaries order for their own branch; nobody else orders.
		{route: "POST /api/v1/orders", want: statuses(403, "ch-secretary", 201, "qh-secretary", 201),
			req: perCaller("/api/v1/orders", func(l string) any {
				if strings.HasPrefix(l, "qh-") {
					return orderBody(qh, 0, 0, "2026-12-12T14:00:00+08:00")
				}
				return orderBody(ch, 0, 0, "2026-12-26T16:00:00+08:00")
			})},
		{route: "POST /api/v1/orders", name: "a 春华镇 courtyard", want: statuses(403, "ch-secretary", 201, "qh-secretary", 422),
			req: fixed("/api/v1/orders", orderBody(ch, 0, 0, "2026-12-26T17:00:00+08:00"))},
		{route: "POST /api/v1/orders", name: "the same order twice", want: statuses(403, "ch-secretary", 200, "qh-secretary", 200),
			req: func(t *testing.T, e *env, login string) request {
				body := orderBody(ch, 0, 0, "2026-12-26T15:00:00+08:00")
				if login == "qh-secretary" {
					body = orderBody(qh, 0, 0, "2026-12-12T15:00:00+08:00")
				}
				if login == "ch-secretary" || login == "qh-secretary" {
					o.post(t, login, "/api/v1/orders", body, http.StatusCreated)
				}
				return request{path: "/api/v1/orders", body: body}
			}},

		{route: "GET /api/v1/orders", want: signedIn(200), list: true, req: o.listed("/api/v1/orders?per_page=200")},
		{route: "GET /api/v1/orders", name: "of 漆河镇", want: signedIn(200), list: true, mayBeEmpty: true,
			req: o.listed(id("/api/v1/orders?town_id=%d", qh.Town.ID))},
		{route: "GET /api/v1/orders", name: "requested or proposed, made in 2026-11", want: signedIn(200), list: true, mayBeEmpty: true,
			req: o.listed("/api/v1/orders?status=requested,proposed&month=2026-11&page=1&per_page=3")},
		{route: "GET /api/v1/orders", name: "of another branch", want: signedIn(200), list: true, mayBeEmpty: true,
			req: o.listed(id("/api/v1/orders?branch_id=%d", ch.Branches[1].ID))},
		{route: "GET /api/v1/orders", name: "of another lecturer", want: signedIn(200), list: true, mayBeEmpty: true,
			req: o.listed(id("/api/v1/orders?lecturer_id=%d", ch.Lecturers[1].ID))},

		{route: "GET /api/v1/orders/{id}", name: "春华镇 order", want: chRead, check: checkHistory, req: o.at(orders, "accept", nil)},
		{route: "GET /api/v1/orders/{id}", name: "another branch's order", want: chOrder(200, "ch-secretary", 404, "ch-lecturer", 404),
			req: o.at(orders, "other branch", nil)},
		{route: "GET /api/v1/orders/{id}", name: "another lecturer's order", want: chOrder(200, "ch-lecturer", 404),
			req: o.at(orders, "other lecturer", nil)},
		{route: "GET /api/v1/orders/{id}", name: "漆河镇 order", want: qhRead, req: o.at(orders, "漆河镇", nil)},

		// The lecturer answers; everyone else who sees the order gets 403.
		{route: "POST /api/v1/orders/{id}/accept", name: "requested order", want: chOrder(403, "ch-lecturer", 200),
			req: o.at(orders+"/accept", "accept", map[string]int{"slot": 0})},
		{route: "POST /api/v1/orders/{id}/accept", name: "another lecturer's order", want: chOrder(403, "ch-lecturer", 404),
			req: o.at(orders+"/accept", "other lecturer", map[string]int{"slot": 0})},
		{route: "POST /api/v1/orders/{id}/accept", name: "another branch's order", want: chOrder(403, "ch-lecturer", 404, "ch-secretary", 404),
			req: o.at(orders+"/accept", "other branch", map[string]int{"slot": 0})},
		{route: "POST /api/v1/orders/{id}/decline", name: "requested order", want: chOrder(403, "ch-lecturer", 200),
			req: o.at(orders+"/decline", "decline", map[string]string{"reason": "那天要去长沙"})},
		{route: "POST /api/v1/orders/{id}/decline", name: "another lecturer's order", want: chOrder(403, "ch-lecturer", 404),
			req: o.at(orders+"/decline", "other lecturer", map[string]string{"reason": "不是我的"})},
		{route: "POST /api/v1/orders/{id}/propose", name: "requested order", want: chOrder(403, "ch-lecturer", 200),
			req: o.at(orders+"/propose", "propose", map[string]string{"start": "2026-12-09T19:00:00+08:00"})},
		{route: "POST /api/v1/orders/{id}/propose", name: "another lecturer's order", want: chOrder(403, "ch-lecturer", 404),
			req: o.at(orders+"/propose", "other lecturer", map[string]string{"start": "2026-12-09T20:00:00+08:00"})},
		// The branch responds to a proposal.
		{route: "POST /api/v1/orders/{id}/respond", name: "proposed order", want: chOrder(403, "ch-secretary", 200),
			req: o.at(orders+"/respond", "proposed", map[string]bool{"accept": true})},
		{route: "POST /api/v1/orders/{id}/respond", name: "another branch's order", want: chOrder(403, "ch-secretary", 404, "ch-lecturer", 404),
			req: o.at(orders+"/respond", "other branch", map[string]bool{"accept": false})},
		// The branch or an official cancels.
		{route: "POST /api/v1/orders/{id}/cancel", name: "requested order", want: chOrder(403, "ch-official", 200, "ch-secretary", 200),
			req: fresh(orders+"/cancel", map[string]string{"reason": "村里临时有事"})},
		{route: "POST /api/v1/orders/{id}/cancel", name: "another branch's order", want: chOrder(403, "ch-official", 200, "ch-secretary", 404, "ch-lecturer", 404),
			req: o.at(orders+"/cancel", "other branch", map[string]string{"reason": "支部撤回"})},
		// An official gives a declined order to another lecturer; the others
		// try on one that stays declined (and ch-lecturer's).
		{route: "POST /api/v1/orders/{id}/reassign", name: "declined order", want: chOrder(403, "ch-official", 200),
			req: o.per(orders+"/reassign", map[string]string{"ch-official": "declined"}, "declined, kept", map[string]int64{"lecturer_id": ch.Lecturers[1].ID})},
		// The lecturer gives back a lesson she accepted.
		{route: "POST /api/v1/orders/{id}/withdraw", name: "confirmed order, ahead", want: chOrder(403, "ch-lecturer", 200),
			req: o.at(orders+"/withdraw", "withdraw", map[string]string{"reason": "家里有急事"})},
		{route: "POST /api/v1/orders/{id}/withdraw", name: "another lecturer's order", want: chOrder(403, "ch-lecturer", 404),
			req: o.at(orders+"/withdraw", "other lecturer", map[string]string{"reason": "不是我的"})},

		{route: "POST /api/v1/member-lessons", want: statuses(403, "ch-official", 201, "qh-official", 201, "ch-secretary", 201, "qh-secretary", 201),
			req: perCaller("/api/v1/member-lessons", memberLesson(map[string]int64{"ch-official": ch.Branches[1].ID, "qh-official": qh.Branches[1].ID}))},
		{route: "POST /api/v1/member-lessons", name: "for a 漆河镇 branch",
			want: statuses(403, "ch-official", 422, "qh-official", 201, "qh-secretary", 201),
			req: perCaller("/api/v1/member-lessons", func(l string) any {
				return memberLesson(map[string]int64{l: qh.Branches[0].ID})(l)
			})},
		{route: "GET /api/v1/member-lessons", want: signedIn(200), list: true, req: o.listed("/api/v1/member-lessons")},
		{route: "GET /api/v1/member-lessons", name: "of 2026-11", want: signedIn(200), list: true, mayBeEmpty: true,
			req: o.listed("/api/v1/member-lessons?month=2026-11")},

		{route: "GET /api/v1/calendar-links", want: signedIn(200), list: true, mayBeEmpty: true, check: checkLinks, req: fixed("/api/v1/calendar-links", nil)},
		{route: "POST /api/v1/calendar-links/{kind}/rotate", name: "a lecturer's feed", want: statuses(404, "ch-lecturer", 200, "qh-lecturer", 200),
			req: fixed("/api/v1/calendar-links/lecturer/rotate", nil)},
		{route: "POST /api/v1/calendar-links/{kind}/rotate", name: "a branch's feed", want: statuses(404, "ch-secretary", 200, "qh-secretary", 200),
			req: fixed("/api/v1/calendar-links/branch/rotate", nil)},
		{route: "GET /api/v1/town/settings", want: statuses(403, "ch-official", 200, "qh-official", 200), req: fixed("/api/v1/town/settings", nil)},
		{route: "POST /api/v1/robots", want: statuses(403, "ch-official", 201, "qh-official", 201), req: perCaller("/api/v1/robots", func(l string) any {
			return map[string]any{"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + nameOf(l)}
		})},
		{route: "GET /api/v1/robots", want: statuses(403, "ch-official", 200, "qh-official", 200), list: true, mayBeEmpty: true, req: fixed("/api/v1/robots", nil)},
		{route: "DELETE /api/v1/robots/{id}", name: "春华镇's robot", want: statuses(403, "ch-official", 204, "qh-official", 404),
			req: func(t *testing.T, e *env, _ string) request {
				res := e.as("ch-official", http.MethodPost, "/api/v1/robots", map[string]any{"branch_id": ch.Branches[1].ID,
					"url": "https://oapi.dingtalk.com/robot/send?access_token=matrix"})
				if res.Code != http.StatusCreated {
					t.Fatalf("robot: %d %s", res.Code, res.Body)
				}
				var r struct{ ID int64 }
				mustJSON(t, res, &r)
				return request{path: id("/api/v1/robots/%d", r.ID)}
			}},
		// The robot points at this machine, saved by a store that allows it;
		// the server's own store does not, so the test answers at once,
		// "not allowed", with no network.
		{route: "POST /api/v1/robots/{id}/test", name: "春华镇's robot", want: statuses(403, "ch-official", 200, "qh-official", 404),
			req: func(t *testing.T, e *env, _ string) request {
				local := notify.NewStore(e.W.DB, func() time.Time { return e.W.Now }, notify.WithRobotHosts([]string{"127.0.0.1"}))
				r, err := local.PutRobot(context.Background(), e.W.A.Official, ch.Branches[2].ID, notify.RobotWeCom, "http://127.0.0.1:9/send?key=matrix", "")
				if err != nil {
					t.Fatal(err)
				}
				return request{path: id("/api/v1/robots/%d/test", r.ID)}
			}},
		{route: "PUT /api/v1/town/settings", want: statuses(403, "ch-official", 200, "qh-official", 200), req: fixed("/api/v1/town/settings", settings)},

		// From here on the clock stands after the first lessons.
		{route: "POST /api/v1/orders/{id}/deliver", name: "confirmed lesson, given", want: chOrder(403, "ch-official", 200, "ch-secretary", 200, "ch-lecturer", 200),
			req: deliver},
		{route: "POST /api/v1/orders/{id}/review", name: "delivered lesson", want: chOrder(403, "ch-secretary", 200),
			req: o.at(orders+"/review", "deliver ch-lecturer", map[string]any{"stars": 5, "comment": "生动"})},
		{route: "POST /api/v1/orders/{id}/review", name: "another branch's order", want: chOrder(403, "ch-secretary", 404, "ch-lecturer", 404),
			req: o.at(orders+"/review", "other branch", map[string]any{"stars": 4})},
		{route: "GET /api/v1/points", want: signedIn(200), check: checkPoints, req: after("/api/v1/points?month=2026-12")},
		{route: "GET /api/v1/points", name: "of 漆河镇", want: signedIn(200), req: after(id("/api/v1/points?month=2026-12&town_id=%d", qh.Town.ID))},
		{route: "GET /api/v1/inbox", want: signedIn(200), list: true, mayBeEmpty: true, check: checkInbox, req: after("/api/v1/inbox")},
		{route: "POST /api/v1/inbox/{id}/read", name: "ch-official's message", want: statuses(404, "ch-official", 204), req: inboxRead},
	}
}

// matrixRecords are the viewings and practices the theme-day rows read and
// correct: of each kind one of ch-secretary's branch, one of another
// 春华镇 branch (recorded by its official) and one of 漆河镇, recorded
// through the API the first time a row needs them.
type matrixRecords struct {
	e *env
	// ids by "viewing <name>" and "practice <name>"; nil until set up.
	ids    map[string]int64
	failed bool
}

// The matrix's records, by name.
const (
	recOwn   = "of ch-secretary's branch"
	recOther = "of another 春华镇 branch"
	recQH    = "of 漆河镇"
)

// viewingBody is a viewing of film (a catalog id; zero: a film outside the
// catalog) for branch (zero: the secretary's own).
func viewingBody(branch, film int64, day, notes string) map[string]any {
	b := map[string]any{"date": day, "attendees": 30, "notes": notes}
	if branch != 0 {
		b["branch_id"] = branch
	}
	if film != 0 {
		b["film_id"] = film
	} else {
		b["film_title"] = "《焦裕禄》"
	}
	return b
}

// practiceBody is a practice for branch (zero: the secretary's own).
func practiceBody(branch int64, day, notes string) map[string]any {
	b := map[string]any{"type": "走访慰问", "date": day, "participants": 12, "opinions": 3, "service_items": 2, "notes": notes}
	if branch != 0 {
		b["branch_id"] = branch
	}
	return b
}

func (m *matrixRecords) need(t *testing.T) {
	t.Helper()
	if m.ids != nil {
		return
	}
	if m.failed {
		t.Fatal("the matrix's viewings and practices could not be set up: see the first failure")
	}
	m.failed = true
	ch, qh := m.e.W.A, m.e.W.B
	ids := map[string]int64{}
	post := func(name, login, path string, body any) {
		res := m.e.as(login, http.MethodPost, path, body)
		if res.Code != http.StatusCreated {
			t.Fatalf("setting up the records: POST %s as %s: %d %s", path, login, res.Code, res.Body)
		}
		var out struct{ ID int64 }
		mustJSON(t, res, &out)
		ids[name] = out.ID
	}
	for _, r := range []struct {
		name, login  string
		branch, film int64
	}{
		{recOwn, "ch-secretary", 0, ch.Films[0].ID},
		{recOther, "ch-official", ch.Branches[1].ID, 0},
		{recQH, "qh-secretary", qh.Branches[0].ID, qh.Films[0].ID},
	} {
		post("viewing "+r.name, r.login, "/api/v1/viewings", viewingBody(r.branch, r.film, "2026-11-21", "矩阵"))
		post("practice "+r.name, r.login, "/api/v1/practices", practiceBody(r.branch, "2026-11-22", "矩阵"))
	}
	m.ids, m.failed = ids, false
}

// listed is a request builder for a fixed path once the records exist.
func (m *matrixRecords) listed(path string) func(*testing.T, *env, string) request {
	return func(t *testing.T, _ *env, _ string) request {
		m.need(t)
		return request{path: path}
	}
}

// at is a request builder for the named record of kind ("viewing",
// "practice") with a body per caller (nil: none).
func (m *matrixRecords) at(kind, name string, body func(login string) any) func(*testing.T, *env, string) request {
	return func(t *testing.T, _ *env, login string) request {
		m.need(t)
		r := request{path: fmt.Sprintf("/api/v1/%ss/%d", kind, m.ids[kind+" "+name])}
		if body != nil {
			r.body = body(login)
		}
		return r
	}
}

// everyTownReadable fails when a town_id anywhere in body is not one of the
// caller's towns: plans, coverage and the towns' table nest their records.
func everyTownReadable(t *testing.T, route, login string, towns []int64, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s as %s: %v", route, login, err)
		return
	}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if n, ok := c.(float64); ok && k == "town_id" && !slices.Contains(towns, int64(n)) {
					t.Errorf("%s as %s: %s.town_id %v is not a town the caller reads (%v)", route, login, at, n, towns)
				}
				walk(at+"."+k, c)
			}
		case []any:
			for i, c := range x {
				walk(fmt.Sprintf("%s[%d]", at, i), c)
			}
		}
	}
	walk("$", v)
}

// themeRows are the access matrix's rows for the monthly theme day: plans,
// viewings, practices, coverage and totals. They run after the order rows,
// so the coverage counts delivered lessons and member lessons too.
func themeRows(e *env) []accessRow {
	ch, qh := e.W.A, e.W.B
	towns := matrixTowns(e)
	m := &matrixRecords{e: e}
	id := func(format string, v int64) string { return fmt.Sprintf(format, v) }
	// Officials of their town and county viewers watch the coverage.
	watchers := statuses(403, "ch-official", 200, "qh-official", 200, "cs-county", 200)
	// recorders: the branch's secretary and the town's officials.
	recorders := statuses(403, "ch-official", 201, "qh-official", 201, "ch-secretary", 201, "qh-secretary", 201)
	// A 春华镇 record is a 404 to 漆河镇's callers past the role gate.
	chRecord := func(def int, over ...any) want {
		return statuses(def, append([]any{"qh-official", 404, "qh-secretary", 404, "qh-lecturer", 404}, over...)...)
	}
	chCorrect := func(over ...any) want {
		return statuses(403, append([]any{"qh-official", 404, "qh-secretary", 404}, over...)...)
	}

	planBody := func(ts *fixture.TownSet, preview, link string) map[string]any {
		return map[string]any{"note": "本月主题：廉洁", "lesson_ids": []int64{ts.Lessons[0].ID, ts.Lessons[1].ID, ts.Lessons[2].ID},
			"films": []map[string]any{{"film_id": ts.Films[0].ID, "preview_date": preview, "link": link}}}
	}
	// checkPlan: the plan published with the film previewed on preview
	// (empty: a month not published).
	checkPlan := func(preview string) func(*testing.T, string, []byte) {
		return func(t *testing.T, login string, body []byte) {
			var p struct {
				TownID      int64   `json:"town_id"`
				PublishedAt *string `json:"published_at"`
				Lessons     []struct {
					Status string
				}
				Films []struct {
					PreviewDate string `json:"preview_date"`
				}
			}
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			everyTownReadable(t, "plan", login, towns[login], body)
			if preview == "" {
				if p.PublishedAt != nil || len(p.Lessons) != 0 || len(p.Films) != 0 {
					t.Errorf("plan as %s: a month not published has content: %s", login, body)
				}
				return
			}
			if p.PublishedAt == nil || len(p.Lessons) != 3 || len(p.Films) != 1 || p.Films[0].PreviewDate != preview {
				t.Errorf("plan as %s: want the published 3 lessons and 1 film previewed on %s: %s", login, preview, body)
			}
			for _, l := range p.Lessons {
				if l.Status != "published" {
					t.Errorf("plan as %s: a %s lesson featured: %s", login, l.Status, body)
				}
			}
		}
	}

	// newViewing and newPractice: each recorder records for a branch of
	// their own town; the secretaries of 春华镇 leave the branch out.
	newViewing := func(login string) any {
		switch login {
		case "ch-official":
			return viewingBody(ch.Branches[1].ID, ch.Films[0].ID, "2026-11-24", login)
		case "qh-official":
			return viewingBody(qh.Branches[1].ID, qh.Films[0].ID, "2026-11-24", login)
		case "qh-secretary":
			return viewingBody(qh.Branches[0].ID, qh.Films[0].ID, "2026-11-24", login)
		case "ch-secretary":
			return viewingBody(0, 0, "2026-11-24", login)
		}
		return viewingBody(ch.Branches[0].ID, ch.Films[0].ID, "2026-11-24", nameOf(login))
	}
	newPractice := func(login string) any {
		switch login {
		case "ch-official":
			return practiceBody(ch.Branches[1].ID, "2026-11-25", login)
		case "qh-official":
			return practiceBody(qh.Branches[1].ID, "2026-11-25", login)
		case "qh-secretary":
			return practiceBody(qh.Branches[0].ID, "2026-11-25", login)
		case "ch-secretary":
			return practiceBody(0, "2026-11-25", login)
		}
		return practiceBody(ch.Branches[0].ID, "2026-11-25", nameOf(login))
	}
	// Corrections repeat the record's branch (or leave it out) and change
	// the notes per caller, so each one logs a change.
	editViewing := func(branch, film int64) func(string) any {
		return func(login string) any { return viewingBody(branch, film, "2026-11-21", "改-"+nameOf(login)) }
	}
	editPractice := func(branch int64) func(string) any {
		return func(login string) any { return practiceBody(branch, "2026-11-22", "改-"+nameOf(login)) }
	}
	// checkChanges: ch-official's and then ch-secretary's corrections are
	// logged, each with the notes before and after and the editor's name.
	checkChanges := func(t *testing.T, login string, body []byte) {
		var r struct {
			Notes   string
			Changes []struct {
				AccountID *int64 `json:"account_id"`
				Fields    map[string][2]string
				Who       string
			}
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Changes) != 2 || r.Notes != "改-ch-secretary" {
			t.Errorf("record as %s: want the two corrections logged: %s", login, body)
			return
		}
		for i, before := range []string{"矩阵", "改-ch-official"} {
			c := r.Changes[i]
			if c.Fields["notes"] != [2]string{before, "改-" + []string{"ch-official", "ch-secretary"}[i]} || c.Who == "" || c.AccountID == nil {
				t.Errorf("record as %s: change %d: %+v", login, i, c)
			}
		}
	}

	readable := func(t *testing.T, login string, body []byte) {
		everyTownReadable(t, "coverage", login, towns[login], body)
	}
	checkCoverage := func(t *testing.T, login string, body []byte) {
		readable(t, login, body)
		var c struct {
			Branches []struct {
				Film, Practice bool
				Records        struct{ Viewings, Practices []int64 }
			}
			Rates struct{ Film, Practice float64 }
		}
		if err := json.Unmarshal(body, &c); err != nil {
			t.Fatal(err)
		}
		done := false
		for _, b := range c.Branches {
			if b.Film != (len(b.Records.Viewings) > 0) || b.Practice != (len(b.Records.Practices) > 0) {
				t.Errorf("coverage as %s: a mark without its records or records without the mark: %+v", login, b)
			}
			done = done || b.Film && b.Practice
		}
		// Every caller's towns have a branch that watched and practised in 2026-11.
		if !done || c.Rates.Film == 0 || c.Rates.Practice == 0 {
			t.Errorf("coverage as %s: the month's viewings and practices are not marked: %s", login, body)
		}
	}
	checkMatrix := func(n int) func(*testing.T, string, []byte) {
		return func(t *testing.T, login string, body []byte) {
			readable(t, login, body)
			var mx struct {
				Months   []string
				Branches []struct{ Cells string }
				Trend    []struct{ Month string }
			}
			if err := json.Unmarshal(body, &mx); err != nil {
				t.Fatal(err)
			}
			if len(mx.Months) != n || len(mx.Trend) != n {
				t.Errorf("matrix as %s: want %d months and trend points: %s", login, n, body)
			}
			for _, b := range mx.Branches {
				if len(b.Cells) != n {
					t.Errorf("matrix as %s: a row of %d cells, want %d", login, len(b.Cells), n)
				}
			}
		}
	}
	checkTownsTable := func(t *testing.T, login string, body []byte) {
		readable(t, login, body)
		var r struct {
			Towns []struct {
				TownID   int64 `json:"town_id"`
				Branches int
			}
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Towns) != len(towns[login]) {
			t.Errorf("towns table as %s: %d towns, want %d: %s", login, len(r.Towns), len(towns[login]), body)
		}
		for _, tw := range r.Towns {
			if tw.Branches == 0 {
				t.Errorf("towns table as %s: town %d without branches: %s", login, tw.TownID, body)
			}
		}
	}
	lecturerTown := map[int64]int64{}
	for _, ts := range []*fixture.TownSet{ch, qh} {
		for _, l := range ts.Lecturers {
			lecturerTown[l.ID] = ts.Town.ID
		}
	}
	type totals struct {
		FilmViewings int64 `json:"film_viewings"`
		Practices    int64
		Participants int64
		Branches     int64
		Lecturers    []struct {
			LecturerID int64 `json:"lecturer_id"`
		}
	}
	checkTotals := func(ofTown int64) func(*testing.T, string, []byte) {
		return func(t *testing.T, login string, body []byte) {
			var tt totals
			if err := json.Unmarshal(body, &tt); err != nil {
				t.Fatal(err)
			}
			for _, l := range tt.Lecturers {
				if !slices.Contains(towns[login], lecturerTown[l.LecturerID]) {
					t.Errorf("totals as %s: lecturer %d of another town: %s", login, l.LecturerID, body)
				}
			}
			// Narrowed to a town the caller cannot read, everything is zero;
			// otherwise the month's records count.
			reads := ofTown == 0 || slices.Contains(towns[login], ofTown)
			if counted := tt.FilmViewings > 0 && tt.Practices > 0 && tt.Participants > 0 && tt.Branches > 0; counted != reads {
				t.Errorf("totals as %s: counted=%v, want %v: %s", login, counted, reads, body)
			}
		}
	}

	var rows []accessRow
	rows = append(rows,
		// Officials publish their own town's plan.
		accessRow{route: "PUT /api/v1/plans/{month}", want: statuses(403, "ch-official", 200, "qh-official", 200), check: checkPlan("2026-11-28"),
			req: perCaller("/api/v1/plans/2026-12", func(l string) any {
				if strings.HasPrefix(l, "qh-") {
					return planBody(qh, "2026-11-28", "")
				}
				return planBody(ch, "2026-11-28", "")
			})},
		accessRow{route: "PUT /api/v1/plans/{month}", name: "with 春华镇's lessons", want: statuses(403, "ch-official", 200, "qh-official", 422),
			check: checkPlan("2026-12-20"), req: fixed("/api/v1/plans/2027-01", planBody(ch, "2026-12-20", "https://example.test/2027-01"))},
		// Everyone reads their own town's plan; a county viewer, who has
		// none, names the town.
		accessRow{route: "GET /api/v1/plans/{month}", name: "own town (a county of one town needs no town_id)", want: statuses(200), check: checkPlan("2026-11-28"),
			req: fixed("/api/v1/plans/2026-12", nil)},
		accessRow{route: "GET /api/v1/plans/{month}", name: "of 春华镇", want: chRead, check: checkPlan("2026-11-28"),
			req: fixed(id("/api/v1/plans/2026-12?town_id=%d", ch.Town.ID), nil)},
		accessRow{route: "GET /api/v1/plans/{month}", name: "of 漆河镇", want: qhRead, check: checkPlan("2026-11-28"),
			req: fixed(id("/api/v1/plans/2026-12?town_id=%d", qh.Town.ID), nil)},
		accessRow{route: "GET /api/v1/plans/{month}", name: "of 春华镇, not published", want: chRead, check: checkPlan(""),
			req: fixed(id("/api/v1/plans/2027-02?town_id=%d", ch.Town.ID), nil)},
	)
	for _, k := range []struct {
		kind      string
		create    func(string) any
		forOther  any
		noBranch  any
		editOwn   func(string) any
		editOther func(string) any
		editQH    func(string) any
	}{
		{"viewing", newViewing, viewingBody(ch.Branches[1].ID, ch.Films[0].ID, "2026-11-26", "他支部"), viewingBody(0, 0, "2026-11-26", "无支部"),
			editViewing(0, ch.Films[0].ID), editViewing(ch.Branches[1].ID, 0), editViewing(qh.Branches[0].ID, qh.Films[0].ID)},
		{"practice", newPractice, practiceBody(ch.Branches[1].ID, "2026-11-26", "他支部"), practiceBody(0, "2026-11-26", "无支部"),
			editPractice(0), editPractice(ch.Branches[1].ID), editPractice(qh.Branches[0].ID)},
	} {
		list := "/api/v1/" + k.kind + "s"
		one := "GET " + list + "/{id}"
		put := "PUT " + list + "/{id}"
		rows = append(rows,
			// The branch's secretary and the town's officials record;
			// lecturers and county viewers do not.
			accessRow{route: "POST " + list, want: recorders, req: perCaller(list, k.create)},
			accessRow{route: "POST " + list, name: "for another 春华镇 branch", req: fixed(list, k.forOther),
				want: statuses(403, "ch-official", 201, "qh-official", 422)},
			accessRow{route: "POST " + list, name: "naming no branch", req: fixed(list, k.noBranch),
				want: statuses(403, "ch-official", 422, "qh-official", 422, "ch-secretary", 201, "qh-secretary", 201)},

			accessRow{route: "GET " + list, want: signedIn(200), list: true, req: m.listed(list)},
			accessRow{route: "GET " + list, name: "of 2026-11", want: signedIn(200), list: true, req: m.listed(list + "?month=2026-11")},
			accessRow{route: "GET " + list, name: "of 漆河镇", want: signedIn(200), list: true, mayBeEmpty: true,
				req: m.listed(list + id("?town_id=%d", qh.Town.ID))},
			accessRow{route: "GET " + list, name: "of another branch, 2026-10 to 2026-12", want: signedIn(200), list: true, mayBeEmpty: true,
				req: m.listed(list + id("?from=2026-10&to=2026-12&branch_id=%d", ch.Branches[1].ID))},

			accessRow{route: one, name: recOwn, want: chRead, req: m.at(k.kind, recOwn, nil)},
			accessRow{route: one, name: recOther, want: chRecord(200, "ch-secretary", 404), req: m.at(k.kind, recOther, nil)},
			accessRow{route: one, name: recQH, want: qhRead, req: m.at(k.kind, recQH, nil)},

			accessRow{route: put, name: recOwn, want: chCorrect("ch-official", 200, "ch-secretary", 200), req: m.at(k.kind, recOwn, k.editOwn)},
			accessRow{route: put, name: recOther, want: chCorrect("ch-official", 200, "ch-secretary", 404), req: m.at(k.kind, recOther, k.editOther)},
			accessRow{route: put, name: recQH, want: statuses(403, "qh-official", 200, "qh-secretary", 200, "ch-official", 404, "ch-secretary", 404),
				req: m.at(k.kind, recQH, k.editQH)},
			accessRow{route: one, name: recOwn + ", corrected", want: chRead, check: checkChanges, req: m.at(k.kind, recOwn, nil)},
		)
	}
	return append(rows,
		accessRow{route: "GET /api/v1/coverage", want: watchers, check: checkCoverage, req: m.listed("/api/v1/coverage?month=2026-11")},
		accessRow{route: "GET /api/v1/coverage", name: "of 漆河镇's villages", want: watchers, check: readable,
			req: m.listed(id("/api/v1/coverage?month=2026-11&kind=village&town_id=%d", qh.Town.ID))},
		accessRow{route: "GET /api/v1/coverage", name: "this month", want: watchers, check: readable, req: m.listed("/api/v1/coverage")},
		accessRow{route: "GET /api/v1/coverage/matrix", want: watchers, check: checkMatrix(3),
			req: m.listed("/api/v1/coverage/matrix?from=2026-10&to=2026-12")},
		accessRow{route: "GET /api/v1/coverage/matrix", name: "of 漆河镇's communities, the last twelve months", want: watchers, check: checkMatrix(12),
			req: m.listed(id("/api/v1/coverage/matrix?kind=community&town_id=%d", qh.Town.ID))},
		accessRow{route: "GET /api/v1/coverage/towns", want: watchers, check: checkTownsTable, req: m.listed("/api/v1/coverage/towns?month=2026-11")},
		accessRow{route: "GET /api/v1/totals", want: watchers, check: checkTotals(0), req: m.listed("/api/v1/totals?from=2026-11&to=2026-12")},
		accessRow{route: "GET /api/v1/totals", name: "of 漆河镇", want: watchers, check: checkTotals(qh.Town.ID),
			req: m.listed(id("/api/v1/totals?from=2026-11&to=2026-11&town_id=%d", qh.Town.ID))},
	)
}
