package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/org"
)

// ---- the town's settings ----

// The monthly schedule is a day of the month and a time on this page;
// the cron expression it is stored as stays the API's and the CLI's.
var settingsFields = []string{"travel_buffer_minutes", "lead_time_hours", "horizon_days", "answer_deadline_hours",
	"points_delivered", "points_five_star", "schedule_day", "schedule_time"}

// keepSchedule is the day choice that keeps a schedule the page cannot
// show as a day and a time (one set through the API).
const keepSchedule = "keep"

type settingsView struct {
	Days []choice
	// Custom is the stored spec when it is not "a day at a time".
	Custom string
}

func (s *Server) settingsForm(c echo.Context, status int, t *org.Town, form map[string]string, errs map[string]string) error {
	v := settingsView{}
	if _, _, ok := org.MonthlyAt(t.ScheduleSpec); !ok {
		v.Custom = t.ScheduleSpec
		v.Days = append(v.Days, choice{Value: keepSchedule, Label: T(langOf(c), "op.settings.keep", "spec", t.ScheduleSpec)})
	}
	for d := org.FirstScheduleDay; d <= org.LastScheduleDay; d++ {
		v.Days = append(v.Days, choice{Value: strconv.Itoa(d), Label: T(langOf(c), "op.settings.day_n", "day", d)})
	}
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
	}
	if day, at, ok := org.MonthlyAt(t.ScheduleSpec); ok {
		form["schedule_day"], form["schedule_time"] = strconv.Itoa(day), at
	} else {
		form["schedule_day"] = keepSchedule
	}
	return s.settingsForm(c, http.StatusOK, t, form, nil)
}

func (s *Server) settingsSave(c echo.Context) error {
	t, err := s.settingsTown(c)
	if err != nil {
		return err
	}
	form := formOf(c, settingsFields...)
	bad := fieldCodes{}
	in := org.TownSettings{TravelBufferMinutes: bad.intField(form, "travel_buffer_minutes"),
		LeadTimeHours: bad.intField(form, "lead_time_hours"), HorizonDays: bad.intField(form, "horizon_days"),
		AnswerDeadlineHours: bad.intField(form, "answer_deadline_hours"), PointsDelivered: bad.intField(form, "points_delivered"),
		PointsFiveStar: bad.intField(form, "points_five_star"), ScheduleSpec: t.ScheduleSpec}
	if _, _, ok := org.MonthlyAt(t.ScheduleSpec); ok || form["schedule_day"] != keepSchedule {
		spec, err := org.MonthlySpec(form["schedule_day"], form["schedule_time"])
		if e, ok := apperr.As(err); ok {
			for f, code := range e.Fields {
				bad.add(f, code)
			}
		}
		in.ScheduleSpec = spec
	}
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
