package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"weike/booking"
	"weike/dispatch"
	"weike/dispatch/solver"
	"weike/internal/db"
	"weike/internal/tz"
	"weike/lessons"
	"weike/org"
	"weike/themeday"
)

// cmdPlan measures the monthly draft (派单, issue 14): the draft of each town
// of a freshly generated bench county, all twenty towns in a row, on SQLite
// and (with --pg) Postgres, and the solver alone on a synthetic town ten
// times the size.
func cmdPlan(ctx context.Context, args []string, out, errw io.Writer) error {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	pg := fs.String("pg", "", "also run on Postgres: a DSN whose database may get a temporary schema")
	seed := fs.Uint64("seed", 1, "random seed of the generated world")
	rounds := fs.Int("rounds", 5, "how many times every town is drafted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The bench county, but with one pending order per lecturer in each
	// coming month instead of twelve: twelve cover every branch, and a
	// month with nothing to place measures nothing. With one, about 13 of
	// a town's 30 branches have next month's lesson ordered.
	sc := scales["county"]
	sc.PendingPerLecMon = 1
	dir, err := os.MkdirTemp("", "weike-bench-plan-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	targets := []string{filepath.Join(dir, "bench.db")}
	if *pg != "" {
		dsn, drop, err := freshSchema(*pg, false)
		if err != nil {
			return err
		}
		defer drop()
		targets = append(targets, dsn)
	}
	fmt.Fprintf(out, "weike bench plan, county scale (%d towns × %d branches, %d lecturers, %d lessons; one pending order per lecturer and coming month), %d rounds, %s\n\n",
		sc.TownsPerCounty, sc.BranchesPerTown, sc.LecturersPerTown, sc.LessonsPerTown, *rounds, machine())
	fmt.Fprintln(out, "| database | one town's draft: median | p95 | max | all 20 towns: median | max | branches to place per town | placed | solver per town: median |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	for _, dsn := range targets {
		d, err := openMigrated(ctx, dsn)
		if err != nil {
			return err
		}
		now := time.Now()
		if err := generate(ctx, d, sc, *seed, now, errw); err != nil {
			d.Close()
			return err
		}
		row, err := planRounds(ctx, d, *rounds)
		d.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "| %s | %s |\n", dialectOf(dsn), row)
	}
	var times []time.Duration
	p := largeProblem(*seed)
	var placed int
	for range *rounds {
		started := time.Now()
		sol, err := solver.Solve(p)
		if err != nil {
			return err
		}
		times = append(times, time.Since(started))
		placed = len(sol.Assign)
	}
	slices.Sort(times)
	fmt.Fprintf(out, "\nsolver alone, a synthetic town ten times the size (%d branches, %d lecturers, %d sessions, %d options): median %s, max %s, %d placed\n",
		p.Branches, len(p.Lecturers), len(p.Sessions), len(p.Options), ms(times[len(times)/2]), ms(times[len(times)-1]), placed)
	return nil
}

// planRounds drafts next month for every town, rounds times over, and
// returns the table row's cells.
func planRounds(ctx context.Context, d *db.DB, rounds int) (string, error) {
	orgs, cat := org.NewStore(d, nil), lessons.NewStore(d, nil)
	book := booking.NewStore(d, nil, orgs, cat)
	planner := dispatch.NewStore(nil, orgs, cat, book, themeday.NewStore(d, nil, book))
	var towns []int64
	if err := d.R.Raw("SELECT id FROM towns ORDER BY id").Scan(&towns).Error; err != nil {
		return "", err
	}
	month := dispatch.NextMonth(time.Now(), tz.Shanghai)
	var each, all []time.Duration
	var solverMS []float64
	branches, placed := 0, 0
	for r := 0; r <= rounds; r++ {
		started := time.Now()
		for _, id := range towns {
			t0 := time.Now()
			dr, err := planner.Draft(ctx, org.Actor{Role: org.RoleOfficial, TownID: id, Towns: []int64{id}}, month, dispatch.DraftInput{})
			if err != nil {
				return "", err
			}
			if r == 0 {
				// The first round warms the caches and the connections up.
				branches += dr.Stats.Branches
				placed += dr.Stats.Placed
				continue
			}
			each = append(each, time.Since(t0))
			solverMS = append(solverMS, dr.Stats.SolverMS)
		}
		if r > 0 {
			all = append(all, time.Since(started))
		}
	}
	slices.Sort(each)
	slices.Sort(all)
	slices.Sort(solverMS)
	n := len(towns)
	cells := []string{ms(each[len(each)/2]), ms(each[len(each)*95/100]), ms(each[len(each)-1]), ms(all[len(all)/2]), ms(all[len(all)-1]),
		fmt.Sprintf("%.1f", float64(branches)/float64(n)), fmt.Sprintf("%.1f", float64(placed)/float64(n)),
		fmt.Sprintf("%.1f ms", solverMS[len(solverMS)/2])}
	return strings.Join(cells, " | "), nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// largeProblem is a town ten times the bench county's: 300 branches, 150
// lecturers with 13 sessions each and room for 12 lessons, 500 lessons
// given by one to three lecturers each, and an option for every branch,
// lecturer and lesson she gives, costed as the planner costs them (topic
// variety, up to 15 km of travel).
func largeProblem(seed uint64) solver.Problem {
	r := rand.New(rand.NewPCG(seed, 0x706c616e))
	p := solver.Problem{Branches: 300}
	lessonsOf := make([][]int, 150)
	minutes := make([]int, 500)
	for l := range minutes {
		minutes[l] = 15 + 5*r.IntN(7)
		for _, k := range r.Perm(150)[:1+r.IntN(3)] {
			lessonsOf[k] = append(lessonsOf[k], l)
		}
	}
	for l := range 150 {
		loads := make([]int64, 12)
		for k := range loads {
			loads[k] = int64(15 * k)
		}
		p.Lecturers = append(p.Lecturers, solver.Lecturer{Capacity: 12, LoadCost: loads})
		for range 13 {
			p.Sessions = append(p.Sessions, solver.Session{Lecturer: l, Length: 90 + 30*r.IntN(5)})
		}
	}
	topic := []int64{0, 100, 300, 400, 900, 1000}
	for b := range 300 {
		for l := range 150 {
			travel := int64(r.IntN(150))
			for _, ls := range lessonsOf[l] {
				p.Options = append(p.Options, solver.Option{Branch: b, Lecturer: l, Need: minutes[ls] + 30,
					Cost: topic[r.IntN(len(topic))] + travel, Tag: ls})
			}
		}
	}
	return p
}
