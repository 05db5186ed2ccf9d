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
