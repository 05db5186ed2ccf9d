package org

import (
	"fmt"
	"strconv"
	"strings"

	"weike/internal/apperr"
)

// A town's monthly schedule is stored as a five-field cron expression
// (towns.schedule_spec), which the scheduler, the API and `weike cron list`
// read. An official on the settings page thinks of it as "on the 25th at
// 09:00": MonthlyAt and MonthlySpec translate between the two, and a spec
// that is not of that shape (set through the API) is left as it is unless
// the official picks a day and time instead.

// Days an official may pick for the monthly schedule: every month has them,
// so no month is skipped (cron's 31 would skip seven months a year).
const (
	FirstScheduleDay = 1
	LastScheduleDay  = 28
)

// MonthlyAt reads a spec of the shape "M H D * *" (one minute, one hour,
// one day of the month) as its day and its time "HH:MM". ok is false for
// any other spec.
func MonthlyAt(spec string) (day int, at string, ok bool) {
	f := strings.Fields(spec)
	if len(f) != 5 || f[3] != "*" || f[4] != "*" {
		return 0, "", false
	}
	min, err1 := strconv.Atoi(f[0])
	hour, err2 := strconv.Atoi(f[1])
	day, err3 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || err3 != nil || min < 0 || min > 59 || hour < 0 || hour > 23 ||
		day < FirstScheduleDay || day > LastScheduleDay {
		return 0, "", false
	}
	return day, fmt.Sprintf("%02d:%02d", hour, min), true
}

// MonthlySpec makes the spec of "every month on day at HH:MM". Its problems
// are field problems of schedule_day and schedule_time, in the catalog's
// words.
func MonthlySpec(day string, at string) (string, error) {
	var fs apperr.FieldSet
	d, err := strconv.Atoi(strings.TrimSpace(day))
	if err != nil || d < FirstScheduleDay || d > LastScheduleDay {
		fs.Add("schedule_day", "field.schedule_day")
	}
	hour, min, ok := clock(strings.TrimSpace(at))
	if !ok {
		fs.Add("schedule_time", "field.schedule_time")
	}
	if err := fs.Err(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d %d %d * *", min, hour, d), nil
}

// clock reads "9:05", "09:05" or "09:05:00" (a time input may send
// seconds) as an hour and a minute.
func clock(v string) (hour, min int, ok bool) {
	p := strings.Split(v, ":")
	if len(p) < 2 || len(p) > 3 {
		return 0, 0, false
	}
	for _, s := range p {
		if s == "" || len(s) > 2 {
			return 0, 0, false
		}
	}
	h, err1 := strconv.Atoi(p[0])
	m, err2 := strconv.Atoi(p[1])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	if len(p) == 3 {
		if s, err := strconv.Atoi(p[2]); err != nil || s != 0 {
			return 0, 0, false
		}
	}
	return h, m, true
}
