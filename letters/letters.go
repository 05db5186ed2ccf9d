// Package letters is what weike tells people on a schedule: the monthly
// schedule of the theme day (to each secretary, lecturer and official, and
// to the group robots) and the daily reminders of tomorrow's lessons. It
// decides who gets what and renders each letter in its recipient's
// language as plain text (inbox, e-mail), HTML (e-mail, readable on a
// phone) and markdown (group robots). The jobs package claims a period and
// puts the letters in the outbox; this package only reads.
package letters

import (
	"context"
	"time"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/tz"
	"weike/lessons"
	"weike/org"
	"weike/themeday"
)

// Store reads what the letters say.
type Store struct {
	db       *db.DB
	now      func() time.Time
	book     *booking.Store
	themeday *themeday.Store
	catalog  *lessons.Store
}

// NewStore makes a store; now is the injected clock.
func NewStore(d *db.DB, now func() time.Time, book *booking.Store, td *themeday.Store, catalog *lessons.Store) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: d, now: func() time.Time { return now().UTC() }, book: book, themeday: td, catalog: catalog}
}

// loadTown reads a town and its zone.
func (s *Store) loadTown(ctx context.Context, id int64) (org.Town, *time.Location, error) {
	var t org.Town
	if err := db.First(s.db.R.WithContext(ctx).Table("towns").Where("id = ?", id), &t, apperr.NotFoundf("town")); err != nil {
		return t, nil, err
	}
	return t, tz.Load(t.Timezone), nil
}
