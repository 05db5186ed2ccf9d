package lessons

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/org"
)

// Lecturer (讲师) gives lessons.
type Lecturer struct {
	ID              int64      `json:"id"`
	TownID          int64      `json:"town_id"`
	Name            string     `json:"name"`
	Phone           string     `json:"phone"`
	BranchID        *int64     `json:"branch_id"`
	Bio             string     `json:"bio"`
	Topics          string     `json:"topics"`
	MonthlyCapacity int        `json:"monthly_capacity"`
	Active          bool       `json:"active"`
	CreatedAt       time.Time  `json:"-"`
	UpdatedAt       time.Time  `json:"-"`
	Availability    []Window   `json:"availability" gorm:"-"`
	Blackouts       []Blackout `json:"blackouts" gorm:"-"`
	LessonIDs       []int64    `json:"lesson_ids" gorm:"-"`
}

// Window is a weekly availability window, in minutes of the local day.
type Window struct {
	ID          int64 `json:"-"`
	LecturerID  int64 `json:"-"`
	Weekday     int   `json:"weekday"` // 0 Sunday … 6 Saturday, as time.Weekday
	StartMinute int   `json:"start_minute"`
	EndMinute   int   `json:"end_minute"`
}

// TableName keeps the schema's name.
func (Window) TableName() string { return "lecturer_availabilities" }

// String renders a window as "HH:MM-HH:MM".
func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.StartMinute/60, w.StartMinute%60, w.EndMinute/60, w.EndMinute%60)
}

// Blackout is a day the lecturer cannot lecture.
type Blackout struct {
	ID         int64  `json:"-"`
	LecturerID int64  `json:"-"`
	Day        string `json:"day"` // YYYY-MM-DD, local
	Reason     string `json:"reason"`
}

// TableName keeps the schema's name.
func (Blackout) TableName() string { return "lecturer_blackouts" }

// LecturerFilter narrows a lecturer list.
type LecturerFilter struct {
	TownID     int64
	Q          string
	LessonID   int64
	ActiveOnly bool
}

// Lecturers lists the lecturers the actor may read.
func (s *Store) Lecturers(ctx context.Context, act org.Actor, f LecturerFilter) (_ []Lecturer, err error) {
	defer apperr.Wrap(&err, "lessons: lecturers")
	q := s.db.R.WithContext(ctx).Where("town_id IN ?", act.ScopeTowns(f.TownID))
	if f.ActiveOnly {
		q = q.Where("active = ?", true)
	}
	if f.LessonID != 0 {
		q = q.Where("id IN (?)", s.db.R.Table("lesson_lecturers").Select("lecturer_id").Where("lesson_id = ?", f.LessonID))
	}
	if qs := strings.TrimSpace(f.Q); qs != "" {
		q = q.Where(`(name LIKE ? ESCAPE '\' OR topics LIKE ? ESCAPE '\')`, likeOf(qs), likeOf(qs))
	}
	var ls []Lecturer
	if err := q.Order("town_id, id").Find(&ls).Error; err != nil {
		return nil, err
	}
	return ls, s.fillLecturers(ctx, ls)
}

func (s *Store) fillLecturers(ctx context.Context, ls []Lecturer) error {
	if len(ls) == 0 {
		return nil
	}
	ids := make([]int64, len(ls))
	idx := map[int64]int{}
	for i, l := range ls {
		ids[i] = l.ID
		idx[l.ID] = i
		ls[i].Availability, ls[i].Blackouts, ls[i].LessonIDs = []Window{}, []Blackout{}, []int64{}
	}
	var ws []Window
	if err := s.db.R.WithContext(ctx).Where("lecturer_id IN ?", ids).Order("lecturer_id, weekday, start_minute").Find(&ws).Error; err != nil {
		return err
	}
	for _, w := range ws {
		i := idx[w.LecturerID]
		ls[i].Availability = append(ls[i].Availability, w)
	}
	var bs []Blackout
	if err := s.db.R.WithContext(ctx).Where("lecturer_id IN ?", ids).Order("lecturer_id, day").Find(&bs).Error; err != nil {
		return err
	}
	for _, b := range bs {
		i := idx[b.LecturerID]
		ls[i].Blackouts = append(ls[i].Blackouts, b)
	}
	var links []struct{ LessonID, LecturerID int64 }
	if err := s.db.R.WithContext(ctx).Table("lesson_lecturers").Where("lecturer_id IN ?", ids).Order("lesson_id").Scan(&links).Error; err != nil {
		return err
	}
	for _, l := range links {
		i := idx[l.LecturerID]
		ls[i].LessonIDs = append(ls[i].LessonIDs, l.LessonID)
	}
	return nil
}

// Lecturer returns one lecturer the actor may read.
func (s *Store) Lecturer(ctx context.Context, act org.Actor, id int64) (_ *Lecturer, err error) {
	defer apperr.Wrap(&err, "lessons: lecturer %d", id)
	var l Lecturer
	if err := org.LoadScoped(s.db.R.WithContext(ctx), act, id, &l, "lecturer"); err != nil {
		return nil, err
	}
	ls := []Lecturer{l}
	if err := s.fillLecturers(ctx, ls); err != nil {
		return nil, err
	}
	return &ls[0], nil
}

// LecturerInput is what an official sets on a lecturer.
type LecturerInput struct {
	Name            string     `json:"name"`
	Phone           string     `json:"phone"`
	BranchID        *int64     `json:"branch_id"`
	Bio             string     `json:"bio"`
	Topics          string     `json:"topics"`
	MonthlyCapacity int        `json:"monthly_capacity"`
	Active          *bool      `json:"active"`
	Availability    []Window   `json:"availability"`
	Blackouts       []Blackout `json:"blackouts"`
	// LessonIDs, when not nil, replaces the lessons the lecturer is qualified for.
	LessonIDs []int64 `json:"lesson_ids"`
}

// Validate checks what can be checked without the database and the
// store's clock (which the store adds: days off in the past).
func (in *LecturerInput) Validate() error { return in.validate("") }

// validate is Validate, with days off before today refused (none when
// today is "").
func (in *LecturerInput) validate(today string) error {
	var fs apperr.FieldSet
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = strings.TrimSpace(in.Phone)
	in.Bio = strings.TrimSpace(in.Bio)
	in.Topics = strings.TrimSpace(in.Topics)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fs.Add("name", "field.required")
	case n > 40:
		fs.Add("name", "field.too_long")
	}
	if utf8.RuneCountInString(in.Phone) > 30 {
		fs.Add("phone", "field.too_long")
	}
	if !org.ValidPhone(in.Phone) {
		fs.Add("phone", "field.phone")
	}
	if utf8.RuneCountInString(in.Bio) > 1000 {
		fs.Add("bio", "field.too_long")
	}
	if utf8.RuneCountInString(in.Topics) > 200 {
		fs.Add("topics", "field.too_long")
	}
	if in.MonthlyCapacity == 0 {
		in.MonthlyCapacity = 4
	}
	if in.MonthlyCapacity < 1 || in.MonthlyCapacity > 60 {
		fs.Add("monthly_capacity", "field.range")
	}
	validateHours(&fs, in.Availability, in.Blackouts, today, nil)
	return fs.Err()
}

// validateHours is the one home of the rules of a lecturer's hours, for
// her own form, the lecturer form and the import alike: each weekly window
// a span of one day, no two windows of a day overlapping (the free starts
// of both would mix: 19:00–21:00 and 20:00–22:00 offered 20:35); each day
// off a date, none of them before today unless she has it already (kept:
// her days off as stored, which a form hands back as they are). today ""
// leaves the past alone: a form's first look, before the store's clock.
// The days are normalised.
func validateHours(fs *apperr.FieldSet, ws []Window, bs []Blackout, today string, kept map[string]bool) {
	if len(ws) > 50 {
		fs.Add("availability", "field.too_many")
	}
	valid := true
	for _, w := range ws {
		if w.Weekday < 0 || w.Weekday > 6 || w.StartMinute < 0 || w.EndMinute > 1440 || w.StartMinute >= w.EndMinute {
			fs.Add("availability", "field.window")
			valid = false
		}
	}
	if valid {
		if days := overlapping(ws); len(days) > 0 {
			fs.Add("availability", "field.window_overlap")
			fs.With("days", days)
		}
	}
	if len(bs) > 400 {
		fs.Add("blackouts", "field.too_many")
	}
	past := false
	for i, b := range bs {
		d, err := time.Parse("2006-01-02", strings.TrimSpace(b.Day))
		if err != nil || d.Year() < 2000 || d.Year() > 2100 {
			fs.Add("blackouts", "field.date")
			continue
		}
		bs[i].Day = d.Format("2006-01-02")
		bs[i].Reason = strings.TrimSpace(b.Reason)
		if utf8.RuneCountInString(b.Reason) > 100 {
			fs.Add("blackouts", "field.too_long")
		}
		if today != "" && bs[i].Day < today && !kept[bs[i].Day] && !past {
			// The first such day is named: one message per field.
			past = true
			fs.Add("blackouts", "field.day_off_past")
			fs.With("day", i18n.Day(bs[i].Day))
		}
	}
}

// overlapping lists the weekdays, Monday first as the pages show them, on
// which two windows overlap (windows that only touch, 19:00–20:00 and
// 20:00–21:00, do not).
func overlapping(ws []Window) i18n.List {
	var out i18n.List
	for _, wd := range []int{1, 2, 3, 4, 5, 6, 0} {
		var day []Window
		for _, w := range ws {
			if w.Weekday == wd {
				day = append(day, w)
			}
		}
		sort.Slice(day, func(i, j int) bool { return day[i].StartMinute < day[j].StartMinute })
		for i := 1; i < len(day); i++ {
			if day[i].StartMinute < day[i-1].EndMinute {
				out = append(out, time.Weekday(wd))
				break
			}
		}
	}
	return out
}

// checkHours checks a lecturer's new hours against the store's clock, in
// the transaction that writes them: id is the lecturer (0 for a new one),
// whose days off as stored may stay though past.
func (s *Store) checkHours(tx *gorm.DB, id int64, ws []Window, bs []Blackout) error {
	kept := map[string]bool{}
	if id != 0 && len(bs) > 0 {
		var days []string
		if err := tx.Table("lecturer_blackouts").Where("lecturer_id = ?", id).Pluck("day", &days).Error; err != nil {
			return err
		}
		for _, d := range days {
			kept[d] = true
		}
	}
	var fs apperr.FieldSet
	validateHours(&fs, ws, bs, s.today(), kept)
	return fs.Err()
}

// today is the store's day, as its people count days.
func (s *Store) today() string { return s.now().In(s.loc).Format("2006-01-02") }

// HoursInput is what a lecturer keeps herself: her weekly windows and her
// days off, each replaced whole.
type HoursInput struct {
	Availability []Window   `json:"availability"`
	Blackouts    []Blackout `json:"blackouts"`
}

// MayKeepHours says whether the actor may change lecturer l's hours: she
// herself, or an official of her town.
func MayKeepHours(act org.Actor, l *Lecturer) bool {
	return (act.Role == org.RoleLecturer && act.LecturerID == l.ID) || act.IsOfficialOf(l.TownID)
}

// UpdateHours replaces a lecturer's weekly windows and days off. The
// lecturer keeps her own (product.md: "a lecturer her own hours and days
// off"); officials of her town may too. Orders already made keep their
// times: the rules read the hours when a time is asked for.
func (s *Store) UpdateHours(ctx context.Context, act org.Actor, id int64, in HoursInput) (_ *Lecturer, err error) {
	defer apperr.Wrap(&err, "lessons: update hours of lecturer %d", id)
	if in.Availability == nil {
		in.Availability = []Window{}
	}
	if in.Blackouts == nil {
		in.Blackouts = []Blackout{}
	}
	var fs apperr.FieldSet
	validateHours(&fs, in.Availability, in.Blackouts, "", nil)
	if err := fs.Err(); err != nil {
		return nil, err
	}
	// Her hours are part of the catalog (her page, the free days): the
	// town's catalog version moves with them.
	err = s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error {
		var l Lecturer
		if err := org.LoadScoped(tx, act, id, &l, "lecturer"); err != nil {
			return err
		}
		if !MayKeepHours(act, &l) {
			return apperr.New(apperr.Forbidden, "forbidden.own_hours")
		}
		if err := s.checkHours(tx, id, in.Availability, in.Blackouts); err != nil {
			return err
		}
		if err := tx.Table("lecturers").Where("id = ?", id).Update("updated_at", s.now()).Error; err != nil {
			return err
		}
		return writeLecturerParts(tx, l.TownID, id, LecturerInput{Availability: in.Availability, Blackouts: in.Blackouts})
	})
	if err != nil {
		return nil, err
	}
	return s.Lecturer(ctx, act, id)
}

// CreateLecturer adds a lecturer to the official's town.
func (s *Store) CreateLecturer(ctx context.Context, act org.Actor, in LecturerInput) (_ *Lecturer, err error) {
	defer apperr.Wrap(&err, "lessons: create lecturer")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	if err := in.validate(s.today()); err != nil {
		return nil, err
	}
	var id int64
	err = s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error {
		l, err := s.createLecturerTx(tx, act.TownID, in)
		if err == nil {
			id = l.ID
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Lecturer(ctx, act, id)
}

func (s *Store) createLecturerTx(tx *gorm.DB, townID int64, in LecturerInput) (*Lecturer, error) {
	if err := checkBranch(tx, townID, in.BranchID); err != nil {
		return nil, err
	}
	now := s.now()
	l := &Lecturer{TownID: townID, Name: in.Name, Phone: in.Phone, BranchID: in.BranchID, Bio: in.Bio, Topics: in.Topics,
		MonthlyCapacity: in.MonthlyCapacity, Active: in.Active == nil || *in.Active, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(l).Error; err != nil {
		return nil, err
	}
	return l, writeLecturerParts(tx, townID, l.ID, in)
}

func checkBranch(tx *gorm.DB, townID int64, branchID *int64) error {
	if branchID == nil || *branchID == 0 {
		return nil
	}
	var n int64
	if err := tx.Table("branches").Where("id = ? AND town_id = ?", *branchID, townID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.Invalid, "validation").Field("branch_id", "field.branch_unknown")
	}
	return nil
}

func writeLecturerParts(tx *gorm.DB, townID, id int64, in LecturerInput) error {
	if in.Availability != nil {
		if err := tx.Where("lecturer_id = ?", id).Delete(&Window{}).Error; err != nil {
			return err
		}
		for _, w := range in.Availability {
			w.ID, w.LecturerID = 0, id
			if err := tx.Create(&w).Error; err != nil {
				return err
			}
		}
	}
	if in.Blackouts != nil {
		if err := tx.Where("lecturer_id = ?", id).Delete(&Blackout{}).Error; err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, b := range in.Blackouts {
			if seen[b.Day] {
				continue
			}
			seen[b.Day] = true
			b.ID, b.LecturerID = 0, id
			if err := tx.Create(&b).Error; err != nil {
				return err
			}
		}
	}
	if in.LessonIDs != nil {
		uniq := map[int64]bool{}
		for _, l := range in.LessonIDs {
			uniq[l] = true
		}
		var n int64
		if len(uniq) > 0 {
			if err := tx.Table("lessons").Where("id IN ? AND town_id = ?", in.LessonIDs, townID).Count(&n).Error; err != nil {
				return err
			}
		}
		if int(n) != len(uniq) {
			return apperr.New(apperr.Invalid, "validation").Field("lesson_ids", "field.lesson_unknown")
		}
		if err := tx.Exec("DELETE FROM lesson_lecturers WHERE lecturer_id = ?", id).Error; err != nil {
			return err
		}
		for l := range uniq {
			if err := tx.Exec("INSERT INTO lesson_lecturers (lesson_id, lecturer_id) VALUES (?, ?)", l, id).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdateLecturer changes a lecturer of the official's town. Availability,
// blackouts and lessons are replaced only when given.
func (s *Store) UpdateLecturer(ctx context.Context, act org.Actor, id int64, in LecturerInput) (_ *Lecturer, err error) {
	defer apperr.Wrap(&err, "lessons: update lecturer %d", id)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	err = s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error {
		var l Lecturer
		if err := org.LoadScoped(tx, act, id, &l, "lecturer"); err != nil {
			return err
		}
		if err := act.ManageTown(l.TownID, "lecturer"); err != nil {
			return err
		}
		if err := s.checkHours(tx, id, in.Availability, in.Blackouts); err != nil {
			return err
		}
		if err := checkBranch(tx, l.TownID, in.BranchID); err != nil {
			return err
		}
		up := map[string]any{"name": in.Name, "phone": in.Phone, "branch_id": in.BranchID, "bio": in.Bio,
			"topics": in.Topics, "monthly_capacity": in.MonthlyCapacity, "updated_at": s.now()}
		if in.Active != nil {
			up["active"] = *in.Active
		}
		if err := tx.Table("lecturers").Where("id = ?", id).Updates(up).Error; err != nil {
			return err
		}
		return writeLecturerParts(tx, l.TownID, id, in)
	})
	if err != nil {
		return nil, err
	}
	return s.Lecturer(ctx, act, id)
}

// FreeDay is a day on which a lecturer may be ordered, with its windows;
// booking computes them (its free slots hold the rules).
type FreeDay struct {
	Date    string   `json:"date"` // YYYY-MM-DD, local
	Windows []string `json:"windows"`
}

// Input is the input that would set the lecturer as she is: what a partial
// change (PATCH) starts from.
func (l *Lecturer) Input() LecturerInput {
	active := l.Active
	return LecturerInput{Name: l.Name, Phone: l.Phone, BranchID: l.BranchID, Bio: l.Bio, Topics: l.Topics,
		MonthlyCapacity: l.MonthlyCapacity, Active: &active, Availability: l.Availability, Blackouts: l.Blackouts,
		LessonIDs: l.LessonIDs}
}
