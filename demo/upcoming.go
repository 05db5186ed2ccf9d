package demo

import (
	"context"
	"fmt"
	"time"

	"weike/booking"
	"weike/internal/tz"
	"weike/lessons"
	"weike/org"
)

// upcoming is how many of a town's branches, one in so many, have next
// month's lesson ordered when the demo starts: the rest are what the
// dispatch draft (派单) places and the coverage reminders are about.
var upcoming = map[string]int{"春华镇": 3}

// seedNextMonth has a third of 春华镇's branches order next month's lesson
// through the booking store, as their secretaries would: a featured lesson,
// at a time its lecturer is free, every other one already accepted. The
// main demo secretary's branch (龙王庙村) is left to its journey. A town
// with live orders next month already keeps them.
func (l *loader) seedNextMonth(ctx context.Context, ts *townSeed) error {
	every := upcoming[ts.Town]
	if every == 0 || l.st.Booking == nil {
		return nil
	}
	book := l.st.Booking
	off, err := l.actor(ctx, ts.Official.Login)
	if err != nil {
		return err
	}
	town, err := l.st.Org.TownByName(ctx, ts.Town)
	if err != nil {
		return err
	}
	loc := tz.Load(town.Timezone)
	now := l.now().In(loc)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, 1, 0)
	month := first.Format("2006-01")
	have, err := book.LiveOrders(ctx, off, town.ID, first.UTC(), first.AddDate(0, 1, 0).UTC())
	if err != nil || len(have) > 0 {
		return err
	}
	plan, err := l.st.Lessons.Plan(ctx, off, month, town.ID)
	if err != nil {
		return err
	}
	var featured []lessons.Lesson
	for _, ls := range plan.Lessons {
		if len(ls.LecturerIDs) > 0 {
			featured = append(featured, ls)
		}
	}
	if len(featured) == 0 {
		return nil
	}
	k := 0
	for i, b := range ts.Branches {
		if i%every != every-1 || b.Secretary.Login == mainSecretary {
			continue
		}
		sec, err := l.actor(ctx, b.Secretary.Login)
		if err != nil {
			return err
		}
		branch, err := l.st.Org.Branch(ctx, sec, sec.BranchID)
		if err != nil {
			return err
		}
		if len(branch.Courtyards) == 0 {
			continue
		}
		// The first free time of next month, of the first featured lesson
		// that has one, taking turns through the list.
		for j := range featured {
			ls := featured[(k+j)%len(featured)]
			slots, err := book.FreeSlots(ctx, sec, ls.ID, 0, 10, 500)
			if err != nil {
				return err
			}
			var in []booking.Slot
			for _, s := range slots {
				if s.Start.In(loc).Format("2006-01") == month {
					in = append(in, s)
				}
			}
			if len(in) == 0 {
				continue
			}
			s := in[(7*k)%len(in)]
			o, _, err := book.Create(ctx, sec, booking.NewOrder{LessonID: ls.ID, LecturerID: s.LecturerID,
				CourtyardID: branch.Courtyards[0].ID, Slots: []string{s.Start.Format(time.RFC3339)}, Audience: 30 + 5*i,
				Note: "请讲得接地气一些"})
			if err != nil {
				return fmt.Errorf("order for %s: %w", b.Name, err)
			}
			if k%2 == 0 {
				lec, err := l.lecturerActor(ctx, s.LecturerID)
				if err != nil {
					return err
				}
				if _, err := book.Accept(ctx, lec, o.ID, 0); err != nil {
					return fmt.Errorf("accept the order of %s: %w", b.Name, err)
				}
			}
			k++
			break
		}
	}
	return nil
}

// mainSecretary is the demo's first secretary, whose branch's next month the
// journeys leave untouched.
const mainSecretary = "secretary"

func (l *loader) actor(ctx context.Context, login string) (org.Actor, error) {
	a, err := l.st.Org.AccountByLogin(ctx, login)
	if err != nil {
		return org.Actor{}, fmt.Errorf("demo account %s: %w", login, err)
	}
	return l.st.Org.ActorFor(ctx, a)
}

// lecturerActor is the account of a lecturer, as the stores see it.
func (l *loader) lecturerActor(ctx context.Context, lecturerID int64) (org.Actor, error) {
	for _, ts := range towns {
		for _, s := range ts.Lecturers {
			a, err := l.st.Org.AccountByLogin(ctx, s.Login)
			if err != nil {
				return org.Actor{}, err
			}
			if a.LecturerID != nil && *a.LecturerID == lecturerID {
				return l.st.Org.ActorFor(ctx, a)
			}
		}
	}
	return org.Actor{}, fmt.Errorf("no account of lecturer %d", lecturerID)
}
