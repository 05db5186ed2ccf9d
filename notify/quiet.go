package notify

import (
	"time"

	"weike/internal/tz"
)

// QuietHours are a town's nightly hours in which e-mails and robot
// messages wait for the morning: from From until Until, local "HH:MM" in
// Zone; they may span midnight. From equal to Until means never quiet.
type QuietHours struct {
	From, Until string
	Zone        *time.Location
}

// End is when the quiet hours that hold at now end, or the zero time
// when now is not in them (or they cannot be read: a message is then sent
// rather than held without end).
func (q QuietHours) End(now time.Time) time.Time {
	from, err1 := tz.ParseClock(q.From)
	until, err2 := tz.ParseClock(q.Until)
	if err1 != nil || err2 != nil || from == until {
		return time.Time{}
	}
	loc := q.Zone
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	m := local.Hour()*60 + local.Minute()
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	at := func(d time.Time, min int) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), min/60, min%60, 0, 0, loc).UTC()
	}
	switch {
	case from < until: // 01:00–06:00: the same night
		if m >= from && m < until {
			return at(day, until)
		}
	case m >= from: // 21:00–07:30, in the evening: tomorrow morning
		return at(day.AddDate(0, 0, 1), until)
	case m < until: // …after midnight: this morning
		return at(day, until)
	}
	return time.Time{}
}
