package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"weike/themeday"

	"weike/booking"
	"weike/fixture"
	"weike/internal/db/dbtest"
)

// Fuzz tests of every JSON and form input of ordering and records, through
// the real router on a real SQLite database: whatever the body, the answer
// is never a 5xx, and a 4xx leaves every table it could touch as it was.
// `go test` runs the seed corpus (testdata/fuzz/<name>/ and the f.Add
// seeds); `go test -fuzz FuzzOrderCreate ./web` explores further.

// fuzzEnv is the world a fuzz target shares across its inputs.
type fuzzEnv struct {
	*env
	tables []string
	bearer map[string]string // login → token, fetched before fuzzing
}

func newFuzzEnv(f *testing.F, tables ...string) *fuzzEnv {
	e := newEnv(f, dbtest.SQLite(f))
	fe := &fuzzEnv{env: e, tables: tables, bearer: map[string]string{}}
	// env.token reports through the F, which a fuzz target must not touch.
	for _, login := range e.W.A.Logins {
		fe.bearer[login] = e.token(login)
	}
	return fe
}

// snapshot is the state a refused request must leave alone: the row count
// of each table, and the state (status and sequence) of one order.
func (fe *fuzzEnv) snapshot(t *testing.T, orderID int64) string {
	var b strings.Builder
	for _, tb := range fe.tables {
		var n int64
		if err := fe.W.DB.R.Raw("SELECT COUNT(*) FROM " + tb).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d ", tb, n)
	}
	if orderID != 0 {
		var st struct {
			Status   string
			Sequence int
		}
		fe.W.DB.R.Raw("SELECT status, sequence FROM orders WHERE id = ?", orderID).Scan(&st)
		fmt.Fprintf(&b, "order=%s/%d", st.Status, st.Sequence)
	}
	return b.String()
}

// check sends the request and holds the answer to the rules.
func (fe *fuzzEnv) check(t *testing.T, orderID int64, send func() *httptest.ResponseRecorder) {
	before := fe.snapshot(t, orderID)
	res := send()
	if res.Code >= 500 {
		t.Fatalf("%d: %s", res.Code, res.Body)
	}
	if res.Code >= 400 {
		if after := fe.snapshot(t, orderID); after != before {
			t.Fatalf("refused with %d but wrote: %s → %s\n%s", res.Code, before, after, res.Body)
		}
	}
}

// postJSON sends raw bytes as a JSON body.
func (fe *fuzzEnv) postJSON(login, method, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+fe.bearer[login])
	rec := httptest.NewRecorder()
	fe.S.ServeHTTP(rec, req)
	return rec
}

// formSession is a signed-in browser: the session and CSRF cookies, and the
// token the form would carry (sent in the header the CSRF check also reads,
// so the fuzzed body is the form exactly).
type formSession struct {
	cookies []*http.Cookie
	csrf    string
}

func (fe *fuzzEnv) signInForm(t testing.TB, login string) *formSession {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/login", nil)
	rec := httptest.NewRecorder()
	fe.S.ServeHTTP(rec, req)
	m := csrfField.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	s := &formSession{cookies: rec.Result().Cookies(), csrf: m[1]}
	form := url.Values{"login": {login}, "password": {fixture.Password}, "_csrf": {s.csrf}}
	res := s.post(fe, "/login", []byte(form.Encode()))
	if res.Code != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", login, res.Code)
	}
	s.cookies = append(s.cookies, res.Result().Cookies()...)
	return s
}

func (s *formSession) post(fe *fuzzEnv, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", s.csrf)
	for _, c := range s.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	fe.S.ServeHTTP(rec, req)
	return rec
}

// freshOrder places a requested order for ch-secretary with ch-lecturer,
// at the i-th free time, for a target that needs one in a known state.
func (fe *fuzzEnv) freshOrder(t testing.TB, i int) int64 {
	t.Helper()
	ctx := context.Background()
	A := fe.W.A
	sec, lec := A.Actors["secretary"], A.Actors["lecturer"]
	slots, err := fe.W.Booking.FreeSlots(ctx, sec, A.Lessons[0].ID, lec.LecturerID, 6, 100)
	if err != nil || len(slots) < 2 {
		t.Fatalf("free slots: %v (%d)", err, len(slots))
	}
	a, b := slots[i%len(slots)], slots[(i+1)%len(slots)]
	o, _, err := fe.W.Booking.Create(ctx, sec, booking.NewOrder{LessonID: A.Lessons[0].ID, LecturerID: lec.LecturerID,
		CourtyardID: A.Courtyards[0].ID, Slots: []string{a.Start.Format(time.RFC3339), b.Start.Format(time.RFC3339)}})
	if err != nil {
		t.Fatalf("order: %v", err)
	}
	return o.ID
}

var orderTables = []string{"orders", "order_events", "points_ledger", "inbox_messages"}
var recordTables = []string{"viewings", "practices", "member_lessons", "record_changes"}

func FuzzOrderCreate(f *testing.F) {
	fe := newFuzzEnv(f, orderTables...)
	A := fe.W.A
	slot := fixture.Clock().AddDate(0, 0, 7).Format(time.RFC3339)
	for _, s := range []string{
		fmt.Sprintf(`{"lesson_id":%d,"courtyard_id":%d,"slots":[%q],"audience":30}`, A.Lessons[0].ID, A.Courtyards[0].ID, slot),
		fmt.Sprintf(`{"lesson_id":%d,"lecturer_id":%d,"courtyard_id":%d,"slots":["2026-12-08T09:00","2026-12-09 14:30"],"note":"带投影"}`,
			A.Lessons[1].ID, A.Lecturers[0].ID, A.Courtyards[0].ID),
		fmt.Sprintf(`{"lesson_id":%d,"courtyard_id":%d,"slots":["9999-12-31T23:59:59Z"]}`, fe.W.B.Lessons[0].ID, fe.W.B.Courtyards[0].ID),
		`{"lesson_id":-1,"courtyard_id":0,"slots":[]}`, `{"slots":["0000-01-01T00:00:00Z","2026-13-45T25:61"]}`,
		`{"lesson_id":1e400}`, `{"audience":"many"}`, `[]`, `null`, `{"lesson_id":1}{"lesson_id":2}`, "\xff\xfe{}", `{"note":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, 0, func() *httptest.ResponseRecorder {
			return fe.postJSON(A.Logins["secretary"], http.MethodPost, "/api/v1/orders", body)
		})
	})
}

// fuzzActions are the transitions, each with the login that may make it.
var fuzzActions = []struct{ action, role string }{
	{"accept", "lecturer"}, {"decline", "lecturer"}, {"propose", "lecturer"}, {"respond", "secretary"},
	{"cancel", "secretary"}, {"deliver", "lecturer"}, {"review", "secretary"}, {"reassign", "official"},
}

func FuzzOrderAction(f *testing.F) {
	fe := newFuzzEnv(f, orderTables...)
	A := fe.W.A
	for i, s := range []string{`{"slot":0}`, `{"reason":"有事"}`, `{"start":"2026-12-10T09:00"}`, `{"accept":true}`,
		`{"reason":"村里另有安排"}`, `{"attendees":30,"minutes":25,"summary":"好","photo_links":["https://x.test/a.jpg"]}`,
		`{"stars":5,"comment":"讲得好"}`, fmt.Sprintf(`{"lecturer_id":%d}`, A.Lecturers[1].ID),
		`{"slot":99}`, `{"slot":-1}`, `{"start":"-0001-01-01T00:00"}`, `{"stars":6}`, `{"photo_links":["javascript:alert(1)"]}`,
		`{"attendees":1e9}`, `{"accept":"yes"}`, `{}`, ``} {
		f.Add(uint8(i%len(fuzzActions)), []byte(s))
	}
	n := 0
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		a := fuzzActions[int(which)%len(fuzzActions)]
		n++
		id := fe.freshOrder(t, n)
		fe.check(t, id, func() *httptest.ResponseRecorder {
			return fe.postJSON(A.Logins[a.role], http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/%s", id, a.action), body)
		})
	})
}

func FuzzViewingCreate(f *testing.F) {
	fe := newFuzzEnv(f, recordTables...)
	A := fe.W.A
	for _, s := range []string{
		fmt.Sprintf(`{"film_id":%d,"date":"2026-11-20","attendees":40,"notes":"组织观看"}`, A.Films[0].ID),
		`{"film_title":"自选片","date":"2026-11-21","attendees":12}`,
		fmt.Sprintf(`{"film_id":%d,"date":"2026-11-20"}`, fe.W.B.Films[0].ID),
		`{"date":"0000-00-00"}`, `{"date":"2026-02-30","attendees":-5}`, `{"date":"99999-01-01"}`, `{"branch_id":-1}`, `{"attendees":1e20}`, `"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, 0, func() *httptest.ResponseRecorder {
			return fe.postJSON(A.Logins["secretary"], http.MethodPost, "/api/v1/viewings", body)
		})
	})
}

func FuzzPracticeCreate(f *testing.F) {
	fe := newFuzzEnv(f, recordTables...)
	A := fe.W.A
	for _, s := range []string{
		`{"type":"走访慰问","date":"2026-11-18","participants":12,"opinions":3,"service_items":2}`,
		fmt.Sprintf(`{"type":"义诊","date":"2026-11-18","branch_id":%d}`, fe.W.B.Branches[0].ID),
		`{"type":"","date":"2026-11-18"}`, `{"type":"走访慰问","date":"1900-01-01","participants":-1}`,
		`{"type":"走访慰问","date":"2026-11-18","opinions":9223372036854775807}`, `{"notes":"` + strings.Repeat("长", 3000) + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, 0, func() *httptest.ResponseRecorder {
			return fe.postJSON(A.Logins["secretary"], http.MethodPost, "/api/v1/practices", body)
		})
	})
}

func FuzzRecordUpdate(f *testing.F) {
	fe := newFuzzEnv(f, recordTables...)
	A := fe.W.A
	sec := A.Actors["secretary"]
	v, err := fe.W.ThemeDay.CreateViewing(context.Background(), sec, themeday.ViewingInput{FilmTitle: "片", Date: "2026-11-20", Attendees: 5})
	if err != nil {
		f.Fatal(err)
	}
	p, err := fe.W.ThemeDay.CreatePractice(context.Background(), sec, themeday.PracticeInput{Type: themeday.PracticeTypes[0], Date: "2026-11-20", Participants: 5})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{`{"film_title":"新片","date":"2026-11-22","attendees":9}`, `{"type":"义诊","date":"2026-11-22"}`,
		`{"date":"2026-11-31"}`, `{"attendees":-1}`, `{"branch_id":1}`, `{}`} {
		f.Add(false, []byte(s))
		f.Add(true, []byte(s))
	}
	f.Fuzz(func(t *testing.T, practice bool, body []byte) {
		path := fmt.Sprintf("/api/v1/viewings/%d", v.ID)
		if practice {
			path = fmt.Sprintf("/api/v1/practices/%d", p.ID)
		}
		fe.check(t, 0, func() *httptest.ResponseRecorder {
			return fe.postJSON(A.Logins["secretary"], http.MethodPut, path, body)
		})
	})
}

func FuzzMemberLessonCreate(f *testing.F) {
	fe := newFuzzEnv(f, recordTables...)
	A := fe.W.A
	for _, s := range []string{`{"title":"讲讲身边的榜样","topic":"党史","speaker":"李书记","date":"2026-11-20","attendees":20}`,
		`{"title":"","speaker":"","date":""}`, `{"title":"x","speaker":"y","date":"2026-11-20","branch_id":999999}`, `{"date":"20261120"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fe.check(t, 0, func() *httptest.ResponseRecorder {
			return fe.postJSON(A.Logins["secretary"], http.MethodPost, "/api/v1/member-lessons", body)
		})
	})
}

// FuzzOrderForms drives the pages' forms: the order form and each action
// form, with the fuzzed bytes as the url-encoded body.
func FuzzOrderForms(f *testing.F) {
	fe := newFuzzEnv(f, append(orderTables, recordTables...)...)
	A := fe.W.A
	sessions := map[string]*formSession{}
	for _, role := range []string{"secretary", "lecturer", "official"} {
		sessions[role] = fe.signInForm(f, A.Logins[role])
	}
	for _, s := range []string{
		fmt.Sprintf("courtyard_id=%d&slot=2026-12-08T09:00&slot=2026-12-09T14:30&audience=30&note=hi", A.Courtyards[0].ID),
		"slot=0&reason=x&start=2026-12-10T09:00&accept=1", "attendees=30&minutes=25&summary=ok&photo_links=https://x.test/a.jpg",
		"stars=5&comment=good", "lecturer_id=1", "courtyard_id=%ZZ&slot=%00", "audience=-1&slot=9999-99-99T99:99", "title=t&speaker=s&date=2026-11-20",
		strings.Repeat("a=1&", 2000),
	} {
		for w := uint8(0); w < uint8(len(fuzzActions))+2; w++ {
			f.Add(w, []byte(s))
		}
	}
	n := 0
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		k := int(which) % (len(fuzzActions) + 2)
		var role, path string
		var id int64
		switch k {
		case len(fuzzActions):
			role, path = "secretary", fmt.Sprintf("/lessons/%d/order", A.Lessons[0].ID)
		case len(fuzzActions) + 1:
			role, path = "secretary", "/member-lessons/new"
		default:
			n++
			id = fe.freshOrder(t, n)
			role, path = fuzzActions[k].role, fmt.Sprintf("/orders/%d/%s", id, fuzzActions[k].action)
		}
		fe.check(t, id, func() *httptest.ResponseRecorder { return sessions[role].post(fe, path, body) })
	})
}
