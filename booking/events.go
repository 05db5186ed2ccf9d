package booking

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/internal/tz"
	"weike/notify"
	"weike/org"
)

// Who hears of each move (docs/architecture.md, "Who is told what"): every
// move posts its messages through notify's outbox in the transaction that
// makes it, so a move and its messages commit together or not at all, and
// the key of the move's audit entry makes each message unique.

// audience is one group an event is told to, and the text they read.
type audience struct {
	role       org.Role
	branchID   int64 // a branch's secretaries
	lecturerID int64 // a lecturer's accounts
	text       string
}

func secretaries(o *Order, text string) audience {
	return audience{role: org.RoleSecretary, branchID: o.BranchID, text: text}
}

func lecturerOf(id int64, text string) audience {
	return audience{role: org.RoleLecturer, lecturerID: id, text: text}
}

func officials(text string) audience { return audience{role: org.RoleOfficial, text: text} }

// eventKey makes the messages of the move just recorded on o unique.
func eventKey(o *Order) string {
	return strconv.FormatInt(o.ID, 10) + "-" + strconv.FormatInt(o.lastEvent, 10)
}

// tellTx tells the audiences of an event of o inside tx, in each
// recipient's language, leaving out whoever made the move: nobody is told
// what they did themselves.
func (s *Store) tellTx(tx *gorm.DB, o *Order, act org.Actor, kind, key string, extra map[string]any, to ...audience) error {
	params, err := s.orderParams(tx, o)
	if err != nil {
		return err
	}
	return s.tellWith(tx, o, act, params, kind, key, extra, to...)
}

// tellWith is tellTx with the order's parameters at hand (a new order has
// them all): one read fewer inside the writer's transaction.
func (s *Store) tellWith(tx *gorm.DB, o *Order, act org.Actor, params map[string]any, kind, key string, extra map[string]any, to ...audience) error {
	for k, v := range extra {
		params[k] = v
	}
	for _, a := range to {
		if a.role == org.RoleLecturer && a.lecturerID == 0 || a.role == org.RoleSecretary && a.branchID == 0 {
			continue
		}
		rs, err := notify.RecipientsTx(tx, o.TownID, a.role, a.branchID, a.lecturerID)
		if err != nil {
			return err
		}
		keep := rs[:0]
		for _, r := range rs {
			if r.AccountID != act.AccountID || act.AccountID == 0 {
				keep = append(keep, r)
			}
		}
		n := notify.Note{Kind: kind, Text: a.text, Key: key, Params: params, Path: "/orders/" + strconv.FormatInt(o.ID, 10)}
		if _, err := s.tell.TellTx(tx, o.TownID, keep, n); err != nil {
			return err
		}
	}
	return nil
}

// orderParams are what every message of an order may name: the lesson,
// lecturer, branch and courtyard, the preferred times, the confirmed or
// proposed time and the answer deadline, in the town's zone.
func (s *Store) orderParams(tx *gorm.DB, o *Order) (map[string]any, error) {
	var row struct {
		Lesson, Lecturer, Branch, Courtyard, Timezone string
		AnswerDeadlineHours                           int
		Slots                                         string
		StartAt, ProposedAt                           *time.Time
		AnswerBy                                      time.Time
		ProposalNote, Reason                          string
	}
	err := tx.Raw(`SELECT lessons.title AS lesson, lecturers.name AS lecturer, branches.name AS branch, courtyards.name AS courtyard,
		towns.timezone, towns.answer_deadline_hours, orders.slots, orders.start_at, orders.proposed_at, orders.answer_by,
		orders.proposal_note, orders.reason
		FROM orders JOIN lessons ON lessons.id = orders.lesson_id JOIN lecturers ON lecturers.id = orders.lecturer_id
		JOIN branches ON branches.id = orders.branch_id JOIN courtyards ON courtyards.id = orders.courtyard_id
		JOIN towns ON towns.id = orders.town_id WHERE orders.id = ?`, o.ID).Scan(&row).Error
	if err != nil {
		return nil, err
	}
	named := Order{LessonTitle: row.Lesson, LecturerName: row.Lecturer, BranchName: row.Branch, CourtyardName: row.Courtyard,
		SlotsJSON: row.Slots, StartAt: row.StartAt, ProposedAt: row.ProposedAt, AnswerBy: row.AnswerBy,
		ProposalNote: row.ProposalNote, Reason: row.Reason}
	named.Slots = named.slots()
	return paramsOf(&named, tz.Load(row.Timezone), row.AnswerDeadlineHours), nil
}

// paramsOf are orderParams of an order whose names and times are filled
// in, in the zone loc; n is the town's answer deadline in hours.
func paramsOf(o *Order, loc *time.Location, n int) map[string]any {
	slots := i18n.List{}
	for _, t := range o.Slots {
		slots = append(slots, t.In(loc))
	}
	p := map[string]any{"lesson": o.LessonTitle, "lecturer": o.LecturerName, "branch": o.BranchName, "courtyard": o.CourtyardName,
		"slots": slots, "answer_by": o.AnswerBy.In(loc), "n": n, "note": o.ProposalNote, "reason": o.Reason}
	switch {
	case o.StartAt != nil:
		p["start"] = o.StartAt.In(loc)
	case o.ProposedAt != nil:
		p["start"] = o.ProposedAt.In(loc)
	case len(slots) > 0:
		p["start"] = slots[0]
	default:
		p["start"] = i18n.List{}
	}
	return p
}

// who names the person who made a move, with their role, for the message
// to the others.
func who(act org.Actor) map[string]any {
	return map[string]any{"who": act.Name, "role": i18n.Key("role." + string(act.Role))}
}

// DeadlineNotice is how long before an order's answer deadline its
// lecturer is reminded, and ReviewNotice how long after a lesson was
// delivered its branch is asked to rate it.
const (
	DeadlineNotice = 12 * time.Hour
	ReviewNotice   = 72 * time.Hour
	// reviewWindow bounds how late a review is still asked for: a run
	// missed for a week catches up, an old lesson is left alone.
	reviewWindow = 7 * 24 * time.Hour
)

// Reminded counts what RemindDue posted.
type Reminded struct {
	Deadlines int // orders whose lecturer was reminded of the deadline
	Reviews   int // lessons whose branch was asked for a rating
}

// RemindDue reminds each lecturer of an order whose answer deadline is
// DeadlineNotice away or less, and asks each branch to rate a lesson
// delivered ReviewNotice ago and not rated yet. Each is told once (per
// deadline: an order reassigned has a new one), however often it runs; it
// is the body of the hourly order-reminders job.
func (s *Store) RemindDue(ctx context.Context) (_ Reminded, err error) {
	defer apperr.Wrap(&err, "booking: remind due")
	now := s.now()
	var r Reminded
	var near []Order
	if err := s.db.R.WithContext(ctx).Where("status = ? AND answer_by > ? AND answer_by <= ?", Requested, now, now.Add(DeadlineNotice)).
		Order("id").Limit(1000).Find(&near).Error; err != nil {
		return r, err
	}
	system := org.Actor{}
	for _, o := range near {
		key := strconv.FormatInt(o.ID, 10) + "@" + strconv.FormatInt(o.AnswerBy.Unix(), 10)
		err := s.tx(ctx, func(tx *gorm.DB) error {
			return s.tellTx(tx, &o, system, notify.KindOrderDeadlineNear, key, nil, lecturerOf(o.LecturerID, ""))
		})
		if err != nil {
			return r, err
		}
		r.Deadlines++
	}
	var done []Order
	if err := s.db.R.WithContext(ctx).Where("status = ? AND delivered_at <= ? AND delivered_at > ?", Delivered,
		now.Add(-ReviewNotice), now.Add(-ReviewNotice-reviewWindow)).Order("id").Limit(1000).Find(&done).Error; err != nil {
		return r, err
	}
	for _, o := range done {
		err := s.tx(ctx, func(tx *gorm.DB) error {
			return s.tellTx(tx, &o, system, notify.KindOrderReviewDue, strconv.FormatInt(o.ID, 10), nil, secretaries(&o, ""))
		})
		if err != nil {
			return r, err
		}
		r.Reviews++
	}
	return r, nil
}
