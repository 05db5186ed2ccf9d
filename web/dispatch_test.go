package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"weike/fixture"
	"weike/org"
)

type draftResponse struct {
	Month  string
	TownID int64 `json:"town_id"`
	Items  []struct {
		BranchID    int64     `json:"branch_id"`
		CourtyardID int64     `json:"courtyard_id"`
		LessonID    int64     `json:"lesson_id"`
		LecturerID  int64     `json:"lecturer_id"`
		Start       time.Time `json:"start"`
		Cost        struct {
			Topic    int64   `json:"topic"`
			TravelKM float64 `json:"travel_km"`
			Load     int     `json:"load"`
		}
		Reasons []string
	}
	Unplaced []struct {
		BranchID int64 `json:"branch_id"`
		Reason   string
	}
	Stats struct {
		Branches, Placed int
		SolverMS         float64 `json:"solver_ms"`
	}
}

type dispatchResponse struct {
	Orders []struct {
		ID           int64
		BranchID     int64  `json:"branch_id"`
		LecturerID   int64  `json:"lecturer_id"`
		Status       string `json:"status"`
		DispatchedBy *int64 `json:"dispatched_by"`
	}
	Refused []struct {
		BranchID int64 `json:"branch_id"`
		Error    struct{ Code, Message string }
	}
}

// lecturerLogin makes an account for a lecturer of town A who has none.
func (e *env) lecturerLogin(t *testing.T, i int) string {
	t.Helper()
	login := fmt.Sprintf("ch-lec-%d", i)
	if i == 0 {
		return "ch-lecturer"
	}
	if _, err := e.W.Org.AccountByLogin(context.Background(), login); err == nil {
		return login
	}
	_, err := e.W.Org.CreateAccount(context.Background(), org.NewAccount{Login: login, Password: fixture.Password,
		Role: org.RoleLecturer, TownID: e.W.A.Town.ID, LecturerID: e.W.A.Lecturers[i].ID})
	if err != nil {
		t.Fatal(err)
	}
	return login
}

func rowsOf(d draftResponse) []map[string]any {
	var rows []map[string]any
	for _, it := range d.Items {
		rows = append(rows, map[string]any{"branch_id": it.BranchID, "courtyard_id": it.CourtyardID, "lesson_id": it.LessonID,
			"lecturer_id": it.LecturerID, "start": it.Start})
	}
	return rows
}

// TestDispatchAPI: the official drafts next month, dispatches it, and the
// lecturers accept every order; the history names her, the secretary is
// told; dispatching again creates nothing; rows that no longer hold are
// refused with their reason while the others go through.
func TestDispatchAPI(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		a := e.W.A
		res := e.as("ch-official", http.MethodPost, "/api/v1/plans/2026-12/draft", nil)
		if res.Code != http.StatusOK {
			t.Fatalf("draft: %d %s", res.Code, res.Body)
		}
		var d draftResponse
		mustJSON(t, res, &d)
		if d.Month != "2026-12" || d.TownID != a.Town.ID || d.Stats.Branches != 3 || len(d.Items) != 3 || len(d.Unplaced) != 0 {
			t.Fatalf("draft %+v", d)
		}
		for _, it := range d.Items {
			joined := strings.Join(it.Reasons, " | ")
			if !strings.Contains(joined, "近6个月未上过该主题") || !strings.Contains(joined, "km") || !strings.Contains(joined, "本月第") {
				t.Errorf("reasons of branch %d: %s", it.BranchID, joined)
			}
		}
		// In English on asking.
		res = e.as("ch-official", http.MethodPost, "/api/v1/plans/2026-12/draft", nil, "Accept-Language", "en")
		mustContain(t, res, "Topic not heard in the last 6 months", "this month")

		res = e.as("ch-official", http.MethodPost, "/api/v1/plans/2026-12/dispatch", map[string]any{"items": rowsOf(d)})
		var out dispatchResponse
		mustJSON(t, res, &out)
		if res.Code != http.StatusOK || len(out.Orders) != 3 || len(out.Refused) != 0 {
			t.Fatalf("dispatch: %d %s", res.Code, res.Body)
		}
		official := e.W.A.Official.AccountID
		for _, o := range out.Orders {
			if o.Status != "requested" || o.DispatchedBy == nil || *o.DispatchedBy != official {
				t.Fatalf("dispatched order %+v", o)
			}
		}
		// The order's history says who dispatched it.
		res = e.as("ch-official", http.MethodGet, fmt.Sprintf("/api/v1/orders/%d", out.Orders[0].ID), nil)
		mustContain(t, res, `"detail":"dispatched"`, `"role":"official"`, `"actor_name":"ch-official"`)
		// The secretary of 龙王庙村 is told in her inbox.
		res = e.as("ch-secretary", http.MethodGet, "/api/v1/inbox", nil)
		mustContain(t, res, "镇里为您派了一堂微党课", "order.dispatched")

		// Dispatching again creates nothing.
		res = e.as("ch-official", http.MethodPost, "/api/v1/plans/2026-12/dispatch", map[string]any{"items": rowsOf(d)})
		var again dispatchResponse
		mustJSON(t, res, &again)
		if len(again.Orders) != 3 || len(again.Refused) != 0 {
			t.Fatalf("dispatch again: %s", res.Body)
		}
		for i := range again.Orders {
			if again.Orders[i].ID != out.Orders[i].ID {
				t.Fatalf("dispatch again made order %d, first %d", again.Orders[i].ID, out.Orders[i].ID)
			}
		}
		res = e.as("ch-official", http.MethodGet, "/api/v1/orders?status=requested", nil)
		var list struct{ Total int }
		mustJSON(t, res, &list)
		if list.Total != 3 {
			t.Fatalf("%d requested orders after dispatching twice, want 3", list.Total)
		}
		// Nothing is left to draft.
		res = e.as("ch-official", http.MethodPost, "/api/v1/plans/2026-12/draft", nil)
		var after draftResponse
		mustJSON(t, res, &after)
		if after.Stats.Branches != 0 || len(after.Items) != 0 {
			t.Fatalf("draft after dispatch: %s", res.Body)
		}

		// The lecturers accept every dispatched order, none refused.
		for _, o := range out.Orders {
			i := 0
			if o.LecturerID == a.Lecturers[1].ID {
				i = 1
			}
			res := e.as(e.lecturerLogin(t, i), http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/accept", o.ID), map[string]any{"slot": 0})
			if res.Code != http.StatusOK {
				t.Fatalf("lecturer %d accepts order %d: %d %s", o.LecturerID, o.ID, res.Code, res.Body)
			}
		}
	})
}

// TestDispatchRefusesWhatNoLongerHolds: a branch that ordered meanwhile, a
// row changed into a clash with another row, a lecturer full — each
// refused with its reason, in the caller's language; the rest goes through.
func TestDispatchRefusesWhatNoLongerHolds(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		a := e.W.A
		res := e.as("ch-official", http.MethodPost, "/api/v1/plans/2027-01/draft", nil)
		var d draftResponse
		mustJSON(t, res, &d)
		if len(d.Items) != 3 {
			t.Fatalf("draft: %s", res.Body)
		}
		rows := rowsOf(d)
		// 龙王庙村's secretary orders for January herself meanwhile.
		if _, code, body := e.order(t, "ch-secretary", 0, "2027-01-09T14:00:00+08:00"); code != http.StatusCreated {
			t.Fatalf("order: %d %s", code, body)
		}
		// The official moves another row onto the third one's lecturer and time.
		var second, third map[string]any
		for _, r := range rows {
			switch r["branch_id"] {
			case a.Branches[1].ID:
				second = r
			case a.Branches[2].ID:
				third = r
			}
		}
		second["lecturer_id"], second["start"] = third["lecturer_id"], third["start"]
		res = e.as("ch-official", http.MethodPost, "/api/v1/plans/2027-01/dispatch", map[string]any{"items": []any{rows[0], rows[1], rows[2]}},
			"Accept-Language", "en")
		var out dispatchResponse
		mustJSON(t, res, &out)
		if res.Code != http.StatusOK || len(out.Orders) != 1 || len(out.Refused) != 2 {
			t.Fatalf("dispatch: %d %s", res.Code, res.Body)
		}
		reasons := map[int64]string{}
		for _, r := range out.Refused {
			reasons[r.BranchID] = r.Error.Code + ": " + r.Error.Message
		}
		if !strings.HasPrefix(reasons[a.Branches[0].ID], "plan.refused.covered: ") {
			t.Errorf("branch that ordered meanwhile: %q", reasons[a.Branches[0].ID])
		}
		// Whichever of the two clashing rows came second is refused.
		clash := reasons[a.Branches[1].ID] + reasons[a.Branches[2].ID]
		if !strings.HasPrefix(clash, "plan.refused.clash: ") || !strings.Contains(clash, "minutes apart") {
			t.Errorf("clashing rows: %q", clash)
		}
	})
}

// TestReminderSpecSetting: a town sets its own time for the coverage
// reminders, checked like its monthly schedule.
func TestReminderSpecSetting(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		body := map[string]any{"travel_buffer_minutes": 30, "lead_time_hours": 48, "horizon_days": 90, "answer_deadline_hours": 72,
			"points_delivered": 10, "points_five_star": 2, "reminder_spec": "0 8 18 * *"}
		res := e.as("ch-official", http.MethodPut, "/api/v1/town/settings", body)
		mustContain(t, res, `"reminder_spec":"0 8 18 * *"`, `"schedule_spec":"0 9 25 * *"`)
		body["reminder_spec"] = "每月"
		res = e.as("ch-official", http.MethodPut, "/api/v1/town/settings", body)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("a bad schedule: %d %s", res.Code, res.Body)
		}
		mustContain(t, res, `"reminder_spec"`)
		delete(body, "reminder_spec")
		res = e.as("ch-official", http.MethodPut, "/api/v1/town/settings", body)
		mustContain(t, res, `"reminder_spec":"0 9 20 * *"`)
	})
}
