package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"weike/internal/i18n"
	"weike/lessons"
	"weike/org"
	"weike/themeday"
)

// Film viewings (观影): a viewing's page with its history, and its form.

type filmGroup struct {
	Label string
	Films []choice
}

// filmGroups offers the town's films, the month's list first.
func (s *Server) filmGroups(c echo.Context, act org.Actor, townID int64, month string) ([]filmGroup, error) {
	ctx := c.Request().Context()
	lang := langOf(c)
	p, err := s.Lessons.Plan(ctx, act, month, townID)
	if err != nil {
		return nil, err
	}
	all, err := s.Lessons.Films(ctx, act, lessons.FilmFilter{TownID: townID})
	if err != nil {
		return nil, err
	}
	listed := map[int64]bool{}
	month1 := filmGroup{Label: T(lang, "td.film.month_list", "month", i18n.Month(month))}
	for _, f := range p.Films {
		listed[f.ID] = true
		month1.Films = append(month1.Films, choice{Value: strconv.FormatInt(f.ID, 10), Label: f.Title})
	}
	others := filmGroup{Label: T(lang, "td.film.catalog")}
	for _, f := range all {
		if !listed[f.ID] && f.Status == lessons.StatusPublished {
			others.Films = append(others.Films, choice{Value: strconv.FormatInt(f.ID, 10), Label: f.Title})
		}
	}
	var gs []filmGroup
	for _, g := range []filmGroup{month1, others} {
		if len(g.Films) > 0 {
			gs = append(gs, g)
		}
	}
	return gs, nil
}

type viewingPageView struct {
	V        *themeday.Viewing
	FilmLink string
	CanEdit  bool
	History  []changeView
}

func (s *Server) viewingPage(c echo.Context) error {
	rec, err := pathRecord(c, s.ThemeDay.Viewing)
	if err != nil {
		return err
	}
	act := actor(c)
	lang := langOf(c)
	v := viewingPageView{V: rec, CanEdit: themeday.MayEditRecord(act, rec.TownID, rec.BranchID)}
	titles := map[string]string{}
	films, err := s.Lessons.Films(c.Request().Context(), act, lessons.FilmFilter{TownID: rec.TownID})
	if err != nil {
		return err
	}
	for _, f := range films {
		titles[strconv.FormatInt(f.ID, 10)] = f.Title
		if rec.FilmID != nil && *rec.FilmID == f.ID {
			v.FilmLink = f.Link
		}
	}
	v.History = changeViews(lang, rec.Changes, viewingFieldOrder, titles, "td.field.notes")
	return s.render(c, "viewing", pageData{Title: T(lang, "td.viewing.title"), Data: v, Flash: savedFlash(c)})
}

func (s *Server) viewingForm() *recordForm[themeday.Viewing, themeday.ViewingInput] {
	return &recordForm[themeday.Viewing, themeday.ViewingInput]{s: s, page: "viewing_form",
		titles: [2]string{"td.viewing.new", "td.viewing.edit"},
		fields: []string{"branch_id", "film_id", "film_title", "date", "attendees", "notes"},
		blank: func(c echo.Context) map[string]string {
			// "Record a viewing" beside a film of the month's list picks it.
			form := map[string]string{"date": s.today()}
			if id, err := strconv.ParseInt(c.QueryParam("film_id"), 10, 64); err == nil && id > 0 {
				form["film_id"] = strconv.FormatInt(id, 10)
			}
			return form
		},
		load: s.ThemeDay.Viewing,
		mayEdit: func(act org.Actor, v *themeday.Viewing) bool {
			return themeday.MayEditRecord(act, v.TownID, v.BranchID)
		},
		loadFirst: true,
		fill: func(_ string, rec *themeday.Viewing) map[string]string {
			form := map[string]string{"film_id": "other", "film_title": rec.FilmTitle, "date": rec.Day,
				"attendees": strconv.Itoa(rec.Attendees), "notes": rec.Notes}
			if rec.FilmID != nil {
				form["film_id"], form["film_title"] = strconv.FormatInt(*rec.FilmID, 10), ""
			}
			return form
		},
		view: func(c echo.Context, f formState[themeday.Viewing, themeday.ViewingInput]) (any, error) {
			act := actor(c)
			townID, branch := act.TownID, ""
			if f.Rec != nil {
				townID, branch = f.Rec.TownID, f.Rec.BranchName
			}
			v, err := s.tdFormData(c, "/viewings", f.ID, branch)
			if err != nil {
				return nil, err
			}
			v.FilmGroups, err = s.filmGroups(c, act, townID, s.formMonth(f.Form["date"]))
			return v, err
		},
		read:   readViewing,
		create: s.ThemeDay.CreateViewing,
		update: s.ThemeDay.UpdateViewing,
		shown:  func(v *themeday.Viewing) string { return fmt.Sprintf("/viewings/%d?saved=1", v.ID) },
	}
}

// readViewing reads the viewing form; "other" (其他) is a film outside the
// catalog, named in film_title. A viewing's branch is set when it is made.
func readViewing(_ echo.Context, id int64, form map[string]string, bad fieldCodes) (themeday.ViewingInput, error) {
	in := themeday.ViewingInput{Date: form["date"], Attendees: bad.intField(form, "attendees"), Notes: form["notes"]}
	if id == 0 {
		in.BranchID = int64(bad.intField(form, "branch_id"))
	}
	switch f := strings.TrimSpace(form["film_id"]); f {
	case "", "other":
		in.FilmTitle = form["film_title"]
		if f == "other" && strings.TrimSpace(in.FilmTitle) == "" {
			bad.add("film_title", "td.err.film_title")
		}
	default:
		in.FilmID = int64(bad.intField(form, "film_id"))
	}
	return in, nil
}
