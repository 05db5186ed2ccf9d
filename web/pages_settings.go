package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/org"
)

// ---- the town's settings ----

// The monthly schedule is a day of the month and a time on this page;
// the cron expression it is stored as stays the API's and the CLI's.
var settingsFields = []string{"travel_buffer_minutes", "lead_time_hours", "horizon_days", "answer_deadline_hours",
	"points_delivered", "points_five_star", "schedule_day", "schedule_time", "reminder_day", "reminder_time",
	"quiet_from", "quiet_until", "digest_at"}

// keepSchedule is the day choice that keeps a schedule the page cannot
// show as a day and a time (one set through the API).
const keepSchedule = "keep"

type settingsView struct {
	Days, ReminderDays []choice
}

// dayChoices are the days a monthly spec may fall on, led by "keep" when
// the stored spec is not "a day at a time".
func dayChoices(c echo.Context, spec string) []choice {
	var out []choice
	if _, _, ok := org.MonthlyAt(spec); !ok {
		out = append(out, choice{Value: keepSchedule, Label: T(langOf(c), "op.settings.keep", "spec", spec)})
	}
	for d := org.FirstScheduleDay; d <= org.LastScheduleDay; d++ {
		out = append(out, choice{Value: strconv.Itoa(d), Label: T(langOf(c), "op.settings.day_n", "day", d)})
	}
	return out
}

// monthlyForm puts a stored spec on the form as a day and a time.
func monthlyForm(form map[string]string, prefix, spec string) {
	if day, at, ok := org.MonthlyAt(spec); ok {
		form[prefix+"_day"], form[prefix+"_time"] = strconv.Itoa(day), at
	} else {
		form[prefix+"_day"] = keepSchedule
	}
}

// monthlySpecOf reads a day and a time back into a spec, keeping the
// stored one when the form says so.
func monthlySpecOf(form map[string]string, prefix, stored string, bad fieldCodes) string {
	if _, _, ok := org.MonthlyAt(stored); !ok && form[prefix+"_day"] == keepSchedule {
		return stored
	}
	spec, err := org.MonthlySpec(form[prefix+"_day"], form[prefix+"_time"])
	if e, ok := apperr.As(err); ok {
		for f, code := range e.Fields {
			bad.add(prefix+strings.TrimPrefix(f, "schedule"), code)
		}
	}
	return spec
}

func (s *Server) settingsForm(c echo.Context, status int, t *org.Town, form map[string]string, errs map[string]string) error {
	v := settingsView{Days: dayChoices(c, t.ScheduleSpec), ReminderDays: dayChoices(c, t.ReminderSpec)}
	return s.renderStatus(c, status, "settings", pageData{Title: T(langOf(c), "op.settings.title"), Form: form, Errors: errs,
		Flash: savedFlash(c), Data: v})
}

func (s *Server) settingsTown(c echo.Context) (*org.Town, error) {
	act := actor(c)
	return s.Org.Town(c.Request().Context(), act, act.TownID)
}

func (s *Server) settingsPage(c echo.Context) error {
	t, err := s.settingsTown(c)
	if err != nil {
		return err
	}
	form := map[string]string{
		"travel_buffer_minutes": strconv.Itoa(t.TravelBufferMinutes), "lead_time_hours": strconv.Itoa(t.LeadTimeHours),
		"horizon_days": strconv.Itoa(t.HorizonDays), "answer_deadline_hours": strconv.Itoa(t.AnswerDeadlineHours),
		"points_delivered": strconv.Itoa(t.PointsDelivered), "points_five_star": strconv.Itoa(t.PointsFiveStar),
		"quiet_from": t.QuietFrom, "quiet_until": t.QuietUntil, "digest_at": t.DigestAt,
	}
	monthlyForm(form, "schedule", t.ScheduleSpec)
	monthlyForm(form, "reminder", t.ReminderSpec)
	return s.settingsForm(c, http.StatusOK, t, form, nil)
}

func (s *Server) settingsSave(c echo.Context) error {
	t, err := s.settingsTown(c)
	if err != nil {
		return err
	}
	form := formOf(c, settingsFields...)
	bad := fieldCodes{}
	in := org.TownSettings{TravelBufferMinutes: bad.reqIntField(form, "travel_buffer_minutes"),
		LeadTimeHours: bad.reqIntField(form, "lead_time_hours"), HorizonDays: bad.reqIntField(form, "horizon_days"),
		AnswerDeadlineHours: bad.reqIntField(form, "answer_deadline_hours"), PointsDelivered: bad.reqIntField(form, "points_delivered"),
		PointsFiveStar: bad.reqIntField(form, "points_five_star"),
		QuietFrom:      form["quiet_from"], QuietUntil: form["quiet_until"], DigestAt: form["digest_at"]}
	in.ScheduleSpec = monthlySpecOf(form, "schedule", t.ScheduleSpec, bad)
	in.ReminderSpec = monthlySpecOf(form, "reminder", t.ReminderSpec, bad)
	err = bad.check(in.Validate)
	if err == nil {
		_, err = s.Org.UpdateSettings(c.Request().Context(), actor(c), in)
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.settingsForm(c, status, t, form, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings?saved=1")
}
