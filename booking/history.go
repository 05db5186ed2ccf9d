package booking

import (
	"context"
	"encoding/json"
	"strconv"
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
func (s *Store) RecordPastLesson(ctx context.Context, act org.Actor, in PastLesson) (*Order, error) {
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	now := s.now()
	if err := in.validate(now); err != nil {
		return nil, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		o, err := s.recordPast(tx, act, in, now)
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

func (s *Store) recordPast(tx *gorm.DB, act org.Actor, in PastLesson, now time.Time) (*Order, error) {
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
	id := act.AccountID
	o := &Order{TownID: act.TownID, BranchID: court.BranchID, CourtyardID: court.ID, LessonID: in.LessonID,
		LecturerID: in.LecturerID, SlotsJSON: string(sj), DurationMinutes: w.lesson.DurationMinutes,
		Audience: in.Attendees, AnswerBy: start, RequestedBy: &id, CreatedAt: requested}
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
	// The month column is written apart from the struct, as confirm does.
	if err := tx.Create(o).Error; err != nil {
		return nil, s.exclusionConflict(err, w, court.BranchID, start, 0)
	}
	if o.StartAt != nil {
		if err := tx.Table("orders").Where("id = ?", o.ID).Update("month", start.In(w.loc).Format("2006-01")).Error; err != nil {
			return nil, err
		}
	}
	for _, st := range steps {
		e := Event{OrderID: o.ID, TownID: o.TownID, AccountID: &id, Role: string(act.Role), FromStatus: st.from,
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

// RecordMemberLessons records many member lessons of the official's town at
// once, in one transaction: all of them or, when one is invalid, none (the
// error's fields are prefixed with its index, e.g. "3.date"). It is the
// bulk form of RecordMemberLesson for back-filling a year of a town's
// records.
func (s *Store) RecordMemberLessons(ctx context.Context, act org.Actor, ins []NewMemberLesson) (int, error) {
	if err := act.RequireOfficial(); err != nil {
		return 0, err
	}
	if len(ins) == 0 {
		return 0, nil
	}
	loc, now := s.loc(""), s.now()
	id := act.AccountID
	ms := make([]MemberLesson, 0, len(ins))
	ids := make([]int64, len(ins))
	for i, in := range ins {
		m, err := checkMemberLesson(in, loc, now)
		if err != nil {
			return 0, indexed(err, i)
		}
		m.TownID, m.CreatedBy, m.CreatedAt = act.TownID, &id, now
		ids[i] = m.BranchID
		ms = append(ms, *m)
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.townBranches(tx, act, ids); err != nil {
			return err
		}
		return tx.CreateInBatches(ms, 200).Error
	})
	if err != nil {
		return 0, err
	}
	return len(ms), nil
}

// checkMemberLesson applies RecordMemberLesson's rules to one lesson of a batch.
func checkMemberLesson(in NewMemberLesson, loc *time.Location, now time.Time) (*MemberLesson, error) {
	var fs apperr.FieldSet
	in.Title, in.Topic, in.Speaker = strings.TrimSpace(in.Title), strings.TrimSpace(in.Topic), strings.TrimSpace(in.Speaker)
	if in.BranchID <= 0 {
		fs.Add("branch_id", "field.required")
	}
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > 80 {
		fs.Add("title", "field.required")
	}
	if utf8.RuneCountInString(in.Topic) > 20 {
		fs.Add("topic", "field.too_long")
	}
	if n := utf8.RuneCountInString(in.Speaker); n == 0 || n > 40 {
		fs.Add("speaker", "field.required")
	}
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.Date), loc)
	if err != nil {
		fs.Add("date", "field.date")
	} else if d.After(now.In(loc)) || d.Year() < 2000 {
		fs.Add("date", "member.date_future")
	}
	if in.Attendees < 1 || in.Attendees > 10000 {
		fs.Add("attendees", "field.range")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	return &MemberLesson{BranchID: in.BranchID, Title: in.Title, Topic: in.Topic, Speaker: in.Speaker,
		Day: d.Format("2006-01-02"), Month: d.Format("2006-01"), Attendees: in.Attendees}, nil
}

// indexed prefixes a validation error's fields with the item's index.
func indexed(err error, i int) error {
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make(map[string]string, len(e.Fields))
	for f, code := range e.Fields {
		out.Fields[strconv.Itoa(i)+"."+f] = code
	}
	return &out
}

// RecordViewings records many film viewings of the official's town in one
// transaction, all or none, as RecordMemberLessons does member lessons.
func (s *Store) RecordViewings(ctx context.Context, act org.Actor, ins []ViewingInput) (int, error) {
	if err := act.RequireOfficial(); err != nil {
		return 0, err
	}
	ids := make([]int64, len(ins))
	for i, in := range ins {
		ids[i] = in.BranchID
	}
	vs := make([]Viewing, 0, len(ins))
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.townBranches(tx, act, ids); err != nil {
			return err
		}
		acc, now := act.AccountID, s.now()
		films := map[int64]string{}
		for i := range ins {
			in := ins[i]
			// A film named again is looked up once.
			if t, ok := films[in.FilmID]; ok && in.FilmID != 0 {
				in.FilmID, in.FilmTitle = 0, t
			}
			v, err := s.checkViewing(tx, act.TownID, &in)
			if err != nil {
				return indexed(err, i)
			}
			if ins[i].FilmID != 0 {
				films[ins[i].FilmID] = v.FilmTitle
				id := ins[i].FilmID
				v.FilmID = &id
			}
			v.TownID, v.BranchID, v.CreatedBy, v.UpdatedBy, v.CreatedAt, v.UpdatedAt = act.TownID, in.BranchID, &acc, &acc, now, now
			vs = append(vs, *v)
		}
		if len(vs) == 0 {
			return nil
		}
		return tx.CreateInBatches(vs, 200).Error
	})
	if err != nil {
		return 0, err
	}
	return len(vs), nil
}

// RecordPractices records many practices of the official's town in one
// transaction, all or none.
func (s *Store) RecordPractices(ctx context.Context, act org.Actor, ins []PracticeInput) (int, error) {
	if err := act.RequireOfficial(); err != nil {
		return 0, err
	}
	ids := make([]int64, len(ins))
	ps := make([]Practice, 0, len(ins))
	acc, now := act.AccountID, s.now()
	for i := range ins {
		ids[i] = ins[i].BranchID
		p, err := s.checkPractice(&ins[i])
		if err != nil {
			return 0, indexed(err, i)
		}
		p.TownID, p.BranchID, p.CreatedBy, p.UpdatedBy, p.CreatedAt, p.UpdatedAt = act.TownID, ins[i].BranchID, &acc, &acc, now, now
		ps = append(ps, *p)
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.townBranches(tx, act, ids); err != nil {
			return err
		}
		if len(ps) == 0 {
			return nil
		}
		return tx.CreateInBatches(ps, 200).Error
	})
	if err != nil {
		return 0, err
	}
	return len(ps), nil
}

// townBranches refuses a batch naming a branch (by its index) that is not
// of the official's town.
func (s *Store) townBranches(tx *gorm.DB, act org.Actor, ids []int64) error {
	set := map[int64]bool{}
	for _, id := range ids {
		set[id] = true
	}
	want := make([]int64, 0, len(set))
	for id := range set {
		want = append(want, id)
	}
	if len(want) == 0 {
		return nil
	}
	var known []int64
	if err := tx.Table("branches").Where("id IN ? AND town_id = ?", want, act.TownID).Pluck("id", &known).Error; err != nil {
		return err
	}
	ok := map[int64]bool{}
	for _, id := range known {
		ok[id] = true
	}
	for i, id := range ids {
		if !ok[id] {
			code := "field.branch_unknown"
			if id == 0 {
				code = "field.required"
			}
			return apperr.New(apperr.Invalid, "validation").Field(strconv.Itoa(i)+".branch_id", code)
		}
	}
	return nil
}

// RecordPastLessons records many past lessons in one transaction, all or
// none: the first one refused stops the batch, its error's fields prefixed
// with its index and its index in the error's detail. Lessons of the batch
// are checked against each other as against the orders already there.
func (s *Store) RecordPastLessons(ctx context.Context, act org.Actor, ins []PastLesson) (int, error) {
	if err := act.RequireOfficial(); err != nil {
		return 0, err
	}
	now := s.now()
	for i := range ins {
		if err := ins[i].validate(now); err != nil {
			return 0, batchErr(err, i)
		}
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		for i, in := range ins {
			if _, err := s.recordPast(tx, act, in, now); err != nil {
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
	err = indexed(err, i)
	if e, ok := apperr.As(err); ok {
		return e.WithDetail("index", i)
	}
	return err
}
