package sheet

import (
	"strconv"
	"strings"
)

// Import is the shape every import of a sheet has: each record becomes an
// input, checked by the input's own rules and against the town's records;
// its unique name may stand in no other row and no existing record; and
// every problem of every row is collected before anything is written, so a
// file imports whole or not at all and its author learns every mistake at
// once.
type Import[In any] struct {
	Schema Schema
	// Parse reads a record into an input, adding what it cannot read (an
	// unknown branch, a number that is not one) to p.
	Parse func(r Record, p *Problems) In
	// Validate is the input's own check (its Validate method); its field
	// problems are put on the row, fields mapped to columns by Columns.
	Validate func(*In) error
	Columns  map[string]string
	// Unique is the input's name that must be new; UniqueColumn its column.
	Unique       func(*In) string
	UniqueColumn string
	// Taken holds the names the town has already; TakenCode is the message
	// of a row that repeats one, given the name as TakenParam.
	Taken      map[string]bool
	TakenCode  string
	TakenParam string
}

// Inputs reads every record of rs. It returns the inputs only when no row
// has a problem, else the error of Problems.Err listing them all; an error
// that is not a row's problem (a database failure) is returned as it is.
func (im Import[In]) Inputs(rs *Records) ([]In, error) {
	p := rs.Problems(im.Schema)
	first := map[string]int{} // name → the first row that has it
	ins := make([]In, 0, len(rs.Items))
	for _, r := range rs.Items {
		in := im.Parse(r, p)
		if err := p.AddFields(r.Row, im.Validate(&in), im.Columns); err != nil {
			return nil, err
		}
		if name := im.Unique(&in); name != "" {
			if prev, dup := first[name]; dup {
				p.Add(r.Row, im.UniqueColumn, "import.duplicate_row", "row", strconv.Itoa(prev))
			} else if im.Taken[name] {
				p.Add(r.Row, im.UniqueColumn, im.TakenCode, im.TakenParam, name)
			} else {
				first[name] = r.Row
			}
		}
		ins = append(ins, in)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return ins, nil
}

// Set makes a set of names, for Import.Taken.
func Set(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Write reads every record of rs as Inputs does and, when no row has a
// problem, hands each input to write in the sheet's order; it returns how
// many were written.
func (im Import[In]) Write(rs *Records, write func(In) error) (int, error) {
	ins, err := im.Inputs(rs)
	if err != nil {
		return 0, err
	}
	for i, in := range ins {
		if err := write(in); err != nil {
			return i, err
		}
	}
	return len(ins), nil
}

// Word reads a cell written as one of words' keys (in any letter case) and
// returns its value; an empty cell is def.
func Word(words map[string]string, cell, def string) (string, bool) {
	cell = strings.ToLower(strings.TrimSpace(cell))
	if cell == "" {
		return def, true
	}
	v, ok := words[cell]
	return v, ok
}
