package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Zone is where every town of weike lives: times are stored in UTC and read
// by people in Asia/Shanghai.
var Zone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// Key is a parameter that is itself a message key, rendered in the same
// language: a status, a role, a kind. The domain passes Key("status.expired")
// where it would otherwise pass words.
type Key string

// Day is a calendar day written 2006-01-02, the way the stores keep days. As
// a parameter it reads 12月5日 周六 or Sat 5 Dec; a value that is not such a
// day is shown as it is.
type Day string

// DayOf is the day a time falls on in Zone.
func DayOf(t time.Time) Day { return Day(t.In(Zone).Format("2006-01-02")) }

// Month is a calendar month written 2006-01, the way the stores keep months.
// As a parameter it reads 2026年12月 or December 2026; a value that is not
// such a month is shown as it is.
type Month string

// Clock is a time of day in minutes after midnight, the way weekly windows
// keep it. As a parameter it reads 14:00 in either language.
type Clock int

// ClockOf is the time of day of t as a reader sees it (see Format): the
// end of a lesson, shown after its start.
func ClockOf(t time.Time) Clock {
	t = shown(t)
	return Clock(t.Hour()*60 + t.Minute())
}

// Dated is a time that reads with its year: 2028年6月10日 周六 10:00 or
// Sat 10 Jun 2028 10:00 (in its zone or Zone, as a time.Time).
type Dated time.Time

// TimeFrom is t as a parameter for a reader on the day of now: a plain
// time.Time (12月5日 周六 14:00) when it falls in now's year, Dated when
// it does not, so that a time of another year never reads as this year's.
// The year is counted in t's zone (Zone for UTC, as Format).
func TimeFrom(t, now time.Time) any {
	s := shown(t)
	if s.Year() != now.In(s.Location()).Year() {
		return Dated(t)
	}
	return t
}

// Window is a span of a week, one weekday from one time of day to another:
// a lecturer's hours. As a parameter it reads 周六 14:00-18:00 or
// Sat 14:00–18:00.
type Window struct {
	Weekday  time.Weekday
	From, To Clock
}

// List is several values shown as one, each rendered by Format and joined
// the way the language lists things: 周六、周日 or Sat, Sun. An empty list
// reads —, so that a sentence about it still reads.
type List []any

// Format renders one parameter value in lang, as T does for each parameter:
//
//	string, numbers      as they are
//	Key                  the message it names
//	time.Time            12月5日 周六 14:00 / Sat 5 Dec 14:00
//	Dated                2028年6月10日 周六 10:00 / Sat 10 Jun 2028 10:00
//	Day                  12月5日 周六 / Sat 5 Dec
//	Month                2026年12月 / December 2026
//	time.Weekday         周六 / Sat
//	Clock                14:00
//	Window               周六 14:00-18:00 / Sat 14:00–18:00
//	List                 周六、周日 / Sat, Sun
//
// A time reads in its own zone when the code put it in one (t.In(loc), a
// town's zone), else in Zone. Anything else is printed with fmt.
func Format(lang string, v any) string {
	switch v := v.(type) {
	case string:
		return v
	case Key:
		return T(lang, string(v))
	case Clock:
		return fmt.Sprintf("%02d:%02d", int(v)/60, int(v)%60)
	case Window:
		return T(lang, "fmt.window", "weekday", v.Weekday, "from", v.From, "to", v.To)
	case List:
		if len(v) == 0 {
			return T(lang, "fmt.none")
		}
		sep := T(lang, "fmt.list_sep")
		var b strings.Builder
		for i, e := range v {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(Format(lang, e))
		}
		return b.String()
	case time.Time:
		return T(lang, "fmt.datetime_short", dateParts(v, true)...)
	case Dated:
		return DateTime(lang, time.Time(v))
	case Day:
		t, err := time.ParseInLocation("2006-01-02", string(v), Zone)
		if err != nil {
			return string(v)
		}
		return T(lang, "fmt.day_short", dateParts(t, false)...)
	case Month:
		t, err := time.ParseInLocation("2006-01", string(v), Zone)
		if err != nil {
			return string(v)
		}
		return T(lang, "fmt.month", "year", t.Year(), "month", Key("month."+strconv.Itoa(int(t.Month()))))
	case time.Weekday:
		return T(lang, "weekday."+strconv.Itoa(int(v)))
	}
	return fmt.Sprint(v)
}

// DateTime renders a time with its year: 2026年12月5日 周六 14:30 or
// Sat 5 Dec 2026 14:30 (in its zone or Zone, as Format).
func DateTime(lang string, t time.Time) string {
	return T(lang, "fmt.datetime", dateParts(t, true)...)
}

// Date renders the day of a time with its year: 2026年12月5日 周六 or
// Sat 5 Dec 2026 (in its zone or Zone, as Format).
func Date(lang string, t time.Time) string {
	return T(lang, "fmt.date", dateParts(t, false)...)
}

// ShortMonth renders a month for narrow places such as a table's column:
// 2026年12月 or Dec 2026; a value that is not a month is shown as it is.
func ShortMonth(lang string, m Month) string {
	t, err := time.ParseInLocation("2006-01", string(m), Zone)
	if err != nil {
		return string(m)
	}
	return T(lang, "fmt.month_short", "year", t.Year(), "month", Key("month.short."+strconv.Itoa(int(t.Month()))))
}

// shown is t as its reader sees it: in its own zone when the code put it in
// one, in Zone when it has none of its own. Stored times come back in UTC,
// and a database driver may hand them over in the process's Local zone;
// neither says where the reader is.
func shown(t time.Time) time.Time {
	if l := t.Location(); l == time.UTC || l == time.Local {
		return t.In(Zone)
	}
	return t
}

// dateParts are the parameters of the fmt.* messages: numbers from the
// time, words (weekday, short month) from the catalog.
func dateParts(t time.Time, clock bool) []any {
	t = shown(t)
	p := []any{"year", t.Year(), "month", Key("month.short." + strconv.Itoa(int(t.Month()))),
		"day", t.Day(), "weekday", t.Weekday()}
	if clock {
		p = append(p, "time", t.Format("15:04"))
	}
	return p
}
