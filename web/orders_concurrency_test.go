package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/lessons"
	"weike/org"
)

const racers = 50

// tokenFor gives an account an API token without a sign-in's bcrypt.
func (e *env) tokenFor(t *testing.T, a *org.Account) string {
	t.Helper()
	act, err := e.W.Org.ActorFor(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := e.W.Org.CreateToken(context.Background(), act, "race")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// race sends every request at once and counts the statuses.
func (e *env) race(t *testing.T, reqs []func() *http.Request) map[int]int {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	codes := make([]int, len(reqs))
	bodies := make([]string, len(reqs))
	for i, mk := range reqs {
		req := mk()
		wg.Add(1)
		go func(i int, req *http.Request) {
			defer wg.Done()
			<-start
			rec := httptest.NewRecorder()
			e.S.ServeHTTP(rec, req)
			codes[i], bodies[i] = rec.Code, rec.Body.String()
		}(i, req)
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for i, c := range codes {
		count[c]++
		if c >= 500 {
			t.Errorf("request %d: %d %s", i, c, bodies[i])
		}
	}
	return count
}

func jsonReq(method, path, token string, body any) *http.Request {
	b, _ := json.Marshal(body)
	r := httptest.NewRequest(method, path, bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// TestNoDoubleBookingOfALecturer: fifty branches ordered one lecturer at
// overlapping times; the lecturer's fifty accepts arrive together. Exactly
// one is confirmed; the others are refused with 409.
func TestNoDoubleBookingOfALecturer(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		off := e.W.A.Official
		lect := e.W.A.Lecturers[0]
		hash, err := e.W.Org.HashPassword("irrelevant-pass")
		if err != nil {
			t.Fatal(err)
		}
		var orders []int64
		for i := 0; i < racers; i++ {
			b, err := e.W.Org.CreateBranch(ctx, off, org.BranchInput{Name: fmt.Sprintf("赛跑村%02d", i)})
			if err != nil {
				t.Fatal(err)
			}
			cy, err := e.W.Org.CreateCourtyard(ctx, off, b.ID, org.CourtyardInput{Name: "屋场"})
			if err != nil {
				t.Fatal(err)
			}
			a, err := e.W.Org.CreateAccount(ctx, org.NewAccount{Login: fmt.Sprintf("race-sec-%02d", i), PasswordHash: hash,
				Role: org.RoleSecretary, TownID: e.W.A.Town.ID, BranchID: b.ID})
			if err != nil {
				t.Fatal(err)
			}
			// Starts 14:00 to 14:40: every pair lies within the lesson plus
			// the 30-minute travel buffer of each other.
			start := fmt.Sprintf("2026-12-05T14:%02d:00+08:00", (i%5)*10)
			res := e.do(http.MethodPost, "/api/v1/orders", e.tokenFor(t, a), map[string]any{"lesson_id": e.W.A.Lessons[0].ID,
				"lecturer_id": lect.ID, "courtyard_id": cy.ID, "slots": []string{start}})
			if res.Code != http.StatusCreated {
				t.Fatalf("order %d: %d %s", i, res.Code, res.Body)
			}
			var o orderJSON
			mustJSON(t, res, &o)
			orders = append(orders, o.ID)
		}
		tok := e.token("ch-lecturer")
		var reqs []func() *http.Request
		for _, id := range orders {
			path := fmt.Sprintf("/api/v1/orders/%d/accept", id)
			reqs = append(reqs, func() *http.Request { return jsonReq(http.MethodPost, path, tok, map[string]int{"slot": 0}) })
		}
		got := e.race(t, reqs)
		if got[http.StatusOK] != 1 || got[http.StatusConflict] != racers-1 {
			t.Fatalf("statuses %v: want one 200 and %d × 409", got, racers-1)
		}
		assertOneConfirmed(t, d, "lecturer_id", lect.ID)
	})
}

// TestNoDoubleBookingOfABranch: one branch ordered fifty lecturers for the
// same hour; all fifty accept at once. Exactly one lesson is confirmed.
func TestNoDoubleBookingOfABranch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		off := e.W.A.Official
		lesson := e.W.A.Lessons[0]
		hash, err := e.W.Org.HashPassword("irrelevant-pass")
		if err != nil {
			t.Fatal(err)
		}
		var tokens []string
		ids := append([]int64{}, lesson.LecturerIDs...)
		for i := 0; i < racers; i++ {
			l, err := e.W.Lessons.CreateLecturer(ctx, off, lessons.LecturerInput{Name: fmt.Sprintf("讲师%02d", i), MonthlyCapacity: 4,
				Availability: []lessons.Window{{Weekday: 6, StartMinute: 8 * 60, EndMinute: 20 * 60}}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
			a, err := e.W.Org.CreateAccount(ctx, org.NewAccount{Login: fmt.Sprintf("race-lec-%02d", i), PasswordHash: hash,
				Role: org.RoleLecturer, TownID: e.W.A.Town.ID, LecturerID: l.ID})
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, e.tokenFor(t, a))
		}
		if _, err := e.W.Lessons.UpdateLesson(ctx, off, lesson.ID, lessons.LessonInput{Title: lesson.Title, TopicID: lesson.TopicID,
			DurationMinutes: lesson.DurationMinutes, Status: lesson.Status, LecturerIDs: ids}); err != nil {
			t.Fatal(err)
		}
		sec := e.token("ch-secretary")
		var reqs []func() *http.Request
		for i, lid := range ids[len(ids)-racers:] {
			start := fmt.Sprintf("2026-12-05T15:%02d:00+08:00", (i%3)*5)
			res := e.do(http.MethodPost, "/api/v1/orders", sec, map[string]any{"lesson_id": lesson.ID, "lecturer_id": lid,
				"courtyard_id": e.W.A.Courtyards[0].ID, "slots": []string{start}})
			if res.Code != http.StatusCreated {
				t.Fatalf("order %d: %d %s", i, res.Code, res.Body)
			}
			var o orderJSON
			mustJSON(t, res, &o)
			path, tok := fmt.Sprintf("/api/v1/orders/%d/accept", o.ID), tokens[i]
			reqs = append(reqs, func() *http.Request { return jsonReq(http.MethodPost, path, tok, map[string]int{"slot": 0}) })
		}
		got := e.race(t, reqs)
		if got[http.StatusOK] != 1 || got[http.StatusConflict] != racers-1 {
			t.Fatalf("statuses %v: want one 200 and %d × 409", got, racers-1)
		}
		assertOneConfirmed(t, d, "branch_id", e.W.A.Branches[0].ID)
	})
}

func assertOneConfirmed(t *testing.T, d *db.DB, col string, id int64) {
	t.Helper()
	var n int64
	if err := d.R.Table("orders").Where(col+" = ? AND status = ?", id, "confirmed").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d confirmed orders for %s %d, want 1", n, col, id)
	}
}

// TestPostgresRefusesOverlapByItself: the exclusion constraints hold even
// for a writer that skips the application's checks.
func TestPostgresRefusesOverlapByItself(t *testing.T) {
	t.Parallel()
	d := dbtest.Postgres(t)
	e := newEnv(t, d)
	ins := func(lecturer, branch, courtyard int64, start time.Time) error {
		end := start.Add(20 * time.Minute)
		return d.W.Exec(`INSERT INTO orders (town_id, branch_id, courtyard_id, lesson_id, lecturer_id, status, slots,
			duration_minutes, start_at, end_at, block_end_at, answer_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'confirmed', '[]', 20, ?, ?, ?, ?, ?, ?)`, e.W.A.Town.ID, branch, courtyard,
			e.W.A.Lessons[0].ID, lecturer, start, end, end.Add(30*time.Minute), start, start, start).Error
	}
	t0 := mustTime(sat1400)
	a := e.W.A
	if err := ins(a.Lecturers[0].ID, a.Branches[0].ID, a.Courtyards[0].ID, t0); err != nil {
		t.Fatal(err)
	}
	// Same lecturer, 40 minutes later at another branch: inside the buffer.
	if err := ins(a.Lecturers[0].ID, a.Branches[1].ID, a.Courtyards[1].ID, t0.Add(40*time.Minute)); !db.IsExclusionViolation(err) {
		t.Fatalf("lecturer overlap: %v", err)
	}
	// Same branch, another lecturer, overlapping.
	if err := ins(a.Lecturers[1].ID, a.Branches[0].ID, a.Courtyards[0].ID, t0.Add(10*time.Minute)); !db.IsExclusionViolation(err) {
		t.Fatalf("branch overlap: %v", err)
	}
	// Just outside the buffer is fine.
	if err := ins(a.Lecturers[0].ID, a.Branches[1].ID, a.Courtyards[1].ID, t0.Add(50*time.Minute)); err != nil {
		t.Fatalf("after the buffer: %v", err)
	}
}
