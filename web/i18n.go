package web

import (
	"net/http"
	"strings"
	"time"

	"weike/internal/i18n"
)

// Languages weike speaks; zh-CN comes first and is the default.
const (
	LangZH = i18n.ZH
	LangEN = i18n.EN
)

// T translates key into lang from the catalog (internal/i18n), filling its
// placeholders from params given as alternating name, value pairs.
func T(lang, key string, params ...any) string { return i18n.T(lang, key, params...) }

// normLang maps the language of the lang cookie or of an account, which
// weike wrote itself, to one weike speaks; "" when it is neither.
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

// langFromHeader picks a language from Accept-Language, q-values and all.
func langFromHeader(r *http.Request) string {
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// shanghai is where every town of weike lives; times are stored in UTC.
var shanghai = i18n.Zone

// fmtDateTime renders a time as 2026年12月5日 周六 14:30 (or Sat 5 Dec 2026 14:30).
func fmtDateTime(lang string, t time.Time) string { return i18n.DateTime(lang, t) }

// fmtDate renders a day as 2026年12月5日 周六 (or Sat 5 Dec 2026).
func fmtDate(lang string, t time.Time) string { return i18n.Date(lang, t) }

// fmtDay renders a YYYY-MM-DD day string like fmtDate.
func fmtDay(lang, day string) string {
	t, err := time.ParseInLocation("2006-01-02", day, shanghai)
	if err != nil {
		return day
	}
	return fmtDate(lang, t)
}

// dayLabel renders a YYYY-MM-DD day without its year: 12月5日 周六 (Sat 5 Dec).
func dayLabel(lang, day string) string { return i18n.Format(lang, i18n.Day(day)) }

// monthLabel renders a YYYY-MM month: 2026年12月 (December 2026).
func monthLabel(lang, month string) string { return i18n.Format(lang, i18n.Month(month)) }
