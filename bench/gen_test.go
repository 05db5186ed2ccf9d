package main

import (
	"context"
	"io"
	"testing"
	"time"

	"weike/themeday"

	"weike/booking"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/lessons"
	"weike/org"
)

// TestGenerateQuick fills each database with the quick world and checks it
// against the rules weike enforces (the Postgres run has the exclusion
// constraints to say no to a double booking), and that the coverage matrix
// agrees, cell by cell, with the month-by-month coverage on it.
func TestGenerateQuick(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now()
		if err := generate(ctx, d, scales["quick"], 7, now, io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := generate(ctx, d, scales["quick"], 7, now, io.Discard); err == nil {
			t.Error("generating into a filled database succeeded")
		}
		var n struct{ Orders, Branches, Lessons, Pending, Orphans int64 }
		d.R.Raw(`SELECT (SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM branches) AS branches,
			(SELECT COUNT(*) FROM lessons) AS lessons, (SELECT COUNT(*) FROM orders WHERE status = 'requested') AS pending,
			(SELECT COUNT(*) FROM orders WHERE NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = orders.id)) AS orphans`).Scan(&n)
		if n.Branches != 60 || n.Lessons != 100 || n.Orders < 5000 || n.Pending == 0 || n.Orphans != 0 {
			t.Fatalf("quick world: %+v", n)
		}
		// No lecturer is booked twice within the travel buffer (SQLite has
		// no constraint to catch a generator bug; check it here).
		var clashes int64
		d.R.Raw(`SELECT COUNT(*) FROM orders a JOIN orders b ON a.lecturer_id = b.lecturer_id AND a.id < b.id
			WHERE a.status IN ('confirmed','delivered','reviewed') AND b.status IN ('confirmed','delivered','reviewed')
			AND a.start_at < b.block_end_at AND b.start_at < a.block_end_at`).Scan(&clashes)
		if clashes != 0 {
			t.Fatalf("%d double bookings generated", clashes)
		}

		orgs := org.NewStore(d, time.Now)
		cat := lessons.NewStore(d, time.Now)
		book := booking.NewStore(d, time.Now, orgs, cat)
		td := themeday.NewStore(d, time.Now, book)
		acc, err := orgs.AccountByLogin(ctx, countyLogin(1))
		if err != nil {
			t.Fatal(err)
		}
		act, err := orgs.ActorFor(ctx, acc)
		if err != nil {
			t.Fatal(err)
		}
		loc, _ := time.LoadLocation("Asia/Shanghai")
		cur := time.Date(now.In(loc).Year(), now.In(loc).Month(), 1, 0, 0, 0, 0, loc)
		from, to := cur.AddDate(0, -11, 0).Format("2006-01"), cur.Format("2006-01")
		mx, err := td.Matrix(ctx, act, from, to, themeday.CoverageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		marked := 0
		for j, m := range mx.Months {
			cov, err := td.Coverage(ctx, act, m, themeday.CoverageFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cov.Branches) != len(mx.Branches) {
				t.Fatalf("%s: %d branches in the coverage, %d in the matrix", m, len(cov.Branches), len(mx.Branches))
			}
			for i, b := range cov.Branches {
				c := mx.Branches[i].Cells[j]
				if mx.Branches[i].BranchID != b.BranchID || c.Lesson != b.Lesson || c.Film != b.Film || c.Practice != b.Practice {
					t.Fatalf("%s, branch %d: matrix %+v, coverage %+v", m, b.BranchID, c, b)
				}
				if c.Lesson || c.Film || c.Practice {
					marked++
				}
			}
			if mx.Trend[j].Rates != cov.Rates {
				t.Errorf("%s: trend %+v, coverage %+v", m, mx.Trend[j].Rates, cov.Rates)
			}
		}
		if marked < len(mx.Branches)*len(mx.Months)/2 {
			t.Errorf("only %d marked cells: the comparison proves little", marked)
		}
	})
}

// TestGenerateDeterministic: the same seed and clock make the same world.
func TestGenerateDeterministic(t *testing.T) {
	now := time.Date(2026, 6, 15, 4, 0, 0, 0, time.UTC)
	sum := func() [3]int64 {
		d := dbtest.SQLite(t)
		if err := generate(context.Background(), d, scales["quick"], 3, now, io.Discard); err != nil {
			t.Fatal(err)
		}
		var s [3]int64
		d.R.Raw("SELECT COUNT(*) FROM orders").Scan(&s[0])
		d.R.Raw("SELECT COALESCE(SUM(lecturer_id * branch_id + lesson_id), 0) FROM orders").Scan(&s[1])
		d.R.Raw("SELECT COALESCE(SUM(attendees), 0) FROM viewings").Scan(&s[2])
		return s
	}
	if a, b := sum(), sum(); a != b {
		t.Fatalf("seed 3 made %v, then %v", a, b)
	}
}
