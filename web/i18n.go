package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Languages weike speaks; zh-CN comes first and is the default.
const (
	LangZH = "zh-CN"
	LangEN = "en"
)

// message is one catalog entry: Chinese first, then English.
type message struct{ zh, en string }

var (
	catalogMu sync.RWMutex
	catalog   = map[string]message{}
)

// addMessages registers catalog entries; each area of the web package keeps
// its strings in its own i18n_*.go file and registers them from init.
func addMessages(m map[string]message) {
	catalogMu.Lock()
	defer catalogMu.Unlock()
	for k, v := range m {
		if _, dup := catalog[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		catalog[k] = v
	}
}

// T translates key into lang, filling {name} placeholders from params given
// as alternating name, value pairs. A missing key shows itself, which tests
// catch, rather than an empty string.
func T(lang, key string, params ...any) string {
	catalogMu.RLock()
	m, ok := catalog[key]
	catalogMu.RUnlock()
	s := key
	if ok {
		s = m.zh
		if lang == LangEN && m.en != "" {
			s = m.en
		}
	}
	if len(params) > 1 && strings.Contains(s, "{") {
		pairs := make([]string, 0, len(params))
		for i := 0; i+1 < len(params); i += 2 {
			pairs = append(pairs, "{"+fmt.Sprint(params[i])+"}", fmt.Sprint(params[i+1]))
		}
		s = strings.NewReplacer(pairs...).Replace(s)
	}
	return s
}

// normLang maps any language tag to one weike speaks.
func normLang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if strings.HasPrefix(tag, "en") {
		return LangEN
	}
	if strings.HasPrefix(tag, "zh") {
		return LangZH
	}
	return ""
}

// langFromHeader picks a language from Accept-Language: the first tag weike
// speaks wins; Chinese when none does.
func langFromHeader(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.SplitN(part, ";", 2)[0]
		if l := normLang(tag); l != "" {
			return l
		}
	}
	return LangZH
}

var weekdaysZH = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// shanghai is where every town of weike lives; times are stored in UTC.
var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// fmtDateTime renders a time as 2026年12月5日 周六 14:30 (or Sat 5 Dec 2026 14:30).
func fmtDateTime(lang string, t time.Time) string {
	t = t.In(shanghai)
	if lang == LangEN {
		return t.Format("Mon 2 Jan 2006 15:04")
	}
	return fmt.Sprintf("%d年%d月%d日 %s %s", t.Year(), int(t.Month()), t.Day(), weekdaysZH[t.Weekday()], t.Format("15:04"))
}

// fmtDate renders a day as 2026年12月5日 周六 (or Sat 5 Dec 2026).
func fmtDate(lang string, t time.Time) string {
	t = t.In(shanghai)
	if lang == LangEN {
		return t.Format("Mon 2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), int(t.Month()), t.Day(), weekdaysZH[t.Weekday()])
}

// fmtDay renders a YYYY-MM-DD day string like fmtDate.
func fmtDay(lang, day string) string {
	t, err := time.ParseInLocation("2006-01-02", day, shanghai)
	if err != nil {
		return day
	}
	return fmtDate(lang, t)
}
