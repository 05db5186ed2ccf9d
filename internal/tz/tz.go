// Package tz is weike's one place for time zones. Every town lives in one
// (Asia/Shanghai unless it says otherwise); times are stored in UTC and
// shown, grouped into days and months, in the town's zone. Loading a zone
// reads the tz database, so zones are loaded once and shared.
package tz

import (
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Default is the zone of a town that names none.
const Default = "Asia/Shanghai"

// Shanghai is Asia/Shanghai, or UTC+8 without a name where the machine has
// no tz database (a slim container): China has had no daylight saving
// since 1991, so the two agree on every date weike deals with.
var Shanghai = load(Default)

var cache sync.Map // zone name → *time.Location

func load(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}

// Load returns the zone called name: Shanghai for "" or an unknown name.
func Load(name string) *time.Location {
	if name == "" || name == Default {
		return Shanghai
	}
	if l, ok := cache.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = Shanghai
	}
	cache.Store(name, l)
	return l
}

// MonthRange returns the UTC instants bounding month (YYYY-MM) in loc.
func MonthRange(month string, loc *time.Location) (time.Time, time.Time, error) {
	t, err := time.ParseInLocation("2006-01", month, loc)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return t.UTC(), t.AddDate(0, 1, 0).UTC(), nil
}

// ParseClock reads a local time of day written "HH:MM" (a town's quiet
// hours, the time of its digest) as minutes after midnight.
func ParseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("time of day %q: want HH:MM", s)
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || s[0] == '+' || s[0] == '-' || s[3] == '+' || s[3] == '-' {
		return 0, fmt.Errorf("time of day %q: want HH:MM", s)
	}
	return h*60 + m, nil
}
