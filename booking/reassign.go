package booking

// Giving an order to another lecturer (改派): to whom, and with which of its times.

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/notify"
	"weike/org"
)

// slotsFor are the times among ts that the lecturer of w can take for the
// existing order o: her hours and days off, the lead time and horizon, no
// clash for her or the branch (o itself aside), her monthly capacity. When
// she can take none, the first refusal says why.
func (s *Store) slotsFor(tx *gorm.DB, w *world, o *Order, ts []time.Time, now time.Time) ([]time.Time, error) {
	var ok []time.Time
	var first error
	for _, t := range ts {
		err := w.checkTime(t, now, true)
		if err == nil {
			err = s.checkClashes(tx, w, o.BranchID, t, o.ID)
		}
		if err == nil {
			err = s.checkCapacity(tx, w, t, o.ID)
		}
		if err != nil {
			if _, refused := apperr.As(err); !refused {
				return nil, err
			}
			if first == nil {
				first = err
			}
			continue
		}
		ok = append(ok, t)
	}
	if len(ok) == 0 {
		return nil, first
	}
	return ok, nil
}

// ReassignChoices are the lecturers an order may be given to now: active,
// qualified for its lesson, not its lecturer, and free at one of its open
// times at least (the times Reassign would keep).
func (s *Store) ReassignChoices(ctx context.Context, act org.Actor, id int64) (_ []int64, err error) {
	defer apperr.Wrap(&err, "booking: reassign choices for order %d", id)
	r := s.db.R.WithContext(ctx)
	var o Order
	if err := org.LoadScoped(r, act, id, &o, "order"); err != nil {
		return nil, err
	}
	if !Can(act, &o, s.now(), ActionReassign) {
		return nil, nil
	}
	var ids []int64
	if err := r.Table("lesson_lecturers").Joins("JOIN lecturers ON lecturers.id = lesson_lecturers.lecturer_id").
		Where("lesson_lecturers.lesson_id = ? AND lecturers.town_id = ? AND lecturers.active = ? AND lecturers.id <> ?",
			o.LessonID, o.TownID, true, o.LecturerID).Order("lecturers.id").Pluck("lecturers.id", &ids).Error; err != nil {
		return nil, err
	}
	now := s.now()
	open := o.OpenSlots(now)
	var out []int64
	for _, lid := range ids {
		w, err := s.loadWorld(r, o.TownID, o.LessonID, lid, false)
		if err != nil {
			if _, refused := apperr.As(err); refused {
				continue
			}
			return nil, err
		}
		if free, err := s.slotsFor(r, w, &o, open, now); err != nil {
			if _, refused := apperr.As(err); !refused {
				return nil, err
			}
		} else if len(free) > 0 {
			out = append(out, lid)
		}
	}
	return out, nil
}

// Reassign gives an order that is waiting for an answer, or came to
// nothing, to another qualified lecturer (the rules of when are in specs).
func (s *Store) Reassign(ctx context.Context, act org.Actor, id int64, lecturerID int64) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: reassign order %d", id)
	return s.transition(ctx, act, id, ActionReassign, func(tx *gorm.DB, o *Order) error {
		if lecturerID == o.LecturerID && (o.Status == Requested || o.Status == Proposed) {
			return apperr.New(apperr.Invalid, "validation").Field("lecturer_id", "order.same_lecturer")
		}
		w, err := s.loadWorld(tx, o.TownID, o.LessonID, lecturerID, false)
		if err != nil {
			return err
		}
		if err := w.checkQualified(tx); err != nil {
			return err
		}
		now := s.now()
		future := o.OpenSlots(now)
		if len(future) == 0 {
			return apperr.New(apperr.Invalid, "order.slots_passed")
		}
		// The new lecturer gets the times she can take, and none she
		// could only refuse.
		if future, err = s.slotsFor(tx, w, o, future, now); err != nil {
			return err
		}
		var former string
		if err := tx.Table("lecturers").Select("name").Where("id = ?", o.LecturerID).Scan(&former).Error; err != nil {
			return err
		}
		answerBy := now.Add(time.Duration(w.town.AnswerDeadlineHours) * time.Hour)
		if last := latest(future); last.Before(answerBy) {
			answerBy = last
		}
		sj, _ := json.Marshal(future)
		prev, formerID := o.Status, o.LecturerID
		o.Status, o.LecturerID = Requested, lecturerID
		err = s.save(tx, w.loc, o, act, prev, "", "lecturer "+strconv.FormatInt(lecturerID, 10)+" "+w.lecturer.Name,
			map[string]any{"lecturer_id": lecturerID, "slots": string(sj), "answer_by": answerBy, "reason": "",
				"start_at": nil, "end_at": nil, "block_end_at": nil, "proposed_at": nil, "proposal_note": ""})
		if err != nil {
			return err
		}
		key := eventKey(o)
		extra := map[string]any{"former": former}
		if err := s.tellTx(tx, o, act, notify.KindOrderAssigned, key, extra, lecturerOf(lecturerID, "")); err != nil {
			return err
		}
		to := []audience{secretaries(o, "order.reassigned.secretary")}
		if formerID != lecturerID {
			to = append(to, lecturerOf(formerID, "order.reassigned.former"))
		}
		return s.tellTx(tx, o, act, notify.KindOrderReassigned, key, extra, to...)
	})
}
