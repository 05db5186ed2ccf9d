package web

import (
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"weike/lessons"
	"weike/org"
)

// Films: the list by category and the film form.

type filmsView struct {
	Items      []lessons.Film
	Categories []choice
	Towns      []choice
	CanEdit    bool
}

func filmCategories(lang string) []choice {
	out := []choice{}
	for _, c := range lessons.FilmCategories {
		out = append(out, choice{Value: c, Label: T(lang, "cat.film_cat."+c)})
	}
	return out
}

func (s *Server) filmsPage(c echo.Context) error {
	lang := langOf(c)
	return s.catalogList(c, "films", T(lang, "nav.films"), []string{"q", "category", "town_id"}, func(act org.Actor, townID int64, towns []choice) (any, error) {
		fs, err := s.Lessons.Films(c.Request().Context(), act, lessons.FilmFilter{TownID: townID, Category: c.QueryParam("category"), Q: c.QueryParam("q")})
		return filmsView{Items: fs, Categories: filmCategories(lang), Towns: towns, CanEdit: keepsCatalog(act)}, err
	})
}

type filmFormView struct {
	ID         int64
	Categories []choice
	Statuses   []choice
}

func (s *Server) filmForm() *recordForm[lessons.Film, lessons.FilmInput] {
	return &recordForm[lessons.Film, lessons.FilmInput]{s: s, page: "film_form",
		titles: [2]string{"cat.film.new", "cat.film.edit"},
		fields: []string{"title", "category", "duration_minutes", "link", "description", "status"},
		blank:  defaults(map[string]string{"status": lessons.StatusPublished}),
		load:   s.Lessons.Film,
		fill: func(_ string, f *lessons.Film) map[string]string {
			return map[string]string{"title": f.Title, "category": f.Category, "duration_minutes": strconv.Itoa(f.DurationMinutes),
				"link": f.Link, "description": f.Description, "status": f.Status}
		},
		view: func(c echo.Context, f formState[lessons.Film, lessons.FilmInput]) (any, error) {
			lang := langOf(c)
			v := filmFormView{ID: f.ID, Categories: filmCategories(lang)}
			for _, st := range []string{lessons.StatusPublished, lessons.StatusRetired} {
				v.Statuses = append(v.Statuses, choice{Value: st, Label: T(lang, "cat.status."+st)})
			}
			return v, nil
		},
		read: func(_ echo.Context, _ int64, form map[string]string, bad fieldCodes) (lessons.FilmInput, error) {
			return lessons.FilmInput{Title: form["title"], Category: form["category"], DurationMinutes: bad.intField(form, "duration_minutes"),
				Link: form["link"], Description: form["description"], Status: form["status"]}, nil
		},
		create: s.Lessons.CreateFilm,
		update: s.Lessons.UpdateFilm,
		shown:  func(f *lessons.Film) string { return fmt.Sprintf("/films?saved=1#film-%d", f.ID) },
	}
}

type filmPageView struct {
	F       *lessons.Film
	CanEdit bool
	// CanRecord: the caller records viewings (a secretary, an official of
	// the film's town), so the page offers to record one of this film.
	CanRecord bool
}

// filmPage is one film: what it is, and how to watch it. A film with no
// link of its own (a local production kept on a disc at the town) says so
// here instead of offering a link that leads nowhere.
func (s *Server) filmPage(c echo.Context) error {
	f, err := pathRecord(c, s.Lessons.Film)
	if err != nil {
		return err
	}
	act := actor(c)
	v := filmPageView{F: f, CanEdit: act.IsOfficialOf(f.TownID),
		CanRecord: act.Role == org.RoleSecretary || act.IsOfficialOf(f.TownID)}
	return s.render(c, "film", pageData{Title: f.Title, Data: v})
}
