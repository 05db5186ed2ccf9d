package web

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"weike/dispatch"
)

// dispatchRows are the access matrix's rows for the town's dispatch (派单):
// the month's draft (officials of the town, county viewers naming it) and
// dispatching it (officials only).
func dispatchRows(e *env) []accessRow {
	ch, qh := e.W.A, e.W.B
	id := func(format string, v int64) string { return fmt.Sprintf(format, v) }
	// A draft names its month and town and places or explains every branch.
	checkDraft := func(month string, town func(login string) int64) func(*testing.T, string, []byte) {
		return func(t *testing.T, login string, body []byte) {
			var d struct {
				Month  string `json:"month"`
				TownID int64  `json:"town_id"`
				Items  []struct {
					BranchID int64    `json:"branch_id"`
					Reasons  []string `json:"reasons"`
				} `json:"items"`
				Unplaced []struct{ BranchID int64 } `json:"unplaced"`
				Stats    struct{ Branches, Placed int }
			}
			if err := json.Unmarshal(body, &d); err != nil {
				t.Fatal(err)
			}
			if d.Month != month || d.TownID != town(login) {
				t.Errorf("draft as %s: month %s town %d, want %s %d", login, d.Month, d.TownID, month, town(login))
			}
			if d.Stats.Placed != len(d.Items) || d.Stats.Branches != len(d.Items)+len(d.Unplaced) || d.Stats.Branches == 0 {
				t.Errorf("draft as %s: stats %+v, %d items, %d unplaced", login, d.Stats, len(d.Items), len(d.Unplaced))
			}
			for _, it := range d.Items {
				if len(it.Reasons) < 3 {
					t.Errorf("draft as %s: branch %d with reasons %q", login, it.BranchID, it.Reasons)
				}
			}
		}
	}
	own := func(login string) int64 {
		if login == "qh-official" {
			return qh.Town.ID
		}
		return ch.Town.ID
	}
	chTown := func(string) int64 { return ch.Town.ID }
	qhTown := func(string) int64 { return qh.Town.ID }
	// firstRow is the first proposal of 春华镇's January, as its official
	// sees it when the row is sent: once dispatched, the branch drops out
	// and the next caller sends another branch's row.
	firstRow := func(t *testing.T, e *env, _ string) request {
		d, err := e.S.Dispatch.Draft(context.Background(), ch.Official, "2027-01", dispatch.DraftInput{})
		if err != nil || len(d.Items) == 0 {
			t.Fatalf("draft of 2027-01: %v %+v", err, d)
		}
		it := d.Items[0]
		return request{path: "/api/v1/plans/2027-01/dispatch", body: map[string]any{"items": []map[string]any{{
			"branch_id": it.BranchID, "courtyard_id": it.CourtyardID, "lesson_id": it.LessonID, "lecturer_id": it.LecturerID, "start": it.Start}}}}
	}
	// The 春华镇 official dispatches it; the 漆河镇 official's dispatch of
	// a branch she does not see is refused, and nothing is made.
	checkDispatched := func(t *testing.T, login string, body []byte) {
		var r struct {
			Orders []struct {
				TownID       int64  `json:"town_id"`
				Status       string `json:"status"`
				DispatchedBy *int64 `json:"dispatched_by"`
			} `json:"orders"`
			Refused []struct {
				Error struct{ Code string } `json:"error"`
			} `json:"refused"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		switch login {
		case "ch-official":
			if len(r.Orders) != 1 || len(r.Refused) != 0 || r.Orders[0].Status != "requested" || r.Orders[0].DispatchedBy == nil {
				t.Errorf("dispatch as %s: %s", login, body)
			}
		case "qh-official":
			if len(r.Orders) != 0 || len(r.Refused) != 1 || r.Refused[0].Error.Code != "validation" {
				t.Errorf("dispatch as %s: %s", login, body)
			}
		}
	}
	watchers := statuses(403, "ch-official", 200, "qh-official", 200, "cs-county", 200)
	return []accessRow{
		{route: "POST /api/v1/plans/{month}/draft", name: "own town", want: watchers, check: checkDraft("2026-12", own),
			req: fixed("/api/v1/plans/2026-12/draft", nil)},
		{route: "POST /api/v1/plans/{month}/draft", name: "of 春华镇", want: statuses(403, "ch-official", 200, "qh-official", 404, "cs-county", 200),
			check: checkDraft("2027-01", chTown), req: fixed("/api/v1/plans/2027-01/draft", map[string]any{"town_id": ch.Town.ID})},
		{route: "POST /api/v1/plans/{month}/draft", name: "of 漆河镇", want: statuses(403, "ch-official", 404, "qh-official", 200, "cs-county", 404),
			check: checkDraft("2026-12", qhTown), req: fixed("/api/v1/plans/2026-12/draft", map[string]any{"town_id": qh.Town.ID})},
		{route: "POST /api/v1/plans/{month}/draft", name: "leaving a branch out", want: statuses(403, "ch-official", 200, "qh-official", 404, "cs-county", 200),
			check: checkDraft("2026-12", chTown), req: fixed("/api/v1/plans/2026-12/draft",
				map[string]any{"town_id": ch.Town.ID, "exclude_branch_ids": []int64{ch.Branches[1].ID}})},
		{route: "POST /api/v1/plans/{month}/draft", name: "no such month", want: statuses(403, "ch-official", 400, "qh-official", 400, "cs-county", 400),
			req: fixed("/api/v1/plans/2026-13/draft", nil)},
		{route: "POST /api/v1/plans/{month}/dispatch", name: "a row of 春华镇's draft", want: statuses(403, "ch-official", 200, "qh-official", 200),
			check: checkDispatched, req: firstRow},
		{route: "POST /api/v1/plans/{month}/dispatch", name: "no rows", want: statuses(403, "ch-official", 422, "qh-official", 422),
			req: fixed(id("/api/v1/plans/2027-%02d/dispatch", 1), map[string]any{"items": []any{}})},
	}
}
