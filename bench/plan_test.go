package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"weike/internal/db"
	"weike/internal/db/dbtest"
)

// TestPlanRounds runs the plan benchmark's drafting on the quick world
// (two towns) on each database: every town has branches to place, and the
// draft places them. The times are the benchmark's business, not the test's.
func TestPlanRounds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sc := scales["quick"]
		sc.PendingPerLecMon = 1
		if err := generate(ctx, d, sc, 3, time.Now(), io.Discard); err != nil {
			t.Fatal(err)
		}
		row, err := planRounds(ctx, d, 1)
		if err != nil {
			t.Fatal(err)
		}
		cells := strings.Split(row, " | ")
		if len(cells) != 8 || cells[5] == "0.0" || cells[6] == "0.0" {
			t.Fatalf("row %q: no branch to place, or none placed", row)
		}
	})
}

// TestLargeProblem: the synthetic town is valid and ten times the bench
// county's size.
func TestLargeProblem(t *testing.T) {
	p := largeProblem(1)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Branches != 300 || len(p.Lecturers) != 150 || len(p.Options) < 100000 {
		t.Fatalf("%d branches, %d lecturers, %d options", p.Branches, len(p.Lecturers), len(p.Options))
	}
}
