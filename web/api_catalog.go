package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"weike/lessons"
	"weike/org"
)

// catalog API: lessons, topics, lecturers, films, branches and courtyards.

func (s *Server) apiLessons(c echo.Context) error {
	f, err := lessonFilterOf(c)
	if err != nil {
		return err
	}
	page, err := s.Lessons.Lessons(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

// lessonFilterOf reads the lesson list's query parameters (API and pages).
func lessonFilterOf(c echo.Context) (lessons.LessonFilter, error) {
	f := lessons.LessonFilter{Topic: c.QueryParam("topic"), Q: c.QueryParam("q"), Status: c.QueryParam("status"),
		Sort: c.QueryParam("sort"), Featured: c.QueryParam("featured") == "1" || c.QueryParam("featured") == "true"}
	var err error
	if f.LecturerID, err = queryID(c, "lecturer_id"); err != nil {
		return f, err
	}
	if f.TownID, err = queryID(c, "town_id"); err != nil {
		return f, err
	}
	if f.MinDuration, err = queryInt(c, "min_duration"); err != nil {
		return f, err
	}
	if f.MaxDuration, err = queryInt(c, "max_duration"); err != nil {
		return f, err
	}
	if f.Page, err = queryInt(c, "page"); err != nil {
		return f, err
	}
	if f.PerPage, err = queryInt(c, "per_page"); err != nil {
		return f, err
	}
	return f, nil
}

func (s *Server) apiTopics(c echo.Context) error {
	tid, err := queryID(c, "town_id")
	if err != nil {
		return err
	}
	ts, err := s.Lessons.Topics(c.Request().Context(), actor(c).Narrowed(tid))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ts})
}

type topicRequest struct {
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
}

func (s *Server) apiCreateTopic(c echo.Context) error {
	var in topicRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	t, err := s.Lessons.CreateTopic(c.Request().Context(), actor(c), in.Name, in.NameEn)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

// lecturerView is a lecturer with the days an order could still find them free.
type lecturerView struct {
	*lessons.Lecturer
	FreeDays []lessons.FreeDay `json:"free_days"`
}

func (s *Server) apiLecturers(c echo.Context) error {
	f := lessons.LecturerFilter{Q: c.QueryParam("q")}
	var err error
	if f.TownID, err = queryID(c, "town_id"); err != nil {
		return err
	}
	if f.LessonID, err = queryID(c, "lesson_id"); err != nil {
		return err
	}
	ls, err := s.Lessons.Lecturers(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ls, "total": len(ls)})
}

func (s *Server) apiLecturer(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	l, err := s.Lessons.Lecturer(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	v := lecturerView{Lecturer: l, FreeDays: []lessons.FreeDay{}}
	if l.Active {
		if v.FreeDays, err = s.Booking.LecturerFreeDays(c.Request().Context(), actor(c), l.ID, 7); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) apiFilms(c echo.Context) error {
	f := lessons.FilmFilter{Category: c.QueryParam("category"), Q: c.QueryParam("q")}
	var err error
	if f.TownID, err = queryID(c, "town_id"); err != nil {
		return err
	}
	fs, err := s.Lessons.Films(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": fs, "total": len(fs)})
}

func (s *Server) apiTowns(c echo.Context) error {
	ts, err := s.Org.Towns(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ts})
}

func (s *Server) apiBranches(c echo.Context) error {
	f := org.BranchFilter{Kind: c.QueryParam("kind"), Q: c.QueryParam("q")}
	var err error
	if f.TownID, err = queryID(c, "town_id"); err != nil {
		return err
	}
	bs, err := s.Org.Branches(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": bs, "total": len(bs)})
}
