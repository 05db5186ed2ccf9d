package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"weike/booking"
	"weike/fixture"
	"weike/lessons"
	"weike/org"
)

// The fixture's clock is Monday 2026-11-30 10:00 in Shanghai; its lecturers
// are free on Saturdays 14:00–18:00 and Wednesdays 19:00–21:00.
const (
	sat1400 = "2026-12-05T14:00:00+08:00"
	sat1500 = "2026-12-05T15:00:00+08:00"
)

type orderJSON struct {
	ID         int64
	Status     string
	LecturerID int64 `json:"lecturer_id"`
	Start      *time.Time
	Slots      []time.Time
	AnswerBy   time.Time `json:"answer_by"`
	History    []struct{ From, To, Role, Reason string }
}

// secretaryFor makes a secretary account for another branch of town A.
func (e *env) secretaryFor(t *testing.T, i int) string {
	t.Helper()
	login := fmt.Sprintf("ch-sec-%d", i)
	_, err := e.W.Org.CreateAccount(context.Background(), org.NewAccount{Login: login, Password: fixture.Password,
		Role: org.RoleSecretary, TownID: e.W.A.Town.ID, BranchID: e.W.A.Branches[i].ID})
	if err != nil {
		t.Fatal(err)
	}
	return login
}

func (e *env) order(t *testing.T, login string, branch int, slots ...string) (*orderJSON, int, string) {
	t.Helper()
	res := e.as(login, http.MethodPost, "/api/v1/orders", map[string]any{
		"lesson_id": e.W.A.Lessons[0].ID, "lecturer_id": e.W.A.Lecturers[0].ID, "courtyard_id": e.W.A.Courtyards[branch].ID,
		"slots": slots, "audience": 30, "note": "请带上党旗"})
	var o orderJSON
	if res.Code < 300 {
		mustJSON(t, res, &o)
	}
	return &o, res.Code, res.Body.String()
}

func TestOrderLife(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		o, code, body := e.order(t, "ch-secretary", 0, sat1400, sat1500)
		if code != http.StatusCreated || o.Status != "requested" {
			t.Fatalf("create: %d %s", code, body)
		}
		// A double tap creates one order.
		again, code, _ := e.order(t, "ch-secretary", 0, sat1400, sat1500)
		if code != http.StatusOK || again.ID != o.ID {
			t.Fatalf("double submit: %d, id %d vs %d", code, again.ID, o.ID)
		}
		path := fmt.Sprintf("/api/v1/orders/%d", o.ID)
		// The secretary cannot accept; another town's lecturer cannot see it.
		if res := e.as("ch-secretary", http.MethodPost, path+"/accept", map[string]int{"slot": 0}); res.Code != http.StatusForbidden {
			t.Fatalf("secretary accept: %d", res.Code)
		}
		if res := e.as("qh-lecturer", http.MethodPost, path+"/accept", map[string]int{"slot": 0}); res.Code != http.StatusNotFound {
			t.Fatalf("other town's lecturer: %d", res.Code)
		}
		res := e.as("ch-lecturer", http.MethodPost, path+"/accept", map[string]int{"slot": 1})
		if res.Code != http.StatusOK {
			t.Fatalf("accept: %d %s", res.Code, res.Body)
		}
		mustJSON(t, res, o)
		if o.Status != "confirmed" || o.Start == nil || !o.Start.Equal(mustTime(sat1500)) {
			t.Fatalf("confirmed: %+v", o)
		}
		// Another branch wants the same lecturer 15 minutes after that
		// lesson ends: inside the 30-minute travel buffer.
		sec2 := e.secretaryFor(t, 1)
		_, code, body = e.order(t, sec2, 1, "2026-12-05T15:35:00+08:00")
		if code != http.StatusConflict || !strings.Contains(body, "已在龙王庙村讲课") || !strings.Contains(body, fmt.Sprintf(`"order_id":%d`, o.ID)) {
			t.Fatalf("clash: %d %s", code, body)
		}
		// Outside the buffer it is fine.
		o2, code, body := e.order(t, sec2, 1, "2026-12-05T16:00:00+08:00")
		if code != http.StatusCreated {
			t.Fatalf("after the buffer: %d %s", code, body)
		}
		// Delivering before the lesson is refused; after it, points are credited.
		if res := e.as("ch-lecturer", http.MethodPost, path+"/deliver", map[string]any{"attendees": 28, "minutes": 25, "summary": "讲得好"}); res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("early delivery: %d %s", res.Code, res.Body)
		}
		e.W.Now = mustTime("2026-12-05T16:00:00+08:00")
		if res := e.as("ch-lecturer", http.MethodPost, path+"/deliver", map[string]any{"attendees": 28, "minutes": 25, "summary": "讲得好"}); res.Code != http.StatusOK {
			t.Fatalf("deliver: %d %s", res.Code, res.Body)
		}
		if res := e.as("ch-secretary", http.MethodPost, path+"/review", map[string]any{"stars": 5, "comment": "生动"}); res.Code != http.StatusOK {
			t.Fatalf("review: %d %s", res.Code, res.Body)
		}
		var pts booking.PointsReport
		mustJSON(t, e.as("ch-lecturer", http.MethodGet, "/api/v1/points?month=2026-12", nil), &pts)
		if pts.Mine == nil || pts.Mine.Total != 12 || len(pts.Leaderboard) != 1 || pts.Leaderboard[0].Points != 12 {
			t.Fatalf("points: %+v %+v", pts, pts.Mine)
		}
		// The history has every transition with who made it.
		mustJSON(t, e.as("ch-official", http.MethodGet, path, nil), o)
		var steps []string
		for _, h := range o.History {
			steps = append(steps, h.From+">"+h.To+"/"+h.Role)
		}
		want := ">requested/secretary confirmed>delivered/lecturer delivered>reviewed/secretary"
		if got := strings.Join(steps, " "); !strings.HasPrefix(got, ">requested/secretary requested>confirmed/lecturer") || !strings.HasSuffix(got, want[len(">requested/secretary "):]) {
			t.Fatalf("history: %s", got)
		}
		_ = o2
	})
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOrderRules(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		lect := e.W.A.Lecturers[0]
		_, err := e.W.Lessons.UpdateLecturer(ctx, e.W.A.Official, lect.ID, lecturerInputOf(lect, "2026-12-12"))
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, slot string
			code       int
			msg        string
		}{
			{"a Sunday is outside the windows", "2026-12-06T14:00:00+08:00", 422, "不在讲师王ch的可讲时段内"},
			{"ends after the window", "2026-12-05T17:45:00+08:00", 422, "不在讲师王ch的可讲时段内"},
			{"too soon", "2026-12-01T19:00:00+08:00", 422, "时间至少要在 48 小时以后"},
			{"beyond the horizon", "2027-06-05T14:00:00+08:00", 422, "90 天以内"},
			{"blackout", "2026-12-12T14:00:00+08:00", 422, "12月12日 周六 不能讲课"},
			{"garbage time", "next saturday", 422, "时间格式"},
			{"fine", "2026-12-09T19:00:00+08:00", 201, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, code, body := e.order(t, "ch-secretary", 0, c.slot)
				if code != c.code || !strings.Contains(body, c.msg) {
					t.Fatalf("%d %s", code, body)
				}
			})
		}
		// English messages on request.
		res := e.as("ch-secretary", http.MethodPost, "/api/v1/orders", map[string]any{"lesson_id": e.W.A.Lessons[0].ID,
			"lecturer_id": lect.ID, "courtyard_id": e.W.A.Courtyards[0].ID, "slots": []string{"2026-12-06T14:00:00+08:00"}},
			"Accept-Language", "en")
		if !strings.Contains(res.Body.String(), "is outside lecturer") {
			t.Fatalf("english: %s", res.Body)
		}
		// Another branch's courtyard, a draft lesson, a lecturer not qualified.
		bad := []map[string]any{
			{"lesson_id": e.W.A.Lessons[0].ID, "lecturer_id": lect.ID, "courtyard_id": e.W.A.Courtyards[1].ID, "slots": []string{sat1400}},
			{"lesson_id": e.W.A.Lessons[3].ID, "lecturer_id": lect.ID, "courtyard_id": e.W.A.Courtyards[0].ID, "slots": []string{sat1400}},
			{"lesson_id": e.W.A.Lessons[0].ID, "lecturer_id": e.W.B.Lecturers[0].ID, "courtyard_id": e.W.A.Courtyards[0].ID, "slots": []string{sat1400}},
			{"lesson_id": e.W.A.Lessons[0].ID, "courtyard_id": e.W.A.Courtyards[0].ID, "slots": []string{}},
		}
		for i, b := range bad {
			if res := e.as("ch-secretary", http.MethodPost, "/api/v1/orders", b); res.Code != 422 && res.Code != 404 {
				t.Errorf("bad order %d: %d %s", i, res.Code, res.Body)
			}
		}
		// weike picks a free lecturer when none is named: the first is
		// blacked out on the 12th, so the second gets it.
		res = e.as("ch-secretary", http.MethodPost, "/api/v1/orders", map[string]any{"lesson_id": e.W.A.Lessons[0].ID,
			"courtyard_id": e.W.A.Courtyards[0].ID, "slots": []string{"2026-12-12T15:00:00+08:00"}})
		var o orderJSON
		mustJSON(t, res, &o)
		if res.Code != 201 || o.LecturerID != e.W.A.Lecturers[1].ID {
			t.Fatalf("auto pick: %d %s", res.Code, res.Body)
		}
	})
}

// lecturerInputOf is a lecturer's current data as an update, plus a blackout day.
func lecturerInputOf(l *lessons.Lecturer, blackout string) lessons.LecturerInput {
	return lessons.LecturerInput{Name: l.Name, Phone: l.Phone, BranchID: l.BranchID, Bio: l.Bio, Topics: l.Topics,
		MonthlyCapacity: l.MonthlyCapacity, Availability: l.Availability,
		Blackouts: append(l.Blackouts, lessons.Blackout{Day: blackout, Reason: "外出"})}
}

func TestProposeDeclineExpireReassign(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		o, code, body := e.order(t, "ch-secretary", 0, sat1400)
		if code != 201 {
			t.Fatalf("%d %s", code, body)
		}
		path := fmt.Sprintf("/api/v1/orders/%d", o.ID)
		if res := e.as("ch-lecturer", http.MethodPost, path+"/propose", map[string]string{"start": "2026-12-09T19:30:00+08:00"}); res.Code != 200 {
			t.Fatalf("propose: %d %s", res.Code, res.Body)
		}
		if res := e.as("ch-secretary", http.MethodPost, path+"/respond", map[string]bool{"accept": true}); res.Code != 200 || !strings.Contains(res.Body.String(), `"status":"confirmed"`) {
			t.Fatalf("respond: %d %s", res.Code, res.Body)
		}
		// The calendar shows it, then shows it cancelled with a higher SEQUENCE.
		var links struct{ Items []calendarLink }
		mustJSON(t, e.as("ch-lecturer", http.MethodGet, "/api/v1/calendar-links", nil), &links)
		if len(links.Items) != 1 {
			t.Fatalf("links: %+v", links)
		}
		feed := strings.TrimPrefix(links.Items[0].URL, "http://example.com")
		ev := calendarEvent(t, e, feed, o.ID)
		start, err := ev.DateTimeStart(nil)
		if err != nil || !start.Equal(mustTime("2026-12-09T19:30:00+08:00")) {
			t.Fatalf("DTSTART %v %v", start, err)
		}
		seq1 := ev.Props.Get(ical.PropSequence).Value
		if res := e.as("ch-secretary", http.MethodPost, path+"/cancel", map[string]string{"reason": "村里临时有事"}); res.Code != 200 {
			t.Fatalf("cancel: %d %s", res.Code, res.Body)
		}
		ev = calendarEvent(t, e, feed, o.ID)
		if ev.Props.Get(ical.PropStatus).Value != "CANCELLED" || ev.Props.Get(ical.PropSequence).Value <= seq1 {
			t.Fatalf("cancelled event: %v", ev.Props)
		}
		// Decline, then reassign.
		o2, _, _ := e.order(t, "ch-secretary", 0, sat1500)
		p2 := fmt.Sprintf("/api/v1/orders/%d", o2.ID)
		if res := e.as("ch-lecturer", http.MethodPost, p2+"/decline", map[string]string{"reason": ""}); res.Code != 422 {
			t.Fatalf("decline without reason: %d", res.Code)
		}
		if res := e.as("ch-lecturer", http.MethodPost, p2+"/decline", map[string]string{"reason": "那天要去长沙"}); res.Code != 200 {
			t.Fatalf("decline: %d %s", res.Code, res.Body)
		}
		res := e.as("ch-official", http.MethodPost, p2+"/reassign", map[string]int64{"lecturer_id": e.W.A.Lecturers[1].ID})
		if res.Code != 200 || !strings.Contains(res.Body.String(), `"status":"requested"`) {
			t.Fatalf("reassign: %d %s", res.Code, res.Body)
		}
		// Nobody answers: 72 hours later the hourly job expires it and the official is told.
		e.W.Now = e.W.Now.Add(73 * time.Hour)
		n, err := e.W.Booking.ExpireDue(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("expire: %d %v", n, err)
		}
		if n, _ := e.W.Booking.ExpireDue(context.Background()); n != 0 {
			t.Fatalf("second run expired %d more", n)
		}
		var inbox struct {
			Items  []struct{ Title, Link string }
			Unread int
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, "/api/v1/inbox", nil), &inbox)
		// Unread but the decline, which her reassigning answered.
		if len(inbox.Items) == 0 || inbox.Unread != len(inbox.Items)-1 || !strings.Contains(inbox.Items[0].Title, "点单已过期") {
			t.Fatalf("inbox: %+v", inbox)
		}
		// The branch is told too.
		mustJSON(t, e.as("ch-secretary", http.MethodGet, "/api/v1/inbox", nil), &inbox)
		if len(inbox.Items) == 0 || !strings.Contains(inbox.Items[0].Title, "点单无人答复") || inbox.Items[0].Link != p2[len("/api/v1"):] {
			t.Fatalf("secretary's inbox: %+v", inbox)
		}
		mustJSON(t, e.as("ch-official", http.MethodGet, p2, nil), o2)
		if o2.Status != "expired" {
			t.Fatalf("status %s", o2.Status)
		}
	})
}

// calendarEvent fetches a feed and parses it with an independent iCalendar
// parser, returning the order's event.
func calendarEvent(t *testing.T, e *env, path string, orderID int64) *ical.Event {
	t.Helper()
	res := e.do(http.MethodGet, path, "", nil)
	if res.Code != 200 || !strings.HasPrefix(res.Header().Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", res.Code, res.Body)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(res.Body.Bytes())).Decode()
	if err != nil {
		t.Fatalf("parse feed: %v\n%s", err, res.Body)
	}
	for _, ev := range cal.Events() {
		if ev.Props.Get(ical.PropUID).Value == fmt.Sprintf("order-%d@weike", orderID) {
			return &ev
		}
	}
	t.Fatalf("no event for order %d in\n%s", orderID, res.Body)
	return nil
}
