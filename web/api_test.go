package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestSessionAndMe(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		res := e.do(http.MethodPost, "/api/v1/session", "", map[string]string{"login": "ch-secretary", "password": "wrong-password"})
		if res.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password: got %d", res.Code)
		}
		var er apiError
		mustJSON(t, res, &er)
		if er.Error.Code != "auth.bad_credentials" || er.Error.Message != "账号或密码不正确" {
			t.Fatalf("error body: %+v", er)
		}
		res = e.do(http.MethodPost, "/api/v1/session", "", map[string]string{"login": "ch-secretary", "password": "x"}, "Accept-Language", "en-US,en;q=0.9")
		mustJSON(t, res, &er)
		if er.Error.Message != "Wrong login or password" {
			t.Fatalf("English message: %+v", er)
		}
		res = e.as("ch-secretary", http.MethodGet, "/api/v1/me", nil)
		if res.Code != http.StatusOK {
			t.Fatalf("me: %d %s", res.Code, res.Body)
		}
		var me struct {
			Role     string
			BranchID *int64 `json:"branch_id"`
			Town     struct{ Name string }
		}
		mustJSON(t, res, &me)
		if me.Role != "secretary" || me.BranchID == nil || *me.BranchID != e.W.A.Branches[0].ID || me.Town.Name != "春华镇" {
			t.Fatalf("me: %+v", me)
		}
	})
}

func TestLessonListScopedAndFiltered(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		type list struct {
			Items []struct {
				ID          int64
				Title       string
				Topic       string
				Status      string
				LecturerIDs []int64 `json:"lecturer_ids"`
			}
			Total int
		}
		cases := []struct {
			name, login, query string
			want               int
		}{
			{"secretary sees published of own town", "ch-secretary", "", 3},
			{"official sees drafts too", "ch-official", "", 4},
			{"topic by name", "ch-secretary", "?topic=" + "红色教育", 1},
			{"search in Chinese", "ch-secretary", "?q=" + "振兴", 1},
			{"other town's lecturer finds nothing", "ch-secretary", fmt.Sprintf("?lecturer_id=%d", e.W.B.Lecturers[0].ID), 0},
			{"county viewer reads both towns? only its own county", "cs-county", "", 4},
			{"page size", "ch-official", "?per_page=2&page=2", 4},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := e.as(c.login, http.MethodGet, "/api/v1/lessons"+strings.ReplaceAll(c.query, " ", "%20"), nil)
				if res.Code != http.StatusOK {
					t.Fatalf("%d %s", res.Code, res.Body)
				}
				var l list
				mustJSON(t, res, &l)
				if l.Total != c.want {
					t.Fatalf("total %d, want %d: %s", l.Total, c.want, res.Body)
				}
				for _, it := range l.Items {
					if !strings.HasPrefix(it.Title, "ch") {
						t.Fatalf("saw another town's lesson %q", it.Title)
					}
				}
			})
		}
	})
}
