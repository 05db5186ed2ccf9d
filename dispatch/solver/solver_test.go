package solver

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestSolveCases(t *testing.T) {
	flat := func(capa int, cost int64) Lecturer {
		loads := make([]int64, capa)
		for k := range loads {
			loads[k] = cost
		}
		return Lecturer{Capacity: capa, LoadCost: loads}
	}
	tests := []struct {
		name string
		p    Problem
		want Solution
	}{
		{
			name: "empty problem",
			p:    Problem{},
			want: Solution{},
		},
		{
			name: "branch with no options is unplaced",
			p: Problem{
				Branches:  2,
				Lecturers: []Lecturer{flat(2, 0)},
				Sessions:  []Session{{Lecturer: 0, Length: 60}},
				Options:   []Option{{Branch: 1, Lecturer: 0, Need: 60, Cost: 5}},
			},
			want: Solution{
				Assign:   []Assignment{{Branch: 1, Option: 0, Session: 0}},
				Unplaced: []int{0},
				Cost:     5,
			},
		},
		{
			name: "capacity 0 places nothing",
			p: Problem{
				Branches:  1,
				Lecturers: []Lecturer{{Capacity: 0}},
				Sessions:  []Session{{Lecturer: 0, Length: 90}},
				Options:   []Option{{Branch: 0, Lecturer: 0, Need: 60, Cost: 1}},
			},
			want: Solution{Unplaced: []int{0}},
		},
		{
			name: "session too short",
			p: Problem{
				Branches:  1,
				Lecturers: []Lecturer{flat(1, 0)},
				Sessions:  []Session{{Lecturer: 0, Length: 59}},
				Options:   []Option{{Branch: 0, Lecturer: 0, Need: 60, Cost: 1}},
			},
			want: Solution{Unplaced: []int{0}},
		},
		{
			name: "session of another lecturer is not used",
			p: Problem{
				Branches:  1,
				Lecturers: []Lecturer{flat(1, 0), flat(1, 0)},
				Sessions:  []Session{{Lecturer: 1, Length: 120}},
				Options:   []Option{{Branch: 0, Lecturer: 0, Need: 60, Cost: 1}},
			},
			want: Solution{Unplaced: []int{0}},
		},
		{
			name: "two branches competing for one session: the cheaper wins",
			p: Problem{
				Branches:  2,
				Lecturers: []Lecturer{flat(2, 0)},
				Sessions:  []Session{{Lecturer: 0, Length: 60}},
				Options: []Option{
					{Branch: 0, Lecturer: 0, Need: 60, Cost: 7},
					{Branch: 1, Lecturer: 0, Need: 45, Cost: 3},
				},
			},
			want: Solution{
				Assign:   []Assignment{{Branch: 1, Option: 1, Session: 0}},
				Unplaced: []int{0},
				Cost:     3,
			},
		},
		{
			name: "the longer session goes to the lesson that needs it",
			p: Problem{
				Branches:  2,
				Lecturers: []Lecturer{flat(2, 0)},
				Sessions:  []Session{{Lecturer: 0, Length: 120}, {Lecturer: 0, Length: 60}},
				Options: []Option{
					{Branch: 0, Lecturer: 0, Need: 60, Cost: 1},
					{Branch: 1, Lecturer: 0, Need: 100, Cost: 1},
				},
			},
			want: Solution{
				Assign: []Assignment{
					{Branch: 0, Option: 0, Session: 1},
					{Branch: 1, Option: 1, Session: 0},
				},
				Cost: 2,
			},
		},
		{
			name: "convex load spreads lessons over lecturers",
			// Lecturer 0 is cheaper per option, but her second lesson costs
			// 50 while lecturer 1's first costs 10.
			p: Problem{
				Branches: 2,
				Lecturers: []Lecturer{
					{Capacity: 2, LoadCost: []int64{0, 50}},
					{Capacity: 2, LoadCost: []int64{10, 60}},
				},
				Sessions: []Session{
					{Lecturer: 0, Length: 60}, {Lecturer: 0, Length: 60},
					{Lecturer: 1, Length: 60}, {Lecturer: 1, Length: 60},
				},
				Options: []Option{
					{Branch: 0, Lecturer: 0, Need: 60, Cost: 1},
					{Branch: 0, Lecturer: 1, Need: 60, Cost: 5},
					{Branch: 1, Lecturer: 0, Need: 60, Cost: 2},
					{Branch: 1, Lecturer: 1, Need: 60, Cost: 5},
				},
			},
			// 0→L0 and 1→L1: 1+0 + 5+10 = 16; 0→L1 and 1→L0: 5+10 + 2+0 = 17;
			// both with L0: 1+2+0+50 = 53.
			want: Solution{
				Assign: []Assignment{
					{Branch: 0, Option: 0, Session: 0},
					{Branch: 1, Option: 3, Session: 2},
				},
				Cost: 16,
			},
		},
		{
			name: "placing more branches beats a cheaper draft placing fewer",
			// Branch 0 alone would take lecturer 0 for 1; placing both needs
			// branch 0 on the dear lecturer 1, leaving lecturer 0 to branch 1.
			p: Problem{
				Branches:  2,
				Lecturers: []Lecturer{flat(1, 0), flat(1, 0)},
				Sessions:  []Session{{Lecturer: 0, Length: 60}, {Lecturer: 1, Length: 60}},
				Options: []Option{
					{Branch: 0, Lecturer: 0, Need: 60, Cost: 1},
					{Branch: 0, Lecturer: 1, Need: 60, Cost: 1000},
					{Branch: 1, Lecturer: 0, Need: 60, Cost: 500},
				},
			},
			want: Solution{
				Assign: []Assignment{
					{Branch: 0, Option: 1, Session: 1},
					{Branch: 1, Option: 2, Session: 0},
				},
				Cost: 1500,
			},
		},
		{
			name: "the cheaper of a branch's options is chosen",
			p: Problem{
				Branches:  1,
				Lecturers: []Lecturer{flat(1, 0)},
				Sessions:  []Session{{Lecturer: 0, Length: 120}},
				Options: []Option{
					{Branch: 0, Lecturer: 0, Need: 60, Cost: 9, Tag: 4},
					{Branch: 0, Lecturer: 0, Need: 90, Cost: 2, Tag: 7},
				},
			},
			want: Solution{Assign: []Assignment{{Branch: 0, Option: 1, Session: 0, Tag: 7}}, Cost: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Solve(tt.p)
			if err != nil {
				t.Fatalf("Solve: %v", err)
			}
			if _, err := verify(tt.p, got); err != nil {
				t.Fatalf("infeasible: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Solve = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	valid := func() Problem {
		return Problem{
			Branches:  2,
			Lecturers: []Lecturer{{Capacity: 2, LoadCost: []int64{1, 3}}},
			Sessions:  []Session{{Lecturer: 0, Length: 60}},
			Options:   []Option{{Branch: 1, Lecturer: 0, Need: 45, Cost: 2}},
		}
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid problem: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(p *Problem)
	}{
		{"negative branch count", func(p *Problem) { p.Branches = -1; p.Options = nil }},
		{"option branch out of range", func(p *Problem) { p.Options[0].Branch = 2 }},
		{"option branch negative", func(p *Problem) { p.Options[0].Branch = -1 }},
		{"option lecturer out of range", func(p *Problem) { p.Options[0].Lecturer = 1 }},
		{"option lecturer negative", func(p *Problem) { p.Options[0].Lecturer = -1 }},
		{"session lecturer out of range", func(p *Problem) { p.Sessions[0].Lecturer = 1 }},
		{"session lecturer negative", func(p *Problem) { p.Sessions[0].Lecturer = -1 }},
		{"negative session length", func(p *Problem) { p.Sessions[0].Length = -1 }},
		{"negative need", func(p *Problem) { p.Options[0].Need = -1 }},
		{"negative option cost", func(p *Problem) { p.Options[0].Cost = -1 }},
		{"negative capacity", func(p *Problem) { p.Lecturers[0].Capacity = -1 }},
		{"decreasing load cost", func(p *Problem) { p.Lecturers[0].LoadCost = []int64{3, 1} }},
		{"decreasing load cost past capacity", func(p *Problem) { p.Lecturers[0].LoadCost = []int64{1, 3, 2} }},
		{"negative load cost", func(p *Problem) { p.Lecturers[0].LoadCost = []int64{-1, 3} }},
		{"load costs shorter than capacity", func(p *Problem) { p.Lecturers[0].LoadCost = []int64{1} }},
		{"costs too large", func(p *Problem) {
			p.Options[0].Cost = MaxTotalCost / 2
			p.Options = append(p.Options, Option{Branch: 0, Lecturer: 0, Cost: MaxTotalCost / 2})
		}},
		{"load costs too large", func(p *Problem) { p.Lecturers[0].LoadCost = []int64{MaxTotalCost, MaxTotalCost} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.mutate(&p)
			err := p.Validate()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want an ErrInvalid", err)
			}
			if _, err := Solve(p); !errors.Is(err, ErrInvalid) {
				t.Errorf("Solve error = %v, want an ErrInvalid", err)
			}
		})
	}
}

// TestSolveBruteForce compares Solve with exhaustive search on many small
// random problems: same number placed, same cost, and a feasible draft.
func TestSolveBruteForce(t *testing.T) {
	const problems = 2000
	r := rand.New(rand.NewPCG(20240601, 1))
	for i := range problems {
		p := smallProblem(r)
		checkAgainstBruteForce(t, i, p)
	}
}

func checkAgainstBruteForce(t *testing.T, i int, p Problem) {
	t.Helper()
	sol, err := Solve(p)
	if err != nil {
		t.Fatalf("problem %d: Solve: %v\n%+v", i, err, p)
	}
	cost, err := verify(p, sol)
	if err != nil {
		t.Fatalf("problem %d: infeasible: %v\n%+v\n%+v", i, err, p, sol)
	}
	// The flow's own cost must be the draft's: the parallel load arcs are
	// used cheapest first, and the read-back loses nothing.
	m := newModel(p)
	if flow, fc := m.net.minCostMaxFlow(source, sink); flow != len(sol.Assign) || fc != cost {
		t.Fatalf("problem %d: flow %d at cost %d, draft places %d at %d", i, flow, fc, len(sol.Assign), cost)
	}
	placed, best := bruteForce(p)
	if len(sol.Assign) != placed || cost != best {
		t.Fatalf("problem %d: placed %d at cost %d, brute force %d at %d\n%+v\n%+v", i, len(sol.Assign), cost, placed, best, p, sol)
	}
}

// TestSolveDeterministic solves the same problem twice, and once more from a
// copy, and expects the very same draft.
func TestSolveDeterministic(t *testing.T) {
	p := townProblem(7, 30, 15, 6, 8, 2)
	first, err := Solve(p)
	if err != nil {
		t.Fatal(err)
	}
	again := townProblem(7, 30, 15, 6, 8, 2)
	for range 3 {
		got, err := Solve(again)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, first) {
			t.Fatalf("second solve differs:\n%+v\n%+v", got, first)
		}
	}
}

// TestSolveLarge solves a synthetic town ten times the real size; it asserts
// feasibility only, the time is BenchmarkSolveLarge's business.
func TestSolveLarge(t *testing.T) {
	p := largeTown()
	sol, err := Solve(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify(p, sol); err != nil {
		t.Fatalf("infeasible: %v", err)
	}
	if len(sol.Assign) == 0 {
		t.Fatal("nothing placed")
	}
	t.Logf("placed %d of %d branches, cost %d", len(sol.Assign), p.Branches, sol.Cost)
}

func largeTown() Problem { return townProblem(1, 300, 150, 12, 40, 2) }
func town() Problem      { return townProblem(2, 30, 15, 6, 8, 2) }

func BenchmarkSolveLarge(b *testing.B) { benchmarkSolve(b, largeTown()) }
func BenchmarkSolveTown(b *testing.B)  { benchmarkSolve(b, town()) }

func benchmarkSolve(b *testing.B, p Problem) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Solve(p); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzSolve builds a small problem from the fuzz input and checks the draft
// for feasibility and against brute force.
func FuzzSolve(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 2, 2, 1, 5, 3, 2, 40, 60, 1, 0, 2, 0, 30, 7, 1, 1, 60, 2})
	f.Add([]byte{5, 3, 3, 2, 1, 1, 3, 20, 50, 90, 0, 1, 0, 3, 5, 70, 3, 2, 1, 80, 40, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte{255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstBruteForce(t, 0, fuzzProblem(data))
	})
}

// fuzzProblem reads a problem of at most 5 branches, 3 lecturers with 3
// sessions each and 3 options per branch from data, reading zeros past its
// end, so that every input is a valid problem.
func fuzzProblem(data []byte) Problem {
	next := func(n int) int {
		if len(data) == 0 {
			return 0
		}
		v := int(data[0]) % n
		data = data[1:]
		return v
	}
	p := Problem{Branches: next(6)}
	nl := 1 + next(3)
	for l := range nl {
		capa := next(4)
		loads := make([]int64, capa)
		var c, step int64
		for k := range loads {
			step += int64(next(10))
			c += step
			loads[k] = c
		}
		p.Lecturers = append(p.Lecturers, Lecturer{Capacity: capa, LoadCost: loads})
		for range next(4) {
			p.Sessions = append(p.Sessions, Session{Lecturer: l, Length: 10 * next(13)})
		}
	}
	for b := range p.Branches {
		for range next(4) {
			p.Options = append(p.Options, Option{
				Branch:   b,
				Lecturer: next(nl),
				Need:     10 * next(13),
				Cost:     int64(next(20)),
			})
		}
	}
	return p
}
