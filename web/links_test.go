package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"weike/internal/db/dbtest"
	"weike/internal/tz"
	"weike/themeday"
)

// TestProtocolRelativeLinksRefused: "//evil.example/x" is not a path on
// this site; the API and the import refuse it as a lesson's material, and
// one already stored is shown without a link.
func TestProtocolRelativeLinksRefused(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		for _, bad := range []string{"//evil.example/x", "/\\evil.example/x", "https://user@evil.example/"} {
			res := e.as("ch-official", http.MethodPost, "/api/v1/lessons", map[string]any{"title": "链接" + bad, "topic_id": A.Lessons[0].TopicID,
				"duration_minutes": 20, "materials": []string{bad}})
			if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), `"materials"`) {
				t.Errorf("material %q: %d %s", bad, res.Code, res.Body)
			}
		}
		csv := "标题,主题,时长(分钟),资料链接\n坏链接课,红色教育,20,//evil.example/x\n"
		res := e.importUpload("ch-official", "lessons", "lessons.csv", []byte(csv))
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), `"column":"资料链接"`) {
			t.Errorf("import of a protocol-relative link: %d %s", res.Code, res.Body)
		}
		// One that got into the database before: no href.
		id := A.Lessons[0].ID
		if err := e.W.DB.W.Exec("UPDATE lessons SET materials = ? WHERE id = ?", "//evil.example/x", id).Error; err != nil {
			t.Fatal(err)
		}
		page := signIn(t, e, "ch-secretary").get(fmt.Sprintf("/lessons/%d", id))
		if page.Code != http.StatusOK || strings.Contains(page.Body.String(), `href="//evil.example`) {
			t.Errorf("a stored protocol-relative link is shown as a link: %d", page.Code)
		}
	})
}

// TestForeignTownFilterIsEmpty: a town_id the caller may not read narrows
// /topics and /member-lessons to nothing, as it does every other list;
// it is not ignored.
func TestForeignTownFilterIsEmpty(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		if _, err := e.W.ThemeDay.RecordMemberLesson(ctx, e.W.A.Actors["secretary"], themeday.NewMemberLesson{Title: "支部自讲", Speaker: "党员甲",
			Date: e.W.Now.Add(-48 * time.Hour).In(tz.Shanghai).Format("2006-01-02"), Attendees: 20}); err != nil {
			t.Fatal(err)
		}
		own, foreign := e.W.A.Town.ID, e.W.B.Town.ID
		for _, path := range []string{"/api/v1/topics", "/api/v1/member-lessons"} {
			for _, c := range []struct {
				town  int64
				empty bool
			}{{0, false}, {own, false}, {foreign, true}} {
				res := e.as("ch-official", http.MethodGet, fmt.Sprintf("%s?town_id=%d", path, c.town), nil)
				var out struct{ Items []map[string]any }
				mustJSON(t, res, &out)
				if res.Code != http.StatusOK || (len(out.Items) == 0) != c.empty {
					t.Errorf("%s?town_id=%d: %d, %d items, want empty=%v", path, c.town, res.Code, len(out.Items), c.empty)
				}
			}
		}
	})
}

// TestAPINotStored: API answers, errors included, tell caches not to keep
// them; pages' static assets are not affected. (The catalog's answers,
// which hold no person's data, may be kept and revalidated:
// TestCatalogETag.)
func TestAPINotStored(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	for _, c := range []struct {
		login, path string
		status      int
	}{
		{"ch-official", "/api/v1/me", 200},
		{"ch-official", "/api/v1/orders", 200},
		{"ch-official", "/api/v1/branches", 200},
		{"ch-official", "/api/v1/lecturers", 200},
		{"", "/api/v1/me", 401},
		{"ch-official", "/api/v1/lessons/99999", 404},
	} {
		res := e.as(c.login, http.MethodGet, c.path, nil)
		if res.Code != c.status || res.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s as %q: %d, Cache-Control %q", c.path, c.login, res.Code, res.Header().Get("Cache-Control"))
		}
	}
	if res := e.do(http.MethodGet, "/static/app.css", "", nil); res.Header().Get("Cache-Control") == "no-store" {
		t.Errorf("static assets are marked no-store")
	}
}
