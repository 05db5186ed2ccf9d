package booking

import (
	"context"

	"weike/internal/apperr"
)

// CountOrdersByStatus counts every town's orders by status, for the
// operator's /metrics; each status appears, zero included, so a series never
// vanishes from a dashboard. It takes no actor: it serves the operator, never
// a user, and says nothing about any one order.
func (s *Store) CountOrdersByStatus(ctx context.Context) (_ map[string]int64, err error) {
	defer apperr.Wrap(&err, "booking: count orders by status")
	var rows []struct {
		Status string
		N      int64
	}
	if err := s.db.R.WithContext(ctx).Raw("SELECT status, COUNT(*) AS n FROM orders GROUP BY status").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, st := range Statuses {
		out[string(st)] = 0
	}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
