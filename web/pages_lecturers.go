package web

import (
	"fmt"
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

// Lecturers: the list, a lecturer's page (weekly hours, free days, lessons),
// the lecturer form and the way it reads availability and blackout lines.

type lecturerItem struct {
	lessons.Lecturer
	Branch string
}

type lecturersView struct {
	Items   []lecturerItem
	Towns   []choice
	CanEdit bool
}

func (s *Server) lecturersPage(c echo.Context) error {
	return s.catalogList(c, "lecturers", T(langOf(c), "nav.lecturers"), []string{"q", "town_id"}, func(act org.Actor, townID int64, towns []choice) (any, error) {
		ls, err := s.Lessons.Lecturers(c.Request().Context(), act, lessons.LecturerFilter{TownID: townID, Q: c.QueryParam("q")})
		if err != nil {
			return nil, err
		}
		names, err := s.branchNames(c, act)
		if err != nil {
			return nil, err
		}
		v := lecturersView{Towns: towns, CanEdit: keepsCatalog(act)}
		for _, l := range ls {
			it := lecturerItem{Lecturer: l}
			if l.BranchID != nil {
				it.Branch = names[*l.BranchID]
			}
			v.Items = append(v.Items, it)
		}
		return v, nil
	})
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
	// KeepsHours: the caller may change the hours (she herself, or an
	// official); Own: the page is the caller's own.
	KeepsHours, Own bool
}

func (s *Server) lecturerPage(c echo.Context) error {
	l, err := pathRecord(c, s.Lessons.Lecturer)
	if err != nil {
		return err
	}
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	v := lecturerPageView{L: l, CanEdit: act.IsOfficialOf(l.TownID), FreeDays: []lessons.FreeDay{},
		KeepsHours: lessons.MayKeepHours(act, l), Own: act.Role == org.RoleLecturer && act.LecturerID == l.ID}
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
		// The days an order could really get, by the order form's rules
		// (lead time and all), not only her weekly hours.
		if v.FreeDays, err = s.Booking.LecturerFreeDays(ctx, act, l.ID, 5); err != nil {
			return err
		}
	}
	page, err := s.Lessons.Lessons(ctx, act, lessons.LessonFilter{LecturerID: l.ID, PerPage: 100})
	if err != nil {
		return err
	}
	if v.Lessons, err = s.lessonItems(c, act, page.Items); err != nil {
		return err
	}
	return s.render(c, "lecturer", pageData{Title: l.Name, Data: v, Flash: savedFlash(c)})
}

// ---- the lecturer form ----

type lecturerFormView struct {
	ID       int64
	Branches []choice
}

func (s *Server) lecturerForm() *recordForm[lessons.Lecturer, lessons.LecturerInput] {
	return &recordForm[lessons.Lecturer, lessons.LecturerInput]{s: s, page: "lecturer_form",
		titles: [2]string{"cat.lecturer.new", "cat.lecturer.edit"},
		fields: []string{"name", "phone", "branch_id", "bio", "topics", "monthly_capacity", "active", "availability", "blackouts"},
		blank:  defaults(map[string]string{"monthly_capacity": "4", "active": "1"}),
		load:   s.Lessons.Lecturer,
		fill:   lecturerFields,
		view:   s.lecturerFormData,
		read:   readLecturer,
		create: s.Lessons.CreateLecturer,
		update: s.Lessons.UpdateLecturer,
		shown:  func(l *lessons.Lecturer) string { return fmt.Sprintf("/lecturers/%d?saved=1", l.ID) },
	}
}

func (s *Server) lecturerFormData(c echo.Context, f formState[lessons.Lecturer, lessons.LecturerInput]) (any, error) {
	act := actor(c)
	bs, err := s.Org.Branches(c.Request().Context(), act, org.BranchFilter{TownID: act.TownID})
	if err != nil {
		return nil, err
	}
	v := lecturerFormView{ID: f.ID}
	for _, b := range bs {
		v.Branches = append(v.Branches, choice{Value: strconv.FormatInt(b.ID, 10), Label: b.Name})
	}
	return v, nil
}

// lecturerFields writes a lecturer into the form, availability and
// blackouts one a line, the way the form reads them back.
func lecturerFields(lang string, l *lessons.Lecturer) map[string]string {
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
	return form
}

func readLecturer(_ echo.Context, _ int64, form map[string]string, bad fieldCodes) (lessons.LecturerInput, error) {
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
	return in, nil
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

// parseWindowLine reads one availability line such as "周六 14:00-18:00",
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
