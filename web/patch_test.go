package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestPatchChangesOnlyWhatItNames: PATCH with a merge patch changes the
// fields it names and keeps the rest, where PUT with the same body would
// empty them; null clears a field; a key that is no field, or a value of
// the wrong type, is a 400 that changes nothing.
func TestPatchChangesOnlyWhatItNames(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A := e.W.A
		l := A.Lessons[0]
		path := fmt.Sprintf("/api/v1/lessons/%d", l.ID)
		get := func() map[string]any {
			var m map[string]any
			mustJSON(t, e.as("ch-official", http.MethodGet, path, nil), &m)
			return m
		}
		before := get()
		patch := func(body string, ct string) int {
			return e.as("ch-official", http.MethodPatch, path, []byte(body), "Content-Type", ct).Code
		}
		if code := patch(`{"summary": "只改了摘要"}`, "application/merge-patch+json"); code != http.StatusOK {
			t.Fatalf("patch: %d", code)
		}
		after := get()
		for k, v := range before {
			switch k {
			case "summary":
				if after[k] != "只改了摘要" {
					t.Errorf("summary %v", after[k])
				}
			case "updated_at":
			default:
				a, _ := json.Marshal(after[k])
				b, _ := json.Marshal(v)
				if string(a) != string(b) {
					t.Errorf("%s changed from %s to %s", k, b, a)
				}
			}
		}
		if code := patch(`{"outline": null}`, "application/json"); code != http.StatusOK || get()["outline"] != "" {
			t.Errorf("null: %d, outline %q", code, get()["outline"])
		}
		for _, bad := range []string{`{"nonsense": 1}`, `{"TITLE": "x"}`, `{"duration_minutes": "long"}`, `[1]`, `{"title": "a", "title": "b"}`} {
			if code := patch(bad, "application/merge-patch+json"); code != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", bad, code)
			}
		}
		if got := get()["title"]; got != before["title"] {
			t.Errorf("a refused patch changed the title to %v", got)
		}
		// A rule the whole record must keep still holds: a lesson of 5 minutes.
		if code := patch(`{"duration_minutes": 5}`, "application/merge-patch+json"); code != http.StatusUnprocessableEntity {
			t.Errorf("a too short lesson: %d", code)
		}
		// PUT with the same one field replaces the whole lesson: it is refused
		// for lacking the title, as the document says.
		res := e.as("ch-official", http.MethodPut, path, map[string]any{"summary": "x"})
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), `"title"`) {
			t.Errorf("PUT of one field: %d %s", res.Code, res.Body)
		}
		// The other kinds, one field each.
		for _, c := range []struct{ path, body, field string }{
			{fmt.Sprintf("/api/v1/lecturers/%d", A.Lecturers[0].ID), `{"bio": "新简介"}`, "bio"},
			{fmt.Sprintf("/api/v1/films/%d", A.Films[0].ID), `{"description": "新介绍"}`, "description"},
			{fmt.Sprintf("/api/v1/branches/%d", A.Branches[0].ID), `{"member_count": 99}`, "member_count"},
		} {
			var before, after map[string]any
			mustJSON(t, e.as("ch-official", http.MethodGet, c.path, nil), &before)
			if res := e.as("ch-official", http.MethodPatch, c.path, []byte(c.body), "Content-Type", "application/merge-patch+json"); res.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", c.path, res.Code, res.Body)
			}
			mustJSON(t, e.as("ch-official", http.MethodGet, c.path, nil), &after)
			for k, v := range before {
				if k == c.field || k == "updated_at" {
					continue
				}
				a, _ := json.Marshal(after[k])
				b, _ := json.Marshal(v)
				if string(a) != string(b) {
					t.Errorf("%s: %s changed from %s to %s", c.path, k, b, a)
				}
			}
		}
	})
}
