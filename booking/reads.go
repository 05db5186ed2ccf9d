package booking

// Reads of orders: lists and one order, each scoped to what the actor may see.

import (
	"context"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/tz"
	"weike/lessons"
	"weike/org"
)

// OrderFilter narrows an order list.
type OrderFilter struct {
	Statuses   []Status // any of them; none: every status
	Month      string   // YYYY-MM: the orders of that month (see inPeriod)
	From, To   string   // YYYY-MM, inclusive: the orders of those months (see inPeriod)
	BranchKind string   // village, community, other: only branches of that kind
	BranchID   int64
	LecturerID int64
	TownID     int64
	Page       int
	PerPage    int
}

// List returns the orders the actor may see: a secretary her branch's, a
// lecturer his own, an official the town's, a county viewer the county's.
func (s *Store) List(ctx context.Context, act org.Actor, f OrderFilter) (_ *lessons.Page[Order], err error) {
	defer apperr.Wrap(&err, "booking: list orders")
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	key, err := s.listKey(ctx, act, f)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if key != "" {
		if p := s.lists.get(key, now); p != nil {
			return p, nil
		}
	}
	q := s.db.R.WithContext(ctx).Model(&Order{}).Where("orders.town_id IN ?", act.ScopeTowns(f.TownID))
	switch act.Role {
	case org.RoleSecretary:
		q = q.Where("orders.branch_id = ?", act.BranchID)
	case org.RoleLecturer:
		q = q.Where("orders.lecturer_id = ?", act.LecturerID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("orders.status IN ?", f.Statuses)
	}
	if f.BranchID != 0 {
		q = q.Where("orders.branch_id = ?", f.BranchID)
	}
	if f.LecturerID != 0 {
		q = q.Where("orders.lecturer_id = ?", f.LecturerID)
	}
	if f.BranchKind != "" {
		q = q.Where("orders.branch_id IN (SELECT id FROM branches WHERE kind = ?)", f.BranchKind)
	}
	if f.Month != "" {
		f.From, f.To = f.Month, f.Month
	}
	if f.From != "" || f.To != "" {
		var err error
		if q, err = inPeriod(q, f.From, f.To); err != nil {
			return nil, err
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	var os []Order
	if err := q.Order("orders.id DESC").Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage).Find(&os).Error; err != nil {
		return nil, err
	}
	if err := s.fill(ctx, os); err != nil {
		return nil, err
	}
	if os == nil {
		os = []Order{}
	}
	p := &lessons.Page[Order]{Items: os, Total: total, Page: f.Page, PerPage: f.PerPage}
	if key != "" {
		s.lists.put(key, p, now)
	}
	return p, nil
}

// inPeriod narrows q to the orders of the months [from, to] (YYYY-MM, one
// of them may be empty: open on that side), by the month each order is
// filed under (orders.month, see monthOf). The order lists, the coverage
// export's order sheet and its count of orders all read this one rule, so
// a total and the rows it sums always agree.
func inPeriod(q *gorm.DB, from, to string) (*gorm.DB, error) {
	bad := apperr.New(apperr.BadRequest, "bad_request").Field("month", "field.month")
	for _, m := range []string{from, to} {
		if _, _, err := tz.MonthRange(m, tz.Shanghai); m != "" && err != nil {
			return nil, bad
		}
	}
	// YYYY-MM strings order as the months do: a range of the
	// (town_id, month, …) index.
	if from != "" {
		q = q.Where("orders.month >= ?", from)
	}
	if to != "" {
		q = q.Where("orders.month <= ?", to)
	}
	return q, nil
}

// monthOf is the month an order belongs to (YYYY-MM in loc, the town's
// zone): the month of its lesson time as Times gives it — the start once
// booked, else the time proposed while the lecturer's proposal stands,
// else its first preferred time — whatever its status. An order waiting
// for an answer is looked for by the month of its lesson, not the month it
// was placed in: a dispatch made in December of January's lessons files
// them under January. Every write of an order keeps orders.month to it
// (Create, save, recordPast), and inPeriod selects by that column.
func monthOf(o *Order, loc *time.Location) string {
	ts := o.Times()
	if len(ts) == 0 {
		return ""
	}
	return ts[0].In(loc).Format("2006-01")
}

// Get returns one order with its history, if the actor may see it.
func (s *Store) Get(ctx context.Context, act org.Actor, id int64) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: order %d", id)
	var o Order
	if err := org.LoadScoped(s.db.R.WithContext(ctx), act, id, &o, "order"); err != nil {
		return nil, err
	}
	if PartyOf(act, &o) == 0 {
		return nil, apperr.NotFoundf("order")
	}
	os := []Order{o}
	if err := s.fill(ctx, os); err != nil {
		return nil, err
	}
	o = os[0]
	// The history and who made each step, in one query.
	if err := s.db.R.WithContext(ctx).Table("order_events").Select("order_events.*, COALESCE(accounts.name, '') AS actor_name").
		Joins("LEFT JOIN accounts ON accounts.id = order_events.account_id").
		Where("order_events.order_id = ?", id).Order("order_events.id").Find(&o.History).Error; err != nil {
		return nil, err
	}
	return &o, nil
}

// fill adds the names shown with orders and decodes stored lists. The
// names of the four kinds come in one round trip (a UNION of four primary
// key lookups): four queries were most of "my orders".
func (s *Store) fill(ctx context.Context, os []Order) error {
	if len(os) == 0 {
		return nil
	}
	ids := func(get func(o Order) int64) []int64 {
		set := map[int64]bool{}
		out := []int64{}
		for _, o := range os {
			if id := get(o); !set[id] {
				set[id] = true
				out = append(out, id)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
		return out
	}
	rows, err := s.db.R.WithContext(ctx).Raw(`SELECT 'l' AS kind, id, title AS name FROM lessons WHERE id IN ?
		UNION ALL SELECT 't', id, name FROM lecturers WHERE id IN ?
		UNION ALL SELECT 'b', id, name FROM branches WHERE id IN ?
		UNION ALL SELECT 'c', id, name FROM courtyards WHERE id IN ?`,
		ids(func(o Order) int64 { return o.LessonID }), ids(func(o Order) int64 { return o.LecturerID }),
		ids(func(o Order) int64 { return o.BranchID }), ids(func(o Order) int64 { return o.CourtyardID })).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	names := map[string]map[int64]string{"l": {}, "t": {}, "b": {}, "c": {}}
	for rows.Next() {
		var kind, name string
		var id int64
		if err := rows.Scan(&kind, &id, &name); err != nil {
			return err
		}
		names[kind][id] = name
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range os {
		o := &os[i]
		o.Slots = o.slots()
		o.LessonTitle, o.LecturerName = names["l"][o.LessonID], names["t"][o.LecturerID]
		o.BranchName, o.CourtyardName = names["b"][o.BranchID], names["c"][o.CourtyardID]
		o.Photos = []string{}
		for _, l := range strings.Split(o.PhotoLinks, "\n") {
			if l != "" {
				o.Photos = append(o.Photos, l)
			}
		}
	}
	return nil
}

// DeclinedBy are the lecturers who declined the order before (it may have
// been reassigned since): an official giving it to someone else should see
// who already said no.
func (s *Store) DeclinedBy(ctx context.Context, act org.Actor, id int64) (_ []int64, err error) {
	defer apperr.Wrap(&err, "booking: who declined order %d", id)
	var o Order
	if err := org.LoadScoped(s.db.R.WithContext(ctx), act, id, &o, "order"); err != nil {
		return nil, err
	}
	var ids []int64
	err = s.db.R.WithContext(ctx).Table("order_events").Joins("JOIN accounts ON accounts.id = order_events.account_id").
		Where("order_events.order_id = ? AND order_events.to_status = ? AND accounts.lecturer_id IS NOT NULL", id, Declined).
		Distinct().Order("accounts.lecturer_id").Pluck("accounts.lecturer_id", &ids).Error
	return ids, err
}
