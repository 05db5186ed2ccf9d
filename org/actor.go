package org

import (
	"slices"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/db"
)

// Actor is the signed-in caller as the domain sees it: who, in which role,
// and which towns they may read. Every store method that serves a user takes
// one and scopes its queries by it.
type Actor struct {
	AccountID  int64
	Login      string
	Name       string
	Role       Role
	CountyID   int64
	TownID     int64 // zero for a county viewer
	BranchID   int64 // secretaries
	LecturerID int64 // lecturers
	Lang       string
	// Towns are the towns the actor may read: their own, or for a county
	// viewer every town of the county.
	Towns []int64
}

// CanRead reports whether the actor may read records of town.
func (a Actor) CanRead(town int64) bool { return slices.Contains(a.Towns, town) }

// IsOfficialOf reports whether the actor keeps town's catalog.
func (a Actor) IsOfficialOf(town int64) bool { return a.Role == RoleOfficial && a.TownID == town }

// ReadTown checks a record's town: not visible → not found, so that ids of
// other towns reveal nothing.
func (a Actor) ReadTown(town int64, what string) error {
	if !a.CanRead(town) {
		return apperr.NotFoundf(what)
	}
	return nil
}

// ManageTown checks that the actor may change records of town: those who
// cannot even read it get not-found, readers who may not write get forbidden.
func (a Actor) ManageTown(town int64, what string) error {
	if err := a.ReadTown(town, what); err != nil {
		return err
	}
	if !a.IsOfficialOf(town) {
		return apperr.New(apperr.Forbidden, "forbidden.official_only")
	}
	return nil
}

// RequireOfficial refuses anyone but an official (of their own town).
func (a Actor) RequireOfficial() error {
	if a.Role != RoleOfficial || a.TownID == 0 {
		return apperr.New(apperr.Forbidden, "forbidden.official_only")
	}
	return nil
}

// ScopeTowns narrows the actor's readable towns to one when want is set
// (a county viewer picking a town); want outside the actor's towns yields
// no towns, so the query finds nothing.
func (a Actor) ScopeTowns(want int64) []int64 {
	if want == 0 {
		return a.Towns
	}
	if a.CanRead(want) {
		return []int64{want}
	}
	return []int64{}
}

// Narrowed is the actor seeing only town (when it may read it: else
// nothing); zero leaves the actor as it is. A list filtered by a town the
// caller may not read is empty, as every list's town_id filter answers.
func (a Actor) Narrowed(town int64) Actor {
	a.Towns = a.ScopeTowns(town)
	return a
}

// LoadScoped loads the record id of q's table into dest when it belongs to
// one of the actor's towns. A record of another town is "not found" (what's
// not_found message), exactly as an absent one: a caller learns nothing of
// other towns' records, not even that they exist.
func LoadScoped(q *gorm.DB, act Actor, id int64, dest any, what string) error {
	return db.First(q.Where("id = ? AND town_id IN ?", id, act.Towns), dest, apperr.NotFoundf(what))
}
