package web

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"weike/lessons"
	"weike/org"
)

// Helpers the catalog's pages share (lessons, lecturers, films, branches,
// courtyards); their forms go through recordForm (forms.go).

// keepsCatalog reports whether the actor edits the catalog (shows edit links).
func keepsCatalog(act org.Actor) bool { return act.Role == org.RoleOfficial }

// catalogList renders one of the catalog's lists (lecturers, films,
// branches): county viewers filter it by town, officials see edit links, a
// form that saved comes back to it. list makes the page's view from the
// town picked and the towns to pick from; filters are the query parameters
// the page's filter form keeps.
func (s *Server) catalogList(c echo.Context, page, title string, filters []string, list func(act org.Actor, townID int64, towns []choice) (any, error)) error {
	act := actor(c)
	townID, err := queryID(c, "town_id")
	if err != nil {
		return err
	}
	towns, err := s.townOptions(c, act)
	if err != nil {
		return err
	}
	v, err := list(act, townID, towns)
	if err != nil {
		return err
	}
	return s.render(c, page, pageData{Title: title, Form: queryForm(c, filters...), Data: v, Flash: savedFlash(c)})
}

// townOptions lists the towns a county viewer may pick; nil for everyone
// else, who sees one town only.
func (s *Server) townOptions(c echo.Context, act org.Actor) ([]choice, error) {
	if len(act.Towns) < 2 {
		return nil, nil
	}
	ts, err := s.Org.Towns(c.Request().Context(), act)
	if err != nil {
		return nil, err
	}
	out := make([]choice, 0, len(ts))
	for _, t := range ts {
		out = append(out, choice{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
	}
	return out, nil
}

// topicLabels maps a topic's (Chinese) name to its label in lang.
func topicLabels(lang string, ts []lessons.Topic) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		l := t.Name
		if lang == LangEN && t.NameEn != "" {
			l = t.NameEn
		}
		m[t.Name] = l
	}
	return m
}

// lessonItems pairs lessons with their topic's label in the caller's
// language.
func (s *Server) lessonItems(c echo.Context, act org.Actor, ls []lessons.Lesson) ([]lessonItem, error) {
	topics, err := s.Lessons.Topics(c.Request().Context(), act)
	if err != nil {
		return nil, err
	}
	return labelLessons(topicLabels(langOf(c), topics), ls), nil
}

func labelLessons(labels map[string]string, ls []lessons.Lesson) []lessonItem {
	out := make([]lessonItem, 0, len(ls))
	for _, l := range ls {
		out = append(out, lessonItem{Lesson: l, TopicLabel: labelOr(labels, l.Topic)})
	}
	return out
}

// labelOr is m's label for k, else k itself.
func labelOr(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// branchNames maps the ids of the branches the actor sees to their names.
func (s *Server) branchNames(c echo.Context, act org.Actor) (map[int64]string, error) {
	bs, err := s.Org.Branches(c.Request().Context(), act, org.BranchFilter{})
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(bs))
	for _, b := range bs {
		m[b.ID] = b.Name
	}
	return m, nil
}
