package demo

import (
	"context"
	"testing"
	"time"

	"weike/internal/db"
	"weike/internal/db/dbtest"
)

// TestPlansForEveryMonth: each month of the history, this month and next
// have a published plan, in both towns, and loading again changes none.
func TestPlansForEveryMonth(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		st := storesWithBooking(d)
		if _, err := Load(ctx, st, testPassword); err != nil {
			t.Fatal(err)
		}
		var before int64
		d.R.Table("plan_lessons").Count(&before)
		if _, err := Load(ctx, st, testPassword); err != nil {
			t.Fatal(err)
		}
		var after int64
		d.R.Table("plan_lessons").Count(&after)
		if before != after || before == 0 {
			t.Fatalf("featured lessons %d, then %d after a second load", before, after)
		}
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := clock().In(sh)
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, sh)
		for _, login := range []string{"official", "qh-official"} {
			off := officialOf(t, st, login)
			for i := -12; i <= 1; i++ {
				month := first.AddDate(0, i, 0).Format("2006-01")
				p, err := st.Lessons.Plan(ctx, off, month, 0)
				if err != nil {
					t.Fatal(err)
				}
				if p.PublishedAt == nil || len(p.Lessons) < 3 || len(p.Films) < 1 {
					t.Errorf("%s %s: published %v, %d lessons, %d films", login, month, p.PublishedAt, len(p.Lessons), len(p.Films))
				}
			}
		}
	})
}
