package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"weike/themeday"

	"weike/booking"
)

// TestBadInputOrderingAndRecords sends each kind of bad input the issue
// names — oversized bodies, wrong content types, invalid UTF-8, dates out of
// range, ids of another town — to every write of ordering and records, and
// wants a clear 4xx with a message code, never a 500, and nothing written.
func TestBadInputOrderingAndRecords(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		A, B := e.W.A, e.W.B
		fe := &fuzzEnv{env: e, tables: append(orderTables, recordTables...)}
		sec := A.Actors["secretary"]
		slots, err := e.W.Booking.FreeSlots(t.Context(), sec, A.Lessons[0].ID, A.Lecturers[0].ID, 6, 10)
		if err != nil || len(slots) == 0 {
			t.Fatalf("free slots: %v", err)
		}
		o, _, err := e.W.Booking.Create(t.Context(), sec, booking.NewOrder{LessonID: A.Lessons[0].ID, LecturerID: A.Lecturers[0].ID,
			CourtyardID: A.Courtyards[0].ID, Slots: []string{slots[0].Start.Format(time.RFC3339)}})
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.W.ThemeDay.CreateViewing(t.Context(), sec, themeday.ViewingInput{FilmTitle: "片", Date: "2026-11-20", Attendees: 5})
		if err != nil {
			t.Fatal(err)
		}
		slot := slots[0].Start.Add(24 * time.Hour).Format(time.RFC3339)
		good := map[string]string{
			"/api/v1/orders": fmt.Sprintf(`{"lesson_id":%d,"courtyard_id":%d,"slots":[%q]}`, A.Lessons[0].ID, A.Courtyards[0].ID, slot),
			fmt.Sprintf("/api/v1/orders/%d/accept", o.ID): `{"slot":0}`,
			"/api/v1/viewings":                            `{"film_title":"片","date":"2026-11-20","attendees":5}`,
			"/api/v1/practices":                           `{"type":"走访慰问","date":"2026-11-20","participants":5}`,
			"/api/v1/member-lessons":                      `{"title":"t","speaker":"s","date":"2026-11-20"}`,
			fmt.Sprintf("/api/v1/viewings/%d", v.ID):      `{"film_title":"片","date":"2026-11-21","attendees":5}`,
		}
		login := func(path string) string {
			if strings.HasSuffix(path, "/accept") {
				return A.Logins["lecturer"]
			}
			return A.Logins["secretary"]
		}
		method := func(path string) string {
			if strings.HasPrefix(path, "/api/v1/viewings/") {
				return http.MethodPut
			}
			return http.MethodPost
		}
		type bad struct {
			name, body string
			headers    []string
			status     []int
		}
		for path, body := range good {
			cases := []bad{
				{"oversized", `{"note":"` + strings.Repeat("长", 3<<20) + `"}`, nil, []int{413}},
				{"text/plain", body, []string{"Content-Type", "text/plain"}, []int{415}},
				{"form type", body, []string{"Content-Type", "application/x-www-form-urlencoded"}, []int{415}},
				{"invalid UTF-8", strings.Replace(body, "{", "{\"x\":\"\xff\xfe\",", 1), nil, []int{400}},
				{"not JSON", "{\"lesson_id\":", nil, []int{400}},
			}
			switch {
			case path == "/api/v1/orders":
				cases = append(cases,
					bad{"date out of range", fmt.Sprintf(`{"lesson_id":%d,"courtyard_id":%d,"slots":["10000-01-01T00:00:00Z"]}`, A.Lessons[0].ID, A.Courtyards[0].ID), nil, []int{400, 422}},
					bad{"year one", fmt.Sprintf(`{"lesson_id":%d,"courtyard_id":%d,"slots":["0001-01-01T00:00"]}`, A.Lessons[0].ID, A.Courtyards[0].ID), nil, []int{422}},
					bad{"another town's lesson", fmt.Sprintf(`{"lesson_id":%d,"courtyard_id":%d,"slots":[%q]}`, B.Lessons[0].ID, A.Courtyards[0].ID, slot), nil, []int{404, 422}},
					bad{"another town's courtyard", fmt.Sprintf(`{"lesson_id":%d,"courtyard_id":%d,"slots":[%q]}`, A.Lessons[0].ID, B.Courtyards[0].ID, slot), nil, []int{404, 422}},
					bad{"another town's lecturer", fmt.Sprintf(`{"lesson_id":%d,"lecturer_id":%d,"courtyard_id":%d,"slots":[%q]}`, A.Lessons[0].ID, B.Lecturers[0].ID, A.Courtyards[0].ID, slot), nil, []int{404, 422}},
				)
			case strings.HasSuffix(path, "/accept"):
				cases = append(cases, bad{"slot out of range", `{"slot":2147483648}`, nil, []int{422}})
			default:
				cases = append(cases,
					bad{"impossible date", strings.Replace(body, "2026-11-2", "2026-02-3", 1), nil, []int{400, 422}},
					bad{"date out of range", strings.Replace(body, "2026-11-2", "99999-11-2", 1), nil, []int{400, 422}},
					bad{"another town's branch", strings.Replace(body, "{", fmt.Sprintf(`{"branch_id":%d,`, B.Branches[0].ID), 1), nil, []int{403, 404, 422}},
				)
			}
			for _, c := range cases {
				t.Run(path+" "+c.name, func(t *testing.T) {
					before := fe.snapshot(t, o.ID)
					res := e.as(login(path), method(path), path, c.body, c.headers...)
					ok := false
					for _, s := range c.status {
						ok = ok || res.Code == s
					}
					if !ok {
						t.Fatalf("status %d, want one of %v: %.300s", res.Code, c.status, res.Body)
					}
					var out struct {
						Error struct{ Code, Message string }
					}
					mustJSON(t, res, &out)
					if out.Error.Code == "" || out.Error.Message == "" {
						t.Errorf("no code or message: %s", res.Body)
					}
					if after := fe.snapshot(t, o.ID); after != before {
						t.Errorf("refused but wrote: %s → %s", before, after)
					}
				})
			}
		}
	})
}
