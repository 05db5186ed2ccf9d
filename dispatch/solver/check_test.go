package solver

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// verify checks every constraint of a draft against p, independently of the
// solver, and returns the cost recomputed from the assignments.
func verify(p Problem, sol Solution) (int64, error) {
	seen := make([]bool, p.Branches)
	usedSession := make([]bool, len(p.Sessions))
	lessons := make([]int, len(p.Lecturers))
	var cost int64
	for i, a := range sol.Assign {
		if a.Branch < 0 || a.Branch >= p.Branches {
			return 0, fmt.Errorf("assignment %d: branch %d out of range", i, a.Branch)
		}
		if i > 0 && sol.Assign[i-1].Branch >= a.Branch {
			return 0, fmt.Errorf("assignment %d: branches not strictly ascending", i)
		}
		if a.Option < 0 || a.Option >= len(p.Options) {
			return 0, fmt.Errorf("assignment %d: option %d out of range", i, a.Option)
		}
		if a.Session < 0 || a.Session >= len(p.Sessions) {
			return 0, fmt.Errorf("assignment %d: session %d out of range", i, a.Session)
		}
		o, s := p.Options[a.Option], p.Sessions[a.Session]
		if o.Branch != a.Branch {
			return 0, fmt.Errorf("assignment %d: option %d is for branch %d, not %d", i, a.Option, o.Branch, a.Branch)
		}
		if s.Lecturer != o.Lecturer {
			return 0, fmt.Errorf("assignment %d: session %d is lecturer %d's, option is lecturer %d's", i, a.Session, s.Lecturer, o.Lecturer)
		}
		if s.Length < o.Need {
			return 0, fmt.Errorf("assignment %d: session %d has %d minutes, option needs %d", i, a.Session, s.Length, o.Need)
		}
		if a.Tag != o.Tag {
			return 0, fmt.Errorf("assignment %d: tag %d, option's is %d", i, a.Tag, o.Tag)
		}
		if usedSession[a.Session] {
			return 0, fmt.Errorf("assignment %d: session %d used twice", i, a.Session)
		}
		usedSession[a.Session] = true
		seen[a.Branch] = true
		cost += o.Cost
		lessons[o.Lecturer]++
	}
	for l, n := range lessons {
		if n > p.Lecturers[l].Capacity {
			return 0, fmt.Errorf("lecturer %d: %d lessons over capacity %d", l, n, p.Lecturers[l].Capacity)
		}
		for k := range n {
			cost += p.Lecturers[l].LoadCost[k]
		}
	}
	var unplaced []int
	for b, ok := range seen {
		if !ok {
			unplaced = append(unplaced, b)
		}
	}
	if !slices.Equal(unplaced, sol.Unplaced) {
		return 0, fmt.Errorf("unplaced %v, want %v", sol.Unplaced, unplaced)
	}
	if cost != sol.Cost {
		return 0, fmt.Errorf("reported cost %d, recomputed %d", sol.Cost, cost)
	}
	return cost, nil
}

// bruteForce tries, for each branch, leaving it unplaced and every compatible
// (option, session), and returns the lexicographic optimum: most branches
// placed, then least cost. It shares no code with the solver.
func bruteForce(p Problem) (placed int, cost int64) {
	byBranch := make([][]int, p.Branches)
	for k, o := range p.Options {
		byBranch[o.Branch] = append(byBranch[o.Branch], k)
	}
	used := make([]bool, len(p.Sessions))
	lessons := make([]int, len(p.Lecturers))
	bestPlaced, bestCost := -1, int64(0)
	var walk func(b, n int, c int64)
	walk = func(b, n int, c int64) {
		if b == p.Branches {
			if n > bestPlaced || n == bestPlaced && c < bestCost {
				bestPlaced, bestCost = n, c
			}
			return
		}
		// Even placing every remaining branch cannot beat the best count.
		if n+p.Branches-b < bestPlaced {
			return
		}
		walk(b+1, n, c)
		for _, k := range byBranch[b] {
			o := p.Options[k]
			lec := p.Lecturers[o.Lecturer]
			if lessons[o.Lecturer] >= lec.Capacity {
				continue
			}
			for s, sess := range p.Sessions {
				if used[s] || sess.Lecturer != o.Lecturer || sess.Length < o.Need {
					continue
				}
				used[s] = true
				load := lec.LoadCost[lessons[o.Lecturer]]
				lessons[o.Lecturer]++
				walk(b+1, n+1, c+o.Cost+load)
				lessons[o.Lecturer]--
				used[s] = false
			}
		}
	}
	walk(0, 0, 0)
	return bestPlaced, bestCost
}

// smallProblem draws a problem small enough for bruteForce: up to 7
// branches, 4 lecturers with up to 3 sessions each, capacities 0–3, convex
// load costs and up to 3 options per branch (often none). Costs are drawn
// from narrow ranges so that ties, where determinism matters, are common.
func smallProblem(r *rand.Rand) Problem {
	lengths := []int{45, 60, 90, 120}
	p := Problem{Branches: max(r.IntN(8), r.IntN(8))}
	nl := 1 + r.IntN(4)
	for range nl {
		capa := r.IntN(4) + r.IntN(2)*r.IntN(3)
		capa = min(capa, 3)
		loads := make([]int64, capa+r.IntN(2))
		var c, step int64 = r.Int64N(10), 0
		for k := range loads {
			step += r.Int64N(8)
			loads[k] = c
			c += step
		}
		p.Lecturers = append(p.Lecturers, Lecturer{Capacity: capa, LoadCost: loads})
		for range 1 + r.IntN(4) - r.IntN(2) {
			p.Sessions = append(p.Sessions, Session{Lecturer: len(p.Lecturers) - 1, Length: lengths[r.IntN(len(lengths))]})
		}
	}
	r.Shuffle(len(p.Sessions), func(i, j int) { p.Sessions[i], p.Sessions[j] = p.Sessions[j], p.Sessions[i] })
	for b := range p.Branches {
		if r.IntN(5) == 0 {
			continue
		}
		for range 1 + r.IntN(4) {
			p.Options = append(p.Options, Option{
				Branch:   b,
				Lecturer: r.IntN(nl),
				Need:     lengths[r.IntN(len(lengths))] - 15*r.IntN(3),
				Cost:     r.Int64N(30),
				Tag:      r.IntN(100),
			})
		}
	}
	r.Shuffle(len(p.Options), func(i, j int) { p.Options[i], p.Options[j] = p.Options[j], p.Options[i] })
	return p
}

// townProblem draws a synthetic town: each lecturer has sessionsEach sessions
// and a capacity of 2–5 with quadratic load costs, each branch has options
// for lecturersEach lecturers with lessonsEach lessons each, whose costs mix
// topic variety and travel.
func townProblem(seed uint64, branches, lecturers, sessionsEach, lecturersEach, lessonsEach int) Problem {
	r := rand.New(rand.NewPCG(seed, 0x77656b65))
	p := Problem{Branches: branches}
	for l := range lecturers {
		capa := 2 + r.IntN(4)
		loads := make([]int64, capa)
		for k := range loads {
			loads[k] = int64(40*k*k) + int64(10*k)
		}
		p.Lecturers = append(p.Lecturers, Lecturer{Capacity: capa, LoadCost: loads})
		for range sessionsEach {
			p.Sessions = append(p.Sessions, Session{Lecturer: l, Length: 60 + 30*r.IntN(7)})
		}
	}
	lessonMinutes := []int{30, 45, 60}
	for b := range branches {
		for _, l := range r.Perm(lecturers)[:min(lecturersEach, lecturers)] {
			travel := 10 + r.IntN(60)
			for range lessonsEach {
				p.Options = append(p.Options, Option{
					Branch:   b,
					Lecturer: l,
					Need:     lessonMinutes[r.IntN(len(lessonMinutes))] + 2*travel,
					Cost:     int64(r.IntN(200) + 3*travel),
					Tag:      r.IntN(35),
				})
			}
		}
	}
	return p
}
