package lessons

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"weike/internal/apperr"
	"weike/internal/db"
	"weike/org"
)

// Film categories of product.md.
var FilmCategories = []string{"红色历史", "政策理论", "警示教育", "本土"}

// Film is an education film (教育片).
type Film struct {
	ID              int64     `json:"id"`
	TownID          int64     `json:"town_id"`
	Title           string    `json:"title"`
	Category        string    `json:"category"`
	DurationMinutes int       `json:"duration_minutes"`
	Link            string    `json:"link"`
	Description     string    `json:"description"`
	Status          string    `json:"status"`
	CreatedAt       time.Time `json:"-"`
	UpdatedAt       time.Time `json:"-"`
}

// FilmFilter narrows a film list.
type FilmFilter struct {
	TownID   int64
	Category string
	Q        string
}

// Films lists the films the actor may read; retired ones only for officials.
func (s *Store) Films(ctx context.Context, act org.Actor, f FilmFilter) (_ []Film, err error) {
	defer apperr.Wrap(&err, "lessons: films")
	q := s.db.R.WithContext(ctx).Where("town_id IN ?", act.ScopeTowns(f.TownID))
	if act.Role != org.RoleOfficial {
		q = q.Where("status = ?", StatusPublished)
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if qs := strings.TrimSpace(f.Q); qs != "" {
		q = q.Where(`(title LIKE ? ESCAPE '\' OR description LIKE ? ESCAPE '\')`, likeOf(qs), likeOf(qs))
	}
	var fs []Film
	err = q.Order("town_id, id").Find(&fs).Error
	return fs, err
}

func likeOf(q string) string { return db.Like(q) }

// Film returns one film the actor may read.
func (s *Store) Film(ctx context.Context, act org.Actor, id int64) (_ *Film, err error) {
	defer apperr.Wrap(&err, "lessons: film %d", id)
	var f Film
	if err := org.LoadScoped(s.db.R.WithContext(ctx), act, id, &f, "film"); err != nil {
		return nil, err
	}
	return &f, nil
}

// FilmInput is what an official sets on a film.
type FilmInput struct {
	Title           string `json:"title"`
	Category        string `json:"category"`
	DurationMinutes int    `json:"duration_minutes"`
	Link            string `json:"link"`
	Description     string `json:"description"`
	Status          string `json:"status"`
}

// Validate checks and normalises the input.
func (in *FilmInput) Validate() error {
	var fs apperr.FieldSet
	in.Title = strings.TrimSpace(in.Title)
	in.Category = strings.TrimSpace(in.Category)
	in.Link = strings.TrimSpace(in.Link)
	in.Description = strings.TrimSpace(in.Description)
	if in.Status == "" {
		in.Status = StatusPublished
	}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		fs.Add("title", "field.required")
	case n > 80:
		fs.Add("title", "field.too_long")
	}
	ok := false
	for _, c := range FilmCategories {
		ok = ok || c == in.Category
	}
	if !ok {
		fs.Add("category", "field.film_category")
	}
	if in.DurationMinutes < 0 || in.DurationMinutes > 600 {
		fs.Add("duration_minutes", "field.range")
	}
	if in.Link != "" && !IsLink(in.Link) {
		fs.Add("link", "field.link")
	}
	if utf8.RuneCountInString(in.Description) > 1000 {
		fs.Add("description", "field.too_long")
	}
	if in.Status != StatusPublished && in.Status != StatusRetired {
		fs.Add("status", "field.film_status")
	}
	return fs.Err()
}

// CreateFilm adds a film to the official's town.
func (s *Store) CreateFilm(ctx context.Context, act org.Actor, in FilmInput) (_ *Film, err error) {
	defer apperr.Wrap(&err, "lessons: create film")
	if err := act.RequireOfficial(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.now()
	f := &Film{TownID: act.TownID, Title: in.Title, Category: in.Category, DurationMinutes: in.DurationMinutes,
		Link: in.Link, Description: in.Description, Status: in.Status, CreatedAt: now, UpdatedAt: now}
	if err := s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error { return tx.Create(f).Error }); err != nil {
		return nil, filmWriteErr(err, in.Title)
	}
	return f, nil
}

func filmWriteErr(err error, title string) error {
	if db.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "film.title_taken").With("title", title).Field("title", "film.title_taken")
	}
	return err
}

// UpdateFilm changes a film of the official's town.
func (s *Store) UpdateFilm(ctx context.Context, act org.Actor, id int64, in FilmInput) (_ *Film, err error) {
	defer apperr.Wrap(&err, "lessons: update film %d", id)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var f Film
	err = s.catalogTx(ctx, act.TownID, func(tx *gorm.DB) error {
		if err := org.LoadScoped(tx, act, id, &f, "film"); err != nil {
			return err
		}
		if err := act.ManageTown(f.TownID, "film"); err != nil {
			return err
		}
		f.Title, f.Category, f.DurationMinutes, f.Link, f.Description, f.Status = in.Title, in.Category, in.DurationMinutes, in.Link, in.Description, in.Status
		f.UpdatedAt = s.now()
		if err := tx.Save(&f).Error; err != nil {
			return filmWriteErr(err, in.Title)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// Input is the input that would set the film as it is: what a partial
// change (PATCH) starts from.
func (f *Film) Input() FilmInput {
	return FilmInput{Title: f.Title, Category: f.Category, DurationMinutes: f.DurationMinutes, Link: f.Link,
		Description: f.Description, Status: f.Status}
}
