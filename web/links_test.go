package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
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
		page := catSignIn(t, e, "ch-secretary").get(fmt.Sprintf("/lessons/%d", id))
		if page.Code != http.StatusOK || strings.Contains(page.Body.String(), `href="//evil.example`) {
			t.Errorf("a stored protocol-relative link is shown as a link: %d", page.Code)
		}
	})
}
