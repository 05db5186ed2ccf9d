package booking

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"weike/internal/apperr"
	"weike/org"
)

// The action table written out as product.md tells an order's life: who
// may make which move in each situation. A change to specs that changes
// any of this must change this test too.
func TestActions(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
	ago, ahead := now.Add(-time.Minute), now.Add(time.Hour)
	const town, otherTown, branch, lecturer = 1, 2, 10, 20
	actors := map[string]org.Actor{
		"secretary":       {Role: org.RoleSecretary, TownID: town, BranchID: branch, Towns: []int64{town}},
		"other secretary": {Role: org.RoleSecretary, TownID: town, BranchID: branch + 1, Towns: []int64{town}},
		"lecturer":        {Role: org.RoleLecturer, TownID: town, LecturerID: lecturer, Towns: []int64{town}},
		"other lecturer":  {Role: org.RoleLecturer, TownID: town, LecturerID: lecturer + 1, Towns: []int64{town}},
		"official":        {Role: org.RoleOfficial, TownID: town, Towns: []int64{town}},
		"other official":  {Role: org.RoleOfficial, TownID: otherTown, Towns: []int64{otherTown}},
		"county":          {Role: org.RoleCounty, Towns: []int64{town, otherTown}},
	}
	// The preferred times: one still ahead, or all passed.
	open, passed := []time.Time{ahead}, []time.Time{ago}
	cases := []struct {
		status Status
		start  *time.Time
		slots  []time.Time
		want   map[string]string // actor → moves, in Actions' order; absent: none
	}{
		{Requested, nil, open, map[string]string{"secretary": "cancel", "lecturer": "accept propose decline", "official": "reassign cancel"}},
		{Requested, nil, passed, map[string]string{"secretary": "cancel", "lecturer": "accept propose decline", "official": "cancel"}},
		{Proposed, nil, open, map[string]string{"secretary": "respond cancel", "official": "reassign cancel"}},
		{Confirmed, &ahead, open, map[string]string{"secretary": "cancel", "lecturer": "withdraw", "official": "cancel"}},
		{Confirmed, &ago, passed, map[string]string{"secretary": "deliver", "lecturer": "deliver", "official": "deliver cancel"}},
		{Delivered, &ago, passed, map[string]string{"secretary": "review"}},
		{Reviewed, &ago, passed, nil},
		{Declined, nil, open, map[string]string{"official": "reassign cancel"}},
		{Declined, nil, passed, map[string]string{"official": "cancel"}},
		{Expired, nil, open, map[string]string{"official": "reassign cancel"}},
		{Expired, nil, passed, map[string]string{"official": "cancel"}},
		{Cancelled, nil, open, nil},
		{Cancelled, &ahead, open, nil},
	}
	for _, c := range cases {
		sj, _ := json.Marshal(c.slots)
		o := &Order{TownID: town, BranchID: branch, LecturerID: lecturer, Status: c.status, StartAt: c.start, SlotsJSON: string(sj)}
		for who, act := range actors {
			var got []string
			for _, a := range Actions(act, o, now) {
				got = append(got, string(a.Name))
				if !Can(act, o, now, a.Name) {
					t.Errorf("%s, %s: Actions lists %s, Can says no", c.status, who, a.Name)
				}
			}
			if g := strings.Join(got, " "); g != c.want[who] {
				t.Errorf("%s (start %v, slots %v), %s: moves %q, want %q", c.status, c.start, c.slots, who, g, c.want[who])
			}
		}
	}
}

// A refusal says why, in the error the API answers with.
func TestActionRefusals(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
	ago, ahead := now.Add(-time.Minute), now.Add(time.Hour)
	cases := []struct {
		name   string
		move   ActionName
		party  Party
		status Status
		start  *time.Time
		kind   apperr.Kind
		key    string
	}{
		{"never the secretary's", ActionAccept, PartySecretary, Requested, nil, apperr.Forbidden, "order.not_your_move"},
		{"a reader never acts", ActionCancel, PartyReader, Requested, nil, apperr.Forbidden, "order.not_your_move"},
		{"nobody accepts a cancelled order", ActionAccept, PartyLecturer, Cancelled, nil, apperr.Conflict, "order.wrong_status"},
		{"an official's, not the branch's, from declined", ActionCancel, PartySecretary, Declined, nil, apperr.Forbidden, "order.not_your_move"},
		{"the branch cancels before the start only", ActionCancel, PartySecretary, Confirmed, &ago, apperr.Invalid, "order.already_started"},
		{"an official cancels after the start", ActionCancel, PartyOfficial, Confirmed, &ago, 0, ""},
		{"not delivered before the start", ActionDeliver, PartyLecturer, Confirmed, &ahead, apperr.Invalid, "order.not_yet"},
		{"delivered after it", ActionDeliver, PartyLecturer, Confirmed, &ago, 0, ""},
		{"the lecturer withdraws before the start only", ActionWithdraw, PartyLecturer, Confirmed, &ago, apperr.Invalid, "order.already_started"},
		{"the lecturer withdraws from a confirmed lesson", ActionWithdraw, PartyLecturer, Confirmed, &ahead, 0, ""},
		{"never from a requested one: she declines it", ActionWithdraw, PartyLecturer, Requested, nil, apperr.Conflict, "order.wrong_status"},
		{"not reassigned once its times have passed", ActionReassign, PartyOfficial, Declined, nil, apperr.Invalid, "order.slots_passed"},
	}
	for _, c := range cases {
		o := &Order{Status: c.status, StartAt: c.start}
		err := specOf(c.move).decide(c.party, o, now)
		if c.key == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Kind != c.kind || e.Code != c.key {
			t.Errorf("%s: %v, want kind %d %s", c.name, err, c.kind, c.key)
		}
	}
	if _, ok := ActionNamed("expire"); ok {
		t.Error("expiry is the clock's, not a move anyone makes")
	}
	for _, a := range AllActions() {
		if b, ok := ActionNamed(string(a.Name)); !ok || b.Name != a.Name || len(a.Fields) == 0 {
			t.Errorf("action %q: named %v %v, fields %v", a.Name, b, ok, a.Fields)
		}
	}
}
