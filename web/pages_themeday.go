package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/internal/apperr"
	"weike/lessons"
	"weike/themeday"
)

// The monthly theme day (一月一课一片一实践): what its pages share, and the
// secretary's month. The plans are in pages_plans.go, the records (member
// lessons, viewings, practices) in pages_records.go and beside it.

// today is today's local day, the latest a record may carry.
func (s *Server) today() string { return s.Booking.Now().In(shanghai).Format("2006-01-02") }

// thisMonth is the current local month.
func (s *Server) thisMonth() string { return s.Booking.Now().In(shanghai).Format("2006-01") }

// shiftMonth moves a YYYY-MM month by n months.
func shiftMonth(m string, n int) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

// queryMonth reads an optional ?month=YYYY-MM; a malformed one is a 400.
func queryMonth(c echo.Context) (string, error) {
	m := strings.TrimSpace(c.QueryParam("month"))
	if m == "" {
		return "", nil
	}
	if _, err := lessons.ParseMonth(m); err != nil {
		return "", err
	}
	return m, nil
}

// listMonth reads a list page's ?month= filter. A month the page cannot
// read does not end on an error page: the list is shown unfiltered by
// month, the field keeps what was typed and says what is wrong, and the
// page says the month was ignored (errs, the page's Errors, under 400).
func listMonth(c echo.Context) (month string, errs map[string]string) {
	m := strings.TrimSpace(c.QueryParam("month"))
	if m == "" {
		return "", nil
	}
	if _, err := lessons.ParseMonth(m); err != nil {
		lang := langOf(c)
		return "", map[string]string{"_": T(lang, "list.month_ignored", "month", m), "month": T(lang, "field.month")}
	}
	return m, nil
}

// listStatus is a list page's status: 400 when its filter had to be ignored.
func listStatus(errs map[string]string) int {
	if len(errs) > 0 {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// practiceTypeLabel shows a practice type in lang; a type the catalog does
// not know (the API takes any short text) shows as it was typed.
func practiceTypeLabel(lang, t string) string {
	key := "td.ptype." + t
	if l := T(lang, key); l != key {
		return l
	}
	return t
}

func practiceTypes(lang, current string) []choice {
	out := make([]choice, 0, len(themeday.PracticeTypes)+1)
	known := false
	for _, t := range themeday.PracticeTypes {
		out = append(out, choice{Value: t, Label: practiceTypeLabel(lang, t)})
		known = known || t == current
	}
	if current != "" && !known {
		out = append(out, choice{Value: current, Label: current})
	}
	return out
}

// listJoin joins the items of a sentence the way each language does.
func listJoin(lang string, items []string) string {
	return strings.Join(items, T(lang, "list_sep"))
}

// ---- the secretary's month ----

type markView struct {
	Label string
	Done  bool
	Hint  string
}

type practiceItem struct {
	themeday.Practice
	TypeLabel string
}

type thisMonthView struct {
	Month     string
	Label     string
	Current   bool
	PrevURL   string
	NextURL   string
	Plan      *lessons.Plan
	Lessons   []lessonItem
	Films     []planFilmView
	Marks     []markView
	Lacking   string
	Branch    string
	Orders    []orderItem
	Members   []themeday.MemberLesson
	Viewings  []themeday.Viewing
	Practices []practiceItem
}

func (s *Server) thisMonthPage(c echo.Context) error {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	month, err := queryMonth(c)
	if err != nil {
		return err
	}
	now := s.thisMonth()
	if month == "" {
		month = now
	}
	v := thisMonthView{Month: month, Label: monthLabel(lang, month), Current: month == now,
		PrevURL: "/this-month?month=" + shiftMonth(month, -1), NextURL: "/this-month?month=" + shiftMonth(month, 1)}
	if v.Plan, err = s.Lessons.Plan(ctx, act, month, 0); err != nil {
		return err
	}
	v.Films = planFilms(lang, v.Plan)
	if v.Lessons, err = s.lessonItems(c, act, v.Plan.Lessons); err != nil {
		return err
	}
	// Coverage is scoped to the secretary's own branch by the store.
	cov, err := s.ThemeDay.Coverage(ctx, act, month, themeday.CoverageFilter{})
	if err != nil {
		return err
	}
	var bm themeday.BranchMonth
	for _, b := range cov.Branches {
		if b.BranchID == act.BranchID {
			bm = b
		}
	}
	if b, err := s.Org.Branch(ctx, act, act.BranchID); err == nil {
		v.Branch = b.Name
	} else if _, ok := apperr.As(err); !ok {
		return err
	}
	v.Marks = []markView{
		{Label: T(lang, "td.mark.lesson"), Done: bm.Lesson, Hint: T(lang, "td.mark.lesson_hint")},
		{Label: T(lang, "td.mark.film"), Done: bm.Film, Hint: T(lang, "td.mark.film_hint")},
		{Label: T(lang, "td.mark.practice"), Done: bm.Practice, Hint: T(lang, "td.mark.practice_hint")},
	}
	var lack []string
	for i, k := range []string{"td.lack.lesson", "td.lack.film", "td.lack.practice"} {
		if !v.Marks[i].Done {
			lack = append(lack, T(lang, k))
		}
	}
	switch {
	case len(lack) == 0 && v.Current:
		v.Lacking = T(lang, "td.lack.none_now")
	case len(lack) == 0:
		v.Lacking = T(lang, "td.lack.none_month", "month", v.Label)
	case v.Current:
		v.Lacking = T(lang, "td.lack.now", "items", listJoin(lang, lack))
	default:
		v.Lacking = T(lang, "td.lack.month", "month", v.Label, "items", listJoin(lang, lack))
	}
	orders, err := s.Booking.List(ctx, act, booking.OrderFilter{Month: month, PerPage: 50})
	if err != nil {
		return err
	}
	for _, o := range orders.Items {
		v.Orders = append(v.Orders, orderItem{Order: o, Tag: statusTag(o.Status)})
	}
	if v.Members, err = s.ThemeDay.MemberLessons(ctx, act, month); err != nil {
		return err
	}
	if v.Viewings, err = s.ThemeDay.Viewings(ctx, act, themeday.RecordFilter{Month: month}); err != nil {
		return err
	}
	ps, err := s.ThemeDay.Practices(ctx, act, themeday.RecordFilter{Month: month})
	if err != nil {
		return err
	}
	for _, p := range ps {
		v.Practices = append(v.Practices, practiceItem{Practice: p, TypeLabel: practiceTypeLabel(lang, p.Type)})
	}
	return s.render(c, "this_month", pageData{Title: T(lang, "td.month.title"), Data: v})
}
