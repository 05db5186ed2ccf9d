package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// apiErrorOf decodes an API error body and checks its shape: JSON, with a
// code and a message.
func apiErrorOf(t *testing.T, res *httptest.ResponseRecorder) apiErrorBody {
	t.Helper()
	if ct := res.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("status %d: content type %q, body %q", res.Code, ct, res.Body)
	}
	var raw struct {
		Error *apiErrorBody `json:"error"`
	}
	mustJSON(t, res, &raw)
	if raw.Error == nil || raw.Error.Code == "" || raw.Error.Message == "" {
		t.Fatalf("status %d: error body lacks code or message: %s", res.Code, res.Body)
	}
	return *raw.Error
}

func TestAPIErrors(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		ch := e.W.A
		lessonPath := fmt.Sprintf("/api/v1/lessons/%d", ch.Lessons[0].ID)
		valid := func(title string) string {
			return fmt.Sprintf(`{"title":%q,"topic":"红色教育","duration_minutes":20,"status":"published"}`, title)
		}
		en := []string{"Accept-Language", "en-GB,en;q=0.8"}
		cases := []struct {
			name         string
			login        string
			method, path string
			body         any
			headers      []string
			status       int
			code         string
			field        string // must be in error.fields
			message      string // exact message, when given
			fieldMessage string // exact message of field, when given
		}{
			{name: "malformed JSON", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: `{"title":`,
				status: 400, code: "bad_json", message: "请求内容不是有效的 JSON"},
			{name: "malformed JSON in English", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: `{"title" 1}`,
				headers: en, status: 400, code: "bad_json", field: "offset", message: "The request body is not valid JSON"},
			{name: "empty body", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: "", headers: []string{"Content-Type", "application/json"},
				status: 400, code: "bad_json"},
			{name: "two JSON values", login: "ch-official", method: http.MethodPost, path: "/api/v1/topics", body: `{"name":"甲"} {"name":"乙"}`,
				status: 400, code: "bad_json"},
			{name: "unknown field", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: `{"title":"t","duration_minutes":20,"topic":"红色教育","bogus":1}`, headers: en,
				status: 400, code: "bad_json", field: "bogus", fieldMessage: "Unknown field"},
			{name: "wrong field type", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: `{"title":"t","duration_minutes":"twenty","topic":"红色教育"}`, status: 400, code: "bad_json", field: "duration_minutes"},
			{name: "number too large for the field", login: "ch-official", method: http.MethodPost, path: "/api/v1/films",
				body: `{"title":"t","category":"本土","duration_minutes":1e30}`, status: 400, code: "bad_json", field: "duration_minutes"},
			{name: "JSON array instead of object", login: "ch-official", method: http.MethodPost, path: "/api/v1/branches", body: `[1,2]`,
				status: 400, code: "bad_json"},
			{name: "wrong content type", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: valid("x"),
				headers: []string{"Content-Type", "text/plain"}, status: 415, code: "unsupported_media"},
			{name: "form content type", login: "ch-official", method: http.MethodPut, path: lessonPath, body: "title=x",
				headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, code: "unsupported_media"},
			{name: "unparseable content type", login: "ch-official", method: http.MethodPost, path: "/api/v1/tokens", body: `{}`,
				headers: []string{"Content-Type", ";;;"}, status: 415, code: "unsupported_media"},
			{name: "invalid UTF-8", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: []byte("{\"title\":\"\xff\xfe\",\"topic\":\"红色教育\",\"duration_minutes\":20}"), status: 400, code: "bad_json"},
			{name: "too-long title", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: valid(strings.Repeat("长", 81)),
				status: 422, code: "validation", field: "title", fieldMessage: "太长了"},
			{name: "too-long title in English", login: "ch-official", method: http.MethodPut, path: lessonPath, body: valid(strings.Repeat("长", 81)),
				headers: en, status: 422, code: "validation", field: "title", message: "Some fields need attention", fieldMessage: "Too long"},
			{name: "several bad fields", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: `{"title":"","duration_minutes":5,"status":"gone"}`, status: 422, code: "validation", field: "duration_minutes"},
			{name: "duplicate lesson title", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons", body: valid(ch.Lessons[0].Title),
				status: 409, code: "lesson.title_taken", field: "title"},
			{name: "duplicate title on update", login: "ch-official", method: http.MethodPut, path: fmt.Sprintf("/api/v1/lessons/%d", ch.Lessons[1].ID),
				body: valid(ch.Lessons[0].Title), status: 409, code: "lesson.title_taken", field: "title"},
			{name: "duplicate branch name", login: "ch-official", method: http.MethodPost, path: "/api/v1/branches",
				body: map[string]any{"name": ch.Branches[0].Name}, status: 409, code: "branch.name_taken", field: "name"},
			{name: "duplicate film title", login: "ch-official", method: http.MethodPost, path: "/api/v1/films",
				body: map[string]any{"title": ch.Films[0].Title, "category": "本土"}, status: 409, code: "film.title_taken", field: "title"},
			{name: "duplicate topic", login: "ch-official", method: http.MethodPost, path: "/api/v1/topics",
				body: map[string]any{"name": "红色教育"}, status: 409, code: "topic.name_taken", field: "name"},
			{name: "duplicate courtyard", login: "ch-official", method: http.MethodPost, path: fmt.Sprintf("/api/v1/branches/%d/courtyards", ch.Branches[0].ID),
				body: map[string]any{"name": ch.Courtyards[0].Name}, status: 409, code: "courtyard.name_taken", field: "name"},
			{name: "unknown topic id", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: map[string]any{"title": "新课", "topic_id": 999999, "duration_minutes": 20}, status: 422, code: "validation", field: "topic_id"},
			{name: "other town's lecturer", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body:   map[string]any{"title": "新课", "topic": "红色教育", "duration_minutes": 20, "lecturer_ids": []int64{e.W.B.Lecturers[0].ID}},
				status: 422, code: "validation", field: "lecturer_ids"},
			{name: "path id abc", login: "ch-official", method: http.MethodGet, path: "/api/v1/lessons/abc", status: 404, code: "not_found"},
			{name: "path id -1", login: "ch-official", method: http.MethodGet, path: "/api/v1/lessons/-1", status: 404, code: "not_found"},
			{name: "path id 0", login: "ch-official", method: http.MethodGet, path: "/api/v1/branches/0", status: 404, code: "not_found"},
			{name: "path id overflows int64", login: "ch-official", method: http.MethodGet, path: "/api/v1/films/99999999999999999999", status: 404, code: "not_found"},
			{name: "path id abc on update", login: "ch-official", method: http.MethodPut, path: "/api/v1/lecturers/abc", body: `{"name":"x"}`, status: 404, code: "not_found"},
			{name: "path id -1 on revoke", login: "ch-official", method: http.MethodDelete, path: "/api/v1/tokens/-1", status: 404, code: "not_found"},
			{name: "absent lesson", login: "ch-official", method: http.MethodGet, path: "/api/v1/lessons/987654321", status: 404, code: "lesson.not_found", message: "没有这堂微党课"},
			{name: "absent lesson in English", login: "ch-official", method: http.MethodGet, path: "/api/v1/lessons/987654321", headers: en,
				status: 404, code: "lesson.not_found", message: "No such lesson"},
			{name: "unknown API path", login: "ch-official", method: http.MethodGet, path: "/api/v1/whatever", status: 404, code: "not_found"},
			{name: "unknown API path anonymous", method: http.MethodGet, path: "/api/v1/whatever/deeper?x=1", status: 404, code: "not_found"},
			{name: "unknown API path POST", login: "ch-official", method: http.MethodPost, path: "/api/v1/no-such-thing", body: `{}`, status: 404, code: "not_found"},
			{name: "bad page number", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/lessons?page=abc", status: 400, code: "bad_request", field: "page"},
			{name: "negative per_page", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/lessons?per_page=-1", status: 400, code: "bad_request", field: "per_page"},
			{name: "bad lecturer_id", login: "ch-secretary", method: http.MethodGet, path: "/api/v1/lessons?lecturer_id=x", status: 400, code: "bad_request", field: "lecturer_id"},
			{name: "bad town_id", login: "cs-county", method: http.MethodGet, path: "/api/v1/branches?town_id=1.5", status: 400, code: "bad_request", field: "town_id"},
			{name: "bad lesson_id", login: "cs-county", method: http.MethodGet, path: "/api/v1/lecturers?lesson_id=-3", status: 400, code: "bad_request", field: "lesson_id"},
			{name: "anonymous", method: http.MethodGet, path: "/api/v1/me", status: 401, code: "auth.required", message: "请先登录"},
			{name: "anonymous in English", method: http.MethodGet, path: "/api/v1/lessons", headers: en, status: 401, code: "auth.required", message: "Please sign in"},
			{name: "unknown bearer token", method: http.MethodGet, path: "/api/v1/me", headers: []string{"Authorization", "Bearer nope"}, status: 401, code: "auth.bad_token"},
			{name: "unknown API token", method: http.MethodGet, path: "/api/v1/me", headers: []string{"Authorization", "Bearer wk_nope"}, status: 401, code: "auth.bad_token"},
			{name: "basic auth", method: http.MethodGet, path: "/api/v1/me", headers: []string{"Authorization", "Basic Y2gtb2ZmaWNpYWw6eA=="}, status: 401, code: "auth.bad_token"},
			{name: "wrong password", method: http.MethodPost, path: "/api/v1/session", body: map[string]string{"login": "qh-lecturer", "password": "nope"},
				status: 401, code: "auth.bad_credentials"},
			{name: "sign-in with unknown field", method: http.MethodPost, path: "/api/v1/session", body: `{"login":"a","password":"b","remember":true}`,
				status: 400, code: "bad_json", field: "remember"},
			{name: "secretary may not create", login: "ch-secretary", method: http.MethodPost, path: "/api/v1/lessons", body: valid("x"),
				status: 403, code: "forbidden"},
			{name: "county viewer reads only", login: "cs-county", method: http.MethodPut, path: lessonPath, body: valid("x"), headers: en,
				status: 403, code: "forbidden.read_only", message: "County viewers can read but not change anything"},
			{name: "too-long token name", login: "ch-lecturer", method: http.MethodPost, path: "/api/v1/tokens", body: map[string]string{"name": strings.Repeat("x", 101)},
				status: 422, code: "validation", field: "name"},
			{name: "body over 8 MB", login: "ch-official", method: http.MethodPost, path: "/api/v1/lessons",
				body: `{"title":"` + strings.Repeat("x", 8<<20) + `"}`, status: 413, code: "body_too_large"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := e.as(c.login, c.method, c.path, c.body, c.headers...)
				if res.Code != c.status {
					t.Fatalf("status %d, want %d: %.300s", res.Code, c.status, res.Body)
				}
				er := apiErrorOf(t, res)
				if er.Code != c.code {
					t.Fatalf("code %q, want %q: %s", er.Code, c.code, res.Body)
				}
				if c.message != "" && er.Message != c.message {
					t.Fatalf("message %q, want %q", er.Message, c.message)
				}
				if c.field != "" {
					got, ok := er.Fields[c.field]
					if !ok {
						t.Fatalf("fields lack %q: %s", c.field, res.Body)
					}
					if c.fieldMessage != "" && got != c.fieldMessage {
						t.Fatalf("fields.%s = %v, want %q", c.field, got, c.fieldMessage)
					}
				}
			})
		}

		// None of the refused writes above may have written anything.
		res := e.as("ch-official", http.MethodGet, "/api/v1/lessons?per_page=100", nil)
		var page struct{ Total int }
		mustJSON(t, res, &page)
		if page.Total != len(ch.Lessons) {
			t.Fatalf("refused writes left lessons behind: %d lessons, want %d", page.Total, len(ch.Lessons))
		}
	})
}

// TestAPIBodyLimitStreamed sends an over-long body of unknown length, so the
// limit is hit while reading rather than from Content-Length.
func TestAPIBodyLimitStreamed(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		big := io.MultiReader(strings.NewReader(`{"title":"`), bytes.NewReader(bytes.Repeat([]byte("x"), 9<<20)), strings.NewReader(`"}`))
		req := httptest.NewRequest(http.MethodPost, "/api/v1/lessons", io.NopCloser(big))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.token("ch-official"))
		res := httptest.NewRecorder()
		e.S.ServeHTTP(res, req)
		if res.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413: %.300s", res.Code, res.Body)
		}
		if er := apiErrorOf(t, res); er.Code != "body_too_large" {
			t.Fatalf("code %q", er.Code)
		}
	})
}

// TestAPIErrorsNever500 throws odd input at every API route and requires a
// well-formed answer below 500 each time.
func TestAPIErrorsNever500(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		bodies := []string{``, `null`, `{}`, `[]`, `"x"`, `{"id":1}`, `{"name":null,"title":null}`, "{\"name\":\"\x00\"}",
			`{"name":"` + strings.Repeat("字", 5000) + `","title":"` + strings.Repeat("字", 5000) + `"}`,
			`{"availability":[{"weekday":9,"start_minute":-5,"end_minute":99999}],"blackouts":[{"day":"2026-02-30"}],"name":"x"}`,
			`{"lat":"NaN","lng":1e400,"name":"x"}`, `{"lecturer_ids":[-1,0,9223372036854775807],"title":"x","topic":"红色教育","duration_minutes":20}`}
		logins := []string{"ch-official", "cs-county"}
		for _, l := range logins {
			// Sign in first: the odd sign-ins below count as failures
			// against the test's one client address.
			e.token(l)
		}
		for route := range apiRoutes(e.S) {
			if route == "DELETE /api/v1/session" {
				continue // would sign the cached sessions out
			}
			method, path, _ := strings.Cut(route, " ")
			path = strings.NewReplacer("{id}", "1", "{kind}", "lessons").Replace(path)
			for _, login := range logins {
				for _, b := range bodies {
					var body any
					if method == http.MethodPost || method == http.MethodPut {
						body = b
					}
					res := e.as(login, method, path, body, "Content-Type", "application/json")
					if res.Code >= 500 {
						t.Errorf("%s as %s with %.60q: %d %.300s", route, login, b, res.Code, res.Body)
					}
					if res.Code >= 400 {
						apiErrorOf(t, res)
					}
					if body == nil {
						break
					}
				}
			}
		}
	})
}

// TestImportAPIErrors: a refused import names every bad cell in
// fields.rows and writes nothing; other failures keep the error shape.
func TestImportAPIErrors(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		upload := func(kind, filename, content string, headers ...string) *httptest.ResponseRecorder {
			body, ctype := multipartFile(t, filename, content)
			return e.as("ch-official", http.MethodPost, "/api/v1/imports/"+kind, body, append([]string{"Content-Type", ctype}, headers...)...)
		}
		res := upload("branches", "b.csv", "名称,类型\n甲村,城市\n,村\n"+e.W.A.Branches[0].Name+",村\n", "Accept-Language", "en")
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad rows: %d %s", res.Code, res.Body)
		}
		var body struct {
			Error struct {
				Code   string
				Fields struct {
					Rows []struct {
						Row     int
						Column  string
						Message string
					}
				}
			}
		}
		mustJSON(t, res, &body)
		apiErrorOf(t, res)
		rows := body.Error.Fields.Rows
		if len(rows) < 3 {
			t.Fatalf("want a problem for each of rows 2, 3 and 4: %s", res.Body)
		}
		seen := map[int]bool{}
		for _, r := range rows {
			if r.Row < 2 || r.Message == "" {
				t.Fatalf("row problem %+v", r)
			}
			seen[r.Row] = true
		}
		if !seen[2] || !seen[3] || !seen[4] {
			t.Fatalf("rows with problems %v, want 2, 3 and 4: %s", seen, res.Body)
		}
		var list struct{ Total int }
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/branches", nil), &list)
		if list.Total != len(e.W.A.Branches) {
			t.Fatalf("refused import wrote branches: %d, want %d", list.Total, len(e.W.A.Branches))
		}

		res = upload("branches", "b.csv", "名称,类型\n乙村,村\n丙社区,社区\n")
		var ok struct {
			Kind     string
			Imported int
		}
		mustJSON(t, res, &ok)
		if res.Code != http.StatusOK || ok.Kind != "branches" || ok.Imported != 2 {
			t.Fatalf("good import: %d %s", res.Code, res.Body)
		}

		cases := []struct {
			name   string
			res    *httptest.ResponseRecorder
			status int
		}{
			{"no header row", upload("lessons", "l.csv", "foo,bar\n1,2\n"), 400},
			{"unknown kind", upload("orders", "o.csv", "名称\n甲\n"), 404},
			{"file over the import limit", upload("branches", "big.csv", "名称\n"+strings.Repeat("甲村\n", 6<<20/7)), 413},
			{"JSON instead of a file", e.as("ch-official", http.MethodPost, "/api/v1/imports/branches", `{"file":"x"}`), 400},
			{"no file part", e.as("ch-official", http.MethodPost, "/api/v1/imports/branches", "--x--\r\n", "Content-Type", "multipart/form-data; boundary=x"), 400},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if c.res.Code != c.status {
					t.Fatalf("status %d, want %d: %.300s", c.res.Code, c.status, c.res.Body)
				}
				apiErrorOf(t, c.res)
			})
		}
	})
}
