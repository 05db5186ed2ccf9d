// Package themeday is the monthly theme party day "一月一课一片一实践" after
// the lesson has been given: what branches record (film viewings, practice
// activities, lessons their own members gave, each with its change log),
// the coverage that follows from them and from delivered orders (per
// branch and month, the matrix, the trend, the totals in the article's
// terms, the county's summary), and the exports officials take to the
// county. Orders themselves are booking's; this package only reads them.
package themeday

import (
	"time"

	"weike/booking"
	"weike/internal/db"
)

// Store is the theme day's handle on the database.
type Store struct {
	db   *db.DB
	now  func() time.Time
	book *booking.Store
}

// NewStore makes a store; now is the injected clock, book the orders the
// exports list.
func NewStore(d *db.DB, now func() time.Time, book *booking.Store) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: d, now: func() time.Time { return now().UTC() }, book: book}
}
