package booking

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/i18n"
	"weike/internal/tz"
	"weike/lessons"
	"weike/org"
)

// world is what the rules of one order consult, read inside its transaction.
type world struct {
	town     org.Town
	loc      *time.Location
	lesson   lessons.Lesson
	lecturer lessons.Lecturer
	windows  []lessons.Window
	blackout map[string]string
	// qualified is whether the lecturer gives the lesson, when it was read
	// with the rest (preloadWorld); nil: checkQualified asks.
	qualified *bool
}

func (s *Store) loadTown(tx *gorm.DB, id int64) (org.Town, *time.Location, error) {
	var t org.Town
	if err := db.First(tx.Table("towns").Where("id = ?", id), &t, apperr.NotFoundf("town")); err != nil {
		return t, nil, err
	}
	return t, tz.Load(t.Timezone), nil
}

// loadWorld reads the town, lesson and lecturer an order concerns. On
// Postgres it locks the lecturer's row, so that two transactions checking
// the same lecturer's capacity take turns (SQLite's writer already does).
func (s *Store) loadWorld(tx *gorm.DB, townID, lessonID, lecturerID int64, lock bool) (*world, error) {
	town, loc, err := s.loadTown(tx, townID)
	if err != nil {
		return nil, err
	}
	return s.loadWorldIn(tx, town, loc, lessonID, lecturerID, lock)
}

// preloadWorld reads an order's world before its transaction, on a reader,
// so that the single writer spends its time on the checks that must be
// made under it: the world holds inside the transaction as long as the
// town's catalog version is the same (every write of lessons, lecturers,
// their hours and days off raises it). nil when anything is amiss: the
// transaction then reads the world itself, and says what is wrong.
func (s *Store) preloadWorld(ctx context.Context, townID, lessonID, lecturerID int64) *world {
	r := s.db.R.WithContext(ctx)
	town, loc, err := s.loadTown(r, townID)
	if err != nil {
		return nil
	}
	w, err := s.loadWorldIn(r, town, loc, lessonID, lecturerID, false)
	if err != nil {
		return nil
	}
	if err := w.checkQualified(r); err != nil {
		if _, ok := apperr.As(err); !ok {
			return nil
		}
	}
	return w
}

// inTown is a preloaded world checked against the town as the transaction
// reads it: the same catalog version, else nil.
func (w *world) inTown(town org.Town, loc *time.Location) *world {
	if w == nil || w.town.CatalogVersion != town.CatalogVersion {
		return nil
	}
	c := *w
	c.town, c.loc = town, loc
	return &c
}

// loadWorldIn is loadWorld in a town already read.
func (s *Store) loadWorldIn(tx *gorm.DB, town org.Town, loc *time.Location, lessonID, lecturerID int64, lock bool) (*world, error) {
	w := &world{blackout: map[string]string{}, town: town, loc: loc}
	townID := town.ID
	if err := db.First(tx.Table("lessons").Where("id = ? AND town_id = ?", lessonID, townID), &w.lesson, apperr.NotFoundf("lesson")); err != nil {
		return nil, err
	}
	q := tx.Table("lecturers").Where("id = ? AND town_id = ?", lecturerID, townID)
	if lock && s.db.Dialect == db.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := db.First(q, &w.lecturer, apperr.New(apperr.Invalid, "validation").Field("lecturer_id", "field.lecturer_unknown")); err != nil {
		return nil, err
	}
	// In the order of the week, as the lecturer's page lists them: an error
	// naming them reads the same on every database.
	if err := tx.Where("lecturer_id = ?", lecturerID).Order("weekday, start_minute").Find(&w.windows).Error; err != nil {
		return nil, err
	}
	var bs []lessons.Blackout
	if err := tx.Where("lecturer_id = ?", lecturerID).Find(&bs).Error; err != nil {
		return nil, err
	}
	for _, b := range bs {
		w.blackout[b.Day] = b.Reason
	}
	return w, nil
}

func (w *world) end(start time.Time) time.Time {
	return start.Add(time.Duration(w.lesson.DurationMinutes) * time.Minute)
}

func (w *world) blockEnd(start time.Time) time.Time {
	return w.end(start).Add(time.Duration(w.town.TravelBufferMinutes) * time.Minute)
}

// checkQualified: the lesson is published and the lecturer active and
// qualified for it.
func (w *world) checkQualified(tx *gorm.DB) error {
	if w.lesson.Status != lessons.StatusPublished {
		return apperr.New(apperr.Invalid, "order.lesson_not_published").With("lesson", w.lesson.Title)
	}
	if !w.lecturer.Active {
		return apperr.New(apperr.Invalid, "order.lecturer_inactive").With("lecturer", w.lecturer.Name)
	}
	if w.qualified == nil {
		var n int64
		if err := tx.Table("lesson_lecturers").Where("lesson_id = ? AND lecturer_id = ?", w.lesson.ID, w.lecturer.ID).Count(&n).Error; err != nil {
			return err
		}
		q := n > 0
		w.qualified = &q
	}
	if !*w.qualified {
		return apperr.New(apperr.Invalid, "order.not_qualified").With("lecturer", w.lecturer.Name).With("lesson", w.lesson.Title)
	}
	return nil
}

// checkTime: not past, lead time, horizon, blackouts and (unless skipped)
// the weekly availability windows. Its words fit whoever asks for the
// time, the branch ordering or the lecturer proposing.
func (w *world) checkTime(start, now time.Time, availability bool) error {
	// Times in messages read in the town's zone, as its people live, and
	// with their year when it is not this one.
	local := start.In(w.loc)
	at := i18n.TimeFrom(local, now)
	if !SlotOpen(start, now) {
		return apperr.New(apperr.Invalid, "order.slot_passed").With("start_at", at)
	}
	lead := time.Duration(w.town.LeadTimeHours) * time.Hour
	if start.Before(now.Add(lead)) {
		return apperr.New(apperr.Invalid, "order.too_soon").With("n", w.town.LeadTimeHours).With("start_at", at)
	}
	if start.After(now.AddDate(0, 0, w.town.HorizonDays)) {
		return apperr.New(apperr.Invalid, "order.too_far").With("n", w.town.HorizonDays).With("start_at", at)
	}
	day := local.Format("2006-01-02")
	if _, ok := w.blackout[day]; ok {
		return apperr.New(apperr.Invalid, "order.blackout").With("lecturer", w.lecturer.Name).With("day", i18n.Day(day))
	}
	if availability && !w.available(start) {
		return apperr.New(apperr.Invalid, "order.outside_availability").With("lecturer", w.lecturer.Name).
			With("start_at", at).With("windows", w.windowList())
	}
	return nil
}

// available reports whether [start, end) lies inside one weekly window.
func (w *world) available(start time.Time) bool {
	local := start.In(w.loc)
	from := local.Hour()*60 + local.Minute()
	to := from + w.lesson.DurationMinutes
	for _, win := range w.windows {
		if win.Weekday == int(local.Weekday()) && from >= win.StartMinute && to <= win.EndMinute {
			return true
		}
	}
	return false
}

// windowList is the lecturer's weekly hours as a message shows them.
func (w *world) windowList() i18n.List {
	l := make(i18n.List, 0, len(w.windows))
	for _, win := range w.windows {
		l = append(l, i18n.Window{Weekday: time.Weekday(win.Weekday), From: i18n.Clock(win.StartMinute), To: i18n.Clock(win.EndMinute)})
	}
	return l
}

// maxBlock bounds the time one order occupies, travel buffer included: a
// lesson lasts at most 45 minutes (a CHECK on lessons) and the buffer at
// most 240 (the town settings' range), far below a day.
const maxBlock = 24 * time.Hour

// clash is an occupying order found in the way of a new time.
type clash struct {
	ID         int64
	StartAt    time.Time
	EndAt      time.Time
	BranchName string
	Lecturer   string
}

// checkClashes: neither the lecturer (with the travel buffer) nor the branch
// has another occupying order overlapping. The check mirrors Postgres'
// exclusion constraints; on SQLite it runs in the writer's IMMEDIATE
// transaction, so no other write can slip in between check and write.
func (s *Store) checkClashes(tx *gorm.DB, w *world, branchID int64, start time.Time, exclude int64) error {
	end, blockEnd := w.end(start), w.blockEnd(start)
	// An order that overlaps started less than maxBlock before start: the
	// lower bound turns a scan of the lecturer's (or branch's) whole
	// history on its (…, start_at) index into a scan of a day or two.
	since := start.Add(-maxBlock)
	var cs []clash
	err := tx.Table("orders").Select("orders.id, orders.start_at, orders.end_at, branches.name AS branch_name").
		Joins("JOIN branches ON branches.id = orders.branch_id").
		Where("orders.lecturer_id = ? AND orders.status IN ? AND orders.id <> ?", w.lecturer.ID, occupying, exclude).
		Where("orders.start_at < ? AND orders.start_at > ? AND orders.block_end_at > ?", blockEnd, since, start).
		Order("orders.start_at").Limit(1).Scan(&cs).Error
	if err != nil {
		return err
	}
	if len(cs) > 0 {
		c := cs[0]
		return apperr.New(apperr.Conflict, "order.lecturer_busy").With("lecturer", w.lecturer.Name).
			With("start_at", c.StartAt.In(w.loc)).With("end_hm", i18n.ClockOf(c.EndAt.In(w.loc))).
			With("branch", c.BranchName).With("n", w.town.TravelBufferMinutes).
			WithDetail("order_id", c.ID)
	}
	err = tx.Table("orders").Select("orders.id, orders.start_at, orders.end_at, lecturers.name AS lecturer").
		Joins("JOIN lecturers ON lecturers.id = orders.lecturer_id").
		Where("orders.branch_id = ? AND orders.status IN ? AND orders.id <> ?", branchID, occupying, exclude).
		Where("orders.start_at < ? AND orders.start_at > ? AND orders.end_at > ?", end, since, start).
		Order("orders.start_at").Limit(1).Scan(&cs).Error
	if err != nil {
		return err
	}
	if len(cs) > 0 {
		c := cs[0]
		return apperr.New(apperr.Conflict, "order.branch_busy").With("lecturer", c.Lecturer).
			With("start_at", c.StartAt.In(w.loc)).With("end_hm", i18n.ClockOf(c.EndAt.In(w.loc))).
			WithDetail("order_id", c.ID)
	}
	return nil
}

// checkCapacity: the lecturer stays within their monthly capacity in the
// month (local) of start.
func (s *Store) checkCapacity(tx *gorm.DB, w *world, start time.Time, exclude int64) error {
	month := start.In(w.loc).Format("2006-01")
	from, to, _ := tz.MonthRange(month, w.loc)
	var n int64
	err := tx.Table("orders").Where("lecturer_id = ? AND status IN ? AND id <> ? AND start_at >= ? AND start_at < ?",
		w.lecturer.ID, occupying, exclude, from, to).Count(&n).Error
	if err != nil {
		return err
	}
	if int(n) >= w.lecturer.MonthlyCapacity {
		return apperr.New(apperr.Invalid, "order.capacity").With("lecturer", w.lecturer.Name).
			With("month", i18n.Month(month)).With("n", w.lecturer.MonthlyCapacity)
	}
	return nil
}

// exclusionConflict turns a Postgres exclusion violation (two transactions
// raced past the application's checks) into the same 409 the checks give,
// naming the order now in the way.
//
// The failed transaction is aborted, so the order is looked up on the read
// pool, outside it.
func (s *Store) exclusionConflict(ctx context.Context, err error, w *world, branchID int64, start time.Time, orderID int64) error {
	if !db.IsExclusionViolation(err) {
		return err
	}
	named := s.checkClashes(s.db.R.WithContext(ctx), w, branchID, start, orderID)
	if apperr.Is(named, apperr.Conflict) {
		return named
	}
	// Naming the order is a courtesy: when the lookup fails, or finds the
	// winner gone again, the time was still taken, and the generic 409 is
	// the true answer. A lookup error is dropped on purpose rather than
	// turning that answer into a 500.
	return apperr.New(apperr.Conflict, "order.slot_taken").With("start_at", start.In(w.loc))
}

// parseStart reads a start time: RFC 3339, or a local "2006-01-02T15:04".
func parseStart(v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Truncate(time.Minute), nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", v)
}
