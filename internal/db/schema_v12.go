package db

import (
	"encoding/json"
	"sort"
	"time"

	"gorm.io/gorm"

	"weike/internal/tz"
)

// backfillPendingOrderMonths files every order that has no month yet under
// the month of its lesson time, in its town's zone: the start once booked,
// else the proposed time while proposed, else its first preferred time.
// Until v12 only booked orders had a month, and the lists filed the others
// under the month they were placed in, so that a dispatch made in December
// of January's lessons showed them under December. This is booking's
// monthOf as of v12, written out here because a migration must not change
// with the code after it (and db sits below booking).
func backfillPendingOrderMonths(tx *gorm.DB, _ Dialect) error {
	var rows []struct {
		ID         int64
		Status     string
		StartAt    *time.Time
		ProposedAt *time.Time
		Slots      string
		Timezone   string
	}
	if err := tx.Raw(`SELECT orders.id, orders.status, orders.start_at, orders.proposed_at, orders.slots, towns.timezone
		FROM orders JOIN towns ON towns.id = orders.town_id WHERE orders.month = ''`).Scan(&rows).Error; err != nil {
		return err
	}
	byMonth := map[string][]int64{}
	for _, r := range rows {
		var at time.Time
		switch {
		case r.StartAt != nil:
			at = *r.StartAt
		case r.Status == "proposed" && r.ProposedAt != nil:
			at = *r.ProposedAt
		default:
			var slots []time.Time
			if json.Unmarshal([]byte(r.Slots), &slots) != nil || len(slots) == 0 {
				continue // no time at all: nothing to file it by
			}
			at = slots[0]
		}
		m := at.In(tz.Load(r.Timezone)).Format("2006-01")
		byMonth[m] = append(byMonth[m], r.ID)
	}
	months := make([]string, 0, len(byMonth))
	for m := range byMonth {
		months = append(months, m)
	}
	sort.Strings(months)
	// One statement per month and few hundred ids, not one per order: a
	// county's history holds many orders that never got a time.
	for _, m := range months {
		ids := byMonth[m]
		for len(ids) > 0 {
			n := min(len(ids), 500)
			if err := tx.Exec("UPDATE orders SET month = ? WHERE id IN ?", m, ids[:n]).Error; err != nil {
				return err
			}
			ids = ids[n:]
		}
	}
	return nil
}
