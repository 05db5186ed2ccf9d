package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"weike/themeday"

	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/org"
)

// pct shows a rate as a whole percentage.
func pct(r float64) string { return fmt.Sprintf("%.0f%%", r*100) }

// monthName is 2026年12月 or Dec 2026.
func monthName(lang, m string) string { return i18n.ShortMonth(lang, i18n.Month(m)) }

type dashMonth struct {
	Key, Label string
	InProgress bool // this month: not over yet
}

// dashCell is one branch in one month of the matrix.
type dashCell struct {
	Class string // full, some, none, future: the colour
	Marks string // 课✓ 片✓ 实·: readable without the colour
	SR    string // the same in words, for screen readers
	URL   string // the records behind the marks
}

type dashRow struct {
	Town, Name, Kind string
	Cells            []dashCell
}

type dashRate struct {
	Label, Lesson, Film, Practice, All string
	InProgress                         bool // this month: not over yet
}

type dashTotal struct {
	Label, Value string
	Hint         string
}

// dashChart is the charts' data, handed to dashboard.js in a JSON block:
// the page's CSP forbids inline scripts.
type dashChart struct {
	Labels    map[string]string `json:"labels"`
	Months    []string          `json:"months"`
	Lesson    []float64         `json:"lesson"`
	Film      []float64         `json:"film"`
	Practice  []float64         `json:"practice"`
	All       []float64         `json:"all"`
	Topics    []string          `json:"topics"`
	TopicN    []int64           `json:"topic_n"`
	Lecturers []string          `json:"lecturers"`
	Delivered []int64           `json:"delivered"`
	Confirmed []int64           `json:"confirmed"`
}

type dashView struct {
	County    bool
	Towns     []choice
	ShowTown  bool
	Kinds     []choice
	Totals    []dashTotal
	Month     string // this month, named
	Rates     dashRate
	Active    int
	Months    []dashMonth
	Rows      []dashRow
	Trend     []dashRate
	Topics    []themeday.TopicCount
	Lecturers []themeday.LecturerLoad
	Chart     dashChart
	XLSX, CSV string
}

func (s *Server) dashboardPage(c echo.Context) error {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	from, to, f, err := s.dashFilter(c)
	if err != nil {
		return err
	}
	form := map[string]string{"from": from, "to": to, "kind": c.QueryParam("kind"), "town_id": c.QueryParam("town_id")}
	v := &dashView{County: act.Role == org.RoleCounty}
	for _, k := range []string{"all", org.KindVillage, org.KindCommunity, org.KindOther} {
		v.Kinds = append(v.Kinds, choice{Value: k, Label: T(lang, "dash.kind."+k)})
	}
	towns, err := s.Org.Towns(ctx, act)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, t := range towns {
		names[t.ID] = t.Name
		v.Towns = append(v.Towns, choice{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
	}
	title := T(lang, "dash.title")
	if f.TownID != 0 && names[f.TownID] != "" {
		title = T(lang, "dash.title_town", "town", names[f.TownID])
	}
	pd := pageData{Title: title, Form: form, Data: v}
	mx, err := s.ThemeDay.Matrix(ctx, act, from, to, f)
	if err == nil {
		var tot *themeday.Totals
		if tot, err = s.ThemeDay.Totals(ctx, act, from, to, f); err == nil {
			var cov *themeday.MonthCoverage
			now := s.currentMonth()
			if cov, err = s.ThemeDay.Coverage(ctx, act, now, f); err == nil {
				v.fill(lang, mx, tot, cov, names, now)
				err = s.labelTopics(ctx, act, lang, v)
			}
		}
	}
	if err != nil {
		// A range that reads but makes no sense (ends before it starts,
		// too long) is shown on the form, not as an error page.
		status, msgs, ok := formProblem(c, err)
		if !ok {
			return err
		}
		pd.Errors = msgs
		return s.renderStatus(c, status, "dashboard", pd)
	}
	q := url.Values{"from": {from}, "to": {to}}
	if f.Kind != "" {
		q.Set("kind", f.Kind)
	}
	if f.TownID != 0 {
		q.Set("town_id", strconv.FormatInt(f.TownID, 10))
	}
	v.XLSX, v.CSV = "/dashboard/export.xlsx?"+q.Encode(), "/dashboard/export.csv?"+q.Encode()
	return s.render(c, "dashboard", pd)
}

// labelTopics names the topics in the page's language: the figures count
// them under their Chinese names.
func (s *Server) labelTopics(ctx context.Context, act org.Actor, lang string, v *dashView) error {
	if lang != LangEN || len(v.Topics) == 0 {
		return nil
	}
	ts, err := s.Lessons.Topics(ctx, act)
	if err != nil {
		return err
	}
	labels := topicLabels(lang, ts)
	for i := range v.Topics {
		v.Topics[i].Topic = labelOr(labels, v.Topics[i].Topic)
	}
	for i := range v.Chart.Topics {
		v.Chart.Topics[i] = labelOr(labels, v.Chart.Topics[i])
	}
	return nil
}

// fill turns the domain's figures into what the page shows.
func (v *dashView) fill(lang string, mx *themeday.Matrix, tot *themeday.Totals, cov *themeday.MonthCoverage, towns map[int64]string, now string) {
	n := func(x int64) string { return strconv.FormatInt(x, 10) }
	v.Totals = []dashTotal{
		{Label: T(lang, "dash.total.orders"), Value: n(tot.Orders)},
		{Label: T(lang, "dash.total.delivered"), Value: n(tot.DeliveredLessons)},
		{Label: T(lang, "dash.total.person_times"), Value: n(tot.LecturingPersonTimes),
			Hint: T(lang, "dash.total.person_times_hint", "lecturers", tot.DeliveredLessons, "members", tot.MemberLessons)},
		{Label: T(lang, "dash.total.viewings"), Value: n(tot.FilmViewings), Hint: T(lang, "dash.total.attendance", "n", tot.ViewingAttendance)},
		{Label: T(lang, "dash.total.practices"), Value: n(tot.Practices), Hint: T(lang, "dash.total.participants", "n", tot.Participants)},
		{Label: T(lang, "dash.total.opinions"), Value: n(tot.Opinions)},
		{Label: T(lang, "dash.total.service"), Value: n(tot.ServiceItems)},
		{Label: T(lang, "dash.total.reached"), Value: n(tot.BranchesReached) + "/" + n(tot.Branches)},
	}
	v.Month, v.Active = monthName(lang, now), len(cov.Branches)
	v.Rates = dashRate{Label: v.Month, Lesson: pct(cov.Rates.Lesson), Film: pct(cov.Rates.Film), Practice: pct(cov.Rates.Practice), All: pct(cov.Rates.All)}
	seenTown := map[int64]bool{}
	for _, b := range mx.Branches {
		seenTown[b.TownID] = true
	}
	v.ShowTown = len(seenTown) > 1
	for j, m := range mx.Months {
		v.Months = append(v.Months, dashMonth{Key: m, Label: m, InProgress: mx.Trend[j].InProgress})
	}
	mark := func(ok bool) string {
		if ok {
			return "✓"
		}
		return "·"
	}
	word := func(ok bool) string {
		if ok {
			return T(lang, "dash.cell.done")
		}
		return T(lang, "dash.cell.not_done")
	}
	for _, b := range mx.Branches {
		row := dashRow{Town: towns[b.TownID], Name: b.Name, Kind: T(lang, "dash.kind."+b.Kind)}
		for _, cell := range b.Cells {
			dc := dashCell{Class: "none"}
			switch {
			case cell.Month > now:
				dc = dashCell{Class: "future", Marks: "—", SR: T(lang, "dash.cell.future")}
				row.Cells = append(row.Cells, dc)
				continue
			case cell.All():
				dc.Class = "full"
			case cell.Lesson || cell.Film || cell.Practice:
				dc.Class = "some"
			}
			dc.Marks = T(lang, "dash.mark.lesson") + mark(cell.Lesson) + " " + T(lang, "dash.mark.film") + mark(cell.Film) +
				" " + T(lang, "dash.mark.practice") + mark(cell.Practice)
			dc.SR = T(lang, "dash.cell.sr", "branch", b.Name, "month", monthName(lang, cell.Month),
				"lesson", word(cell.Lesson), "film", word(cell.Film), "practice", word(cell.Practice))
			dc.URL = fmt.Sprintf("/coverage/cell?branch_id=%d&month=%s", b.BranchID, cell.Month)
			row.Cells = append(row.Cells, dc)
		}
		v.Rows = append(v.Rows, row)
	}
	ch := &v.Chart
	ch.Labels = map[string]string{"lesson": T(lang, "dash.rate.lesson"), "film": T(lang, "dash.rate.film"),
		"practice": T(lang, "dash.rate.practice"), "all": T(lang, "dash.rate.all"), "topics": T(lang, "dash.chart.topics_n"),
		"delivered": T(lang, "dash.chart.delivered"), "confirmed": T(lang, "dash.chart.confirmed")}
	ch.Months, ch.Lesson, ch.Film, ch.Practice, ch.All = []string{}, []float64{}, []float64{}, []float64{}, []float64{}
	round := func(r float64) float64 { return float64(int(r*1000+0.5)) / 10 }
	for _, t := range mx.Trend {
		v.Trend = append(v.Trend, dashRate{Label: t.Month, Lesson: pct(t.Lesson), Film: pct(t.Film), Practice: pct(t.Practice), All: pct(t.All),
			InProgress: t.InProgress})
		// The month in progress says so under its name: its rates are
		// only so far, and a dip there is not a fall.
		name := t.Month
		if t.InProgress {
			name += "\n" + T(lang, "dash.in_progress")
		}
		ch.Months = append(ch.Months, name)
		ch.Lesson, ch.Film = append(ch.Lesson, round(t.Lesson)), append(ch.Film, round(t.Film))
		ch.Practice, ch.All = append(ch.Practice, round(t.Practice)), append(ch.All, round(t.All))
	}
	v.Topics, v.Lecturers = tot.Topics, tot.Lecturers
	ch.Topics, ch.TopicN, ch.Lecturers, ch.Delivered, ch.Confirmed = []string{}, []int64{}, []string{}, []int64{}, []int64{}
	for _, t := range tot.Topics {
		ch.Topics, ch.TopicN = append(ch.Topics, t.Topic), append(ch.TopicN, t.N)
	}
	for _, l := range tot.Lecturers {
		ch.Lecturers = append(ch.Lecturers, l.Name)
		ch.Delivered, ch.Confirmed = append(ch.Delivered, l.Delivered), append(ch.Confirmed, l.Confirmed)
	}
}

// cellOrder is an order with its head count read out of its pointer.
type cellOrder struct {
	booking.Order
	Count int
}

// cellView is the records behind one branch's marks in one month.
type cellView struct {
	Branch        themeday.BranchMonth
	Town          string
	Month         string
	Kind          string
	Orders        []cellOrder
	MemberLessons []themeday.MemberLesson
	Viewings      []themeday.Viewing
	Practices     []themeday.Practice
	Back          string
}

func (s *Server) coverageCellPage(c echo.Context) error {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	branchID, err := queryID(c, "branch_id")
	if err != nil {
		return err
	}
	month := c.QueryParam("month")
	if branchID == 0 || month == "" {
		return apperr.New(apperr.BadRequest, "bad_request")
	}
	cov, err := s.ThemeDay.Coverage(ctx, act, month, themeday.CoverageFilter{})
	if err != nil {
		return err
	}
	v := &cellView{Month: monthName(lang, month)}
	found := false
	for _, b := range cov.Branches {
		if b.BranchID == branchID {
			v.Branch, found = b, true
		}
	}
	if !found {
		// Another town's branch, or none: nothing to say it exists.
		return apperr.NotFoundf("branch")
	}
	v.Kind = T(lang, "dash.kind."+v.Branch.Kind)
	if towns, err := s.Org.Towns(ctx, act); err == nil {
		for _, t := range towns {
			if t.ID == v.Branch.TownID {
				v.Town = t.Name
			}
		}
	}
	for _, id := range v.Branch.Records.Orders {
		o, err := s.Booking.Get(ctx, act, id)
		if err != nil {
			return err
		}
		co := cellOrder{Order: *o}
		if o.Attendees != nil {
			co.Count = *o.Attendees
		}
		v.Orders = append(v.Orders, co)
	}
	if len(v.Branch.Records.MemberLessons) > 0 {
		ms, err := s.ThemeDay.MemberLessons(ctx, act, month)
		if err != nil {
			return err
		}
		ts, err := s.Lessons.Topics(ctx, act)
		if err != nil {
			return err
		}
		labels := topicLabels(langOf(c), ts)
		for _, m := range ms {
			if m.BranchID == branchID {
				m.Topic = labelOr(labels, m.Topic)
				v.MemberLessons = append(v.MemberLessons, m)
			}
		}
	}
	rf := themeday.RecordFilter{BranchID: branchID, Month: month}
	if v.Viewings, err = s.ThemeDay.Viewings(ctx, act, rf); err != nil {
		return err
	}
	if v.Practices, err = s.ThemeDay.Practices(ctx, act, rf); err != nil {
		return err
	}
	// Back to a dashboard that shows this month.
	t, _ := time.Parse("2006-01", month)
	q := url.Values{"from": {t.AddDate(0, -11, 0).Format("2006-01")}, "to": {month}}
	if act.Role == org.RoleCounty {
		q.Set("town_id", strconv.FormatInt(v.Branch.TownID, 10))
	}
	v.Back = "/dashboard?" + q.Encode()
	return s.render(c, "coverage_cell", pageData{Title: T(lang, "dash.cell.title", "branch", v.Branch.Name, "month", v.Month), Data: v})
}

type countyRow struct {
	themeday.TownSummary
	Lesson, Film, Practice, All string
	Reached                     string
	URL                         string
}

type countyView struct {
	Month, Year string
	Rows        []countyRow
}

func (s *Server) countyPage(c echo.Context) error {
	act := actor(c)
	lang := langOf(c)
	month := c.QueryParam("month")
	if month == "" {
		month = s.currentMonth()
	}
	ts, err := s.ThemeDay.TownsSummary(c.Request().Context(), act, month)
	if err != nil {
		return err
	}
	v := &countyView{Month: monthName(lang, month), Year: month[:4]}
	for _, t := range ts {
		r := countyRow{TownSummary: t, Lesson: pct(t.Rates.Lesson), Film: pct(t.Rates.Film), Practice: pct(t.Rates.Practice), All: pct(t.Rates.All),
			URL: fmt.Sprintf("/dashboard?town_id=%d", t.TownID)}
		if t.Totals != nil {
			r.Reached = fmt.Sprintf("%d/%d", t.Totals.BranchesReached, t.Totals.Branches)
		}
		v.Rows = append(v.Rows, r)
	}
	return s.render(c, "county", pageData{Title: T(lang, "dash.county.title"), Form: map[string]string{"month": month}, Data: v})
}
