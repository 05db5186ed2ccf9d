// Package booking is an order's (点单) whole life: a branch secretary orders
// a lesson from a lecturer for a courtyard at one of up to three preferred
// times, the lecturer accepts, declines or proposes another time, the lesson
// is delivered and reviewed, and points are written to the lecturer's
// ledger. It enforces the rules of product.md — availability, blackouts,
// travel buffer, monthly capacity, lead time and horizon, no double booking
// — and keeps an audit trail of every transition. It also holds member
// lessons and the private calendar feeds.
package booking

import (
	"slices"
	"time"

	"weike/internal/db"
	"weike/lessons"
	"weike/notify"
	"weike/org"
)

// Status is where an order stands in its life (product.md, "An order's
// life"). Its values are what the database, the JSON API and the catalog's
// "status.*" keys hold.
type Status string

// Order statuses.
const (
	Requested Status = "requested"
	Proposed  Status = "proposed"
	Confirmed Status = "confirmed"
	Delivered Status = "delivered"
	Reviewed  Status = "reviewed"
	Declined  Status = "declined"
	Expired   Status = "expired"
	Cancelled Status = "cancelled"
)

// Statuses are all the order statuses in the order of an order's life, the
// order in which filters and reports list them.
var Statuses = []Status{Requested, Proposed, Confirmed, Delivered, Reviewed, Declined, Expired, Cancelled}

// Valid reports whether st is one of the known statuses.
func (st Status) Valid() bool { return slices.Contains(Statuses, st) }

// occupying are the statuses in which an order holds its time.
var occupying = []Status{Confirmed, Delivered, Reviewed}

// OccupyingStatuses are the statuses in which an order holds its time (a
// copy: callers may keep it).
func OccupyingStatuses() []Status { return append([]Status(nil), occupying...) }

// Order is a branch's request for a lesson.
type Order struct {
	ID               int64       `json:"id"`
	TownID           int64       `json:"town_id"`
	BranchID         int64       `json:"branch_id"`
	CourtyardID      int64       `json:"courtyard_id"`
	LessonID         int64       `json:"lesson_id"`
	LecturerID       int64       `json:"lecturer_id"`
	Status           Status      `json:"status"`
	Slots            []time.Time `json:"slots" gorm:"-"`
	SlotsJSON        string      `json:"-" gorm:"column:slots"`
	DurationMinutes  int         `json:"duration_minutes"`
	StartAt          *time.Time  `json:"start,omitempty"`
	EndAt            *time.Time  `json:"end,omitempty"`
	BlockEndAt       *time.Time  `json:"-"`
	ProposedAt       *time.Time  `json:"proposed_start,omitempty"`
	ProposalNote     string      `json:"proposal_note,omitempty"`
	Audience         int         `json:"audience"`
	Note             string      `json:"note"`
	Reason           string      `json:"reason,omitempty"`
	AnswerBy         time.Time   `json:"answer_by"`
	Attendees        *int        `json:"attendees,omitempty"`
	DeliveredMinutes *int        `json:"delivered_minutes,omitempty"`
	DeliverySummary  string      `json:"delivery_summary,omitempty"`
	PhotoLinks       string      `json:"-"`
	DeliveredAt      *time.Time  `json:"delivered_at,omitempty"`
	Stars            *int        `json:"stars,omitempty"`
	ReviewComment    string      `json:"review_comment,omitempty"`
	ReviewedAt       *time.Time  `json:"reviewed_at,omitempty"`
	RequestedBy      *int64      `json:"requested_by,omitempty"`
	DispatchedBy     *int64      `json:"dispatched_by,omitempty"` // the official who dispatched it (派单); nil: the branch ordered it
	Sequence         int         `json:"sequence"`
	CreatedAt        time.Time   `json:"created_at"`
	UpdatedAt        time.Time   `json:"updated_at"`
	// Month is the month the order is filed under (monthOf): what order
	// lists and coverage select by.
	Month string `json:"-"`

	// Names for display, filled by reads.
	LessonTitle   string   `json:"lesson_title" gorm:"-"`
	LecturerName  string   `json:"lecturer_name" gorm:"-"`
	BranchName    string   `json:"branch_name" gorm:"-"`
	CourtyardName string   `json:"courtyard_name" gorm:"-"`
	Photos        []string `json:"photo_links" gorm:"-"`
	History       []Event  `json:"history,omitempty" gorm:"-"`

	// lastEvent is the audit entry of the move being made: what makes its
	// messages unique.
	lastEvent int64
}

// Event is one transition in an order's audit trail.
type Event struct {
	ID         int64     `json:"id"`
	OrderID    int64     `json:"order_id"`
	TownID     int64     `json:"-"`
	AccountID  *int64    `json:"account_id"`
	Role       string    `json:"role"`
	FromStatus Status    `json:"from"`
	ToStatus   Status    `json:"to"`
	Reason     string    `json:"reason,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	At         time.Time `json:"at"`
	ActorName  string    `json:"actor_name" gorm:"->;-:migration"`
}

// TableName keeps the schema's name.
func (Event) TableName() string { return "order_events" }

// Store is the booking domain's handle on the database.
type Store struct {
	db      *db.DB
	now     func() time.Time
	catalog *lessons.Store
	orgs    *org.Store
	// tell posts what each move means to the people it concerns.
	tell *notify.Store
	// lists keeps order lists under their branches' and lecturers' orders
	// versions.
	lists *listCache
	// afterPreload runs between Create's reads before its transaction and
	// the transaction (tests only: a catalog write slipped in there).
	afterPreload func()
}

// Option configures a Store.
type Option func(*Store)

// WithNotify posts the messages of the order's moves through n (with its
// base URL and default robot); without it they go through a notify store
// of the same database that knows neither, and links are paths.
func WithNotify(n *notify.Store) Option { return func(s *Store) { s.tell = n } }

// NewStore makes a store; now is the injected clock.
func NewStore(d *db.DB, now func() time.Time, orgs *org.Store, catalog *lessons.Store, opts ...Option) *Store {
	if now == nil {
		now = time.Now
	}
	s := &Store{db: d, now: func() time.Time { return now().UTC() }, orgs: orgs, catalog: catalog, lists: newListCache()}
	for _, o := range opts {
		o(s)
	}
	if s.tell == nil {
		s.tell = notify.NewStore(d, now)
	}
	return s
}

// Now is the store's clock (UTC).
func (s *Store) Now() time.Time { return s.now() }
