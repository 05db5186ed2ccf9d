package themeday

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/tz"
	"weike/lessons"
	"weike/org"
)

// MemberLesson is a lesson a branch organised itself, given by one of its
// members; it counts toward members giving lessons (上台讲微党课人次).
type MemberLesson struct {
	ID        int64     `json:"id"`
	TownID    int64     `json:"town_id"`
	BranchID  int64     `json:"branch_id"`
	Title     string    `json:"title"`
	Topic     string    `json:"topic"`
	Speaker   string    `json:"speaker"`
	Day       string    `json:"date"`
	Month     string    `json:"-"`
	Attendees int       `json:"attendees"`
	CreatedBy *int64    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// NewMemberLesson is what a secretary records.
type NewMemberLesson struct {
	BranchID  int64  `json:"branch_id"` // officials name the branch; a secretary's is her own
	Title     string `json:"title"`
	Topic     string `json:"topic"`
	Speaker   string `json:"speaker"`
	Date      string `json:"date"`
	Attendees int    `json:"attendees"`
}

// RecordMemberLesson records a member lesson for the secretary's branch (or,
// for an official, any branch of the town).
func (s *Store) RecordMemberLesson(ctx context.Context, act org.Actor, in NewMemberLesson) (_ *MemberLesson, err error) {
	defer apperr.Wrap(&err, "themeday: record member lesson")
	switch act.Role {
	case org.RoleSecretary:
		if in.BranchID != 0 && in.BranchID != act.BranchID {
			return nil, apperr.New(apperr.Forbidden, "forbidden")
		}
		in.BranchID = act.BranchID
	case org.RoleOfficial:
	default:
		return nil, apperr.New(apperr.Forbidden, "forbidden")
	}
	var fs apperr.FieldSet
	in.Title, in.Topic, in.Speaker = strings.TrimSpace(in.Title), strings.TrimSpace(in.Topic), strings.TrimSpace(in.Speaker)
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > 80 {
		fs.Add("title", "field.required")
	}
	if utf8.RuneCountInString(in.Topic) > 20 {
		fs.Add("topic", "field.too_long")
	}
	if n := utf8.RuneCountInString(in.Speaker); n == 0 || n > 40 {
		fs.Add("speaker", "field.required")
	}
	loc := tz.Shanghai
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.Date), loc)
	if err != nil {
		fs.Add("date", "field.date")
	} else if d.Year() < 2000 {
		fs.Add("date", "field.date_too_old")
	} else if d.After(s.now().In(loc)) {
		fs.Add("date", "member.date_future")
	}
	if in.Attendees < 1 || in.Attendees > 10000 {
		fs.Add("attendees", "field.range")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	var n int64
	if err := s.db.R.WithContext(ctx).Table("branches").Where("id = ? AND town_id = ?", in.BranchID, act.TownID).Count(&n).Error; err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, apperr.New(apperr.Invalid, "validation").Field("branch_id", "field.branch_unknown")
	}
	id := act.AccountID
	m := &MemberLesson{TownID: act.TownID, BranchID: in.BranchID, Title: in.Title, Topic: in.Topic, Speaker: in.Speaker,
		Day: d.Format("2006-01-02"), Month: d.Format("2006-01"), Attendees: in.Attendees, CreatedBy: &id, CreatedAt: s.now()}
	if err := s.db.W.WithContext(ctx).Create(m).Error; err != nil {
		return nil, err
	}
	return m, nil
}

// MemberLessons lists the member lessons the actor may see, in a month when
// given: the newest 500.
func (s *Store) MemberLessons(ctx context.Context, act org.Actor, month string) (_ []MemberLesson, err error) {
	defer apperr.Wrap(&err, "themeday: member lessons")
	q, err := s.memberScope(ctx, act, month)
	if err != nil {
		return nil, err
	}
	ms := []MemberLesson{}
	err = q.Order("day DESC, id DESC").Limit(500).Find(&ms).Error
	return ms, err
}

// MemberLessonFilter narrows a page of member lessons.
type MemberLessonFilter struct {
	Month         string // YYYY-MM
	Page, PerPage int    // 1-based; PerPage 50 when unset or over MaxRecordsPerPage
}

// MemberLessonPage is one page of the member lessons the actor may see,
// newest first, with their total.
func (s *Store) MemberLessonPage(ctx context.Context, act org.Actor, f MemberLessonFilter) (_ *lessons.Page[MemberLesson], err error) {
	defer apperr.Wrap(&err, "themeday: member lesson page")
	page, per := perPage(f.Page, f.PerPage, 50)
	q, err := s.memberScope(ctx, act, f.Month)
	if err != nil {
		return nil, err
	}
	p := &lessons.Page[MemberLesson]{Items: []MemberLesson{}, Page: page, PerPage: per}
	if err := q.Session(&gorm.Session{}).Model(&MemberLesson{}).Count(&p.Total).Error; err != nil {
		return nil, err
	}
	err = q.Order("day DESC, id DESC").Offset((page - 1) * per).Limit(per).Find(&p.Items).Error
	return p, err
}

func (s *Store) memberScope(ctx context.Context, act org.Actor, month string) (*gorm.DB, error) {
	q := s.db.R.WithContext(ctx).Where("town_id IN ?", act.Towns)
	if act.Role == org.RoleSecretary {
		q = q.Where("branch_id = ?", act.BranchID)
	}
	if month != "" {
		if _, err := time.Parse("2006-01", month); err != nil {
			return nil, apperr.New(apperr.BadRequest, "bad_request").Field("month", "field.month")
		}
		q = q.Where("month = ?", month)
	}
	return q, nil
}
