package lessons

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/org"
)

// Plan is a town's plan for a month: the featured lessons (精选) branches
// are invited to order and the film list (教育片清单) with preview dates.
type Plan struct {
	TownID      int64      `json:"town_id"`
	Month       string     `json:"month"`
	Note        string     `json:"note"`
	PublishedAt *time.Time `json:"published_at"`
	Lessons     []Lesson   `json:"lessons"`
	Films       []PlanFilm `json:"films"`
}

// PlanFilm is a film of a month's list.
type PlanFilm struct {
	Film
	PreviewDate string `json:"preview_date"` // YYYY-MM-DD, local
	PlanLink    string `json:"plan_link"`    // the month's link, when it differs from the film's own
}

// PlanInput is what an official publishes for a month.
type PlanInput struct {
	Note      string          `json:"note"`
	LessonIDs []int64         `json:"lesson_ids"`
	Films     []PlanFilmInput `json:"films"`
}

// PlanFilmInput is one film of the list being published.
type PlanFilmInput struct {
	FilmID      int64  `json:"film_id"`
	PreviewDate string `json:"preview_date"`
	Link        string `json:"link"`
}

// Featured lessons per month, as the monthly column of the article runs them.
const (
	MinFeatured = 3
	MaxFeatured = 8
)

// ParseMonth checks a YYYY-MM month.
func ParseMonth(m string) (time.Time, error) {
	t, err := time.Parse("2006-01", m)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, apperr.New(apperr.BadRequest, "bad_request").Field("month", "field.month")
	}
	return t, nil
}

// Plan returns a town's plan for a month; an unpublished month has empty lists.
func (s *Store) Plan(ctx context.Context, act org.Actor, month string, townID int64) (_ *Plan, err error) {
	defer apperr.Wrap(&err, "lessons: plan")
	if _, err := ParseMonth(month); err != nil {
		return nil, err
	}
	if townID == 0 {
		townID = act.TownID
	}
	if townID == 0 {
		// A county viewer has no town of their own: with one town in the
		// county there is nothing to choose, with more they must name one.
		if len(act.Towns) != 1 {
			return nil, apperr.New(apperr.Invalid, "validation").Field("town_id", "field.required")
		}
		townID = act.Towns[0]
	}
	if err := act.ReadTown(townID, "town"); err != nil {
		return nil, err
	}
	p := &Plan{TownID: townID, Month: month, Lessons: []Lesson{}, Films: []PlanFilm{}}
	var row struct {
		Note        string
		PublishedAt *time.Time
	}
	err = s.db.R.WithContext(ctx).Table("plans").Select("note, published_at").Where("town_id = ? AND month = ?", townID, month).Take(&row).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	p.Note, p.PublishedAt = row.Note, row.PublishedAt
	var ids []int64
	if err := s.db.R.WithContext(ctx).Table("plan_lessons").Where("town_id = ? AND month = ?", townID, month).Order("sort, lesson_id").Pluck("lesson_id", &ids).Error; err != nil {
		return nil, err
	}
	for _, id := range ids {
		l, err := s.Lesson(ctx, act, id)
		if err != nil {
			if apperr.Is(err, apperr.NotFound) {
				continue // retired or unpublished since: not shown to branches
			}
			return nil, err
		}
		p.Lessons = append(p.Lessons, *l)
	}
	err = s.db.R.WithContext(ctx).Table("plan_films").
		Select("films.*, plan_films.preview_day AS preview_date, plan_films.link AS plan_link").
		Joins("JOIN films ON films.id = plan_films.film_id").
		Where("plan_films.town_id = ? AND plan_films.month = ?", townID, month).
		Order("plan_films.sort, plan_films.film_id").Scan(&p.Films).Error
	if err != nil {
		return nil, err
	}
	return p, nil
}

// PutPlan publishes (or republishes) the official's town's plan for a month,
// replacing its featured lessons and film list.
func (s *Store) PutPlan(ctx context.Context, act org.Actor, month string, in PlanInput) (_ *Plan, err error) {
	defer apperr.Wrap(&err, "lessons: put plan")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	mt, err := ParseMonth(month)
	if err != nil {
		return nil, err
	}
	var fs apperr.FieldSet
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 1000 {
		fs.Add("note", "field.too_long")
	}
	seen := map[int64]bool{}
	var lessonIDs []int64
	for _, id := range in.LessonIDs {
		if !seen[id] {
			seen[id] = true
			lessonIDs = append(lessonIDs, id)
		}
	}
	if len(lessonIDs) < MinFeatured || len(lessonIDs) > MaxFeatured {
		fs.Add("lesson_ids", "plan.featured_count")
	}
	if len(in.Films) > 20 {
		fs.Add("films", "field.too_many")
	}
	seenFilm := map[int64]bool{}
	for i := range in.Films {
		f := &in.Films[i]
		key := "films." + strconv.Itoa(i)
		if seenFilm[f.FilmID] {
			fs.Add(key, "plan.film_twice")
		}
		seenFilm[f.FilmID] = true
		f.PreviewDate = strings.TrimSpace(f.PreviewDate)
		f.Link = strings.TrimSpace(f.Link)
		if f.PreviewDate != "" {
			d, err := time.Parse("2006-01-02", f.PreviewDate)
			// A preview falls in the month or in the days just before it.
			if err != nil || d.Before(mt.AddDate(0, 0, -15)) || !d.Before(mt.AddDate(0, 1, 0)) {
				fs.Add(key, "plan.preview_date")
			}
		}
		if f.Link != "" && !IsLink(f.Link) {
			fs.Add(key, "field.link")
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err = s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("lessons").Where("id IN ? AND town_id = ? AND status = ?", lessonIDs, act.TownID, StatusPublished).Count(&n).Error; err != nil {
			return err
		}
		if int(n) != len(lessonIDs) {
			return apperr.New(apperr.Invalid, "validation").Field("lesson_ids", "plan.lesson_unpublished")
		}
		var filmIDs []int64
		for _, f := range in.Films {
			filmIDs = append(filmIDs, f.FilmID)
		}
		if len(filmIDs) > 0 {
			if err := tx.Table("films").Where("id IN ? AND town_id = ?", filmIDs, act.TownID).Count(&n).Error; err != nil {
				return err
			}
			if int(n) != len(filmIDs) {
				return apperr.New(apperr.Invalid, "validation").Field("films", "plan.film_unknown")
			}
		}
		for _, q := range []string{"DELETE FROM plan_lessons WHERE town_id = ? AND month = ?", "DELETE FROM plan_films WHERE town_id = ? AND month = ?", "DELETE FROM plans WHERE town_id = ? AND month = ?"} {
			if err := tx.Exec(q, act.TownID, month).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec("INSERT INTO plans (town_id, month, note, published_at, published_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			act.TownID, month, in.Note, now, act.AccountID, now).Error; err != nil {
			return err
		}
		for i, id := range lessonIDs {
			if err := tx.Exec("INSERT INTO plan_lessons (town_id, month, lesson_id, sort) VALUES (?, ?, ?, ?)", act.TownID, month, id, i).Error; err != nil {
				return err
			}
		}
		for i, f := range in.Films {
			if err := tx.Exec("INSERT INTO plan_films (town_id, month, film_id, preview_day, link, sort) VALUES (?, ?, ?, ?, ?, ?)",
				act.TownID, month, f.FilmID, f.PreviewDate, f.Link, i).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Plan(ctx, act, month, act.TownID)
}
