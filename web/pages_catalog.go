package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
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

// ---- shared helpers of the catalog pages ----

// choice is one option of a select or a checkbox list.
type choice struct {
	Value string
	Label string
	ID    int64 // for checkbox lists of records
}

// keepsCatalog reports whether the actor edits the catalog (shows edit links).
func keepsCatalog(act org.Actor) bool { return act.Role == org.RoleOfficial }

// savedFlash is the message shown after a form redirected with ?saved=1.
// A query parameter keeps it stateless: reloading shows it again, harmlessly.
func savedFlash(c echo.Context) string {
	if c.QueryParam("saved") == "1" {
		return T(langOf(c), "cat.saved")
	}
	return ""
}

// formOf keeps the named form fields as the user typed them.
func formOf(c echo.Context, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = c.FormValue(n)
	}
	return m
}

// queryForm keeps the named query parameters (a list's filters).
func queryForm(c echo.Context, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = c.QueryParam(n)
	}
	return m
}

// fieldCodes collects problems found while reading a form, before the store
// sees it: message keys by field, the first problem of a field winning.
type fieldCodes map[string]string

func (f fieldCodes) add(field, code string) {
	if _, ok := f[field]; !ok {
		f[field] = code
	}
}

// intField reads an optional whole number; text that is not one is a field
// problem rather than a zero that the store would misreport.
func (f fieldCodes) intField(form map[string]string, name string) int {
	v := strings.TrimSpace(form[name])
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < -1_000_000_000 || n > 1_000_000_000 {
		f.add(name, "field.number")
		return 0
	}
	return n
}

func (f fieldCodes) floatField(form map[string]string, name string) *float64 {
	v := strings.TrimSpace(strings.ReplaceAll(form[name], "，", "."))
	if v == "" {
		return nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		f.add(name, "field.number")
		return nil
	}
	return &x
}

// idsField reads repeated id values (checkboxes).
func (f fieldCodes) idsField(c echo.Context, name string) []int64 {
	fp, err := c.FormParams()
	if err != nil {
		return nil
	}
	ids := []int64{}
	for _, v := range fp[name] {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			f.add(name, "field.number")
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// check returns the problems found while reading the form together with
// those the input's own Validate finds, as one validation error; nil when
// reading went well (the store then validates as usual).
func (f fieldCodes) check(validate func() error) error {
	if len(f) == 0 {
		return nil
	}
	e := apperr.New(apperr.Invalid, "validation")
	for k, v := range f {
		e.Field(k, v)
	}
	if ve, ok := apperr.As(validate()); ok {
		for k, v := range ve.Fields {
			if _, dup := e.Fields[k]; !dup {
				e.Field(k, v)
			}
		}
	}
	return e
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

func labelOr(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// withQuery returns path with the query q, page replaced by n.
func withPage(path string, q url.Values, n int) string {
	v := url.Values{}
	for k, vs := range q {
		if k == "page" || k == "saved" {
			continue
		}
		for _, x := range vs {
			if x != "" {
				v.Add(k, x)
			}
		}
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// ---- lessons ----

type lessonItem struct {
	lessons.Lesson
	TopicLabel string
}

type lessonsView struct {
	Items     []lessonItem
	Total     int64
	Page      int
	Pages     int
	PrevURL   string
	NextURL   string
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
	v := lessonsView{Total: page.Total, Page: page.Page, CanEdit: keepsCatalog(act)}
	for _, l := range page.Items {
		v.Items = append(v.Items, lessonItem{Lesson: l, TopicLabel: labelOr(labels, l.Topic)})
	}
	v.Pages = int((page.Total + int64(page.PerPage) - 1) / int64(page.PerPage))
	q := c.Request().URL.Query()
	if v.Page > 1 {
		v.PrevURL = withPage("/lessons", q, v.Page-1)
	}
	if v.Page < v.Pages {
		v.NextURL = withPage("/lessons", q, v.Page+1)
	}
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
	id, err := pathID(c)
	if err != nil {
		return err
	}
	act := actor(c)
	ctx := c.Request().Context()
	l, err := s.Lessons.Lesson(ctx, act, id)
	if err != nil {
		return err
	}
	topics, err := s.Lessons.Topics(ctx, act)
	if err != nil {
		return err
	}
	v := lessonPageView{L: l, TopicLabel: labelOr(topicLabels(langOf(c), topics), l.Topic), CanEdit: keepsCatalog(act) && act.TownID == l.TownID}
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

type lessonFormView struct {
	ID        int64
	Topics    []choice
	Statuses  []choice
	Lecturers []choice
	Selected  []int64
}

var lessonFields = []string{"title", "topic_id", "duration_minutes", "summary", "outline", "materials", "status"}

func (s *Server) lessonForm(c echo.Context, status int, id int64, form map[string]string, sel []int64, errs map[string]string) error {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	topics, err := s.Lessons.Topics(ctx, act)
	if err != nil {
		return err
	}
	v := lessonFormView{ID: id, Statuses: lessonStatuses(lang), Selected: sel}
	labels := topicLabels(lang, topics)
	for _, t := range topics {
		if t.TownID == act.TownID {
			v.Topics = append(v.Topics, choice{Value: strconv.FormatInt(t.ID, 10), Label: labels[t.Name]})
		}
	}
	lecs, err := s.Lessons.Lecturers(ctx, act, lessons.LecturerFilter{TownID: act.TownID})
	if err != nil {
		return err
	}
	for _, l := range lecs {
		v.Lecturers = append(v.Lecturers, choice{Value: strconv.FormatInt(l.ID, 10), Label: l.Name, ID: l.ID})
	}
	title := T(lang, "cat.lesson.new")
	if id != 0 {
		title = T(lang, "cat.lesson.edit")
	}
	return s.renderStatus(c, status, "lesson_form", pageData{Title: title, Form: form, Errors: errs, Data: v})
}

func (s *Server) lessonNewPage(c echo.Context) error {
	return s.lessonForm(c, http.StatusOK, 0, map[string]string{"status": lessons.StatusDraft, "duration_minutes": "20"}, nil, nil)
}

func (s *Server) lessonEditPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	l, err := s.Lessons.Lesson(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	form := map[string]string{"title": l.Title, "topic_id": strconv.FormatInt(l.TopicID, 10),
		"duration_minutes": strconv.Itoa(l.DurationMinutes), "summary": l.Summary, "outline": l.Outline,
		"materials": strings.Join(l.MaterialLinks, "\n"), "status": l.Status}
	return s.lessonForm(c, http.StatusOK, id, form, l.LecturerIDs, nil)
}

func (s *Server) lessonCreate(c echo.Context) error { return s.lessonSave(c, 0) }

func (s *Server) lessonUpdate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.lessonSave(c, id)
}

func (s *Server) lessonSave(c echo.Context, id int64) error {
	act := actor(c)
	ctx := c.Request().Context()
	form := formOf(c, lessonFields...)
	bad := fieldCodes{}
	topicID := bad.intField(form, "topic_id")
	in := lessons.LessonInput{Title: form["title"], TopicID: int64(topicID), Summary: form["summary"], Outline: form["outline"],
		DurationMinutes: bad.intField(form, "duration_minutes"), Materials: formLines(form["materials"]), Status: form["status"],
		LecturerIDs: bad.idsField(c, "lecturer_ids")}
	if topicID < 0 {
		bad.add("topic_id", "field.topic_unknown")
	}
	err := bad.check(in.Validate)
	var l *lessons.Lesson
	if err == nil {
		if id == 0 {
			l, err = s.Lessons.CreateLesson(ctx, act, in)
		} else {
			l, err = s.Lessons.UpdateLesson(ctx, act, id, in)
		}
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.lessonForm(c, status, id, form, in.LecturerIDs, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/lessons/%d?saved=1", l.ID))
}

// formLines splits text into its non-blank, trimmed lines.
func formLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ---- lecturers ----

type lecturerItem struct {
	lessons.Lecturer
	Branch string
}

type lecturersView struct {
	Items   []lecturerItem
	Towns   []choice
	CanEdit bool
}

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

func (s *Server) lecturersPage(c echo.Context) error {
	act := actor(c)
	townID, err := queryID(c, "town_id")
	if err != nil {
		return err
	}
	ls, err := s.Lessons.Lecturers(c.Request().Context(), act, lessons.LecturerFilter{TownID: townID, Q: c.QueryParam("q")})
	if err != nil {
		return err
	}
	names, err := s.branchNames(c, act)
	if err != nil {
		return err
	}
	v := lecturersView{CanEdit: keepsCatalog(act)}
	for _, l := range ls {
		it := lecturerItem{Lecturer: l}
		if l.BranchID != nil {
			it.Branch = names[*l.BranchID]
		}
		v.Items = append(v.Items, it)
	}
	if v.Towns, err = s.townOptions(c, act); err != nil {
		return err
	}
	return s.render(c, "lecturers", pageData{Title: T(langOf(c), "nav.lecturers"), Form: queryForm(c, "q", "town_id"),
		Data: v, Flash: savedFlash(c)})
}

// availRow is one weekday of a lecturer's availability table.
type availRow struct {
	Day     string
	Windows []string
}

// mondayFirst puts Monday first, as Chinese calendars do.
var mondayFirst = []int{1, 2, 3, 4, 5, 6, 0}

type lecturerPageView struct {
	L        *lessons.Lecturer
	Branch   *org.Branch
	Week     []availRow
	Lessons  []lessonItem
	FreeDays []lessons.FreeDay
	CanEdit  bool
}

func (s *Server) lecturerPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	l, err := s.Lessons.Lecturer(ctx, act, id)
	if err != nil {
		return err
	}
	v := lecturerPageView{L: l, CanEdit: keepsCatalog(act) && act.TownID == l.TownID, FreeDays: []lessons.FreeDay{}}
	if l.BranchID != nil {
		b, err := s.Org.Branch(ctx, act, *l.BranchID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		v.Branch = b
	}
	for _, wd := range mondayFirst {
		row := availRow{Day: i18n.Format(lang, time.Weekday(wd))}
		for _, w := range l.Availability {
			if w.Weekday == wd {
				row.Windows = append(row.Windows, w.String())
			}
		}
		v.Week = append(v.Week, row)
	}
	if l.Active {
		v.FreeDays = s.Lessons.FreeDays(ctx, l, s.Now(), 5)
	}
	page, err := s.Lessons.Lessons(ctx, act, lessons.LessonFilter{LecturerID: l.ID, PerPage: 100})
	if err != nil {
		return err
	}
	topics, err := s.Lessons.Topics(ctx, act)
	if err != nil {
		return err
	}
	labels := topicLabels(lang, topics)
	for _, ls := range page.Items {
		v.Lessons = append(v.Lessons, lessonItem{Lesson: ls, TopicLabel: labelOr(labels, ls.Topic)})
	}
	return s.render(c, "lecturer", pageData{Title: l.Name, Data: v, Flash: savedFlash(c)})
}

type lecturerFormView struct {
	ID       int64
	Branches []choice
}

var lecturerFields = []string{"name", "phone", "branch_id", "bio", "topics", "monthly_capacity", "active", "availability", "blackouts"}

func (s *Server) lecturerForm(c echo.Context, status int, id int64, form map[string]string, errs map[string]string) error {
	act := actor(c)
	lang := langOf(c)
	bs, err := s.Org.Branches(c.Request().Context(), act, org.BranchFilter{TownID: act.TownID})
	if err != nil {
		return err
	}
	v := lecturerFormView{ID: id}
	for _, b := range bs {
		v.Branches = append(v.Branches, choice{Value: strconv.FormatInt(b.ID, 10), Label: b.Name})
	}
	title := T(lang, "cat.lecturer.new")
	if id != 0 {
		title = T(lang, "cat.lecturer.edit")
	}
	return s.renderStatus(c, status, "lecturer_form", pageData{Title: title, Form: form, Errors: errs, Data: v})
}

func (s *Server) lecturerNewPage(c echo.Context) error {
	return s.lecturerForm(c, http.StatusOK, 0, map[string]string{"monthly_capacity": "4", "active": "1"}, nil)
}

func (s *Server) lecturerEditPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	l, err := s.Lessons.Lecturer(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	lang := langOf(c)
	form := map[string]string{"name": l.Name, "phone": l.Phone, "bio": l.Bio, "topics": l.Topics,
		"monthly_capacity": strconv.Itoa(l.MonthlyCapacity)}
	if l.BranchID != nil {
		form["branch_id"] = strconv.FormatInt(*l.BranchID, 10)
	}
	if l.Active {
		form["active"] = "1"
	}
	var ws, bs []string
	for _, w := range l.Availability {
		ws = append(ws, i18n.Format(lang, time.Weekday(w.Weekday))+" "+w.String())
	}
	for _, b := range l.Blackouts {
		bs = append(bs, strings.TrimSpace(b.Day+" "+b.Reason))
	}
	form["availability"] = strings.Join(ws, "\n")
	form["blackouts"] = strings.Join(bs, "\n")
	return s.lecturerForm(c, http.StatusOK, id, form, nil)
}

func (s *Server) lecturerCreate(c echo.Context) error { return s.lecturerSave(c, 0) }

func (s *Server) lecturerUpdate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.lecturerSave(c, id)
}

func (s *Server) lecturerSave(c echo.Context, id int64) error {
	act := actor(c)
	ctx := c.Request().Context()
	form := formOf(c, lecturerFields...)
	bad := fieldCodes{}
	active := form["active"] == "1"
	in := lessons.LecturerInput{Name: form["name"], Phone: form["phone"], Bio: form["bio"], Topics: form["topics"],
		MonthlyCapacity: bad.intField(form, "monthly_capacity"), Active: &active,
		Availability: []lessons.Window{}, Blackouts: []lessons.Blackout{}}
	if b := bad.intField(form, "branch_id"); b > 0 {
		bid := int64(b)
		in.BranchID = &bid
	}
	if strings.TrimSpace(form["monthly_capacity"]) != "" && in.MonthlyCapacity == 0 {
		// Zero means "the default" to the store; typed here it is out of range.
		bad.add("monthly_capacity", "field.range")
	}
	for _, line := range formLines(form["availability"]) {
		ws, ok := parseWindowLine(line)
		if !ok {
			bad.add("availability", "field.window")
			continue
		}
		in.Availability = append(in.Availability, ws...)
	}
	for _, line := range formLines(form["blackouts"]) {
		b, ok := parseBlackout(line)
		if !ok {
			bad.add("blackouts", "field.date")
			continue
		}
		in.Blackouts = append(in.Blackouts, b)
	}
	err := bad.check(in.Validate)
	var l *lessons.Lecturer
	if err == nil {
		if id == 0 {
			l, err = s.Lessons.CreateLecturer(ctx, act, in)
		} else {
			l, err = s.Lessons.UpdateLecturer(ctx, act, id, in)
		}
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.lecturerForm(c, status, id, form, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/lecturers/%d?saved=1", l.ID))
}

// weekdayNames are the ways people write a weekday, longest first so that
// "星期一" is not read as "星期" plus junk.
var weekdayNames = func() []struct {
	w string
	d int
} {
	m := map[string]int{
		"周日": 0, "周天": 0, "周一": 1, "周二": 2, "周三": 3, "周四": 4, "周五": 5, "周六": 6,
		"星期日": 0, "星期天": 0, "星期一": 1, "星期二": 2, "星期三": 3, "星期四": 4, "星期五": 5, "星期六": 6,
		"礼拜日": 0, "礼拜天": 0, "礼拜一": 1, "礼拜二": 2, "礼拜三": 3, "礼拜四": 4, "礼拜五": 5, "礼拜六": 6,
		"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
		"sun": 0, "mon": 1, "tue": 2, "tues": 2, "wed": 3, "thu": 4, "thur": 4, "thurs": 4, "fri": 5, "sat": 6,
	}
	out := make([]struct {
		w string
		d int
	}, 0, len(m))
	for w, d := range m {
		out = append(out, struct {
			w string
			d int
		}{w, d})
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].w) != len(out[j].w) {
			return len(out[i].w) > len(out[j].w)
		}
		return out[i].w < out[j].w
	})
	return out
}()

var (
	rangeDash = strings.NewReplacer("：", ":", "－", "-", "–", "-", "—", "-", "~", "-", "～", "-", "至", "-", "到", "-",
		"，", ",", "、", ",", "；", ",", ";", ",")
	spaceDash = regexp.MustCompile(`\s*-\s*`)
	timeRange = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?$`)
)

// parseWindows reads one availability line such as "周六 14:00-18:00",
// "星期三 19:00-21:00, 8:30-11:00" or "Sat 14-18".
func parseWindowLine(line string) ([]lessons.Window, bool) {
	s := strings.ToLower(strings.TrimSpace(line))
	day := -1
	for _, w := range weekdayNames {
		if strings.HasPrefix(s, w.w) {
			day, s = w.d, s[len(w.w):]
			break
		}
	}
	if day < 0 {
		return nil, false
	}
	s = rangeDash.Replace(s)
	s = strings.TrimLeft(s, " .:,\t")
	s = spaceDash.ReplaceAllString(s, "-")
	var out []lessons.Window
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		m := timeRange.FindStringSubmatch(part)
		if m == nil {
			return nil, false
		}
		start, ok1 := minuteOf(m[1], m[2])
		end, ok2 := minuteOf(m[3], m[4])
		if !ok1 || !ok2 || start >= end {
			return nil, false
		}
		out = append(out, lessons.Window{Weekday: day, StartMinute: start, EndMinute: end})
	}
	return out, len(out) > 0
}

func minuteOf(h, m string) (int, bool) {
	hh, _ := strconv.Atoi(h)
	mm := 0
	if m != "" {
		mm, _ = strconv.Atoi(m)
	}
	if hh > 24 || mm > 59 || (hh == 24 && mm > 0) {
		return 0, false
	}
	return hh*60 + mm, true
}

var dayPattern = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(.*)$`)

// parseBlackout reads "2026-12-05", "2026/12/5" or "2026年12月5日", optionally
// followed by a reason.
func parseBlackout(line string) (lessons.Blackout, bool) {
	m := dayPattern.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return lessons.Blackout{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return lessons.Blackout{}, false
	}
	return lessons.Blackout{Day: t.Format("2006-01-02"), Reason: strings.TrimSpace(m[4])}, true
}

// ---- films ----

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
	act := actor(c)
	lang := langOf(c)
	townID, err := queryID(c, "town_id")
	if err != nil {
		return err
	}
	fs, err := s.Lessons.Films(c.Request().Context(), act, lessons.FilmFilter{TownID: townID, Category: c.QueryParam("category"), Q: c.QueryParam("q")})
	if err != nil {
		return err
	}
	v := filmsView{Items: fs, Categories: filmCategories(lang), CanEdit: keepsCatalog(act)}
	if v.Towns, err = s.townOptions(c, act); err != nil {
		return err
	}
	return s.render(c, "films", pageData{Title: T(lang, "nav.films"), Form: queryForm(c, "q", "category", "town_id"),
		Data: v, Flash: savedFlash(c)})
}

type filmFormView struct {
	ID         int64
	Categories []choice
	Statuses   []choice
}

var filmFields = []string{"title", "category", "duration_minutes", "link", "description", "status"}

func (s *Server) filmForm(c echo.Context, status int, id int64, form map[string]string, errs map[string]string) error {
	lang := langOf(c)
	v := filmFormView{ID: id, Categories: filmCategories(lang)}
	for _, st := range []string{lessons.StatusPublished, lessons.StatusRetired} {
		v.Statuses = append(v.Statuses, choice{Value: st, Label: T(lang, "cat.status."+st)})
	}
	title := T(lang, "cat.film.new")
	if id != 0 {
		title = T(lang, "cat.film.edit")
	}
	return s.renderStatus(c, status, "film_form", pageData{Title: title, Form: form, Errors: errs, Data: v})
}

func (s *Server) filmNewPage(c echo.Context) error {
	return s.filmForm(c, http.StatusOK, 0, map[string]string{"status": lessons.StatusPublished}, nil)
}

func (s *Server) filmEditPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	f, err := s.Lessons.Film(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	form := map[string]string{"title": f.Title, "category": f.Category, "duration_minutes": strconv.Itoa(f.DurationMinutes),
		"link": f.Link, "description": f.Description, "status": f.Status}
	return s.filmForm(c, http.StatusOK, id, form, nil)
}

func (s *Server) filmCreate(c echo.Context) error { return s.filmSave(c, 0) }

func (s *Server) filmUpdate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.filmSave(c, id)
}

func (s *Server) filmSave(c echo.Context, id int64) error {
	act := actor(c)
	ctx := c.Request().Context()
	form := formOf(c, filmFields...)
	bad := fieldCodes{}
	in := lessons.FilmInput{Title: form["title"], Category: form["category"], DurationMinutes: bad.intField(form, "duration_minutes"),
		Link: form["link"], Description: form["description"], Status: form["status"]}
	err := bad.check(in.Validate)
	var f *lessons.Film
	if err == nil {
		if id == 0 {
			f, err = s.Lessons.CreateFilm(ctx, act, in)
		} else {
			f, err = s.Lessons.UpdateFilm(ctx, act, id, in)
		}
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.filmForm(c, status, id, form, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/films?saved=1#film-%d", f.ID))
}

// ---- branches and courtyards ----

type branchesView struct {
	Items   []org.Branch
	Kinds   []choice
	Towns   []choice
	CanEdit bool
}

func branchKinds(lang string) []choice {
	out := []choice{}
	for _, k := range []string{org.KindVillage, org.KindCommunity, org.KindOther} {
		out = append(out, choice{Value: k, Label: T(lang, "cat.kind."+k)})
	}
	return out
}

func (s *Server) branchesPage(c echo.Context) error {
	act := actor(c)
	lang := langOf(c)
	townID, err := queryID(c, "town_id")
	if err != nil {
		return err
	}
	bs, err := s.Org.Branches(c.Request().Context(), act, org.BranchFilter{TownID: townID, Kind: c.QueryParam("kind"), Q: c.QueryParam("q")})
	if err != nil {
		return err
	}
	v := branchesView{Items: bs, Kinds: branchKinds(lang), CanEdit: keepsCatalog(act)}
	if v.Towns, err = s.townOptions(c, act); err != nil {
		return err
	}
	return s.render(c, "branches", pageData{Title: T(lang, "nav.branches"), Form: queryForm(c, "q", "kind", "town_id"),
		Data: v, Flash: savedFlash(c)})
}

type courtyardItem struct {
	org.Courtyard
	MapURL string
}

type branchPageView struct {
	B          *org.Branch
	Courtyards []courtyardItem
	Lecturers  []lessons.Lecturer
	CanEdit    bool
}

// amapURL links a point on Amap's public marker page: a plain link, so the
// page itself loads nothing from another site.
func amapURL(c org.Courtyard) string {
	if c.Lat == nil || c.Lng == nil {
		return ""
	}
	return "https://uri.amap.com/marker?position=" + strconv.FormatFloat(*c.Lng, 'f', -1, 64) + "," + strconv.FormatFloat(*c.Lat, 'f', -1, 64)
}

func (s *Server) branchPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	act := actor(c)
	ctx := c.Request().Context()
	b, err := s.Org.Branch(ctx, act, id)
	if err != nil {
		return err
	}
	v := branchPageView{B: b, CanEdit: keepsCatalog(act) && act.TownID == b.TownID}
	for _, cy := range b.Courtyards {
		v.Courtyards = append(v.Courtyards, courtyardItem{Courtyard: cy, MapURL: amapURL(cy)})
	}
	lecs, err := s.Lessons.Lecturers(ctx, act, lessons.LecturerFilter{TownID: b.TownID})
	if err != nil {
		return err
	}
	for _, l := range lecs {
		if l.BranchID != nil && *l.BranchID == b.ID {
			v.Lecturers = append(v.Lecturers, l)
		}
	}
	return s.render(c, "branch", pageData{Title: b.Name, Data: v, Flash: savedFlash(c)})
}

type branchFormView struct {
	ID    int64
	Kinds []choice
}

var branchFields = []string{"name", "kind", "member_count", "secretary_name", "phone", "active"}

func (s *Server) branchForm(c echo.Context, status int, id int64, form map[string]string, errs map[string]string) error {
	lang := langOf(c)
	title := T(lang, "cat.branch.new")
	if id != 0 {
		title = T(lang, "cat.branch.edit")
	}
	return s.renderStatus(c, status, "branch_form", pageData{Title: title, Form: form, Errors: errs,
		Data: branchFormView{ID: id, Kinds: branchKinds(lang)}})
}

func (s *Server) branchNewPage(c echo.Context) error {
	return s.branchForm(c, http.StatusOK, 0, map[string]string{"kind": org.KindVillage, "active": "1"}, nil)
}

func (s *Server) branchEditPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	b, err := s.Org.Branch(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	form := map[string]string{"name": b.Name, "kind": b.Kind, "member_count": strconv.Itoa(b.MemberCount),
		"secretary_name": b.SecretaryName, "phone": b.Phone}
	if b.Active {
		form["active"] = "1"
	}
	return s.branchForm(c, http.StatusOK, id, form, nil)
}

func (s *Server) branchCreate(c echo.Context) error { return s.branchSave(c, 0) }

func (s *Server) branchUpdate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.branchSave(c, id)
}

func (s *Server) branchSave(c echo.Context, id int64) error {
	act := actor(c)
	ctx := c.Request().Context()
	form := formOf(c, branchFields...)
	bad := fieldCodes{}
	active := form["active"] == "1"
	in := org.BranchInput{Name: form["name"], Kind: form["kind"], MemberCount: bad.intField(form, "member_count"),
		SecretaryName: form["secretary_name"], Phone: form["phone"], Active: &active}
	err := bad.check(in.Validate)
	var b *org.Branch
	if err == nil {
		if id == 0 {
			b, err = s.Org.CreateBranch(ctx, act, in)
		} else {
			b, err = s.Org.UpdateBranch(ctx, act, id, in)
		}
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.branchForm(c, status, id, form, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/branches/%d?saved=1", b.ID))
}

type courtyardFormView struct {
	ID     int64
	Branch *org.Branch
	Action string
}

var courtyardFields = []string{"name", "address", "lat", "lng", "active"}

func (s *Server) courtyardForm(c echo.Context, status int, id int64, b *org.Branch, form map[string]string, errs map[string]string) error {
	lang := langOf(c)
	v := courtyardFormView{ID: id, Branch: b, Action: fmt.Sprintf("/branches/%d/courtyards/new", b.ID)}
	title := T(lang, "cat.courtyard.new")
	if id != 0 {
		v.Action = fmt.Sprintf("/courtyards/%d/edit", id)
		title = T(lang, "cat.courtyard.edit")
	}
	return s.renderStatus(c, status, "courtyard_form", pageData{Title: title, Form: form, Errors: errs, Data: v})
}

func (s *Server) courtyardNewPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	b, err := s.Org.Branch(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return s.courtyardForm(c, http.StatusOK, 0, b, map[string]string{"active": "1"}, nil)
}

func (s *Server) courtyardEditPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	act := actor(c)
	cy, err := s.Org.Courtyard(c.Request().Context(), act, id)
	if err != nil {
		return err
	}
	b, err := s.Org.Branch(c.Request().Context(), act, cy.BranchID)
	if err != nil {
		return err
	}
	form := map[string]string{"name": cy.Name, "address": cy.Address}
	if cy.Lat != nil && cy.Lng != nil {
		form["lat"] = strconv.FormatFloat(*cy.Lat, 'f', -1, 64)
		form["lng"] = strconv.FormatFloat(*cy.Lng, 'f', -1, 64)
	}
	if cy.Active {
		form["active"] = "1"
	}
	return s.courtyardForm(c, http.StatusOK, id, b, form, nil)
}

func (s *Server) courtyardCreate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	b, err := s.Org.Branch(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return s.courtyardSave(c, 0, b)
}

func (s *Server) courtyardUpdate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	act := actor(c)
	cy, err := s.Org.Courtyard(c.Request().Context(), act, id)
	if err != nil {
		return err
	}
	b, err := s.Org.Branch(c.Request().Context(), act, cy.BranchID)
	if err != nil {
		return err
	}
	return s.courtyardSave(c, id, b)
}

func (s *Server) courtyardSave(c echo.Context, id int64, b *org.Branch) error {
	act := actor(c)
	ctx := c.Request().Context()
	form := formOf(c, courtyardFields...)
	bad := fieldCodes{}
	active := form["active"] == "1"
	in := org.CourtyardInput{Name: form["name"], Address: form["address"], Lat: bad.floatField(form, "lat"),
		Lng: bad.floatField(form, "lng"), Active: &active}
	err := bad.check(in.Validate)
	if err == nil {
		if id == 0 {
			_, err = s.Org.CreateCourtyard(ctx, act, b.ID, in)
		} else {
			_, err = s.Org.UpdateCourtyard(ctx, act, id, in)
		}
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.courtyardForm(c, status, id, b, form, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/branches/%d?saved=1", b.ID))
}
