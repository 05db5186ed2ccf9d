package booking

import (
	"context"
	"sort"
	"time"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/tz"
	"weike/lessons"
	"weike/org"
)

// Slot is a time an order could start, with the lecturer free then.
type Slot struct {
	Start      time.Time `json:"start"`
	LecturerID int64     `json:"lecturer_id"`
}

// FreeSlots lists the times in the next weeks at which the lesson can be
// ordered for the secretary's branch: inside the lecturer's windows, outside
// blackouts, clear of their other lessons (with the travel buffer) and the
// branch's, within capacity, lead time and horizon. With lecturerID zero it
// covers every qualified lecturer. Starts fall on the half hour, and on the
// last minute at which the lesson still ends inside the window.
func (s *Store) FreeSlots(ctx context.Context, act org.Actor, lessonID, lecturerID int64, weeks, max int) (_ []Slot, err error) {
	defer apperr.Wrap(&err, "booking: free slots")
	var townID int64
	if err := s.db.R.WithContext(ctx).Table("lessons").Where("id = ? AND town_id IN ?", lessonID, act.Towns).
		Pluck("town_id", &townID).Error; err != nil {
		return nil, err
	}
	if townID == 0 {
		return nil, apperr.NotFoundf("lesson")
	}
	if weeks <= 0 || weeks > 13 {
		weeks = 6
	}
	if max <= 0 || max > 500 {
		max = 120
	}
	var out []Slot
	tx := s.db.R.WithContext(ctx)
	ids := []int64{lecturerID}
	if lecturerID == 0 {
		if err := tx.Table("lesson_lecturers").Joins("JOIN lecturers ON lecturers.id = lesson_lecturers.lecturer_id").
			Where("lesson_lecturers.lesson_id = ? AND lecturers.town_id IN ? AND lecturers.active = ?", lessonID, act.Towns, true).
			Order("lecturers.id").Pluck("lecturers.id", &ids).Error; err != nil {
			return nil, err
		}
	}
	now := s.now()
	seen := map[int64]bool{}
	for _, lid := range ids {
		w, err := s.loadWorld(tx, townID, lessonID, lid, false)
		if err != nil {
			if _, ok := apperr.As(err); ok {
				continue
			}
			return nil, err
		}
		if w.checkQualified(tx) != nil {
			continue
		}
		// Only a secretary's own branch has lessons of its own to avoid.
		busy, err := s.busy(tx, w, act.BranchID, now, now.AddDate(0, 0, 7*weeks+1))
		if err != nil {
			return nil, err
		}
		today := now.In(w.loc)
		day0 := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, w.loc)
		for d := 0; d <= 7*weeks; d++ {
			day := day0.AddDate(0, 0, d)
			for _, win := range w.windows {
				if win.Weekday != int(day.Weekday()) {
					continue
				}
				for _, m := range windowStarts(win, w.lesson.DurationMinutes) {
					start := day.Add(time.Duration(m) * time.Minute).UTC()
					if w.checkTime(start, now, true) != nil || busy.blocks(w, start) || seen[start.Unix()] {
						continue
					}
					seen[start.Unix()] = true
					out = append(out, Slot{Start: start, LecturerID: lid})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	if len(out) > max {
		out = out[:max]
	}
	if out == nil {
		out = []Slot{}
	}
	return out, nil
}

// windowStarts are the starts offered in a weekly window, in minutes of
// the day: every half hour at which the whole lesson fits before the window
// closes, and the latest start that still fits when it is off the half
// hour (09:00–11:00, 20 minutes: 09:00 … 10:30 and 10:40; never 11:00).
func windowStarts(win lessons.Window, minutes int) []int {
	last := win.EndMinute - minutes
	var out []int
	for m := (win.StartMinute + 29) / 30 * 30; m <= last; m += 30 {
		out = append(out, m)
	}
	if last >= win.StartMinute && (len(out) == 0 || out[len(out)-1] != last) {
		out = append(out, last)
	}
	return out
}

type busyTimes struct {
	lecturer [][2]time.Time // [start, block end)
	branch   [][2]time.Time // [start, end)
	perMonth map[string]int
}

func (s *Store) busy(tx *gorm.DB, w *world, branchID int64, from, to time.Time) (*busyTimes, error) {
	var rows []struct {
		LecturerID int64
		BranchID   int64
		StartAt    time.Time
		EndAt      time.Time
		BlockEndAt time.Time
	}
	err := tx.Table("orders").Select("lecturer_id, branch_id, start_at, end_at, block_end_at").
		Where("(lecturer_id = ? OR branch_id = ?) AND status IN ? AND start_at < ? AND block_end_at > ?",
			w.lecturer.ID, branchID, occupying, to.AddDate(0, 1, 0), from.AddDate(0, -1, 0)).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	b := &busyTimes{perMonth: map[string]int{}}
	for _, r := range rows {
		if r.LecturerID == w.lecturer.ID {
			b.lecturer = append(b.lecturer, [2]time.Time{r.StartAt, r.BlockEndAt})
			b.perMonth[r.StartAt.In(w.loc).Format("2006-01")]++
		}
		if r.BranchID == branchID {
			b.branch = append(b.branch, [2]time.Time{r.StartAt, r.EndAt})
		}
	}
	return b, nil
}

func (b *busyTimes) blocks(w *world, start time.Time) bool {
	end, blockEnd := w.end(start), w.blockEnd(start)
	for _, r := range b.lecturer {
		if r[0].Before(blockEnd) && r[1].After(start) {
			return true
		}
	}
	for _, r := range b.branch {
		if r[0].Before(end) && r[1].After(start) {
			return true
		}
	}
	return b.perMonth[start.In(w.loc).Format("2006-01")] >= w.lecturer.MonthlyCapacity
}

// FreeDays groups a lecturer's free starts for a lesson by local day: the
// next n days on which the lesson can be ordered from them, each with the
// times the lesson can take, from its earliest start to the end of its
// latest (bookings, buffer, lead time and all). A range reads like the
// lecturer's hours, so it must end where the lesson would, not where the
// last start is: "09:00–11:00" with an 11:00 start in it misled people.
func (s *Store) FreeDays(ctx context.Context, act org.Actor, lessonID, lecturerID int64, n int) (_ []lessons.FreeDay, err error) {
	defer apperr.Wrap(&err, "booking: free days")
	slots, err := s.FreeSlots(ctx, act, lessonID, lecturerID, 6, 500)
	if err != nil {
		return nil, err
	}
	var minutes int
	if err := s.db.R.WithContext(ctx).Table("lessons").Where("id = ? AND town_id IN ?", lessonID, act.Towns).
		Pluck("duration_minutes", &minutes).Error; err != nil {
		return nil, err
	}
	return freeDays(spansOf(slots, minutes), n), nil
}

// LecturerFreeDays is FreeDays for a lecturer's own page: the next n days
// on which any published lesson she gives can be ordered from her, each
// with the times those lessons can take. The rules are the order form's
// (FreeSlots): lead time, horizon, days off, bookings and capacity.
func (s *Store) LecturerFreeDays(ctx context.Context, act org.Actor, lecturerID int64, n int) (_ []lessons.FreeDay, err error) {
	defer apperr.Wrap(&err, "booking: free days of lecturer %d", lecturerID)
	var ls []struct {
		ID              int64
		DurationMinutes int
	}
	if err := s.db.R.WithContext(ctx).Table("lessons").Select("lessons.id, lessons.duration_minutes").
		Joins("JOIN lesson_lecturers ON lesson_lecturers.lesson_id = lessons.id").
		Where("lesson_lecturers.lecturer_id = ? AND lessons.status = ? AND lessons.town_id IN ?", lecturerID, lessons.StatusPublished, act.Towns).
		Order("lessons.id").Scan(&ls).Error; err != nil {
		return nil, err
	}
	var spans [][2]time.Time
	for _, l := range ls {
		slots, err := s.FreeSlots(ctx, act, l.ID, lecturerID, 6, 500)
		if err != nil {
			return nil, err
		}
		spans = append(spans, spansOf(slots, l.DurationMinutes)...)
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i][0].Before(spans[j][0]) })
	return freeDays(spans, n), nil
}

// spansOf is the time a lesson of so many minutes takes at each free start.
func spansOf(slots []Slot, minutes int) [][2]time.Time {
	length := time.Duration(minutes) * time.Minute
	out := make([][2]time.Time, len(slots))
	for i, sl := range slots {
		out[i] = [2]time.Time{sl.Start, sl.Start.Add(length)}
	}
	return out
}

// freeDays groups spans, sorted by start, by local day into the first n
// days, each with its ranges: starts at most half an hour apart (the free
// starts' step), or a span beginning inside the range, extend it.
func freeDays(spans [][2]time.Time, n int) []lessons.FreeDay {
	loc := tz.Shanghai
	out := []lessons.FreeDay{}
	var from, last, end time.Time
	flush := func() {
		if from.IsZero() {
			return
		}
		d := &out[len(out)-1]
		d.Windows = append(d.Windows, from.In(loc).Format("15:04")+"–"+end.In(loc).Format("15:04"))
	}
	for _, sp := range spans {
		day := sp[0].In(loc).Format("2006-01-02")
		if len(out) == 0 || out[len(out)-1].Date != day {
			flush()
			if len(out) == n {
				return out
			}
			out = append(out, lessons.FreeDay{Date: day})
			from, last, end = sp[0], sp[0], sp[1]
			continue
		}
		if sp[0].Sub(last) > 30*time.Minute && sp[0].After(end) {
			flush()
			from, end = sp[0], sp[1]
		}
		last = sp[0]
		if sp[1].After(end) {
			end = sp[1]
		}
	}
	flush()
	return out
}
