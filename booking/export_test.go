package booking

import (
	"context"
	"time"
)

// ParamsOfCreated and StoredParams let a test hold the parameters a new
// order's messages are written from (what Create holds) equal to those
// read back from the database for every other move.
func ParamsOfCreated(o *Order, loc *time.Location, n int) map[string]any { return paramsOf(o, loc, n) }

func (s *Store) StoredParams(ctx context.Context, o *Order) (map[string]any, error) {
	return s.orderParams(s.db.R.WithContext(ctx), o)
}

// SetAfterPreload runs f between Create's reads and its transaction.
func (s *Store) SetAfterPreload(f func()) { s.afterPreload = f }
