package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"weike/themeday"

	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/lessons"
	"weike/org"
)

// ---- shared helpers ----

// tdToday is today's local day, the latest a record may carry.
func (s *Server) tdToday() string { return s.Booking.Now().In(shanghai).Format("2006-01-02") }

// tdMonth is the current local month.
func (s *Server) tdMonth() string { return s.Booking.Now().In(shanghai).Format("2006-01") }

// shiftMonth moves a YYYY-MM month by n months.
func shiftMonth(m string, n int) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

// queryMonth reads an optional ?month=YYYY-MM; a malformed one is a 400.
func queryMonth(c echo.Context) (string, error) {
	m := strings.TrimSpace(c.QueryParam("month"))
	if m == "" {
		return "", nil
	}
	if _, err := lessons.ParseMonth(m); err != nil {
		return "", err
	}
	return m, nil
}

// practiceTypeLabel shows a practice type in lang; a type the catalog does
// not know (the API takes any short text) shows as it was typed.
func practiceTypeLabel(lang, t string) string {
	key := "td.ptype." + t
	if l := T(lang, key); l != key {
		return l
	}
	return t
}

func practiceTypes(lang, current string) []choice {
	out := make([]choice, 0, len(themeday.PracticeTypes)+1)
	known := false
	for _, t := range themeday.PracticeTypes {
		out = append(out, choice{Value: t, Label: practiceTypeLabel(lang, t)})
		known = known || t == current
	}
	if current != "" && !known {
		out = append(out, choice{Value: current, Label: current})
	}
	return out
}

// listJoin joins the items of a sentence the way each language does.
func listJoin(lang string, items []string) string {
	if lang == LangEN {
		return strings.Join(items, ", ")
	}
	return strings.Join(items, "、")
}

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
	Preview  string // 12月5日 周六
	Category string
}

func planFilms(lang string, p *lessons.Plan) []planFilmView {
	out := make([]planFilmView, 0, len(p.Films))
	for _, f := range p.Films {
		v := planFilmView{PlanFilm: f, Link: f.PlanLink, Category: T(lang, "cat.film_cat."+f.Category)}
		if v.Link == "" {
			v.Link = f.Film.Link
		}
		if f.PreviewDate != "" {
			v.Preview = dayLabel(lang, f.PreviewDate)
		}
		out = append(out, v)
	}
	return out
}

func (s *Server) planLessons(c echo.Context, act org.Actor, p *lessons.Plan) ([]lessonItem, error) {
	topics, err := s.Lessons.Topics(c.Request().Context(), act)
	if err != nil {
		return nil, err
	}
	labels := topicLabels(langOf(c), topics)
	out := make([]lessonItem, 0, len(p.Lessons))
	for _, l := range p.Lessons {
		out = append(out, lessonItem{Lesson: l, TopicLabel: labelOr(labels, l.Topic)})
	}
	return out, nil
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
	now := s.tdMonth()
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
	if v.Lessons, err = s.planLessons(c, act, p); err != nil {
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

// ---- the secretary's month ----

type markView struct {
	Label string
	Done  bool
	Hint  string
}

type practiceItem struct {
	themeday.Practice
	TypeLabel string
}

type thisMonthView struct {
	Month     string
	Label     string
	Current   bool
	PrevURL   string
	NextURL   string
	Plan      *lessons.Plan
	Lessons   []lessonItem
	Films     []planFilmView
	Marks     []markView
	Lacking   string
	Branch    string
	Orders    []orderItem
	Members   []themeday.MemberLesson
	Viewings  []themeday.Viewing
	Practices []practiceItem
}

func (s *Server) thisMonthPage(c echo.Context) error {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	month, err := queryMonth(c)
	if err != nil {
		return err
	}
	now := s.tdMonth()
	if month == "" {
		month = now
	}
	v := thisMonthView{Month: month, Label: monthLabel(lang, month), Current: month == now,
		PrevURL: "/this-month?month=" + shiftMonth(month, -1), NextURL: "/this-month?month=" + shiftMonth(month, 1)}
	if v.Plan, err = s.Lessons.Plan(ctx, act, month, 0); err != nil {
		return err
	}
	v.Films = planFilms(lang, v.Plan)
	if v.Lessons, err = s.planLessons(c, act, v.Plan); err != nil {
		return err
	}
	// Coverage is scoped to the secretary's own branch by the store.
	cov, err := s.ThemeDay.Coverage(ctx, act, month, themeday.CoverageFilter{})
	if err != nil {
		return err
	}
	var bm themeday.BranchMonth
	for _, b := range cov.Branches {
		if b.BranchID == act.BranchID {
			bm = b
		}
	}
	if b, err := s.Org.Branch(ctx, act, act.BranchID); err == nil {
		v.Branch = b.Name
	} else if _, ok := apperr.As(err); !ok {
		return err
	}
	v.Marks = []markView{
		{Label: T(lang, "td.mark.lesson"), Done: bm.Lesson, Hint: T(lang, "td.mark.lesson_hint")},
		{Label: T(lang, "td.mark.film"), Done: bm.Film, Hint: T(lang, "td.mark.film_hint")},
		{Label: T(lang, "td.mark.practice"), Done: bm.Practice, Hint: T(lang, "td.mark.practice_hint")},
	}
	var lack []string
	for i, k := range []string{"td.lack.lesson", "td.lack.film", "td.lack.practice"} {
		if !v.Marks[i].Done {
			lack = append(lack, T(lang, k))
		}
	}
	switch {
	case len(lack) == 0 && v.Current:
		v.Lacking = T(lang, "td.lack.none_now")
	case len(lack) == 0:
		v.Lacking = T(lang, "td.lack.none_month", "month", v.Label)
	case v.Current:
		v.Lacking = T(lang, "td.lack.now", "items", listJoin(lang, lack))
	default:
		v.Lacking = T(lang, "td.lack.month", "month", v.Label, "items", listJoin(lang, lack))
	}
	orders, err := s.Booking.List(ctx, act, booking.OrderFilter{Month: month, PerPage: 50})
	if err != nil {
		return err
	}
	for _, o := range orders.Items {
		v.Orders = append(v.Orders, orderItem{Order: o, Tag: statusTag(o.Status)})
	}
	if v.Members, err = s.ThemeDay.MemberLessons(ctx, act, month); err != nil {
		return err
	}
	if v.Viewings, err = s.ThemeDay.Viewings(ctx, act, themeday.RecordFilter{Month: month}); err != nil {
		return err
	}
	ps, err := s.ThemeDay.Practices(ctx, act, themeday.RecordFilter{Month: month})
	if err != nil {
		return err
	}
	for _, p := range ps {
		v.Practices = append(v.Practices, practiceItem{Practice: p, TypeLabel: practiceTypeLabel(lang, p.Type)})
	}
	return s.render(c, "this_month", pageData{Title: T(lang, "td.month.title"), Data: v})
}

// ---- record lists ----

type recordsView struct {
	Viewings  []themeday.Viewing
	Practices []practiceItem
	Branches  []choice
	Wide      bool // officials and county viewers filter by branch
	CanAdd    bool
}

func (s *Server) recordsFilter(c echo.Context) (themeday.RecordFilter, map[string]string, error) {
	f := themeday.RecordFilter{Limit: 300}
	var err error
	if f.Month, err = queryMonth(c); err != nil {
		return f, nil, err
	}
	if f.BranchID, err = queryID(c, "branch_id"); err != nil {
		return f, nil, err
	}
	return f, queryForm(c, "month", "branch_id"), nil
}

func (s *Server) recordsView(c echo.Context, act org.Actor) (recordsView, error) {
	v := recordsView{Wide: act.Role != org.RoleSecretary, CanAdd: act.Role == org.RoleSecretary || act.Role == org.RoleOfficial}
	if v.Wide {
		bs, err := s.Org.Branches(c.Request().Context(), act, org.BranchFilter{})
		if err != nil {
			return v, err
		}
		for _, b := range bs {
			v.Branches = append(v.Branches, choice{Value: strconv.FormatInt(b.ID, 10), Label: b.Name})
		}
	}
	return v, nil
}

func (s *Server) viewingsPage(c echo.Context) error {
	act := actor(c)
	f, form, err := s.recordsFilter(c)
	if err != nil {
		return err
	}
	v, err := s.recordsView(c, act)
	if err != nil {
		return err
	}
	if v.Viewings, err = s.ThemeDay.Viewings(c.Request().Context(), act, f); err != nil {
		return err
	}
	return s.render(c, "viewings", pageData{Title: T(langOf(c), "td.viewings.title"), Data: v, Form: form})
}

func (s *Server) practicesPage(c echo.Context) error {
	act := actor(c)
	lang := langOf(c)
	f, form, err := s.recordsFilter(c)
	if err != nil {
		return err
	}
	v, err := s.recordsView(c, act)
	if err != nil {
		return err
	}
	ps, err := s.ThemeDay.Practices(c.Request().Context(), act, f)
	if err != nil {
		return err
	}
	for _, p := range ps {
		v.Practices = append(v.Practices, practiceItem{Practice: p, TypeLabel: practiceTypeLabel(lang, p.Type)})
	}
	return s.render(c, "practices", pageData{Title: T(lang, "td.practices.title"), Data: v, Form: form})
}

// ---- change history ----

type fieldChangeView struct {
	Label  string
	Before string
	After  string
}

type changeView struct {
	Who    string
	At     time.Time
	Fields []fieldChangeView
}

var (
	viewingFieldOrder  = []string{"film_title", "film_id", "date", "attendees", "notes"}
	practiceFieldOrder = []string{"type", "date", "participants", "opinions", "service_items", "notes"}
)

// changeViews puts a record's change log into words: field names in the
// reader's language, days and types the way the pages show them.
func changeViews(lang string, cs []themeday.Change, order []string, films map[string]string, notesKey string) []changeView {
	value := func(field, v string) string {
		if v == "" {
			if field == "film_id" {
				return T(lang, "td.film.other")
			}
			return "—"
		}
		switch field {
		case "date":
			return fmtDay(lang, v)
		case "type":
			return practiceTypeLabel(lang, v)
		case "film_id":
			if t, ok := films[v]; ok {
				return t
			}
		}
		return v
	}
	out := make([]changeView, 0, len(cs))
	for i := len(cs) - 1; i >= 0; i-- { // newest first
		ch := cs[i]
		cv := changeView{Who: ch.Who, At: ch.At}
		if cv.Who == "" {
			cv.Who = T(lang, "td.change.someone")
		}
		for _, f := range order {
			if d, ok := ch.Fields[f]; ok {
				label := T(lang, "td.field."+f)
				if f == "notes" {
					label = T(lang, notesKey)
				}
				cv.Fields = append(cv.Fields, fieldChangeView{Label: label, Before: value(f, d[0]), After: value(f, d[1])})
			}
		}
		out = append(out, cv)
	}
	return out
}

// recordBranches lists the branches an official may record for.
func (s *Server) recordBranches(c echo.Context, act org.Actor) ([]choice, error) {
	if act.Role != org.RoleOfficial {
		return nil, nil
	}
	bs, err := s.Org.Branches(c.Request().Context(), act, org.BranchFilter{TownID: act.TownID, ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	out := make([]choice, 0, len(bs))
	for _, b := range bs {
		out = append(out, choice{Value: strconv.FormatInt(b.ID, 10), Label: b.Name})
	}
	return out, nil
}

func (s *Server) ownBranchName(c echo.Context, act org.Actor) string {
	if act.Role != org.RoleSecretary {
		return ""
	}
	if b, err := s.Org.Branch(c.Request().Context(), act, act.BranchID); err == nil {
		return b.Name
	}
	return ""
}

// ---- viewings ----

type filmGroup struct {
	Label string
	Films []choice
}

type recordFormView struct {
	ID         int64
	Action     string
	Back       string
	Branches   []choice // officials pick the branch of a new record
	BranchName string   // the fixed branch otherwise
	Today      string
	FilmGroups []filmGroup
	Types      []choice
}

var viewingFields = []string{"branch_id", "film_id", "film_title", "date", "attendees", "notes"}

// filmGroups offers the town's films, the month's list first.
func (s *Server) filmGroups(c echo.Context, act org.Actor, townID int64, month string) ([]filmGroup, map[string]string, error) {
	ctx := c.Request().Context()
	lang := langOf(c)
	p, err := s.Lessons.Plan(ctx, act, month, townID)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.Lessons.Films(ctx, act, lessons.FilmFilter{TownID: townID})
	if err != nil {
		return nil, nil, err
	}
	titles := map[string]string{}
	listed := map[int64]bool{}
	month1 := filmGroup{Label: T(lang, "td.film.month_list", "month", i18n.Month(month))}
	for _, f := range p.Films {
		listed[f.ID] = true
		month1.Films = append(month1.Films, choice{Value: strconv.FormatInt(f.ID, 10), Label: f.Title})
	}
	others := filmGroup{Label: T(lang, "td.film.catalog")}
	for _, f := range all {
		titles[strconv.FormatInt(f.ID, 10)] = f.Title
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
	return gs, titles, nil
}

// formMonth is the month a record form is about: its date's, else this month.
func (s *Server) formMonth(day string) string {
	if t, err := time.Parse("2006-01-02", strings.TrimSpace(day)); err == nil {
		return t.Format("2006-01")
	}
	return s.tdMonth()
}

func (s *Server) viewingForm(c echo.Context, status int, cur *themeday.Viewing, form map[string]string, errs map[string]string) error {
	act := actor(c)
	lang := langOf(c)
	v := recordFormView{Today: s.tdToday(), Action: "/viewings/new", Back: "/viewings"}
	townID := act.TownID
	title := T(lang, "td.viewing.new")
	if cur != nil {
		v.ID, v.BranchName, townID = cur.ID, cur.BranchName, cur.TownID
		v.Action, v.Back = fmt.Sprintf("/viewings/%d/edit", cur.ID), fmt.Sprintf("/viewings/%d", cur.ID)
		title = T(lang, "td.viewing.edit")
	} else {
		var err error
		if v.Branches, err = s.recordBranches(c, act); err != nil {
			return err
		}
		v.BranchName = s.ownBranchName(c, act)
		if act.Role == org.RoleSecretary {
			v.Back = "/this-month"
		}
	}
	var err error
	if v.FilmGroups, _, err = s.filmGroups(c, act, townID, s.formMonth(form["date"])); err != nil {
		return err
	}
	return s.renderStatus(c, status, "viewing_form", pageData{Title: title, Form: form, Errors: errs, Data: v})
}

func (s *Server) viewingNewPage(c echo.Context) error {
	form := map[string]string{"date": s.tdToday()}
	if id, err := strconv.ParseInt(c.QueryParam("film_id"), 10, 64); err == nil && id > 0 {
		form["film_id"] = strconv.FormatInt(id, 10)
	}
	return s.viewingForm(c, http.StatusOK, nil, form, nil)
}

// viewingInput reads the viewing form; "other" (其他) is a film outside the
// catalog, named in film_title.
func viewingInput(form map[string]string, bad fieldCodes) themeday.ViewingInput {
	in := themeday.ViewingInput{BranchID: int64(bad.intField(form, "branch_id")), Date: form["date"],
		Attendees: bad.intField(form, "attendees"), Notes: form["notes"]}
	switch f := strings.TrimSpace(form["film_id"]); f {
	case "", "other":
		in.FilmTitle = form["film_title"]
		if f == "other" && strings.TrimSpace(in.FilmTitle) == "" {
			bad.add("film_title", "td.err.film_title")
		}
	default:
		in.FilmID = int64(bad.intField(form, "film_id"))
	}
	return in
}

func (s *Server) viewingCreate(c echo.Context) error {
	form := formOf(c, viewingFields...)
	bad := fieldCodes{}
	in := viewingInput(form, bad)
	err := bad.check(func() error { return nil })
	var v *themeday.Viewing
	if err == nil {
		v, err = s.ThemeDay.CreateViewing(c.Request().Context(), actor(c), in)
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.viewingForm(c, status, nil, form, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/viewings/%d?saved=1", v.ID))
}

type viewingPageView struct {
	V        *themeday.Viewing
	FilmLink string
	CanEdit  bool
	History  []changeView
}

func (s *Server) viewingPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	act := actor(c)
	lang := langOf(c)
	rec, err := s.ThemeDay.Viewing(c.Request().Context(), act, id)
	if err != nil {
		return err
	}
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

// editableViewing loads a viewing for its edit form: not visible → 404,
// visible but not the actor's to change → 403.
func (s *Server) editableViewing(c echo.Context) (*themeday.Viewing, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	act := actor(c)
	rec, err := s.ThemeDay.Viewing(c.Request().Context(), act, id)
	if err != nil {
		return nil, err
	}
	if !themeday.MayEditRecord(act, rec.TownID, rec.BranchID) {
		return nil, apperr.New(apperr.Forbidden, "forbidden")
	}
	return rec, nil
}

func (s *Server) viewingEditPage(c echo.Context) error {
	rec, err := s.editableViewing(c)
	if err != nil {
		return err
	}
	form := map[string]string{"film_id": "other", "film_title": rec.FilmTitle, "date": rec.Day,
		"attendees": strconv.Itoa(rec.Attendees), "notes": rec.Notes}
	if rec.FilmID != nil {
		form["film_id"], form["film_title"] = strconv.FormatInt(*rec.FilmID, 10), ""
	}
	return s.viewingForm(c, http.StatusOK, rec, form, nil)
}

func (s *Server) viewingUpdate(c echo.Context) error {
	rec, err := s.editableViewing(c)
	if err != nil {
		return err
	}
	form := formOf(c, viewingFields...)
	form["branch_id"] = ""
	bad := fieldCodes{}
	in := viewingInput(form, bad)
	err = bad.check(func() error { return nil })
	if err == nil {
		_, err = s.ThemeDay.UpdateViewing(c.Request().Context(), actor(c), rec.ID, in)
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.viewingForm(c, status, rec, form, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/viewings/%d?saved=1", rec.ID))
}

// ---- practices ----

var practiceFields = []string{"branch_id", "type", "date", "participants", "opinions", "service_items", "notes"}

func (s *Server) practiceForm(c echo.Context, status int, cur *themeday.Practice, form map[string]string, errs map[string]string) error {
	act := actor(c)
	lang := langOf(c)
	v := recordFormView{Today: s.tdToday(), Action: "/practices/new", Back: "/practices", Types: practiceTypes(lang, form["type"])}
	title := T(lang, "td.practice.new")
	if cur != nil {
		v.ID, v.BranchName = cur.ID, cur.BranchName
		v.Action, v.Back = fmt.Sprintf("/practices/%d/edit", cur.ID), fmt.Sprintf("/practices/%d", cur.ID)
		title = T(lang, "td.practice.edit")
	} else {
		var err error
		if v.Branches, err = s.recordBranches(c, act); err != nil {
			return err
		}
		v.BranchName = s.ownBranchName(c, act)
		if act.Role == org.RoleSecretary {
			v.Back = "/this-month"
		}
	}
	return s.renderStatus(c, status, "practice_form", pageData{Title: title, Form: form, Errors: errs, Data: v})
}

func (s *Server) practiceNewPage(c echo.Context) error {
	return s.practiceForm(c, http.StatusOK, nil, map[string]string{"date": s.tdToday(), "opinions": "0", "service_items": "0"}, nil)
}

func practiceInput(form map[string]string, bad fieldCodes) themeday.PracticeInput {
	return themeday.PracticeInput{BranchID: int64(bad.intField(form, "branch_id")), Type: form["type"], Date: form["date"],
		Participants: bad.intField(form, "participants"), Opinions: bad.intField(form, "opinions"),
		ServiceItems: bad.intField(form, "service_items"), Notes: form["notes"]}
}

func (s *Server) practiceCreate(c echo.Context) error {
	form := formOf(c, practiceFields...)
	bad := fieldCodes{}
	in := practiceInput(form, bad)
	err := bad.check(func() error { return nil })
	var p *themeday.Practice
	if err == nil {
		p, err = s.ThemeDay.CreatePractice(c.Request().Context(), actor(c), in)
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.practiceForm(c, status, nil, form, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/practices/%d?saved=1", p.ID))
}

type practicePageView struct {
	P         *themeday.Practice
	TypeLabel string
	CanEdit   bool
	History   []changeView
}

func (s *Server) practicePage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	act := actor(c)
	lang := langOf(c)
	rec, err := s.ThemeDay.Practice(c.Request().Context(), act, id)
	if err != nil {
		return err
	}
	v := practicePageView{P: rec, TypeLabel: practiceTypeLabel(lang, rec.Type), CanEdit: themeday.MayEditRecord(act, rec.TownID, rec.BranchID),
		History: changeViews(lang, rec.Changes, practiceFieldOrder, nil, "td.field.practice_notes")}
	return s.render(c, "practice", pageData{Title: T(lang, "td.practice.title"), Data: v, Flash: savedFlash(c)})
}

func (s *Server) editablePractice(c echo.Context) (*themeday.Practice, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	act := actor(c)
	rec, err := s.ThemeDay.Practice(c.Request().Context(), act, id)
	if err != nil {
		return nil, err
	}
	if !themeday.MayEditRecord(act, rec.TownID, rec.BranchID) {
		return nil, apperr.New(apperr.Forbidden, "forbidden")
	}
	return rec, nil
}

func (s *Server) practiceEditPage(c echo.Context) error {
	rec, err := s.editablePractice(c)
	if err != nil {
		return err
	}
	form := map[string]string{"type": rec.Type, "date": rec.Day, "participants": strconv.Itoa(rec.Participants),
		"opinions": strconv.Itoa(rec.Opinions), "service_items": strconv.Itoa(rec.ServiceItems), "notes": rec.Notes}
	return s.practiceForm(c, http.StatusOK, rec, form, nil)
}

func (s *Server) practiceUpdate(c echo.Context) error {
	rec, err := s.editablePractice(c)
	if err != nil {
		return err
	}
	form := formOf(c, practiceFields...)
	form["branch_id"] = ""
	bad := fieldCodes{}
	in := practiceInput(form, bad)
	err = bad.check(func() error { return nil })
	if err == nil {
		_, err = s.ThemeDay.UpdatePractice(c.Request().Context(), actor(c), rec.ID, in)
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.practiceForm(c, status, rec, form, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/practices/%d?saved=1", rec.ID))
}
