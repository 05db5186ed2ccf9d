package booking

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"weike/internal/apperr"
	"weike/org"
)

// History (登记历史讲课): lessons a town gave before it used weike, or
// outside it, recorded by an official so that coverage, totals and points
// tell the whole story. A recorded lesson is an ordinary order with its
// whole audit trail, so it still occupies its time: history cannot
// double-book a lecturer or a branch any more than an order can.

// HistoryDetail marks the audit trail of a recorded lesson.
const HistoryDetail = "history"

// PastLesson is a lesson given in the past, as an official records it.
type PastLesson struct {
	LessonID    int64     `json:"lesson_id"`
	LecturerID  int64     `json:"lecturer_id"`
	CourtyardID int64     `json:"courtyard_id"`
	Start       time.Time `json:"start"`
	// RequestedAt is when the branch asked for the lesson; zero means a
	// week before Start. It dates the order (orders count by it).
	RequestedAt time.Time `json:"requested_at"`
	Attendees   int       `json:"attendees"`
	Minutes     int       `json:"minutes"` // zero: the lesson's duration
	Summary     string    `json:"summary"`
	Stars       int       `json:"stars"` // zero: not reviewed
	Comment     string    `json:"comment"`
	// Outcome is empty for a lesson given; Declined or Cancelled records an
	// order that came to nothing, with its Reason.
	Outcome Status `json:"outcome"`
	Reason  string `json:"reason"`
}

func (in *PastLesson) validate(now time.Time) error {
	var fs apperr.FieldSet
	in.Summary, in.Comment, in.Reason = strings.TrimSpace(in.Summary), strings.TrimSpace(in.Comment), strings.TrimSpace(in.Reason)
	if in.LessonID <= 0 {
		fs.Add("lesson_id", "field.required")
	}
	if in.LecturerID <= 0 {
		fs.Add("lecturer_id", "field.required")
	}
	if in.CourtyardID <= 0 {
		fs.Add("courtyard_id", "field.required")
	}
	if in.Start.IsZero() {
		fs.Add("start", "field.required")
	}
	if !in.RequestedAt.IsZero() && in.RequestedAt.After(in.Start) {
		fs.Add("requested_at", "field.range")
	}
	switch in.Outcome {
	case "", Delivered:
		if in.Attendees < 1 || in.Attendees > 10000 {
			fs.Add("attendees", "field.range")
		}
		if in.Minutes < 0 || in.Minutes > 600 {
			fs.Add("minutes", "field.range")
		}
		if in.Stars < 0 || in.Stars > 5 {
			fs.Add("stars", "order.stars")
		}
	case Declined, Cancelled:
		if in.Reason == "" {
			fs.Add("reason", "field.required")
		}
	default:
		fs.Add("outcome", "field.range")
	}
	if utf8.RuneCountInString(in.Summary) > 2000 {
		fs.Add("summary", "field.too_long")
	}
	if utf8.RuneCountInString(in.Comment) > 1000 {
		fs.Add("comment", "field.too_long")
	}
	if utf8.RuneCountInString(in.Reason) > 300 {
		fs.Add("reason", "field.too_long")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	if in.Start.After(now) {
		return apperr.New(apperr.Invalid, "order.not_yet")
	}
	return nil
}

// RecordPastLesson records, for an official of the town, a lesson given in
// the past: one order, delivered (reviewed when it has stars), with its
// audit trail dated as it happened and the lecturer's points credited as
// Deliver and Review would have. The lesson, lecturer (qualified for it)
// and courtyard must be the town's, the start must have passed, and the
// lecturer (with the travel buffer) and the branch must have been free.
func (s *Store) RecordPastLesson(ctx context.Context, act org.Actor, in PastLesson) (_ *Order, err error) {
	defer apperr.Wrap(&err, "booking: record past lesson")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	now := s.now()
	if err := in.validate(now); err != nil {
		return nil, err
	}
	var id int64
	err = s.tx(ctx, func(tx *gorm.DB) error {
		o, err := s.recordPast(ctx, tx, act, in, now)
		if err != nil {
			return err
		}
		id = o.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, act, id)
}

func (s *Store) recordPast(ctx context.Context, tx *gorm.DB, act org.Actor, in PastLesson, now time.Time) (*Order, error) {
	w, err := s.loadWorld(tx, act.TownID, in.LessonID, in.LecturerID, true)
	if err != nil {
		return nil, err
	}
	if err := w.checkQualified(tx); err != nil {
		return nil, err
	}
	var court struct {
		ID       int64
		BranchID int64
	}
	if err := tx.Table("courtyards").Select("courtyards.id, courtyards.branch_id").
		Joins("JOIN branches ON branches.id = courtyards.branch_id").
		Where("courtyards.id = ? AND branches.town_id = ?", in.CourtyardID, act.TownID).Scan(&court).Error; err != nil {
		return nil, err
	}
	if court.ID == 0 {
		return nil, apperr.New(apperr.Invalid, "validation").Field("courtyard_id", "courtyard.not_found")
	}
	start := in.Start.UTC().Truncate(time.Minute)
	requested := in.RequestedAt.UTC()
	if in.RequestedAt.IsZero() {
		requested = start.AddDate(0, 0, -7)
	}
	// Each step of the trail happens after the one before it, and none
	// after now: a lesson recorded right after it ended was reviewed now.
	at := func(t, after time.Time) time.Time {
		if t.Before(after) {
			t = after
		}
		if t.After(now) {
			t = now
		}
		return t
	}
	sj, _ := json.Marshal([]time.Time{start})
	// Each step is credited to whom it was: the branch's secretary ordered,
	// cancelled and rated, the lecturer answered and gave the lesson; the
	// recording official stands in for a party that has no account.
	branch, lecturer, err := s.partiesOf(tx, act, court.BranchID, in.LecturerID)
	if err != nil {
		return nil, err
	}
	o := &Order{TownID: act.TownID, BranchID: court.BranchID, CourtyardID: court.ID, LessonID: in.LessonID,
		LecturerID: in.LecturerID, SlotsJSON: string(sj), DurationMinutes: w.lesson.DurationMinutes,
		Audience: in.Attendees, AnswerBy: start, RequestedBy: &branch.id, CreatedAt: requested}
	type step struct {
		from, to       Status
		reason, detail string
		at             time.Time
	}
	var steps []step
	if in.Outcome == Declined || in.Outcome == Cancelled {
		o.Status, o.Reason, o.Sequence = in.Outcome, in.Reason, 1
		o.UpdatedAt = at(requested.Add(20*time.Hour), requested)
		steps = []step{{"", Requested, "", HistoryDetail, requested}, {Requested, in.Outcome, in.Reason, HistoryDetail, o.UpdatedAt}}
	} else {
		if err := s.checkClashes(tx, w, court.BranchID, start, 0); err != nil {
			return nil, err
		}
		end, blockEnd := w.end(start), w.blockEnd(start)
		minutes := in.Minutes
		if minutes == 0 {
			minutes = w.lesson.DurationMinutes
		}
		confirmed := at(requested.Add(start.Sub(requested)/4), requested)
		delivered := at(end.Add(30*time.Minute), confirmed)
		o.Status, o.Sequence = Delivered, 2
		o.StartAt, o.EndAt, o.BlockEndAt = &start, &end, &blockEnd
		o.Attendees, o.DeliveredMinutes, o.DeliverySummary, o.DeliveredAt = &in.Attendees, &minutes, in.Summary, &delivered
		o.UpdatedAt = delivered
		steps = []step{{"", Requested, "", HistoryDetail, requested}, {Requested, Confirmed, "", HistoryDetail, confirmed},
			{Confirmed, Delivered, "", HistoryDetail, delivered}}
		if in.Stars > 0 {
			reviewed := at(delivered.Add(26*time.Hour), delivered)
			stars := in.Stars
			o.Status, o.Sequence, o.Stars, o.ReviewComment, o.ReviewedAt, o.UpdatedAt = Reviewed, 3, &stars, in.Comment, &reviewed, reviewed
			steps = append(steps, step{Delivered, Reviewed, "", HistoryDetail, reviewed})
		}
	}
	o.Month = monthOf(o, w.loc)
	if err := tx.Create(o).Error; err != nil {
		return nil, s.exclusionConflict(ctx, err, w, court.BranchID, start, 0)
	}
	if err := touch(tx, o); err != nil {
		return nil, err
	}
	for _, st := range steps {
		by := branch
		if st.to == Confirmed || st.to == Delivered || st.to == Declined {
			by = lecturer
		}
		id := by.id
		e := Event{OrderID: o.ID, TownID: o.TownID, AccountID: &id, Role: string(by.role), FromStatus: st.from,
			ToStatus: st.to, Reason: st.reason, Detail: st.detail, At: st.at}
		if err := tx.Create(&e).Error; err != nil {
			return nil, err
		}
	}
	if o.DeliveredAt != nil {
		if err := s.creditAt(tx, o, "delivered", w.town.PointsDelivered, *o.DeliveredAt); err != nil {
			return nil, err
		}
	}
	if o.Stars != nil && *o.Stars == 5 {
		if err := s.creditAt(tx, o, "five_star", w.town.PointsFiveStar, *o.ReviewedAt); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// party is the account a step of a recorded lesson is credited to.
type party struct {
	id   int64
	role org.Role
}

// partiesOf are the accounts of a branch's secretary and of a lecturer (the
// first active one of each), or the recording official where there is none.
func (s *Store) partiesOf(tx *gorm.DB, act org.Actor, branchID, lecturerID int64) (branch, lecturer party, err error) {
	branch, lecturer = party{act.AccountID, act.Role}, party{act.AccountID, act.Role}
	var ids []int64
	if err := tx.Table("accounts").Where("town_id = ? AND role = ? AND branch_id = ? AND active = ?", act.TownID, org.RoleSecretary, branchID, true).
		Order("id").Limit(1).Pluck("id", &ids).Error; err != nil {
		return branch, lecturer, err
	}
	if len(ids) == 1 {
		branch = party{ids[0], org.RoleSecretary}
	}
	ids = nil
	if err := tx.Table("accounts").Where("town_id = ? AND role = ? AND lecturer_id = ? AND active = ?", act.TownID, org.RoleLecturer, lecturerID, true).
		Order("id").Limit(1).Pluck("id", &ids).Error; err != nil {
		return branch, lecturer, err
	}
	if len(ids) == 1 {
		lecturer = party{ids[0], org.RoleLecturer}
	}
	return branch, lecturer, nil
}

// creditAt is credit dated when the points were earned, so that a recorded
// lesson counts in its own month's leaderboard.
func (s *Store) creditAt(tx *gorm.DB, o *Order, kind string, points int, at time.Time) error {
	if points == 0 {
		return nil
	}
	id := o.ID
	e := Entry{TownID: o.TownID, LecturerID: o.LecturerID, OrderID: &id, Kind: kind, Points: points, Note: HistoryDetail, At: at}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "order_id"}, {Name: "kind"}}, DoNothing: true}).Create(&e).Error
}

// RecordPastLessons records many past lessons in one transaction, all or
// none: the first one refused stops the batch, its error's fields prefixed
// with its index and its index in the error's detail. Lessons of the batch
// are checked against each other as against the orders already there.
func (s *Store) RecordPastLessons(ctx context.Context, act org.Actor, ins []PastLesson) (_ int, err error) {
	defer apperr.Wrap(&err, "booking: record past lessons")
	if err := act.RequireOfficial(); err != nil {
		return 0, err
	}
	now := s.now()
	for i := range ins {
		if err := ins[i].validate(now); err != nil {
			return 0, batchErr(err, i)
		}
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		for i, in := range ins {
			if _, err := s.recordPast(ctx, tx, act, in, now); err != nil {
				return batchErr(err, i)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ins), nil
}

// batchErr names the item of a batch that a domain error is about.
func batchErr(err error, i int) error {
	err = apperr.Indexed(err, i)
	if e, ok := apperr.As(err); ok {
		return e.WithDetail("index", i)
	}
	return err
}
