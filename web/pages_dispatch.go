package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/dispatch"
	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/lessons"
	"weike/org"
)

// The dispatch page (派单): the month's draft as a table grouped by week,
// each row changeable to another lesson, lecturer or time among the
// choices that keep the rules, removable, and the rest dispatched with one
// button. The page keeps no state of its own: the rows travel in the form,
// and a re-check or a dispatch reads them back.

type sheetRowView struct {
	dispatch.Row
	// Topic is the lesson's topic in the page's language.
	Topic   string
	When    string
	Why     []string
	Problem string
	Choices []choice // the row's own first when it keeps the rules
	Value   string   // the row as it stands, the value of its choice
}

type sheetWeek struct {
	Label string
	Rows  []sheetRowView
}

type sheetView struct {
	Month       string
	Label       string
	Weeks       []sheetWeek
	Removed     []sheetRowView
	Unplaced    []unplacedView
	Stats       string
	Drafted     bool // a fresh draft, not rows the official changed
	CanDispatch bool
	Towns       []choice
	TownQ       string
	PrevURL     string
	NextURL     string
}

type unplacedView struct {
	Branch string
	Reason string
}

// rowValue is how a row travels in the form: courtyard, lesson, lecturer
// and start (Unix seconds).
func rowValue(it dispatch.Item) string {
	return fmt.Sprintf("%d.%d.%d.%d", it.CourtyardID, it.LessonID, it.LecturerID, it.Start.Unix())
}

func parseRowValue(branch int64, v string) (dispatch.Item, bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 4 {
		return dispatch.Item{}, false
	}
	var n [4]int64
	for i, p := range parts {
		x, err := strconv.ParseInt(p, 10, 64)
		if err != nil || x <= 0 {
			return dispatch.Item{}, false
		}
		n[i] = x
	}
	return dispatch.Item{BranchID: branch, CourtyardID: n[0], LessonID: n[1], LecturerID: n[2], Start: time.Unix(n[3], 0).UTC()}, true
}

// choiceLabel is one way a row may be, as its select offers it.
func choiceLabel(lang string, it dispatch.Item) string {
	return T(lang, "plan.page.choice", "lecturer", it.Lecturer, "lesson", it.Lesson, "start_at", it.Start,
		"km", strconv.FormatFloat(it.Cost.TravelKM, 'f', 1, 64))
}

// weekOf is the Monday that starts t's week in Shanghai, as Chinese
// calendars count (the dispatch sheet and the order form group by it).
func weekOf(t time.Time) time.Time {
	l := t.In(shanghai)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, shanghai)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

func (s *Server) sheetView(c echo.Context, act org.Actor, townID int64, towns []choice, sh *dispatch.Sheet, drafted bool) sheetView {
	lang := langOf(c)
	q := townQuery(act, townID)
	v := sheetView{Month: sh.Month, Label: monthLabel(lang, sh.Month), Drafted: drafted, CanDispatch: act.IsOfficialOf(townID),
		Towns: towns, TownQ: q, PrevURL: "/plans/" + shiftMonth(sh.Month, -1) + "/dispatch" + q,
		NextURL: "/plans/" + shiftMonth(sh.Month, 1) + "/dispatch" + q}
	if drafted {
		v.Stats = T(lang, "plan.page.stats", "branches", sh.Stats.Branches, "placed", sh.Stats.Placed,
			"ms", strconv.FormatFloat(sh.Stats.SolverMS, 'f', 1, 64))
	}
	for _, u := range sh.Unplaced {
		v.Unplaced = append(v.Unplaced, unplacedView{Branch: u.Branch, Reason: say(lang, u.Reason)})
	}
	rows := sh.Rows
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Start.Before(rows[j].Start) })
	labels := map[string]string{}
	if ts, err := s.Lessons.Topics(c.Request().Context(), act); err == nil {
		labels = topicLabels(lang, ts)
	}
	for _, r := range rows {
		rv := sheetRowView{Row: r, Topic: labelOr(labels, r.Topic), When: i18n.Format(lang, r.Start), Why: sayAll(lang, r.Reasons), Value: rowValue(r.Item)}
		if r.Problem != nil {
			rv.Problem, _ = translate(lang, r.Problem)
		}
		if r.Problem != nil || r.Removed {
			// What it is now stays selectable, so that the form says it.
			rv.Choices = append(rv.Choices, choice{Value: rv.Value, Label: choiceLabel(lang, r.Item)})
		}
		for _, ch := range r.Choices {
			rv.Choices = append(rv.Choices, choice{Value: rowValue(ch), Label: choiceLabel(lang, ch)})
		}
		if r.Removed {
			v.Removed = append(v.Removed, rv)
			continue
		}
		// The week, within the month: a month's first week starts on its 1st.
		monday := weekOf(r.Start)
		first, _ := time.ParseInLocation("2006-01", sh.Month, shanghai)
		from, to := monday, monday.AddDate(0, 0, 6)
		if from.Before(first) {
			from = first
		}
		if last := first.AddDate(0, 1, -1); to.After(last) {
			to = last
		}
		label := T(lang, "plan.page.week", "from", i18n.DayOf(from), "to", i18n.DayOf(to))
		if n := len(v.Weeks); n == 0 || v.Weeks[n-1].Label != label {
			v.Weeks = append(v.Weeks, sheetWeek{Label: label})
		}
		w := &v.Weeks[len(v.Weeks)-1]
		w.Rows = append(w.Rows, rv)
	}
	return v
}

func (s *Server) dispatchPage(c echo.Context) error {
	act := actor(c)
	month := c.Param("month")
	if _, err := lessons.ParseMonth(month); err != nil {
		return err
	}
	tid, towns, err := s.planTown(c, act)
	if err != nil {
		return err
	}
	sh, err := s.Dispatch.Sheet(c.Request().Context(), act, month, dispatch.DraftInput{TownID: tid}, nil)
	if err != nil {
		return err
	}
	v := s.sheetView(c, act, tid, towns, sh, true)
	return s.render(c, "dispatch", pageData{Title: T(langOf(c), "plan.page.title", "month", v.Label), Data: v,
		Form: map[string]string{"town_id": strconv.FormatInt(tid, 10)}})
}

// sheetRows reads the rows back from the form: every row's branch, its
// choice, and whether it is kept.
func sheetRows(c echo.Context) (rows []dispatch.Item, removed []int64, err error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, nil, apperr.New(apperr.BadRequest, "bad_request")
	}
	if len(form["row"]) > dispatch.MaxRows {
		return nil, nil, apperr.New(apperr.Invalid, "validation").Field("items", "field.too_many")
	}
	for _, b := range form["row"] {
		bid, err := strconv.ParseInt(b, 10, 64)
		if err != nil || bid <= 0 {
			return nil, nil, apperr.New(apperr.BadRequest, "bad_request").Field("row", "field.number")
		}
		it, ok := parseRowValue(bid, form.Get("choice_"+b))
		if !ok {
			return nil, nil, apperr.New(apperr.BadRequest, "bad_request").Field("choice_"+b, "field.unknown")
		}
		rows = append(rows, it)
		if form.Get("keep_"+b) != "1" {
			removed = append(removed, bid)
		}
	}
	return rows, removed, nil
}

type dispatchDoneView struct {
	Month   string
	Label   string
	Orders  []*booking.Order
	When    map[int64]string
	Refused []unplacedView
}

// dispatchPost re-checks the rows as the official changed them, or
// dispatches those she kept.
func (s *Server) dispatchPost(c echo.Context) error {
	act := actor(c)
	lang := langOf(c)
	ctx := c.Request().Context()
	month := c.Param("month")
	if _, err := lessons.ParseMonth(month); err != nil {
		return err
	}
	rows, removed, err := sheetRows(c)
	if err != nil {
		return err
	}
	var kept []dispatch.Item
	for _, r := range rows {
		if !containsID(removed, r.BranchID) {
			kept = append(kept, r)
		}
	}
	if c.FormValue("op") == "dispatch" && len(kept) > 0 {
		res, err := s.Dispatch.Dispatch(ctx, act, month, kept)
		if err != nil {
			return err
		}
		v := dispatchDoneView{Month: month, Label: monthLabel(lang, month), Orders: res.Orders, When: map[int64]string{}}
		for _, o := range res.Orders {
			if len(o.Slots) > 0 {
				v.When[o.ID] = i18n.Format(lang, o.Slots[0])
			}
		}
		names := map[int64]string{}
		for _, r := range rows {
			names[r.BranchID] = ""
		}
		if bs, err := s.Org.Branches(ctx, act, org.BranchFilter{}); err == nil {
			for _, b := range bs {
				names[b.ID] = b.Name
			}
		} else {
			return err
		}
		for _, r := range res.Refused {
			msg, _ := translate(lang, r.Err)
			v.Refused = append(v.Refused, unplacedView{Branch: names[r.BranchID], Reason: msg})
		}
		return s.render(c, "dispatch_done", pageData{Title: T(lang, "plan.done.title", "month", v.Label), Data: v})
	}
	sh, err := s.Dispatch.Sheet(ctx, act, month, dispatch.DraftInput{TownID: act.TownID, ExcludeBranchIDs: removed}, rows)
	if err != nil {
		return err
	}
	pd := pageData{Title: T(lang, "plan.page.title", "month", monthLabel(lang, month)), Data: s.sheetView(c, act, act.TownID, nil, sh, false)}
	if c.FormValue("op") == "dispatch" {
		pd.Errors = map[string]string{"_": T(lang, "plan.page.nothing_kept")}
		return s.renderStatus(c, http.StatusUnprocessableEntity, "dispatch", pd)
	}
	return s.render(c, "dispatch", pd)
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
