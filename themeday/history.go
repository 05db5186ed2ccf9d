package themeday

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/tz"
	"weike/org"
)

// Batches (登记历史记录): a town's records from before it used weike —
// member lessons, film viewings, practices — recorded by an official in
// one transaction each, all or none.

// RecordMemberLessons records many member lessons of the official's town at
// once, in one transaction: all of them or, when one is invalid, none (the
// error's fields are prefixed with its index, e.g. "3.date"). It is the
// bulk form of RecordMemberLesson for back-filling a year of a town's
// records.
func (s *Store) RecordMemberLessons(ctx context.Context, act org.Actor, ins []NewMemberLesson) (_ int, err error) {
	defer apperr.Wrap(&err, "themeday: record member lessons")
	if err := act.RequireOfficial(); err != nil {
		return 0, err
	}
	if len(ins) == 0 {
		return 0, nil
	}
	loc, now := tz.Shanghai, s.now()
	id := act.AccountID
	ms := make([]MemberLesson, 0, len(ins))
	ids := make([]int64, len(ins))
	for i, in := range ins {
		m, err := checkMemberLesson(in, loc, now)
		if err != nil {
			return 0, apperr.Indexed(err, i)
		}
		m.TownID, m.CreatedBy, m.CreatedAt = act.TownID, &id, now
		ids[i] = m.BranchID
		ms = append(ms, *m)
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
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

// RecordViewings records many film viewings of the official's town in one
// transaction, all or none, as RecordMemberLessons does member lessons.
func (s *Store) RecordViewings(ctx context.Context, act org.Actor, ins []ViewingInput) (_ int, err error) {
	defer apperr.Wrap(&err, "themeday: record viewings")
	if err := act.RequireOfficial(); err != nil {
		return 0, err
	}
	ids := make([]int64, len(ins))
	for i, in := range ins {
		ids[i] = in.BranchID
	}
	vs := make([]Viewing, 0, len(ins))
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
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
				return apperr.Indexed(err, i)
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
func (s *Store) RecordPractices(ctx context.Context, act org.Actor, ins []PracticeInput) (_ int, err error) {
	defer apperr.Wrap(&err, "themeday: record practices")
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
			return 0, apperr.Indexed(err, i)
		}
		p.TownID, p.BranchID, p.CreatedBy, p.UpdatedBy, p.CreatedAt, p.UpdatedAt = act.TownID, ins[i].BranchID, &acc, &acc, now, now
		ps = append(ps, *p)
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
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
