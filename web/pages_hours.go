package web

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/lessons"
	"weike/org"
)

// A lecturer's own hours (her weekly windows and days off) and the
// lecturer's home page, which leads to them.

// hoursRow is one weekly window of the hours form: two time fields.
type hoursRow struct {
	Key      string // win_6_0: weekday 6, row 0
	From, To string // HH:MM, or "" for a blank row
	Err      string
}

type hoursDay struct {
	Label string
	Rows  []hoursRow
}

// offRow is a day off: one already kept (with a "keep" box) or a blank to add.
type offRow struct {
	Key      string // off_0 …
	Day      string // YYYY-MM-DD
	Label    string // 12月24日 周四
	Reason   string
	Existing bool
	Keep     bool
	Err      string
}

type hoursView struct {
	L        *lessons.Lecturer
	Days     []hoursDay
	Off      []offRow
	Own      bool // the lecturer herself, not an official
	Problems []problem
	// FirstError is the id of the first field in error: it gets the focus.
	FirstError string
}

// windowsPerDay bounds the rows of one weekday: what a day has, plus a
// blank row to add one, up to this many.
const windowsPerDay = 4

// blankOffRows is how many days off can be added at once.
const blankOffRows = 3

var hhmm = regexp.MustCompile(`^([01]?\d|2[0-4]):([0-5]\d)$`)

func parseHHMM(s string) (int, bool) {
	m := hhmm.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	if h*60+mi > 1440 {
		return 0, false
	}
	return h*60 + mi, true
}

// hoursFromLecturer lays a lecturer's hours out as the form shows them.
func hoursFromLecturer(lang string, l *lessons.Lecturer) ([]hoursDay, []offRow) {
	var days []hoursDay
	for _, wd := range mondayFirst {
		d := hoursDay{Label: i18n.Format(lang, time.Weekday(wd))}
		for _, w := range l.Availability {
			if w.Weekday == wd && len(d.Rows) < windowsPerDay {
				d.Rows = append(d.Rows, hoursRow{From: i18n.Format(lang, i18n.Clock(w.StartMinute)), To: i18n.Format(lang, i18n.Clock(w.EndMinute))})
			}
		}
		if len(d.Rows) < windowsPerDay {
			d.Rows = append(d.Rows, hoursRow{})
		}
		for i := range d.Rows {
			d.Rows[i].Key = fmt.Sprintf("win_%d_%d", wd, i)
		}
		days = append(days, d)
	}
	var off []offRow
	for _, b := range l.Blackouts {
		off = append(off, offRow{Day: b.Day, Label: dayLabel(lang, b.Day), Reason: b.Reason, Existing: true, Keep: true})
	}
	for i := 0; i < blankOffRows; i++ {
		off = append(off, offRow{})
	}
	for i := range off {
		off[i].Key = fmt.Sprintf("off_%d", i)
	}
	return days, off
}

// readHours reads the hours form back: the rows as typed (to show again)
// and the input for the store, with a problem per row that makes no sense.
func readHours(c echo.Context, lang string) ([]hoursDay, []offRow, lessons.HoursInput, map[string]string) {
	in := lessons.HoursInput{Availability: []lessons.Window{}, Blackouts: []lessons.Blackout{}}
	errs := map[string]string{}
	var days []hoursDay
	for _, wd := range mondayFirst {
		d := hoursDay{Label: i18n.Format(lang, time.Weekday(wd))}
		for i := 0; i < windowsPerDay; i++ {
			key := fmt.Sprintf("win_%d_%d", wd, i)
			from, to := strings.TrimSpace(c.FormValue(key+"_from")), strings.TrimSpace(c.FormValue(key+"_to"))
			present := c.Request().PostForm.Has(key + "_from")
			if !present {
				continue
			}
			row := hoursRow{Key: key, From: from, To: to}
			if from != "" || to != "" {
				a, okA := parseHHMM(from)
				b, okB := parseHHMM(to)
				if !okA || !okB || a >= b {
					row.Err = T(lang, "field.window_row")
					errs[key] = row.Err
				} else {
					in.Availability = append(in.Availability, lessons.Window{Weekday: wd, StartMinute: a, EndMinute: b})
				}
			}
			d.Rows = append(d.Rows, row)
		}
		if n := len(d.Rows); n == 0 || (d.Rows[n-1].From != "" && n < windowsPerDay) {
			d.Rows = append(d.Rows, hoursRow{Key: fmt.Sprintf("win_%d_%d", wd, n)})
		}
		days = append(days, d)
	}
	var off []offRow
	for i := 0; i < 500; i++ {
		key := fmt.Sprintf("off_%d", i)
		if !c.Request().PostForm.Has(key + "_day") {
			break
		}
		row := offRow{Key: key, Day: strings.TrimSpace(c.FormValue(key + "_day")), Reason: strings.TrimSpace(c.FormValue(key + "_reason")),
			Existing: c.FormValue(key+"_existing") == "1", Keep: c.FormValue(key+"_keep") == "1"}
		if row.Existing {
			row.Label = dayLabel(lang, row.Day)
		}
		switch {
		case row.Existing && !row.Keep, !row.Existing && row.Day == "" && row.Reason == "":
		default:
			if _, err := time.Parse("2006-01-02", row.Day); err != nil {
				row.Err = T(lang, "field.date")
				errs[key] = row.Err
			} else {
				in.Blackouts = append(in.Blackouts, lessons.Blackout{Day: row.Day, Reason: row.Reason})
			}
		}
		off = append(off, row)
	}
	return days, off, in, errs
}

// hoursPage shows the form of a lecturer's hours: her own, or, for an
// official, any lecturer's of the town.
func (s *Server) hoursPage(c echo.Context) error {
	l, err := pathRecord(c, s.Lessons.Lecturer)
	if err != nil {
		return err
	}
	act := actor(c)
	if !lessons.MayKeepHours(act, l) {
		return apperr.New(apperr.Forbidden, "forbidden.own_hours")
	}
	v := hoursView{L: l, Own: act.Role == org.RoleLecturer}
	v.Days, v.Off = hoursFromLecturer(langOf(c), l)
	return s.renderHours(c, http.StatusOK, v, nil)
}

func (s *Server) renderHours(c echo.Context, status int, v hoursView, errs map[string]string) error {
	lang := langOf(c)
	title := T(lang, "hours.title_of", "name", v.L.Name)
	if v.Own {
		title = T(lang, "hours.title")
	}
	return s.renderStatus(c, status, "hours", pageData{Title: title, Data: v, Errors: errs})
}

func (s *Server) hoursSave(c echo.Context) error {
	l, err := pathRecord(c, s.Lessons.Lecturer)
	if err != nil {
		return err
	}
	act := actor(c)
	if !lessons.MayKeepHours(act, l) {
		return apperr.New(apperr.Forbidden, "forbidden.own_hours")
	}
	if _, err := c.FormParams(); err != nil {
		return apperr.New(apperr.BadRequest, "bad_request")
	}
	lang := langOf(c)
	v := hoursView{L: l, Own: act.Role == org.RoleLecturer}
	var in lessons.HoursInput
	var errs map[string]string
	v.Days, v.Off, in, errs = readHours(c, lang)
	if len(errs) == 0 {
		_, err = s.Lessons.UpdateHours(c.Request().Context(), act, l.ID, in)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/lecturers/%d?saved=1#hours", l.ID))
		}
		status, ferrs, ok := formProblem(c, err)
		if !ok {
			return err
		}
		errs = ferrs
		return s.renderHours(c, status, s.hoursProblems(lang, v, errs), errs)
	}
	errs["_"] = T(lang, "validation")
	return s.renderHours(c, http.StatusUnprocessableEntity, s.hoursProblems(lang, v, errs), errs)
}

// hoursProblems lists the rows in error, top to bottom, for the summary.
func (s *Server) hoursProblems(lang string, v hoursView, errs map[string]string) hoursView {
	for _, d := range v.Days {
		for _, r := range d.Rows {
			if r.Err != "" {
				v.Problems = append(v.Problems, problem{Target: "f-" + r.Key + "_from", Text: T(lang, "op.order.problem", "field", d.Label, "msg", r.Err)})
			}
		}
	}
	if m, ok := errs["availability"]; ok {
		v.Problems = append(v.Problems, problem{Target: "weekly", Text: T(lang, "op.order.problem", "field", T(lang, "cat.availability"), "msg", m)})
	}
	for _, r := range v.Off {
		if r.Err != "" {
			v.Problems = append(v.Problems, problem{Target: "f-" + r.Key + "_day", Text: T(lang, "op.order.problem", "field", T(lang, "cat.blackouts"), "msg", r.Err)})
		}
	}
	if m, ok := errs["blackouts"]; ok {
		v.Problems = append(v.Problems, problem{Target: "days-off", Text: T(lang, "op.order.problem", "field", T(lang, "cat.blackouts"), "msg", m)})
	}
	if len(v.Problems) > 0 {
		v.FirstError = v.Problems[0].Target
	}
	return v
}

// ---- the lecturer's home ----

type lecturerHomeView struct {
	Place    string
	L        *lessons.Lecturer
	Pending  []orderItem
	Upcoming []orderItem
	Week     []availRow
	DaysOff  string // the next ones, in words
}

// lecturerHome is what a lecturer opens weike for: the orders waiting for
// her answer, her next lessons, and her hours, which she keeps herself.
func (s *Server) lecturerHome(c echo.Context, place string) error {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	l, err := s.Lessons.Lecturer(ctx, act, act.LecturerID)
	if err != nil {
		return err
	}
	v := lecturerHomeView{Place: place, L: l}
	list := func(n int, statuses ...booking.Status) ([]orderItem, error) {
		p, err := s.Booking.List(ctx, act, booking.OrderFilter{Statuses: statuses, PerPage: n})
		if err != nil {
			return nil, err
		}
		out := make([]orderItem, 0, len(p.Items))
		for _, o := range p.Items {
			out = append(out, orderItem{Order: o, Tag: statusTag(o.Status)})
		}
		return out, nil
	}
	if v.Pending, err = list(20, booking.Requested, booking.Proposed); err != nil {
		return err
	}
	confirmed, err := list(100, booking.Confirmed)
	if err != nil {
		return err
	}
	now := s.Booking.Now()
	for _, o := range confirmed {
		if o.StartAt != nil && o.StartAt.After(now) {
			v.Upcoming = append(v.Upcoming, o)
		}
	}
	sort.Slice(v.Upcoming, func(i, j int) bool { return v.Upcoming[i].StartAt.Before(*v.Upcoming[j].StartAt) })
	if len(v.Upcoming) > 3 {
		v.Upcoming = v.Upcoming[:3]
	}
	for _, wd := range mondayFirst {
		row := availRow{Day: i18n.Format(lang, time.Weekday(wd))}
		for _, w := range l.Availability {
			if w.Weekday == wd {
				row.Windows = append(row.Windows, w.String())
			}
		}
		if len(row.Windows) > 0 {
			v.Week = append(v.Week, row)
		}
	}
	today := now.In(shanghai).Format("2006-01-02")
	next := i18n.List{}
	for _, b := range l.Blackouts {
		if b.Day >= today && len(next) < 3 {
			next = append(next, i18n.Day(b.Day))
		}
	}
	v.DaysOff = T(lang, "home.lecturer.days_off", "days", next)
	return s.render(c, "home_lecturer", pageData{Title: T(lang, "nav.home"), Data: v})
}
