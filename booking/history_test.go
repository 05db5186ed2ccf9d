package booking_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"weike/themeday"

	"weike/booking"
	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
)

// local is a wall-clock time in the fixture towns' zone.
func local(s string) time.Time {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func wantCode(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("got %v, want kind %d code %q", err, kind, code)
	}
}

func TestRecordPastLesson(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		off := a.Official
		// The fixture's clock is Monday 2026-11-30 10:00; Saturday the 28th
		// 14:00 lies inside both lecturers' windows.
		past := booking.PastLesson{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[0].ID, CourtyardID: a.Courtyards[0].ID,
			Start: local("2026-11-28 14:00"), Attendees: 35, Summary: "在屋场讲了一堂", Stars: 5, Comment: "讲得好"}

		o, err := w.Booking.RecordPastLesson(ctx, off, past)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != booking.Reviewed || o.BranchID != a.Branches[0].ID || o.Stars == nil || *o.Stars != 5 ||
			o.Attendees == nil || *o.Attendees != 35 || o.DeliveredMinutes == nil || *o.DeliveredMinutes != a.Lessons[0].DurationMinutes {
			t.Errorf("recorded order: %+v", o)
		}
		if !o.StartAt.Equal(past.Start) || !o.AnswerBy.Equal(past.Start) || !o.CreatedAt.Equal(past.Start.AddDate(0, 0, -7)) {
			t.Errorf("start %v answer_by %v created %v", o.StartAt, o.AnswerBy, o.CreatedAt)
		}
		// Each step is credited to who took it: the branch's secretary
		// ordered and rated, the lecturer accepted and gave the lesson.
		by := map[booking.Status]string{booking.Requested: "secretary", booking.Confirmed: "lecturer",
			booking.Delivered: "lecturer", booking.Reviewed: "secretary"}
		var trail []string
		for i, e := range o.History {
			trail = append(trail, string(e.ToStatus))
			if e.Detail != booking.HistoryDetail || e.Role != by[e.ToStatus] || e.AccountID == nil || *e.AccountID != a.Actors[by[e.ToStatus]].AccountID {
				t.Errorf("event %+v not marked as history by the %s", e, by[e.ToStatus])
			}
			if i > 0 && e.At.Before(o.History[i-1].At) || e.At.After(w.Now) {
				t.Errorf("event %d at %v out of order", i, e.At)
			}
		}
		if want := []string{"requested", "confirmed", "delivered", "reviewed"}; len(trail) != 4 || trail[0] != want[0] || trail[3] != want[3] {
			t.Errorf("trail %v, want %v", trail, want)
		}

		// The lesson counts for the branch's month and earned its points.
		mc, err := w.ThemeDay.Coverage(ctx, off, "2026-11", themeday.CoverageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range mc.Branches {
			if b.BranchID == a.Branches[0].ID && !b.Lesson {
				t.Errorf("branch %s has no lesson mark for 2026-11", b.Name)
			}
		}
		pr, err := w.Booking.Points(ctx, a.Actors["lecturer"], "2026-11", 0)
		if err != nil {
			t.Fatal(err)
		}
		if pr.Mine == nil || pr.Mine.Total != 12 || pr.Mine.Month != 12 {
			t.Errorf("lecturer's points %+v, want 10 delivered + 2 five-star in 2026-11", pr.Mine)
		}

		// Without stars the lesson stays delivered and earns no bonus.
		plain := past
		plain.LecturerID, plain.CourtyardID, plain.Stars = a.Lecturers[1].ID, a.Courtyards[1].ID, 0
		plain.Start = local("2026-11-25 19:00")
		o2, err := w.Booking.RecordPastLesson(ctx, off, plain)
		if err != nil {
			t.Fatal(err)
		}
		if o2.Status != booking.Delivered || o2.Stars != nil || len(o2.History) != 3 {
			t.Errorf("unreviewed record: status %s stars %v events %d", o2.Status, o2.Stars, len(o2.History))
		}
		// Its branch and lecturer have no accounts: the official who
		// recorded it stands in.
		for _, e := range o2.History {
			if e.Role != "official" || e.AccountID == nil || *e.AccountID != off.AccountID {
				t.Errorf("a step of a lesson whose parties have no accounts: %+v", e)
			}
		}

		// An order that came to nothing occupies no time.
		declined := past
		declined.Outcome, declined.Reason, declined.Stars = booking.Declined, "当天外出", 0
		o3, err := w.Booking.RecordPastLesson(ctx, off, declined)
		if err != nil {
			t.Fatal(err)
		}
		if o3.Status != booking.Declined || o3.StartAt != nil || len(o3.History) != 2 {
			t.Errorf("declined record: %+v", o3)
		} else if o3.History[0].Role != "secretary" || o3.History[1].Role != "lecturer" {
			t.Errorf("declined record: ordered by %s, declined by %s", o3.History[0].Role, o3.History[1].Role)
		}

		other := w.B
		refused := []struct {
			name string
			act  func() (any, error)
			kind apperr.Kind
			code string
		}{
			{"lecturer busy within the buffer", func() (any, error) {
				p := past
				p.CourtyardID, p.Start = a.Courtyards[2].ID, local("2026-11-28 14:40")
				return w.Booking.RecordPastLesson(ctx, off, p)
			}, apperr.Conflict, "order.lecturer_busy"},
			{"branch busy", func() (any, error) {
				p := past
				p.LecturerID, p.Start = a.Lecturers[1].ID, local("2026-11-28 14:10")
				return w.Booking.RecordPastLesson(ctx, off, p)
			}, apperr.Conflict, "order.branch_busy"},
			{"future start", func() (any, error) {
				p := past
				p.Start = local("2026-12-05 14:00")
				return w.Booking.RecordPastLesson(ctx, off, p)
			}, apperr.Invalid, "order.not_yet"},
			{"secretary", func() (any, error) {
				return w.Booking.RecordPastLesson(ctx, a.Actors["secretary"], past)
			}, apperr.Forbidden, ""},
			{"lecturer", func() (any, error) {
				return w.Booking.RecordPastLesson(ctx, a.Actors["lecturer"], past)
			}, apperr.Forbidden, ""},
			{"county viewer", func() (any, error) {
				return w.Booking.RecordPastLesson(ctx, w.County, past)
			}, apperr.Forbidden, ""},
			{"another town's courtyard", func() (any, error) {
				p := past
				p.CourtyardID, p.Start = other.Courtyards[0].ID, local("2026-11-21 14:00")
				return w.Booking.RecordPastLesson(ctx, off, p)
			}, apperr.Invalid, "validation"},
			{"another town's lesson", func() (any, error) {
				p := past
				p.LessonID, p.Start = other.Lessons[0].ID, local("2026-11-21 14:00")
				return w.Booking.RecordPastLesson(ctx, off, p)
			}, apperr.NotFound, ""},
			{"another town's lecturer", func() (any, error) {
				p := past
				p.LecturerID, p.Start = other.Lecturers[0].ID, local("2026-11-21 14:00")
				return w.Booking.RecordPastLesson(ctx, off, p)
			}, apperr.Invalid, "validation"},
			{"draft lesson", func() (any, error) {
				p := past
				p.LessonID, p.Start = a.Lessons[3].ID, local("2026-11-21 14:00")
				return w.Booking.RecordPastLesson(ctx, off, p)
			}, apperr.Invalid, "order.lesson_not_published"},
			{"no attendees", func() (any, error) {
				p := past
				p.Attendees, p.Start = 0, local("2026-11-21 14:00")
				return w.Booking.RecordPastLesson(ctx, off, p)
			}, apperr.Invalid, "validation"},
			{"declined without reason", func() (any, error) {
				p := declined
				p.Reason = " "
				return w.Booking.RecordPastLesson(ctx, off, p)
			}, apperr.Invalid, "validation"},
		}
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				_, err := c.act()
				wantCode(t, err, c.kind, c.code)
			})
		}

		// Refusals wrote nothing: two lessons delivered, one declined.
		tot, err := w.ThemeDay.Totals(ctx, off, "2026-11", "2026-11", themeday.CoverageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if tot.Orders != 3 || tot.DeliveredLessons != 2 {
			t.Errorf("totals: %d orders, %d delivered; want 3 and 2", tot.Orders, tot.DeliveredLessons)
		}
	})
}

func TestRecordMemberLessons(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a := w.A
		ins := []themeday.NewMemberLesson{
			{BranchID: a.Branches[0].ID, Title: "我身边的好党员", Topic: "红色教育", Speaker: "王大军", Date: "2026-10-12", Attendees: 20},
			{BranchID: a.Branches[1].ID, Title: "我家这十年", Speaker: "李小红", Date: "2026-11-29", Attendees: 15},
		}
		n, err := w.ThemeDay.RecordMemberLessons(ctx, a.Official, ins)
		if err != nil || n != 2 {
			t.Fatalf("recorded %d, %v", n, err)
		}
		ms, err := w.ThemeDay.MemberLessons(ctx, a.Official, "2026-10")
		if err != nil || len(ms) != 1 || ms[0].Speaker != "王大军" {
			t.Fatalf("October's member lessons: %+v %v", ms, err)
		}

		bad := []struct {
			name  string
			act   func() error
			kind  apperr.Kind
			field string
		}{
			{"future date", func() error {
				_, err := w.ThemeDay.RecordMemberLessons(ctx, a.Official, append(ins[:1:1],
					themeday.NewMemberLesson{BranchID: a.Branches[0].ID, Title: "t", Speaker: "s", Date: "2026-12-02", Attendees: 3}))
				return err
			}, apperr.Invalid, "1.date"},
			{"another town's branch", func() error {
				_, err := w.ThemeDay.RecordMemberLessons(ctx, a.Official, []themeday.NewMemberLesson{
					{BranchID: w.B.Branches[0].ID, Title: "t", Speaker: "s", Date: "2026-11-02", Attendees: 3}})
				return err
			}, apperr.Invalid, "0.branch_id"},
			{"secretary", func() error {
				_, err := w.ThemeDay.RecordMemberLessons(ctx, a.Actors["secretary"], ins)
				return err
			}, apperr.Forbidden, ""},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				err := c.act()
				e, ok := apperr.As(err)
				if !ok || e.Kind != c.kind || (c.field != "" && e.Fields[c.field] == "") {
					t.Errorf("got %v, want kind %d on field %q", err, c.kind, c.field)
				}
			})
		}
		// A refused batch writes none of its lessons.
		all, err := w.ThemeDay.MemberLessons(ctx, a.Official, "")
		if err != nil || len(all) != 2 {
			t.Errorf("%d member lessons after refused batches, want 2 (%v)", len(all), err)
		}
	})
}

func TestHistoryBatches(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		a, off := w.A, w.A.Official
		lesson := func(lec, court int, at string) booking.PastLesson {
			return booking.PastLesson{LessonID: a.Lessons[0].ID, LecturerID: a.Lecturers[lec].ID, CourtyardID: a.Courtyards[court].ID,
				Start: local(at), Attendees: 20}
		}
		count := func() (orders, viewings, practices int) {
			p, err := w.Booking.List(ctx, off, booking.OrderFilter{})
			if err != nil {
				t.Fatal(err)
			}
			vs, err := w.ThemeDay.Viewings(ctx, off, themeday.RecordFilter{})
			if err != nil {
				t.Fatal(err)
			}
			ps, err := w.ThemeDay.Practices(ctx, off, themeday.RecordFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return int(p.Total), len(vs), len(ps)
		}
		film := a.Films[0].ID
		refused := []struct {
			name  string
			run   func() error
			kind  apperr.Kind
			field string // the indexed field named, or the detail index for a clash
		}{
			{"lessons clashing within the batch", func() error {
				_, err := w.Booking.RecordPastLessons(ctx, off, []booking.PastLesson{
					lesson(0, 0, "2026-11-21 14:00"), lesson(0, 1, "2026-11-21 14:30")})
				return err
			}, apperr.Conflict, "index 1"},
			{"a lesson ahead", func() error {
				_, err := w.Booking.RecordPastLessons(ctx, off, []booking.PastLesson{
					lesson(0, 0, "2026-11-21 14:00"), lesson(1, 1, "2026-12-05 14:00")})
				return err
			}, apperr.Invalid, "index 1"},
			{"a lesson by a secretary", func() error {
				_, err := w.Booking.RecordPastLessons(ctx, a.Actors["secretary"], []booking.PastLesson{lesson(0, 0, "2026-11-21 14:00")})
				return err
			}, apperr.Forbidden, ""},
			{"a viewing of another town's film", func() error {
				_, err := w.ThemeDay.RecordViewings(ctx, off, []themeday.ViewingInput{
					{BranchID: a.Branches[0].ID, FilmID: film, Date: "2026-11-02", Attendees: 9},
					{BranchID: a.Branches[1].ID, FilmID: w.B.Films[0].ID, Date: "2026-11-02", Attendees: 9}})
				return err
			}, apperr.Invalid, "1.film_id"},
			{"a viewing in another town's branch", func() error {
				_, err := w.ThemeDay.RecordViewings(ctx, off, []themeday.ViewingInput{
					{BranchID: w.B.Branches[0].ID, FilmID: film, Date: "2026-11-02", Attendees: 9}})
				return err
			}, apperr.Invalid, "0.branch_id"},
			{"a practice without participants", func() error {
				_, err := w.ThemeDay.RecordPractices(ctx, off, []themeday.PracticeInput{
					{BranchID: a.Branches[0].ID, Type: "义诊", Date: "2026-11-02", Participants: 4},
					{BranchID: a.Branches[0].ID, Type: "义诊", Date: "2026-11-02"}})
				return err
			}, apperr.Invalid, "1.participants"},
			{"practices by a secretary", func() error {
				_, err := w.ThemeDay.RecordPractices(ctx, a.Actors["secretary"], []themeday.PracticeInput{
					{BranchID: a.Branches[0].ID, Type: "义诊", Date: "2026-11-02", Participants: 4}})
				return err
			}, apperr.Forbidden, ""},
		}
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				err := c.run()
				e, ok := apperr.As(err)
				if !ok || e.Kind != c.kind {
					t.Fatalf("got %v, want kind %d", err, c.kind)
				}
				var idx int
				if n, _ := fmt.Sscanf(c.field, "index %d", &idx); n == 1 {
					if e.Detail["index"] != idx {
						t.Errorf("detail %v, want index %d", e.Detail, idx)
					}
				} else if c.field != "" && e.Fields[c.field] == "" {
					t.Errorf("fields %v, want %s", e.Fields, c.field)
				}
			})
		}
		if o, v, p := count(); o+v+p != 0 {
			t.Fatalf("refused batches wrote %d orders, %d viewings, %d practices", o, v, p)
		}

		n, err := w.Booking.RecordPastLessons(ctx, off, []booking.PastLesson{
			lesson(0, 0, "2026-11-21 14:00"), lesson(0, 1, "2026-11-21 15:30"), lesson(1, 0, "2026-11-25 19:00")})
		if err != nil || n != 3 {
			t.Fatalf("recorded %d lessons: %v", n, err)
		}
		if n, err = w.ThemeDay.RecordViewings(ctx, off, []themeday.ViewingInput{
			{BranchID: a.Branches[0].ID, FilmID: film, Date: "2026-11-02", Attendees: 9, Notes: "观后交流"},
			{BranchID: a.Branches[1].ID, FilmID: film, Date: "2026-11-03", Attendees: 12},
			{BranchID: a.Branches[1].ID, FilmTitle: "榜样8", Date: "2026-11-04", Attendees: 12}}); err != nil || n != 3 {
			t.Fatalf("recorded %d viewings: %v", n, err)
		}
		if n, err = w.ThemeDay.RecordPractices(ctx, off, []themeday.PracticeInput{
			{BranchID: a.Branches[0].ID, Type: "民情走访", Date: "2026-11-02", Participants: 6, Opinions: 7, ServiceItems: 3}}); err != nil || n != 1 {
			t.Fatalf("recorded %d practices: %v", n, err)
		}
		vs, err := w.ThemeDay.Viewings(ctx, off, themeday.RecordFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.FilmTitle == "" || (v.FilmTitle != "榜样8") != (v.FilmID != nil && *v.FilmID == film) {
				t.Errorf("viewing %+v: film not as recorded", v)
			}
		}
		tot, err := w.ThemeDay.Totals(ctx, off, "2026-11", "2026-11", themeday.CoverageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if tot.DeliveredLessons != 3 || tot.FilmViewings != 3 || tot.Opinions != 7 || tot.BranchesReached != 2 {
			t.Errorf("totals after the batches: %+v", tot)
		}
	})
}
