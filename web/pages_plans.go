package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/lessons"
	"weike/org"
)

// The official's monthly plans: the featured lessons and the month's film
// list, the months around this one, a month's plan and its form.

// planTown picks the town whose plans a page shows: the actor's own, or for
// a county viewer the one picked (?town_id=), else the first of the county.
func (s *Server) planTown(c echo.Context, act org.Actor) (int64, []choice, error) {
	if act.TownID != 0 {
		return act.TownID, nil, nil
	}
	tid, err := queryID(c, "town_id")
	if err != nil {
		return 0, nil, err
	}
	towns, err := s.townOptions(c, act)
	if err != nil {
		return 0, nil, err
	}
	if tid == 0 && len(act.Towns) > 0 {
		tid = act.Towns[0]
	}
	if err := act.ReadTown(tid, "town"); err != nil {
		return 0, nil, err
	}
	return tid, towns, nil
}

// planFilmView is a film of a month's list as a page shows it.
type planFilmView struct {
	lessons.PlanFilm
	Link     string // the month's link, else the film's own
	Preview  string // 放映日期：12月5日 周六, with the month when it is not the plan's
	Category string
}

// screeningLabel says when a film of month's list is shown: 放映日期：12月5日
// 周六. A day outside the month says so (a list may start in the fortnight
// before): 放映日期：11月28日 周六（上月）, never a bare November date under
// December.
func screeningLabel(lang, day, month string) string {
	key := "td.plan.screening_on"
	switch m := day[:min(len(day), 7)]; {
	case month == "" || m == month:
	case m < month:
		key = "td.plan.screening_on_before"
	default:
		key = "td.plan.screening_on_after"
	}
	return T(lang, key, "day", i18n.Day(day))
}

func planFilms(lang string, p *lessons.Plan) []planFilmView {
	out := make([]planFilmView, 0, len(p.Films))
	for _, f := range p.Films {
		v := planFilmView{PlanFilm: f, Link: f.PlanLink, Category: T(lang, "cat.film_cat."+f.Category)}
		if v.Link == "" {
			v.Link = f.Film.Link
		}
		if f.PreviewDate != "" {
			v.Preview = screeningLabel(lang, f.PreviewDate, p.Month)
		}
		out = append(out, v)
	}
	return out
}

// ---- plans ----

type planMonth struct {
	Month     string
	Label     string
	Current   bool
	Published *time.Time
	Lessons   int
	Films     int
}

type plansView struct {
	Months  []planMonth
	Towns   []choice
	TownQ   string // ?town_id=… for a county viewer's links
	CanEdit bool
}

func townQuery(act org.Actor, tid int64) string {
	if act.TownID != 0 {
		return ""
	}
	return "?town_id=" + strconv.FormatInt(tid, 10)
}

func (s *Server) plansPage(c echo.Context) error {
	act := actor(c)
	lang := langOf(c)
	tid, towns, err := s.planTown(c, act)
	if err != nil {
		return err
	}
	now := s.thisMonth()
	v := plansView{Towns: towns, TownQ: townQuery(act, tid), CanEdit: act.Role == org.RoleOfficial}
	for i := -1; i <= 2; i++ {
		m := shiftMonth(now, i)
		p, err := s.Lessons.Plan(c.Request().Context(), act, m, tid)
		if err != nil {
			return err
		}
		v.Months = append(v.Months, planMonth{Month: m, Label: monthLabel(lang, m), Current: i == 0,
			Published: p.PublishedAt, Lessons: len(p.Lessons), Films: len(p.Films)})
	}
	form := map[string]string{"town_id": strconv.FormatInt(tid, 10)}
	return s.render(c, "plans", pageData{Title: T(lang, "td.plans.title"), Data: v, Form: form})
}

type planView struct {
	P       *lessons.Plan
	Month   string
	Label   string
	PrevURL string
	NextURL string
	Lessons []lessonItem
	Films   []planFilmView
	CanEdit bool
	TownQ   string
}

func (s *Server) planPage(c echo.Context) error {
	act := actor(c)
	lang := langOf(c)
	month := c.Param("month")
	if _, err := lessons.ParseMonth(month); err != nil {
		return err
	}
	tid, _, err := s.planTown(c, act)
	if err != nil {
		return err
	}
	p, err := s.Lessons.Plan(c.Request().Context(), act, month, tid)
	if err != nil {
		return err
	}
	q := townQuery(act, tid)
	v := planView{P: p, Month: month, Label: monthLabel(lang, month), Films: planFilms(lang, p),
		CanEdit: act.IsOfficialOf(tid), TownQ: q,
		PrevURL: "/plans/" + shiftMonth(month, -1) + q, NextURL: "/plans/" + shiftMonth(month, 1) + q}
	if v.Lessons, err = s.lessonItems(c, act, p.Lessons); err != nil {
		return err
	}
	return s.render(c, "plan", pageData{Title: T(lang, "td.plan.title", "month", v.Label), Data: v, Flash: savedFlash(c)})
}

type planLessonRow struct {
	ID      int64
	Title   string
	Minutes int
	Checked bool
}

type planTopicGroup struct {
	Label   string
	Lessons []planLessonRow
}

type planFilmRow struct {
	ID       int64
	Title    string
	Category string
	Checked  bool
	Preview  string
	Link     string
	Err      string
}

type planFormView struct {
	Month  string
	Label  string
	Min    string // the earliest preview day PutPlan takes
	Max    string
	Groups []planTopicGroup
	Films  []planFilmRow
}

// planInput is the plan form as the official filled it in.
type planInput struct {
	Note    string
	Lessons map[int64]bool
	Films   map[int64]bool
	Preview map[int64]string
	Link    map[int64]string
}

// planChoices lists what a plan may feature: the town's published lessons
// in catalog order (by topic) and its films, the current list's first.
func (s *Server) planChoices(c echo.Context, act org.Actor, current *lessons.Plan) ([]lessons.Lesson, []lessons.Film, error) {
	ctx := c.Request().Context()
	var ls []lessons.Lesson
	for page := 1; page <= 50; page++ {
		p, err := s.Lessons.Lessons(ctx, act, lessons.LessonFilter{TownID: act.TownID, Status: lessons.StatusPublished, PerPage: 100, Page: page})
		if err != nil {
			return nil, nil, err
		}
		ls = append(ls, p.Items...)
		if len(p.Items) == 0 || int64(len(ls)) >= p.Total {
			break
		}
	}
	all, err := s.Lessons.Films(ctx, act, lessons.FilmFilter{TownID: act.TownID})
	if err != nil {
		return nil, nil, err
	}
	pos := map[int64]int{}
	for i, f := range current.Films {
		pos[f.ID] = i
	}
	var fs []lessons.Film
	for _, f := range all {
		if _, listed := pos[f.ID]; listed || f.Status == lessons.StatusPublished {
			fs = append(fs, f)
		}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		pi, iok := pos[fs[i].ID]
		pj, jok := pos[fs[j].ID]
		if iok != jok {
			return iok
		}
		return iok && pi < pj
	})
	return ls, fs, nil
}

func (s *Server) planForm(c echo.Context, status int, month string, in planInput, errs map[string]string, filmErrs map[int64]string) error {
	act := actor(c)
	lang := langOf(c)
	mt, err := lessons.ParseMonth(month)
	if err != nil {
		return err
	}
	current, err := s.Lessons.Plan(c.Request().Context(), act, month, act.TownID)
	if err != nil {
		return err
	}
	ls, fs, err := s.planChoices(c, act, current)
	if err != nil {
		return err
	}
	topics, err := s.Lessons.Topics(c.Request().Context(), act)
	if err != nil {
		return err
	}
	labels := topicLabels(lang, topics)
	v := planFormView{Month: month, Label: monthLabel(lang, month),
		Min: mt.AddDate(0, 0, -15).Format("2006-01-02"), Max: mt.AddDate(0, 1, -1).Format("2006-01-02")}
	for _, l := range ls {
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].Label != labelOr(labels, l.Topic) {
			v.Groups = append(v.Groups, planTopicGroup{Label: labelOr(labels, l.Topic)})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Lessons = append(g.Lessons, planLessonRow{ID: l.ID, Title: l.Title, Minutes: l.DurationMinutes, Checked: in.Lessons[l.ID]})
	}
	for _, f := range fs {
		v.Films = append(v.Films, planFilmRow{ID: f.ID, Title: f.Title, Category: T(lang, "cat.film_cat."+f.Category),
			Checked: in.Films[f.ID], Preview: in.Preview[f.ID], Link: in.Link[f.ID], Err: filmErrs[f.ID]})
	}
	return s.renderStatus(c, status, "plan_form", pageData{Title: T(lang, "td.plan.edit_title", "month", v.Label),
		Form: map[string]string{"note": in.Note}, Errors: errs, Data: v})
}

func (s *Server) planEditPage(c echo.Context) error {
	act := actor(c)
	month := c.Param("month")
	if _, err := lessons.ParseMonth(month); err != nil {
		return err
	}
	p, err := s.Lessons.Plan(c.Request().Context(), act, month, act.TownID)
	if err != nil {
		return err
	}
	in := planInput{Note: p.Note, Lessons: map[int64]bool{}, Films: map[int64]bool{}, Preview: map[int64]string{}, Link: map[int64]string{}}
	for _, l := range p.Lessons {
		in.Lessons[l.ID] = true
	}
	for _, f := range p.Films {
		in.Films[f.ID], in.Preview[f.ID], in.Link[f.ID] = true, f.PreviewDate, f.PlanLink
	}
	return s.planForm(c, http.StatusOK, month, in, nil, nil)
}

func (s *Server) planSave(c echo.Context) error {
	act := actor(c)
	ctx := c.Request().Context()
	month := c.Param("month")
	if _, err := lessons.ParseMonth(month); err != nil {
		return err
	}
	current, err := s.Lessons.Plan(ctx, act, month, act.TownID)
	if err != nil {
		return err
	}
	_, fs, err := s.planChoices(c, act, current)
	if err != nil {
		return err
	}
	bad := fieldCodes{}
	in := planInput{Note: c.FormValue("note"), Lessons: map[int64]bool{}, Films: map[int64]bool{}, Preview: map[int64]string{}, Link: map[int64]string{}}
	pin := lessons.PlanInput{Note: in.Note}
	for _, id := range bad.idsField(c, "lesson_ids") {
		if !in.Lessons[id] {
			in.Lessons[id] = true
			pin.LessonIDs = append(pin.LessonIDs, id)
		}
	}
	for _, id := range bad.idsField(c, "film_ids") {
		in.Films[id] = true
	}
	// The films go to the store in the order the form lists them, so that
	// its numbered problems ("films.2") point back at a row of the form.
	var order []int64
	for _, f := range fs {
		key := strconv.FormatInt(f.ID, 10)
		in.Preview[f.ID], in.Link[f.ID] = strings.TrimSpace(c.FormValue("preview_"+key)), strings.TrimSpace(c.FormValue("link_"+key))
		if in.Films[f.ID] {
			order = append(order, f.ID)
			pin.Films = append(pin.Films, lessons.PlanFilmInput{FilmID: f.ID, PreviewDate: in.Preview[f.ID], Link: in.Link[f.ID]})
		}
	}
	err = bad.check(func() error { return nil })
	if err == nil {
		_, err = s.Lessons.PutPlan(ctx, act, month, pin)
	}
	if err != nil {
		status, errs, ok := formProblem(c, err)
		if !ok {
			return err
		}
		filmErrs := map[int64]string{}
		if ae, ok := apperr.As(err); ok {
			_, fields := translate(langOf(c), ae)
			for f, msg := range fields {
				if i, err := strconv.Atoi(strings.TrimPrefix(f, "films.")); err == nil && strings.HasPrefix(f, "films.") && i < len(order) {
					filmErrs[order[i]] = msg
				}
			}
		}
		return s.planForm(c, status, month, in, errs, filmErrs)
	}
	return c.Redirect(http.StatusSeeOther, "/plans/"+month+"?saved=1")
}
