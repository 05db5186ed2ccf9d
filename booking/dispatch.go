package booking

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/i18n"
	"weike/internal/tz"
	"weike/notify"
	"weike/org"
)

// Dispatch marks a NewOrder as the town's own (派单): an official orders,
// for a branch of her town, one lesson from the month's draft. The order
// then lives as any other — the lecturer accepts, declines or proposes, the
// branch may cancel — but its history says who dispatched it, and the
// branch's secretaries are told.
type Dispatch struct {
	BranchID int64
	// Month (YYYY-MM, the town's zone) is the month the branch is given its
	// lesson in: the order's time must fall in it, and a branch that has a
	// live order in it already is refused, so that dispatching twice
	// creates nothing twice.
	Month string
}

// detailDispatched is the code the audit trail keeps on the first entry of
// a dispatched order; web's eventNote says it in the reader's language.
const detailDispatched = "dispatched"

// live are the statuses in which an order stands for its lesson: the
// branch has it, or will have it once answered.
var live = []Status{Requested, Proposed, Confirmed, Delivered, Reviewed}

// LiveStatuses are the statuses in which an order stands for its lesson (a
// copy: callers may keep it).
func LiveStatuses() []Status { return append([]Status(nil), live...) }

// Times are the times an order may take place at: its start once booked,
// else the time the lecturer proposed, else the branch's preferred times.
func (o *Order) Times() []time.Time {
	switch {
	case o.StartAt != nil:
		return []time.Time{o.StartAt.UTC()}
	case o.Status == Proposed && o.ProposedAt != nil:
		return []time.Time{o.ProposedAt.UTC()}
	}
	return o.slots()
}

// liveIn selects the live orders that may have a time in [from, to):
// booked ones by their start, pending ones all (their times are in a JSON
// list; a town has few), for the caller to sift with Times.
func liveIn(q *gorm.DB, from, to time.Time) *gorm.DB {
	return q.Where("orders.status IN ? AND ((orders.start_at >= ? AND orders.start_at < ?) OR orders.status IN ?)",
		live, from, to, []Status{Requested, Proposed})
}

// LiveOrders lists the live orders of a town the actor reads (requested,
// proposed, confirmed, delivered, reviewed) with a time in [from, to), as
// Times says: what the monthly draft must keep clear of. Names are not
// filled in.
func (s *Store) LiveOrders(ctx context.Context, act org.Actor, townID int64, from, to time.Time) (_ []Order, err error) {
	defer apperr.Wrap(&err, "booking: live orders")
	if err := act.ReadTown(townID, "town"); err != nil {
		return nil, err
	}
	var os []Order
	if err := liveIn(s.db.R.WithContext(ctx).Where("orders.town_id = ?", townID), from, to).Order("orders.id").Find(&os).Error; err != nil {
		return nil, err
	}
	out := os[:0]
	for _, o := range os {
		if anyIn(o.Times(), from, to) {
			o.Slots = o.slots()
			out = append(out, o)
		}
	}
	return out, nil
}

func anyIn(ts []time.Time, from, to time.Time) bool {
	for _, t := range ts {
		if !t.Before(from) && t.Before(to) {
			return true
		}
	}
	return false
}

// checkDispatch holds the town's dispatch to its rule inside the order's
// transaction: the branch is the official's town's and active, the time
// falls in the month, and the branch has no live order in it. The same row
// dispatched again finds the order it made and returns its id (nothing is
// created twice); anything else in the month refuses the row, naming the
// order in the way. The branch's row is locked on Postgres, so that two
// dispatches of one branch take turns (SQLite's writer already does).
func (s *Store) checkDispatch(tx *gorm.DB, townID int64, loc *time.Location, in NewOrder, courtyardID int64, slots []time.Time) (int64, error) {
	d := in.Dispatch
	q := tx.Table("branches").Select("id").Where("id = ? AND town_id = ? AND active = ?", d.BranchID, townID, true)
	if s.db.Dialect == db.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var ids []int64
	if err := q.Find(&ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, apperr.New(apperr.Invalid, "validation").Field("branch_id", "field.branch_unknown")
	}
	from, to, err := tz.MonthRange(d.Month, loc)
	if err != nil {
		return 0, apperr.New(apperr.BadRequest, "bad_request").Field("month", "field.month")
	}
	for _, t := range slots {
		if t.Before(from) || !t.Before(to) {
			return 0, apperr.New(apperr.Invalid, "validation").Field("start", "order.dispatch_outside_month")
		}
	}
	var os []Order
	if err := liveIn(tx.Where("orders.branch_id = ?", d.BranchID), from, to).Order("orders.id").Find(&os).Error; err != nil {
		return 0, err
	}
	for _, o := range os {
		if !anyIn(o.Times(), from, to) {
			continue
		}
		if o.DispatchedBy != nil && o.Status == Requested && o.LessonID == in.LessonID && o.LecturerID == in.LecturerID &&
			o.CourtyardID == courtyardID && sameTimes(o.slots(), slots) {
			return o.ID, nil
		}
		return 0, apperr.New(apperr.Conflict, "order.dispatch_branch_has_lesson").With("month", d.Month).
			With("status", i18n.Key("status."+string(o.Status))).WithDetail("order_id", o.ID)
	}
	return 0, nil
}

// tellDispatched tells of an order the town dispatched: its lecturer, as
// of any new order, and the branch's secretaries, who did not order it.
func (s *Store) tellDispatched(tx *gorm.DB, o *Order, act org.Actor, w *world, start time.Time) error {
	key, extra := eventKey(o), map[string]any{"start_at": start.In(w.loc)}
	if err := s.tellTx(tx, o, act, notify.KindOrderRequested, key, extra, lecturerOf(o.LecturerID, "order.requested.dispatched")); err != nil {
		return err
	}
	return s.tellTx(tx, o, act, notify.KindOrderDispatched, key, extra, secretaries(o, ""))
}
