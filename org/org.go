// Package org holds the tenants and the people: counties and their towns,
// branches and their courtyards, accounts with their roles, sessions and API
// tokens. Its Actor is what every other domain package uses to scope a query
// to what the caller may see.
package org

import (
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"weike/internal/db"
)

// Role is what an account may do.
type Role string

// The four roles of product.md.
const (
	RoleOfficial  Role = "official"  // town organisation officer: keeps the town's catalog
	RoleSecretary Role = "secretary" // branch secretary: orders lessons for one branch
	RoleLecturer  Role = "lecturer"  // gives lessons: one lecturer profile
	RoleCounty    Role = "county"    // county viewer: reads every town of a county
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOfficial, RoleSecretary, RoleLecturer, RoleCounty:
		return true
	}
	return false
}

// County is the parent of towns.
type County struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"-"`
}

// Town is the tenant: every record belongs to one.
type Town struct {
	ID                  int64  `json:"id"`
	CountyID            int64  `json:"county_id"`
	Name                string `json:"name"`
	Timezone            string `json:"timezone"`
	TravelBufferMinutes int    `json:"travel_buffer_minutes"`
	LeadTimeHours       int    `json:"lead_time_hours"`
	HorizonDays         int    `json:"horizon_days"`
	AnswerDeadlineHours int    `json:"answer_deadline_hours"`
	PointsDelivered     int    `json:"points_delivered"`
	PointsFiveStar      int    `json:"points_five_star"`
	ScheduleSpec        string `json:"schedule_spec"`
	ReminderSpec        string `json:"reminder_spec"`
	// QuietFrom and QuietUntil (local "HH:MM") are the nightly hours in
	// which e-mails and robot messages wait for the morning.
	QuietFrom  string `json:"quiet_from"`
	QuietUntil string `json:"quiet_until"`
	// DigestAt (local "HH:MM") is when the officials' daily digest goes.
	DigestAt  string    `json:"digest_at"`
	CreatedAt time.Time `json:"-"`
	// CatalogVersion is raised by every write of the town's catalog (see
	// lessons.CatalogVersion); read only, so that no save of a town can
	// write an old one back.
	CatalogVersion int64 `json:"-" gorm:"->"`
}

// Branch kinds.
const (
	KindVillage   = "village"   // 村
	KindCommunity = "community" // 社区
	KindOther     = "other"     // 其他 (企业、机关…)
)

// Branch is a party branch of a town.
type Branch struct {
	ID            int64       `json:"id"`
	TownID        int64       `json:"town_id"`
	Name          string      `json:"name"`
	Kind          string      `json:"kind"`
	MemberCount   int         `json:"member_count"`
	SecretaryName string      `json:"secretary_name"`
	Phone         string      `json:"phone"`
	Active        bool        `json:"active"`
	CreatedAt     time.Time   `json:"-"`
	UpdatedAt     time.Time   `json:"-"`
	Courtyards    []Courtyard `json:"courtyards,omitempty" gorm:"-"`
}

// Courtyard (屋场) is a branch's meeting place.
type Courtyard struct {
	ID        int64     `json:"id"`
	TownID    int64     `json:"town_id"`
	BranchID  int64     `json:"branch_id"`
	Name      string    `json:"name"`
	Address   string    `json:"address"`
	Lat       *float64  `json:"lat"`
	Lng       *float64  `json:"lng"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// Account is a person who signs in.
type Account struct {
	ID           int64     `json:"id"`
	Login        string    `json:"login"`
	PasswordHash string    `json:"-"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	CountyID     int64     `json:"county_id"`
	TownID       *int64    `json:"town_id"`
	BranchID     *int64    `json:"branch_id,omitempty"`
	LecturerID   *int64    `json:"lecturer_id,omitempty"`
	Email        string    `json:"email"`
	Phone        string    `json:"phone"`
	Lang         string    `json:"lang"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
}

// Store is the org domain's one handle on the database.
type Store struct {
	db         *db.DB
	now        func() time.Time
	bcryptCost int
	dummyOnce  sync.Once
	dummy      []byte
	ids        *identityCache
}

// An Option changes how a Store works.
type Option func(*Store)

// WithBcryptCost sets the work factor of the passwords the store hashes.
// Only tests lower it (to bcrypt.MinCost, so a sign-in costs microseconds
// instead of a second under the race detector); a cost under MinCost or
// over MaxCost is ignored.
func WithBcryptCost(cost int) Option {
	return func(s *Store) {
		if cost >= bcrypt.MinCost && cost <= bcrypt.MaxCost {
			s.bcryptCost = cost
		}
	}
}

// NewStore makes a store; now is the injected clock.
func NewStore(d *db.DB, now func() time.Time, opts ...Option) *Store {
	if now == nil {
		now = time.Now
	}
	s := &Store{db: d, now: func() time.Time { return now().UTC() }, bcryptCost: BcryptCost, ids: newIdentityCache()}
	for _, o := range opts {
		o(s)
	}
	return s
}
