package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"weike/internal/fixture"
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

	return []accessRow{
		{route: "POST /api/v1/session", name: "sign in", want: public,
			req: fixed("/api/v1/session", map[string]string{"login": "qh-lecturer", "password": fixture.Password})},
		{route: "DELETE /api/v1/session", name: "sign out", want: signedIn(204), req: freshSession},
		{route: "GET /api/v1/me", want: signedIn(200), req: fixed("/api/v1/me", nil)},
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
	}
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
	eachDB(t, func(t *testing.T, e *env) {
		e.S.Demo = &Demo{Password: fixture.Password, Accounts: []DemoAccount{{Login: "ch-official", Role: "official", Name: "ch-official", Town: "春华镇", County: "长沙县"}}}
		towns := matrixTowns(e)
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
					if res.Code >= 400 {
						apiErrorOf(t, res)
						continue
					}
					if res.Code == http.StatusNoContent || login == "" || strings.HasSuffix(r.path, "openapi.json") ||
						!strings.HasPrefix(res.Header().Get("Content-Type"), "application/json") {
						continue
					}
					checkTowns(t, login, towns[login], res.Body.Bytes(), row)
				}
			})
		}
	})
}

// checkTowns fails when a response shows a record of a town the caller may
// not read, or (for secretaries and lecturers) an unpublished one.
func checkTowns(t *testing.T, login string, towns []int64, body []byte, row accessRow) {
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
	readsOnlyPublished := strings.HasSuffix(login, "-secretary") || strings.HasSuffix(login, "-lecturer")
	for _, it := range items {
		key := "town_id"
		if row.route == "GET /api/v1/towns" {
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
	}
}

// TestAccessMatrixCoversRoutes makes every API route earn a row: a new
// endpoint fails here until the matrix says who may use it.
func TestAccessMatrixCoversRoutes(t *testing.T) {
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
	eachDB(t, func(t *testing.T, e *env) {
		res := e.do(http.MethodGet, "/api/v1/demo", "", nil)
		if res.Code != http.StatusNotFound {
			t.Fatalf("demo without demo mode: %d", res.Code)
		}
		apiErrorOf(t, res)
	})
}
