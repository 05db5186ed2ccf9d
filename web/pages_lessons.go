package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"weike/lessons"
	"weike/org"
)

// The lessons of the catalog: the list with its filters, a lesson's page
// with the lecturers who give it and their free days, the lesson form.

type lessonItem struct {
	lessons.Lesson
	TopicLabel string
}

type lessonsView struct {
	pager     // the list is long: 20 a page
	Items     []lessonItem
	Topics    []choice
	Lecturers []choice
	Towns     []choice
	Sorts     []choice
	Statuses  []choice
	CanEdit   bool
	Filtered  bool
	// MoreOpen unfolds the less used filters when one of them is in use.
	MoreOpen bool
}

var lessonFilterNames = []string{"topic", "lecturer_id", "min_duration", "max_duration", "featured", "q", "sort", "status", "town_id"}

func (s *Server) lessonsPage(c echo.Context) error {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	f, err := lessonFilterOf(c)
	if err != nil {
		return err
	}
	f.PerPage = 20
	if !keepsCatalog(act) && act.Role != org.RoleCounty {
		f.Status = ""
	}
	page, err := s.Lessons.Lessons(ctx, act, f)
	if err != nil {
		return err
	}
	topics, err := s.Lessons.Topics(ctx, act)
	if err != nil {
		return err
	}
	labels := topicLabels(lang, topics)
	v := lessonsView{pager: pagerOf(c, "/lessons", page.Total, page.Page, page.PerPage), CanEdit: keepsCatalog(act)}
	v.Items = labelLessons(labels, page.Items)
	seen := map[string]bool{}
	for _, t := range topics {
		// County viewers see several towns with the same default topics:
		// filtering by name covers them all at once.
		if !seen[t.Name] {
			seen[t.Name] = true
			v.Topics = append(v.Topics, choice{Value: t.Name, Label: labels[t.Name]})
		}
	}
	lecs, err := s.Lessons.Lecturers(ctx, act, lessons.LecturerFilter{TownID: f.TownID})
	if err != nil {
		return err
	}
	for _, l := range lecs {
		v.Lecturers = append(v.Lecturers, choice{Value: strconv.FormatInt(l.ID, 10), Label: l.Name})
	}
	if v.Towns, err = s.townOptions(c, act); err != nil {
		return err
	}
	for _, so := range lessonSorts {
		v.Sorts = append(v.Sorts, choice{Value: so, Label: T(lang, "cat.sort."+so)})
	}
	if keepsCatalog(act) || act.Role == org.RoleCounty {
		v.Statuses = lessonStatuses(lang)
	}
	form := queryForm(c, lessonFilterNames...)
	for _, n := range lessonFilterNames {
		if n != "sort" && form[n] != "" {
			v.Filtered = true
		}
		if n != "q" && n != "topic" && n != "town_id" && form[n] != "" {
			v.MoreOpen = true
		}
	}
	return s.render(c, "lessons", pageData{Title: T(lang, "nav.lessons"), Form: form, Data: v, Flash: savedFlash(c)})
}

// lessonSorts are the orders the lesson list offers besides the default
// (by topic); lessons.LessonFilter.Sort reads them.
var lessonSorts = []string{"title", "duration", "-duration", "newest"}

func lessonStatuses(lang string) []choice {
	out := []choice{}
	for _, st := range []string{lessons.StatusDraft, lessons.StatusPublished, lessons.StatusRetired} {
		out = append(out, choice{Value: st, Label: T(lang, "cat.status."+st)})
	}
	return out
}

type lessonPageView struct {
	L          *lessons.Lesson
	TopicLabel string
	Lecturers  []lecturerView
	CanEdit    bool
}

func (s *Server) lessonPage(c echo.Context) error {
	l, err := pathRecord(c, s.Lessons.Lesson)
	if err != nil {
		return err
	}
	act := actor(c)
	ctx := c.Request().Context()
	topics, err := s.Lessons.Topics(ctx, act)
	if err != nil {
		return err
	}
	v := lessonPageView{L: l, TopicLabel: labelOr(topicLabels(langOf(c), topics), l.Topic), CanEdit: act.IsOfficialOf(l.TownID)}
	lecs, err := s.Lessons.Lecturers(ctx, act, lessons.LecturerFilter{LessonID: l.ID})
	if err != nil {
		return err
	}
	for i := range lecs {
		lv := lecturerView{Lecturer: &lecs[i], FreeDays: []lessons.FreeDay{}}
		if lecs[i].Active && l.Status == lessons.StatusPublished {
			// The days an order could really get: bookings, travel
			// buffer and lead time included, not only the weekly hours.
			if lv.FreeDays, err = s.Booking.FreeDays(ctx, act, l.ID, lecs[i].ID, 5); err != nil {
				return err
			}
		}
		v.Lecturers = append(v.Lecturers, lv)
	}
	return s.render(c, "lesson", pageData{Title: l.Title, Data: v, Flash: savedFlash(c)})
}

// ---- the lesson form ----

type lessonFormView struct {
	ID        int64
	Topics    []choice
	Statuses  []choice
	Lecturers []choice
	Selected  []int64 // the lecturers ticked
}

func (s *Server) lessonForm() *recordForm[lessons.Lesson, lessons.LessonInput] {
	return &recordForm[lessons.Lesson, lessons.LessonInput]{s: s, page: "lesson_form",
		titles: [2]string{"cat.lesson.new", "cat.lesson.edit"},
		fields: []string{"title", "topic_id", "duration_minutes", "summary", "outline", "materials", "status"},
		blank:  defaults(map[string]string{"status": lessons.StatusDraft, "duration_minutes": "20"}),
		load:   s.Lessons.Lesson,
		fill: func(_ string, l *lessons.Lesson) map[string]string {
			return map[string]string{"title": l.Title, "topic_id": strconv.FormatInt(l.TopicID, 10),
				"duration_minutes": strconv.Itoa(l.DurationMinutes), "summary": l.Summary, "outline": l.Outline,
				"materials": strings.Join(l.MaterialLinks, "\n"), "status": l.Status}
		},
		view:   s.lessonFormData,
		read:   readLesson,
		create: s.Lessons.CreateLesson,
		update: s.Lessons.UpdateLesson,
		shown:  func(l *lessons.Lesson) string { return fmt.Sprintf("/lessons/%d?saved=1", l.ID) },
	}
}

func (s *Server) lessonFormData(c echo.Context, f formState[lessons.Lesson, lessons.LessonInput]) (any, error) {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	topics, err := s.Lessons.Topics(ctx, act)
	if err != nil {
		return nil, err
	}
	v := lessonFormView{ID: f.ID, Statuses: lessonStatuses(lang)}
	switch {
	case f.In != nil: // the boxes as the user ticked them
		v.Selected = f.In.LecturerIDs
	case f.Rec != nil:
		v.Selected = f.Rec.LecturerIDs
	}
	labels := topicLabels(lang, topics)
	for _, t := range topics {
		if t.TownID == act.TownID {
			v.Topics = append(v.Topics, choice{Value: strconv.FormatInt(t.ID, 10), Label: labels[t.Name]})
		}
	}
	lecs, err := s.Lessons.Lecturers(ctx, act, lessons.LecturerFilter{TownID: act.TownID})
	if err != nil {
		return nil, err
	}
	for _, l := range lecs {
		v.Lecturers = append(v.Lecturers, choice{Value: strconv.FormatInt(l.ID, 10), Label: l.Name, ID: l.ID})
	}
	return v, nil
}

func readLesson(c echo.Context, _ int64, form map[string]string, bad fieldCodes) (lessons.LessonInput, error) {
	topicID := bad.intField(form, "topic_id")
	in := lessons.LessonInput{Title: form["title"], TopicID: int64(topicID), Summary: form["summary"], Outline: form["outline"],
		DurationMinutes: bad.intField(form, "duration_minutes"), Materials: formLines(form["materials"]), Status: form["status"],
		LecturerIDs: bad.idsField(c, "lecturer_ids")}
	if topicID < 0 {
		bad.add("topic_id", "field.topic_unknown")
	}
	return in, nil
}
