package booking

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/i18n"
	"weike/notify"
	"weike/org"
)

// NewOrder is a secretary's order.
type NewOrder struct {
	LessonID    int64    `json:"lesson_id"`
	LecturerID  int64    `json:"lecturer_id"` // zero: weike picks the first free qualified lecturer
	CourtyardID int64    `json:"courtyard_id"`
	Slots       []string `json:"slots"`
	Audience    int      `json:"audience"`
	Note        string   `json:"note"`
	// Dispatch, set by the town's dispatch only, makes an official's order
	// for a branch (see Dispatch); a secretary's order leaves it nil.
	Dispatch *Dispatch `json:"-"`
}

// Validate checks what an order form can get wrong by itself, every field
// at once, before any rule that needs the database: a form shown again
// lists all its problems, not one per submit.
func (in NewOrder) Validate() error {
	var fs apperr.FieldSet
	if in.LessonID <= 0 {
		fs.Add("lesson_id", "field.required")
	}
	if in.Dispatch != nil && in.LecturerID <= 0 {
		fs.Add("lecturer_id", "field.required")
	}
	if in.CourtyardID <= 0 {
		fs.Add("courtyard_id", "field.required")
	}
	if len(in.Slots) == 0 || len(in.Slots) > 3 {
		fs.Add("slots", "order.slots_count")
	}
	if in.Audience < 0 || in.Audience > 10000 {
		fs.Add("audience", "field.range")
	}
	if utf8.RuneCountInString(strings.TrimSpace(in.Note)) > 500 {
		fs.Add("note", "field.too_long")
	}
	return fs.Err()
}

// Create places an order for the secretary's branch, or, dispatched by an
// official (in.Dispatch), for a branch of her town. It reports whether a
// new order was made: the same order sent twice (a double tap) returns the
// first one.
func (s *Store) Create(ctx context.Context, act org.Actor, in NewOrder) (_ *Order, _ bool, err error) {
	defer apperr.Wrap(&err, "booking: create order")
	branchID := act.BranchID
	switch {
	case in.Dispatch != nil:
		if err := act.RequireOfficial(); err != nil {
			return nil, false, err
		}
		branchID = in.Dispatch.BranchID
	case act.Role != org.RoleSecretary || act.BranchID == 0:
		return nil, false, apperr.New(apperr.Forbidden, "order.secretary_only")
	}
	in.Note = strings.TrimSpace(in.Note)
	if err := in.Validate(); err != nil {
		return nil, false, err
	}
	in.Note = strings.TrimSpace(in.Note)
	now := s.now()
	var pre *world
	if in.LecturerID != 0 {
		pre = s.preloadWorld(ctx, act.TownID, in.LessonID, in.LecturerID)
	}
	if s.afterPreload != nil {
		s.afterPreload()
	}
	var out *Order
	created := false
	err = s.tx(ctx, func(tx *gorm.DB) error {
		town, loc, err := s.loadTown(tx, act.TownID)
		if err != nil {
			return err
		}
		var court org.Courtyard
		if err := db.First(tx.Table("courtyards").Where("id = ? AND branch_id = ?", in.CourtyardID, branchID), &court,
			apperr.New(apperr.Invalid, "validation").Field("courtyard_id", "order.courtyard_not_yours")); err != nil {
			return err
		}
		slots := make([]time.Time, 0, len(in.Slots))
		var sfs apperr.FieldSet
		for i, v := range in.Slots {
			if strings.TrimSpace(v) == "" {
				sfs.Add("slots."+strconv.Itoa(i), "order.slot_required")
				continue
			}
			t, err := parseStart(strings.TrimSpace(v), loc)
			if err != nil {
				sfs.Add("slots."+strconv.Itoa(i), "order.slot_format")
				continue
			}
			for _, prev := range slots {
				if prev.Equal(t) {
					sfs.Add("slots."+strconv.Itoa(i), "order.slot_duplicate")
				}
			}
			slots = append(slots, t)
		}
		if err := sfs.Err(); err != nil {
			return err
		}
		if in.Dispatch != nil {
			dup, err := s.checkDispatch(tx, act.TownID, loc, in, court.ID, slots)
			if err != nil || dup != 0 {
				out = &Order{ID: dup}
				return err
			}
		}
		candidates := []int64{in.LecturerID}
		if in.LecturerID == 0 {
			if err := tx.Table("lesson_lecturers").Joins("JOIN lecturers ON lecturers.id = lesson_lecturers.lecturer_id").
				Where("lesson_lecturers.lesson_id = ? AND lecturers.town_id = ? AND lecturers.active = ?", in.LessonID, act.TownID, true).
				Order("lecturers.id").Pluck("lecturers.id", &candidates).Error; err != nil {
				return err
			}
			if len(candidates) == 0 {
				return apperr.New(apperr.Invalid, "order.no_lecturer")
			}
		}
		var firstErr error
		for _, lid := range candidates {
			w := pre.inTown(town, loc)
			var err error
			if w == nil {
				w, err = s.loadWorldIn(tx, town, loc, in.LessonID, lid, false)
			}
			if err == nil {
				err = s.checkSlots(tx, w, branchID, slots, now)
			}
			if err != nil {
				if _, ok := apperr.As(err); !ok {
					return err
				}
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			// A double tap sends the same order twice: give back the first.
			if dup, err := s.findDuplicate(tx, branchID, in.LessonID, lid, court.ID, slots); err != nil || dup != 0 {
				if err != nil {
					return err
				}
				out = &Order{ID: dup}
				return nil
			}
			answerBy := now.Add(time.Duration(town.AnswerDeadlineHours) * time.Hour)
			if last := latest(slots); last.Before(answerBy) {
				answerBy = last
			}
			sj, _ := json.Marshal(slots)
			o := &Order{TownID: act.TownID, BranchID: branchID, CourtyardID: court.ID, LessonID: in.LessonID,
				LecturerID: lid, Status: Requested, SlotsJSON: string(sj), DurationMinutes: w.lesson.DurationMinutes,
				Audience: in.Audience, Note: in.Note, AnswerBy: answerBy, RequestedBy: &act.AccountID,
				CreatedAt: now, UpdatedAt: now}
			if in.Dispatch != nil {
				o.DispatchedBy = &act.AccountID
			}
			o.Month = monthOf(o, loc)
			if err := tx.Create(o).Error; err != nil {
				return err
			}
			// The answer is made from what is at hand (names included)
			// rather than read back: that read was an eighth of the work.
			var branch []string
			if err := tx.Table("branches").Where("id = ?", branchID).Limit(1).Pluck("name", &branch).Error; err != nil {
				return err
			}
			o.Slots, o.Photos = slots, []string{}
			o.LessonTitle, o.LecturerName, o.CourtyardName = w.lesson.Title, w.lecturer.Name, court.Name
			if len(branch) == 1 {
				o.BranchName = branch[0]
			}
			created = true
			out = o
			if in.Dispatch == nil {
				if err := s.event(tx, o, act, "", Requested, "", ""); err != nil {
					return err
				}
				return s.tellWith(tx, o, act, paramsOf(o, loc, town.AnswerDeadlineHours), notify.KindOrderRequested, eventKey(o), nil,
					lecturerOf(o.LecturerID, ""))
			}
			if err := s.event(tx, o, act, "", Requested, "", detailDispatched); err != nil {
				return err
			}
			return s.tellDispatched(tx, o, act, w, slots[0])
		}
		return firstErr
	})
	if err != nil {
		return nil, false, err
	}
	if created {
		s.tell.Kick()
		return out, true, nil
	}
	// A double tap: the first order, as it is now.
	o, err := s.Get(ctx, act, out.ID)
	return o, false, err
}

// checkSlots applies every rule to every preferred time of a new order.
func (s *Store) checkSlots(tx *gorm.DB, w *world, branchID int64, slots []time.Time, now time.Time) error {
	if err := w.checkQualified(tx); err != nil {
		return err
	}
	for _, t := range slots {
		if err := w.checkTime(t, now, true); err != nil {
			return err
		}
		if err := s.checkClashes(tx, w, branchID, t, 0); err != nil {
			return err
		}
		if err := s.checkCapacity(tx, w, t, 0); err != nil {
			return err
		}
	}
	return nil
}

func latest(ts []time.Time) time.Time {
	l := ts[0]
	for _, t := range ts[1:] {
		if t.After(l) {
			l = t
		}
	}
	return l
}

func (s *Store) findDuplicate(tx *gorm.DB, branchID, lessonID, lecturerID, courtyardID int64, slots []time.Time) (int64, error) {
	var os []Order
	// The status is written out, not bound: only then may SQLite use the
	// partial index of requested orders (orders_requested).
	err := tx.Select("id, slots").Where("branch_id = ? AND lesson_id = ? AND lecturer_id = ? AND courtyard_id = ? AND status = '"+string(Requested)+"'",
		branchID, lessonID, lecturerID, courtyardID).Find(&os).Error
	if err != nil {
		return 0, err
	}
	for _, o := range os {
		var prev []time.Time
		if json.Unmarshal([]byte(o.SlotsJSON), &prev) == nil && sameTimes(prev, slots) {
			return o.ID, nil
		}
	}
	return 0, nil
}

func sameTimes(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// The reasons and details the store writes into the audit trail itself
// (people's own reasons are their words). They are stored codes, not text:
// the order page says each in its reader's language (web's eventNote), so
// they must not change without a migration of the rows that hold them.
const (
	reasonNoAnswer         = "no answer"
	reasonProposalRejected = "proposed time rejected"
	detailProposalAccepted = "proposed time accepted"
)

// event appends to the audit trail and bumps nothing else.
func (s *Store) event(tx *gorm.DB, o *Order, act org.Actor, from, to Status, reason, detail string) error {
	e := Event{OrderID: o.ID, TownID: o.TownID, Role: string(act.Role), FromStatus: from, ToStatus: to,
		Reason: reason, Detail: detail, At: s.now()}
	if act.AccountID != 0 {
		id := act.AccountID
		e.AccountID = &id
	} else {
		e.Role = "system"
	}
	if err := tx.Create(&e).Error; err != nil {
		return err
	}
	if err := touch(tx, o); err != nil {
		return err
	}
	o.lastEvent = e.ID
	// The order's answer shows its history without reading it back.
	if e.AccountID != nil {
		e.ActorName = act.Name
	}
	o.History = append(o.History, e)
	return nil
}

// transition loads an order for change inside tx and asks the action table
// whether the actor may make the move: not visible → not found; otherwise
// the table's refusal (not your move 403, wrong status 409, or a condition
// of time) — then runs fn.
func (s *Store) transition(ctx context.Context, act org.Actor, id int64, name ActionName,
	fn func(tx *gorm.DB, o *Order) error) (*Order, error) {
	sp := specOf(name)
	if sp == nil {
		return nil, fmt.Errorf("no action %q", name)
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var o Order
		if err := org.LoadScoped(tx, act, id, &o, "order"); err != nil {
			return err
		}
		p := PartyOf(act, &o)
		if p == 0 {
			return apperr.NotFoundf("order")
		}
		if err := sp.decide(p, &o, s.now()); err != nil {
			return err
		}
		// The order as it was: a reassigned one leaves its former
		// lecturer's list (the move's event marks the new one).
		if err := touch(tx, &o); err != nil {
			return err
		}
		if err := fn(tx, &o); err != nil {
			return err
		}
		// Whoever made the move has answered what the order's messages
		// asked of her: they no longer wait in her inbox.
		if act.AccountID == 0 {
			return nil
		}
		return s.tell.MarkReadAboutTx(tx, act.AccountID, "/orders/"+strconv.FormatInt(o.ID, 10))
	})
	if err != nil {
		return nil, err
	}
	s.tell.Kick()
	return s.Get(ctx, act, id)
}

// save writes a move: its fields, the status, and the month the order is
// filed under whenever the move changes its lesson time (a booking, a
// proposal made or ended, a withdrawal, a reassignment's new preferred
// times). loc is the town's zone when the caller holds it, else nil: it is
// then read only when the month must be worked out.
func (s *Store) save(tx *gorm.DB, loc *time.Location, o *Order, act org.Actor, from Status, reason, detail string, fields map[string]any) error {
	before, after := *o, o.with(fields)
	before.Status = from
	if !firstTime(before.Times()).Equal(firstTime(after.Times())) {
		if loc == nil {
			var err error
			if _, loc, err = s.loadTown(tx, o.TownID); err != nil {
				return err
			}
		}
		fields["month"] = monthOf(after, loc)
	}
	fields["status"] = o.Status
	fields["updated_at"] = s.now()
	fields["sequence"] = gorm.Expr("sequence + 1")
	if err := tx.Table("orders").Where("id = ?", o.ID).Updates(fields).Error; err != nil {
		return err
	}
	return s.event(tx, o, act, from, o.Status, reason, detail)
}

// with is o as it is once fields (a move's columns) are written: the times
// that say its month.
func (o Order) with(fields map[string]any) *Order {
	at := func(v any) *time.Time {
		if t, ok := v.(time.Time); ok {
			return &t
		}
		return nil
	}
	for k, v := range fields {
		switch k {
		case "start_at":
			o.StartAt = at(v)
		case "proposed_at":
			o.ProposedAt = at(v)
		case "slots":
			o.SlotsJSON = v.(string)
		}
	}
	return &o
}

func firstTime(ts []time.Time) time.Time {
	if len(ts) == 0 {
		return time.Time{}
	}
	return ts[0]
}

func (o *Order) slots() []time.Time {
	var ts []time.Time
	_ = json.Unmarshal([]byte(o.SlotsJSON), &ts)
	return ts
}

// confirm books start for the order: clashes, capacity, then the write; on
// Postgres the exclusion constraints have the last word.
func (s *Store) confirm(ctx context.Context, tx *gorm.DB, o *Order, act org.Actor, start time.Time, from Status, detail string) error {
	w, err := s.loadWorld(tx, o.TownID, o.LessonID, o.LecturerID, true)
	if err != nil {
		return err
	}
	if !SlotOpen(start, s.now()) {
		return apperr.New(apperr.Invalid, "order.slot_passed").With("start_at", start.In(w.loc))
	}
	if err := s.checkClashes(tx, w, o.BranchID, start, o.ID); err != nil {
		return err
	}
	if err := s.checkCapacity(tx, w, start, o.ID); err != nil {
		return err
	}
	o.Status = Confirmed
	end, blockEnd := w.end(start), w.blockEnd(start)
	err = s.save(tx, w.loc, o, act, from, "", detail, map[string]any{"start_at": start, "end_at": end, "block_end_at": blockEnd})
	if err != nil {
		return s.exclusionConflict(ctx, err, w, o.BranchID, start, o.ID)
	}
	return nil
}

// Accept is the lecturer taking one of the preferred times.
func (s *Store) Accept(ctx context.Context, act org.Actor, id int64, slot int) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: accept order %d", id)
	return s.transition(ctx, act, id, ActionAccept, func(tx *gorm.DB, o *Order) error {
		slots := o.slots()
		if slot < 0 || slot >= len(slots) {
			return apperr.New(apperr.Invalid, "validation").Field("slot", "order.slot_index")
		}
		if err := s.confirm(ctx, tx, o, act, slots[slot], Requested, "slot "+strconv.Itoa(slot)); err != nil {
			return err
		}
		return s.tellTx(tx, o, act, notify.KindOrderAccepted, eventKey(o), nil, secretaries(o, ""))
	})
}

func reasonOf(reason string, required bool) (string, error) {
	reason = strings.TrimSpace(reason)
	if required && reason == "" {
		return "", apperr.New(apperr.Invalid, "validation").Field("reason", "field.required")
	}
	if utf8.RuneCountInString(reason) > 300 {
		return "", apperr.New(apperr.Invalid, "validation").Field("reason", "field.too_long")
	}
	return reason, nil
}

// Decline is the lecturer saying no, with a reason.
func (s *Store) Decline(ctx context.Context, act org.Actor, id int64, reason string) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: decline order %d", id)
	reason, err = reasonOf(reason, true)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, act, id, ActionDecline, func(tx *gorm.DB, o *Order) error {
		o.Status = Declined
		if err := s.save(tx, nil, o, act, Requested, reason, "", map[string]any{"reason": reason}); err != nil {
			return err
		}
		return s.tellTx(tx, o, act, notify.KindOrderDeclined, eventKey(o), nil,
			secretaries(o, ""), officials("order.declined.official"))
	})
}

// Proposal is a lecturer's offer of another time.
type Proposal struct {
	Start string `json:"start"`
	// Note is a word to the branch with the time ("I'm away that week").
	Note string `json:"note"`
	// ConfirmOutsideHours says the lecturer knows the time lies outside
	// her own weekly hours and means it; without it such a time is refused
	// with the hours it misses, for the page to ask her.
	ConfirmOutsideHours bool `json:"confirm_outside_hours"`
}

// Propose is the lecturer offering another time, with an optional note.
func (s *Store) Propose(ctx context.Context, act org.Actor, id int64, in Proposal) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: propose a time for order %d", id)
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > 300 {
		return nil, apperr.New(apperr.Invalid, "validation").Field("note", "field.too_long")
	}
	return s.transition(ctx, act, id, ActionPropose, func(tx *gorm.DB, o *Order) error {
		w, err := s.loadWorld(tx, o.TownID, o.LessonID, o.LecturerID, false)
		if err != nil {
			return err
		}
		if strings.TrimSpace(in.Start) == "" {
			return apperr.New(apperr.Invalid, "validation").Field("start", "order.slot_required")
		}
		t, err := parseStart(strings.TrimSpace(in.Start), w.loc)
		if err != nil {
			return apperr.New(apperr.Invalid, "validation").Field("start", "order.slot_format")
		}
		if err := w.checkTime(t, s.now(), false); err != nil {
			return err
		}
		// The lecturer may step outside her own weekly hours, knowingly:
		// a time outside them is asked about first.
		if !in.ConfirmOutsideHours && !w.available(t) {
			return apperr.New(apperr.Invalid, "order.outside_own_hours").With("start_at", i18n.TimeFrom(t.In(w.loc), s.now())).
				With("windows", w.windowList()).Field("confirm_outside_hours", "order.confirm_outside_hours")
		}
		if err := s.checkClashes(tx, w, o.BranchID, t, o.ID); err != nil {
			return err
		}
		if err := s.checkCapacity(tx, w, t, o.ID); err != nil {
			return err
		}
		o.Status = Proposed
		if err := s.save(tx, w.loc, o, act, Requested, note, t.Format(time.RFC3339), map[string]any{"proposed_at": t, "proposal_note": note}); err != nil {
			return err
		}
		text := "order.proposed"
		if note != "" {
			text = "order.proposed.note"
		}
		return s.tellTx(tx, o, act, notify.KindOrderProposed, eventKey(o), nil, secretaries(o, text))
	})
}

// Respond is the branch accepting or rejecting the proposed time.
func (s *Store) Respond(ctx context.Context, act org.Actor, id int64, accept bool) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: respond to order %d", id)
	return s.transition(ctx, act, id, ActionRespond, func(tx *gorm.DB, o *Order) error {
		text := "order.proposal_answered.yes"
		if accept {
			if err := s.confirm(ctx, tx, o, act, o.ProposedAt.UTC(), Proposed, detailProposalAccepted); err != nil {
				return err
			}
		} else {
			o.Status, text = Cancelled, "order.proposal_answered.no"
			if err := s.save(tx, nil, o, act, Proposed, reasonProposalRejected, "", map[string]any{"reason": reasonProposalRejected}); err != nil {
				return err
			}
		}
		return s.tellTx(tx, o, act, notify.KindOrderProposalAnswered, eventKey(o), nil, lecturerOf(o.LecturerID, text))
	})
}

// Cancel withdraws an order: the branch before the lesson starts, an
// official of the town at any point before delivery (the rules are in specs).
func (s *Store) Cancel(ctx context.Context, act org.Actor, id int64, reason string) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: cancel order %d", id)
	reason, err = reasonOf(reason, true)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, act, id, ActionCancel, func(tx *gorm.DB, o *Order) error {
		prev := o.Status
		o.Status = Cancelled
		if err := s.save(tx, nil, o, act, prev, reason, "", map[string]any{"reason": reason}); err != nil {
			return err
		}
		to := []audience{secretaries(o, ""), officials("")}
		// A lecturer who declined, or never answered, has nothing to stop.
		if prev == Requested || prev == Proposed || prev == Confirmed {
			to = append(to, lecturerOf(o.LecturerID, ""))
		}
		return s.tellTx(tx, o, act, notify.KindOrderCancelled, eventKey(o), who(act), to...)
	})
}

// Withdraw is the lecturer giving back a lesson she had accepted, with a
// reason, before it starts: the order is declined again, for the town to
// give to another lecturer, and the branch and the officials are told.
func (s *Store) Withdraw(ctx context.Context, act org.Actor, id int64, reason string) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: withdraw from order %d", id)
	reason, err = reasonOf(reason, true)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, act, id, ActionWithdraw, func(tx *gorm.DB, o *Order) error {
		// The time she gave back is what the others are told of; the
		// order no longer holds it.
		extra := map[string]any{}
		if o.StartAt != nil {
			extra["start"] = *o.StartAt
		}
		o.Status = Declined
		err := s.save(tx, nil, o, act, Confirmed, reason, "", map[string]any{"reason": reason,
			"start_at": nil, "end_at": nil, "block_end_at": nil})
		if err != nil {
			return err
		}
		return s.tellTx(tx, o, act, notify.KindOrderWithdrawn, eventKey(o), extra, secretaries(o, ""), officials(""))
	})
}

// Delivery is what is recorded when a lesson has been given.
type Delivery struct {
	Attendees  int      `json:"attendees"`
	Minutes    int      `json:"minutes"`
	Summary    string   `json:"summary"`
	PhotoLinks []string `json:"photo_links"`
}

func (d *Delivery) validate() error {
	var fs apperr.FieldSet
	d.Summary = strings.TrimSpace(d.Summary)
	if d.Attendees < 1 || d.Attendees > 10000 {
		fs.Add("attendees", "field.range")
	}
	if d.Minutes < 1 || d.Minutes > 600 {
		fs.Add("minutes", "field.range")
	}
	if utf8.RuneCountInString(d.Summary) > 2000 {
		fs.Add("summary", "field.too_long")
	}
	if len(d.PhotoLinks) > 10 {
		fs.Add("photo_links", "field.too_many")
	}
	var links []string
	for _, l := range d.PhotoLinks {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if !(strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")) || strings.ContainsAny(l, " <>\"") || len(l) > 500 {
			fs.Add("photo_links", "field.link")
		}
		links = append(links, l)
	}
	d.PhotoLinks = links
	return fs.Err()
}

// Deliver records that the lesson was given (by the lecturer, the branch or
// an official) and credits the lecturer's points.
func (s *Store) Deliver(ctx context.Context, act org.Actor, id int64, d Delivery) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: deliver order %d", id)
	if err := d.validate(); err != nil {
		return nil, err
	}
	return s.transition(ctx, act, id, ActionDeliver, func(tx *gorm.DB, o *Order) error {
		town, _, err := s.loadTown(tx, o.TownID)
		if err != nil {
			return err
		}
		o.Status = Delivered
		err = s.save(tx, nil, o, act, Confirmed, "", "", map[string]any{"attendees": d.Attendees, "delivered_minutes": d.Minutes,
			"delivery_summary": d.Summary, "photo_links": strings.Join(d.PhotoLinks, "\n"), "delivered_at": s.now()})
		if err != nil {
			return err
		}
		return s.credit(tx, o, "delivered", town.PointsDelivered)
	})
}

// Review is the branch's stars and comment; five stars earn the lecturer a bonus.
func (s *Store) Review(ctx context.Context, act org.Actor, id int64, stars int, comment string) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: review order %d", id)
	comment = strings.TrimSpace(comment)
	var fs apperr.FieldSet
	if stars < 1 || stars > 5 {
		fs.Add("stars", "order.stars")
	}
	if utf8.RuneCountInString(comment) > 1000 {
		fs.Add("comment", "field.too_long")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	return s.transition(ctx, act, id, ActionReview, func(tx *gorm.DB, o *Order) error {
		town, _, err := s.loadTown(tx, o.TownID)
		if err != nil {
			return err
		}
		o.Status = Reviewed
		if err := s.save(tx, nil, o, act, Delivered, "", strconv.Itoa(stars)+"★", map[string]any{"stars": stars,
			"review_comment": comment, "reviewed_at": s.now()}); err != nil {
			return err
		}
		if stars == 5 {
			return s.credit(tx, o, "five_star", town.PointsFiveStar)
		}
		return nil
	})
}

// OpenSlots are the order's preferred times that have not come yet.
func (o *Order) OpenSlots(now time.Time) []time.Time {
	var future []time.Time
	for _, t := range o.slots() {
		if SlotOpen(t, now) {
			future = append(future, t)
		}
	}
	return future
}

// ExpireDue expires the orders nobody answered in time (and proposals whose
// time has passed), telling the town's officials in their inbox. It is the
// body of the hourly order-expiry job and is safe to run twice.
func (s *Store) ExpireDue(ctx context.Context) (_ int, err error) {
	defer apperr.Wrap(&err, "booking: expire due orders")
	now := s.now()
	var due []Order
	if err := s.db.R.WithContext(ctx).Where("(status = ? AND answer_by <= ?) OR (status = ? AND proposed_at <= ?)",
		Requested, now, Proposed, now).Order("id").Limit(1000).Find(&due).Error; err != nil {
		return 0, err
	}
	n := 0
	system := org.Actor{}
	for _, d := range due {
		err := s.tx(ctx, func(tx *gorm.DB) error {
			var o Order
			// Re-read under the write lock: someone may have answered
			// meanwhile, and then there is nothing to expire.
			if err := tx.Where("id = ? AND status = ?", d.ID, d.Status).Limit(1).Find(&o).Error; err != nil || o.ID == 0 {
				return err
			}
			prev := o.Status
			o.Status = Expired
			if err := s.save(tx, nil, &o, system, prev, reasonNoAnswer, "", map[string]any{}); err != nil {
				return err
			}
			n++
			return s.tellTx(tx, &o, system, notify.KindOrderExpired, eventKey(&o), nil,
				officials(""), secretaries(&o, "order.expired.secretary"))
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
