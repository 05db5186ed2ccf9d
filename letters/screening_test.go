package letters_test

import (
	"context"
	"testing"

	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/lessons"
	"weike/letters"
)

// TestScreeningBeforeTheMonthSaysSo: December's schedule names a film's
// date as its screening, and one in late November as the month before.
func TestScreeningBeforeTheMonthSaysSo(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, _ := scheduleWorld(t, d)
		a := w.A
		if _, err := w.Lessons.PutPlan(ctx, a.Official, "2026-12", lessons.PlanInput{Note: "十二月",
			LessonIDs: []int64{a.Lessons[0].ID, a.Lessons[1].ID, a.Lessons[2].ID},
			Films:     []lessons.PlanFilmInput{{FilmID: a.Films[0].ID, PreviewDate: "2026-11-28"}}}); err != nil {
			t.Fatal(err)
		}
		ls, err := w.Letters.MonthlyLetters(ctx, a.Town.ID, "2026-12", "https://weike.test")
		if err != nil {
			t.Fatal(err)
		}
		sec := letterOf(t, ls, letters.KindMonthlySecretary, a.Actors["secretary"].AccountID)
		mustHave(t, "secretary's letter", sec.Text, "放映日期 11月28日 周六（上月）")
	})
}
