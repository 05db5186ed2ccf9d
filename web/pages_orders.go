package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/lessons"
	"weike/org"
)

// statusTag is the CSS class of a status's tag: green once the lesson is
// settled, grey when the order is over, red while someone must act.
func statusTag(st booking.Status) string {
	switch st {
	case booking.Confirmed, booking.Delivered, booking.Reviewed:
		return "ok"
	case booking.Declined, booking.Expired, booking.Cancelled:
		return "grey"
	}
	return "warn"
}

func orderStatuses(lang string) []choice {
	out := []choice{}
	for _, st := range booking.Statuses {
		out = append(out, choice{Value: string(st), Label: T(lang, "status."+string(st))})
	}
	return out
}

// shortDay renders a local day as 12月5日 周六 (Sat 5 Dec), for grouping times.
func shortDay(lang string, t time.Time) string {
	return dayLabel(lang, t.In(shanghai).Format("2006-01-02"))
}

// ---- the order form ----

type slotTime struct {
	Value   string // RFC 3339 in Shanghai time: what the store reads back
	Label   string // 14:00
	Checked bool
}

type slotDay struct {
	Label string
	Times []slotTime
}

// slotWeek is one Monday-to-Sunday week of free times: the form shows one
// at a time (six weeks of buttons were a 3,400 px page on a phone), the
// others hidden but in the form, so times checked in any week go with it.
type slotWeek struct {
	Monday string // YYYY-MM-DD: the week's name in ?week= and the buttons
	Label  string // 12月7日 周一 – 12月13日 周日
	Days   []slotDay
	Shown  bool
}

// problem is one line of a failed form's summary, linking to its field.
type problem struct {
	Target string // the id of the field
	Text   string // the field's label and what is wrong with it
}

type orderFormView struct {
	Lesson       *lessons.Lesson
	Lecturers    []choice
	LecturerID   int64
	LecturerName string
	Courtyards   []choice
	Weeks        []slotWeek
	Prev, Next   *slotWeek // the weeks around the one shown
	Chosen       string    // the times checked, in words, for the line under the weeks
	ChosenPrefix string    // the same line's words before the times, for app.js
	ListSep      string
	Orderable    bool
	Problems     []problem
	FirstError   string // the id of the first field in error: it gets the focus
}

var orderFields = []string{"lecturer_id", "courtyard_id", "audience", "note"}

// orderFieldOrder is where each field of the order form is, top to bottom,
// with its label: the summary of a failed form lists them in this order.
var orderFieldOrder = []struct{ field, target, label string }{
	{"lecturer_id", "f-pick-lecturer", "op.order.lecturer"},
	{"courtyard_id", "f-courtyard_id", "op.order.courtyard"},
	{"slots", "f-slots", "op.order.times"},
	{"audience", "f-audience", "op.order.audience"},
	{"note", "f-note", "op.order.note"},
}

// groupWeeks lays the free times out by week and day (see groupSlots) and
// shows the week asked for; else the first with a time checked; else the
// first.
func groupWeeks(lang string, free []booking.Slot, checked []string, want string) ([]slotWeek, []string) {
	var weeks []slotWeek
	var chosen []string
	for _, d := range groupSlots(lang, free, checked) {
		monday := weekOf(d.at)
		key := monday.Format("2006-01-02")
		if len(weeks) == 0 || weeks[len(weeks)-1].Monday != key {
			weeks = append(weeks, slotWeek{Monday: key, Label: T(lang, "op.order.week",
				"from", i18n.Day(key), "to", i18n.Day(monday.AddDate(0, 0, 6).Format("2006-01-02")))})
		}
		w := &weeks[len(weeks)-1]
		w.Days = append(w.Days, d.slotDay)
		for _, t := range d.Times {
			if t.Checked {
				chosen = append(chosen, d.Label+" "+t.Label)
			}
		}
	}
	shown := -1
	for i, w := range weeks {
		if w.Monday == want {
			shown = i
		}
	}
	for i := 0; shown < 0 && i < len(weeks); i++ {
		for _, d := range weeks[i].Days {
			for _, t := range d.Times {
				if t.Checked && shown < 0 {
					shown = i
				}
			}
		}
	}
	if shown < 0 && len(weeks) > 0 {
		shown = 0
	}
	if shown >= 0 {
		weeks[shown].Shown = true
	}
	return weeks, chosen
}

// groupSlots lays the free times out by day, keeping the times the user had
// checked even when they are no longer free (their input is never lost).
func groupSlots(lang string, free []booking.Slot, checked []string) []datedSlotDay {
	want := map[int64]bool{}
	times := map[int64]time.Time{}
	for _, sl := range free {
		times[sl.Start.Unix()] = sl.Start
	}
	for _, v := range checked {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(v)); err == nil {
			want[t.Unix()] = true
			times[t.Unix()] = t
		}
	}
	keys := make([]int64, 0, len(times))
	for k := range times {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var days []datedSlotDay
	for _, k := range keys {
		t := times[k].In(shanghai)
		label := shortDay(lang, t)
		if len(days) == 0 || days[len(days)-1].Label != label {
			days = append(days, datedSlotDay{slotDay: slotDay{Label: label}, at: t})
		}
		d := &days[len(days)-1]
		d.Times = append(d.Times, slotTime{Value: t.Format(time.RFC3339), Label: t.Format("15:04"), Checked: want[k]})
	}
	return days
}

// datedSlotDay is a day of times with the day itself, to group by week.
type datedSlotDay struct {
	slotDay
	at time.Time
}

// orderForm shows the order form: week is the Monday (YYYY-MM-DD) of the
// week of times to show, "" for the first that matters.
func (s *Server) orderForm(c echo.Context, status int, form map[string]string, checked []string, errs map[string]string, week string) error {
	l, err := pathRecord(c, s.Lessons.Lesson)
	if err != nil {
		return err
	}
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	v := orderFormView{Lesson: l, Orderable: l.Status == lessons.StatusPublished}
	lecs, err := s.Lessons.Lecturers(ctx, act, lessons.LecturerFilter{LessonID: l.ID, ActiveOnly: true})
	if err != nil {
		return err
	}
	lid, _ := strconv.ParseInt(strings.TrimSpace(form["lecturer_id"]), 10, 64)
	v.Lecturers = append(v.Lecturers, choice{Value: "0", Label: T(lang, "op.order.any_lecturer")})
	for _, lec := range lecs {
		v.Lecturers = append(v.Lecturers, choice{Value: strconv.FormatInt(lec.ID, 10), Label: lec.Name, ID: lec.ID})
		if lec.ID == lid {
			v.LecturerID, v.LecturerName = lec.ID, lec.Name
		}
	}
	// An unknown lecturer (a stale link) falls back to "any".
	form["lecturer_id"] = strconv.FormatInt(v.LecturerID, 10)
	if v.LecturerName == "" {
		v.LecturerName = T(lang, "op.order.any_lecturer")
	}
	b, err := s.Org.Branch(ctx, act, act.BranchID)
	if err != nil {
		return err
	}
	for _, cy := range b.Courtyards {
		if cy.Active {
			v.Courtyards = append(v.Courtyards, choice{Value: strconv.FormatInt(cy.ID, 10), Label: cy.Name, ID: cy.ID})
		}
	}
	if form["courtyard_id"] == "" && len(v.Courtyards) == 1 {
		form["courtyard_id"] = v.Courtyards[0].Value
	}
	var free []booking.Slot
	if v.Orderable {
		if free, err = s.Booking.FreeSlots(ctx, act, l.ID, v.LecturerID, 6, 400); err != nil {
			return err
		}
	}
	var chosen []string
	v.Weeks, chosen = groupWeeks(lang, free, checked, week)
	if len(chosen) > 0 {
		l := make(i18n.List, len(chosen))
		for i, c := range chosen {
			l[i] = c
		}
		v.Chosen = T(lang, "op.order.chosen_times", "times", l)
	}
	v.ChosenPrefix, v.ListSep = T(lang, "op.order.chosen_times", "times", ""), T(lang, "fmt.list_sep")
	for i := range v.Weeks {
		if v.Weeks[i].Shown {
			if i > 0 {
				v.Prev = &v.Weeks[i-1]
			}
			if i+1 < len(v.Weeks) {
				v.Next = &v.Weeks[i+1]
			}
		}
	}
	for _, f := range orderFieldOrder {
		if msg, ok := errs[f.field]; ok {
			v.Problems = append(v.Problems, problem{Target: f.target, Text: T(lang, "op.order.problem", "field", T(lang, f.label), "msg", msg)})
			if v.FirstError == "" {
				v.FirstError = f.target
			}
		}
	}
	return s.renderStatus(c, status, "order_form", pageData{Title: T(lang, "op.order.title", "title", l.Title),
		Form: form, Errors: errs, Data: v})
}

func (s *Server) orderNewPage(c echo.Context) error {
	if _, err := queryID(c, "lecturer_id"); err != nil {
		return err
	}
	return s.orderForm(c, http.StatusOK, queryForm(c, "lecturer_id"), nil, nil, c.QueryParam("week"))
}

func (s *Server) orderCreate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	form := formOf(c, orderFields...)
	fp, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.BadRequest, "bad_request")
	}
	checked := fp["slots"]
	// "Next week" and "previous week" are buttons of the form itself, so
	// that without JavaScript the input goes along: show that week, with
	// everything as it was, and order nothing.
	if week := strings.TrimSpace(fp.Get("week")); week != "" {
		return s.orderForm(c, http.StatusOK, form, checked, nil, week)
	}
	bad := fieldCodes{}
	in := booking.NewOrder{LessonID: id, LecturerID: int64(bad.intField(form, "lecturer_id")),
		CourtyardID: int64(bad.intField(form, "courtyard_id")), Slots: checked,
		Audience: bad.intField(form, "audience"), Note: form["note"]}
	if in.LecturerID < 0 {
		bad.add("lecturer_id", "field.lecturer_unknown")
	}
	err = bad.check(in.Validate)
	var o *booking.Order
	created := false
	if err == nil {
		o, created, err = s.Booking.Create(c.Request().Context(), actor(c), in)
	}
	if err != nil {
		if status, errs, ok := formProblem(c, err); ok {
			return s.orderForm(c, status, form, checked, errs, "")
		}
		return err
	}
	// A double tap or a resent form finds the first order: same page.
	flag := "created=1"
	if !created {
		flag = "again=1"
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/orders/%d?%s", o.ID, flag))
}

// ---- order lists ----

type orderItem struct {
	booking.Order
	Tag string
}

type ordersView struct {
	pager     // the list is long: 20 a page
	Items     []orderItem
	Statuses  []choice
	Branches  []choice
	Lecturers []choice
	Wide      bool // officials and county viewers filter by branch, lecturer and month
	Secretary bool
	Filtered  bool
}

var orderFilterNames = []string{"status", "branch_id", "lecturer_id", "month"}

func (s *Server) ordersPage(c echo.Context) error {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	f := booking.OrderFilter{PerPage: 20}
	var errs map[string]string
	f.Month, errs = listMonth(c)
	var err error
	if f.BranchID, err = queryID(c, "branch_id"); err != nil {
		return err
	}
	if f.LecturerID, err = queryID(c, "lecturer_id"); err != nil {
		return err
	}
	if f.Page, err = queryInt(c, "page"); err != nil {
		return err
	}
	// The page filters on one status, picked from a list.
	if q := booking.Status(c.QueryParam("status")); q != "" {
		if !q.Valid() {
			return apperr.New(apperr.BadRequest, "bad_request").Field("status", "field.unknown")
		}
		f.Statuses = []booking.Status{q}
	}
	page, err := s.Booking.List(ctx, act, f)
	if err != nil {
		return err
	}
	v := ordersView{pager: pagerOf(c, "/orders", page.Total, page.Page, page.PerPage), Statuses: orderStatuses(lang),
		Wide: act.Role == org.RoleOfficial || act.Role == org.RoleCounty, Secretary: act.Role == org.RoleSecretary}
	for _, o := range page.Items {
		v.Items = append(v.Items, orderItem{Order: o, Tag: statusTag(o.Status)})
	}
	if v.Wide {
		bs, err := s.Org.Branches(ctx, act, org.BranchFilter{})
		if err != nil {
			return err
		}
		for _, b := range bs {
			v.Branches = append(v.Branches, choice{Value: strconv.FormatInt(b.ID, 10), Label: b.Name})
		}
		ls, err := s.Lessons.Lecturers(ctx, act, lessons.LecturerFilter{})
		if err != nil {
			return err
		}
		for _, l := range ls {
			v.Lecturers = append(v.Lecturers, choice{Value: strconv.FormatInt(l.ID, 10), Label: l.Name})
		}
	}
	form := queryForm(c, orderFilterNames...)
	for _, n := range orderFilterNames {
		v.Filtered = v.Filtered || form[n] != ""
	}
	title := T(lang, "op.orders.town")
	switch act.Role {
	case org.RoleSecretary:
		title = T(lang, "op.orders.mine")
	case org.RoleLecturer:
		title = T(lang, "op.orders.lecturer")
	}
	return s.renderStatus(c, listStatus(errs), "orders", pageData{Title: title, Form: form, Errors: errs, Data: v})
}

// ---- one order ----

type eventView struct {
	booking.Event
	Who    string
	From   string
	To     string
	Note   string // the reason, or what the move chose, in words
	ToTag  string
	WhoSys bool
}

type slotChoice struct {
	Index int
	At    time.Time
	Past  bool
}

type orderPageView struct {
	O             *booking.Order
	Tag           string
	Courtyard     *org.Courtyard
	MapURL        string
	LecturerPhone string
	BranchPhone   string
	History       []eventView
	Slots         []slotChoice
	Lecturers     []choice
	ProposeMin    string
	EndHM         string // when the lesson ends, 14:20
	Stars         int
	Failed        booking.ActionName // the action whose form is shown again
	// Actions are the moves the caller may make now, one form each, in the
	// order booking.Actions gives them.
	Actions []booking.Action
}

// eventNote turns an audit entry's reason and detail into words.
func eventNote(lang string, e booking.Event) string {
	switch e.Reason {
	case "no answer":
		return T(lang, "op.reason.no_answer")
	case "proposed time rejected":
		return T(lang, "op.reason.proposal_no")
	}
	if e.ToStatus == booking.Proposed {
		// The proposed time, and the lecturer's note with it.
		if t, err := time.Parse(time.RFC3339, e.Detail); err == nil {
			if e.Reason != "" {
				return fmtDateTime(lang, t) + " · " + e.Reason
			}
			return fmtDateTime(lang, t)
		}
	}
	if e.Reason != "" {
		return e.Reason
	}
	switch {
	case e.Detail == "proposed time accepted":
		return T(lang, "op.reason.proposal_yes")
	case e.Detail == "dispatched":
		return T(lang, "op.reason.dispatched")
	case strings.HasPrefix(e.Detail, "lecturer "):
		// "lecturer <id> <name>": the name is what people read.
		parts := strings.SplitN(e.Detail, " ", 3)
		if len(parts) == 3 {
			return T(lang, "op.reason.reassigned_to", "name", parts[2])
		}
	case strings.HasSuffix(e.Detail, "★"):
		return e.Detail
	}
	return ""
}

func (s *Server) orderView(c echo.Context, o *booking.Order) (*orderPageView, error) {
	act := actor(c)
	ctx := c.Request().Context()
	lang := langOf(c)
	now := s.Booking.Now()
	v := &orderPageView{O: o, Tag: statusTag(o.Status),
		ProposeMin: now.In(shanghai).Format("2006-01-02T15:04")}
	if cy, err := s.Org.Courtyard(ctx, act, o.CourtyardID); err == nil {
		v.Courtyard, v.MapURL = cy, amapURL(*cy)
	} else if _, ok := apperr.As(err); !ok {
		return nil, err
	}
	// Each side of an order sees how to reach the other; officials both.
	party := booking.PartyOf(act, o)
	if party.Is(booking.PartySecretary | booking.PartyOfficial) {
		if l, err := s.Lessons.Lecturer(ctx, act, o.LecturerID); err == nil {
			v.LecturerPhone = l.Phone
		}
	}
	if party.Is(booking.PartyLecturer | booking.PartyOfficial) {
		if b, err := s.Org.Branch(ctx, act, o.BranchID); err == nil {
			v.BranchPhone = b.Phone
		}
	}
	if o.EndAt != nil {
		v.EndHM = o.EndAt.In(shanghai).Format("15:04")
	}
	if o.Stars != nil {
		v.Stars = *o.Stars
	}
	for i, t := range o.Slots {
		v.Slots = append(v.Slots, slotChoice{Index: i, At: t, Past: !booking.SlotOpen(t, now)})
	}
	for _, e := range o.History {
		ev := eventView{Event: e, Who: e.ActorName, To: T(lang, "status."+string(e.ToStatus)), ToTag: statusTag(e.ToStatus), Note: eventNote(lang, e)}
		if e.FromStatus != "" {
			ev.From = T(lang, "status."+string(e.FromStatus))
		}
		if e.AccountID == nil {
			ev.Who, ev.WhoSys = T(lang, "op.detail.system"), true
		} else if e.Role != "" {
			ev.Who += " · " + T(lang, "role."+e.Role)
		}
		v.History = append(v.History, ev)
	}
	v.Actions = booking.Actions(act, o, now)
	if booking.Can(act, o, now, booking.ActionReassign) {
		free, err := s.Booking.ReassignChoices(ctx, act, o.ID)
		if err != nil {
			return nil, err
		}
		lecs, err := s.Lessons.Lecturers(ctx, act, lessons.LecturerFilter{LessonID: o.LessonID, ActiveOnly: true})
		if err != nil {
			return nil, err
		}
		declined, err := s.Booking.DeclinedBy(ctx, act, o.ID)
		if err != nil {
			return nil, err
		}
		for _, l := range lecs {
			if slices.Contains(free, l.ID) {
				label := l.Name
				if slices.Contains(declined, l.ID) {
					label = T(lang, "op.act.reassign_declined", "name", l.Name)
				}
				v.Lecturers = append(v.Lecturers, choice{Value: strconv.FormatInt(l.ID, 10), Label: label})
			}
		}
	}
	return v, nil
}

// orderFlash is the message after an order was made or acted on.
func orderFlash(c echo.Context) string {
	lang := langOf(c)
	switch {
	case c.QueryParam("created") == "1":
		return T(lang, "op.order.created")
	case c.QueryParam("again") == "1":
		return T(lang, "op.order.again")
	}
	if a, ok := booking.ActionNamed(c.QueryParam("done")); ok {
		return T(lang, "op.done."+string(a.Name))
	}
	return ""
}

func (s *Server) showOrder(c echo.Context, status int, id int64, failed booking.ActionName, form map[string]string, errs map[string]string) error {
	o, err := s.Booking.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	v, err := s.orderView(c, o)
	if err != nil {
		return err
	}
	v.Failed = failed
	flash := ""
	if status == http.StatusOK {
		flash = orderFlash(c)
	}
	return s.renderStatus(c, status, "order", pageData{Title: o.LessonTitle, Data: v, Form: form, Errors: errs, Flash: flash})
}

func (s *Server) orderPage(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.showOrder(c, http.StatusOK, id, "", map[string]string{}, nil)
}

// orderAction runs one move on an order from its page's form, which sends
// the move's fields: 303 back to the page with a flash when it worked, the
// page again with the message and the input kept when the rules refused it.
func (s *Server) orderAction(a booking.Action) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		act := actor(c)
		ctx := c.Request().Context()
		form := formOf(c, a.Fields...)
		bad := fieldCodes{}
		run := func() error {
			switch a.Name {
			case booking.ActionAccept:
				slot := bad.intField(form, "slot")
				if strings.TrimSpace(form["slot"]) == "" {
					bad.add("slot", "order.slot_index")
				}
				if err := bad.check(func() error { return nil }); err != nil {
					return err
				}
				_, err := s.Booking.Accept(ctx, act, id, slot)
				return err
			case booking.ActionDecline:
				_, err := s.Booking.Decline(ctx, act, id, form["reason"])
				return err
			case booking.ActionPropose:
				_, err := s.Booking.Propose(ctx, act, id, booking.Proposal{Start: form["start"], Note: form["note"],
					ConfirmOutsideHours: form["confirm_outside_hours"] == "1"})
				return err
			case booking.ActionRespond:
				switch form["accept"] {
				case "1", "0":
				default:
					return apperr.New(apperr.Invalid, "validation").Field("accept", "field.required")
				}
				_, err := s.Booking.Respond(ctx, act, id, form["accept"] == "1")
				return err
			case booking.ActionCancel:
				_, err := s.Booking.Cancel(ctx, act, id, form["reason"])
				return err
			case booking.ActionWithdraw:
				_, err := s.Booking.Withdraw(ctx, act, id, form["reason"])
				return err
			case booking.ActionDeliver:
				d := booking.Delivery{Attendees: bad.intField(form, "attendees"), Minutes: bad.intField(form, "minutes"),
					Summary: form["summary"], PhotoLinks: formLines(form["photo_links"])}
				if err := bad.check(func() error { return nil }); err != nil {
					return err
				}
				_, err := s.Booking.Deliver(ctx, act, id, d)
				return err
			case booking.ActionReview:
				stars := bad.intField(form, "stars")
				if err := bad.check(func() error { return nil }); err != nil {
					return err
				}
				_, err := s.Booking.Review(ctx, act, id, stars, form["comment"])
				return err
			case booking.ActionReassign:
				lid := bad.intField(form, "lecturer_id")
				if strings.TrimSpace(form["lecturer_id"]) == "" || lid < 0 {
					bad.add("lecturer_id", "field.required")
				}
				if err := bad.check(func() error { return nil }); err != nil {
					return err
				}
				_, err := s.Booking.Reassign(ctx, act, id, int64(lid))
				return err
			}
			return apperr.New(apperr.NotFound, "not_found")
		}
		if err := run(); err != nil {
			if status, errs, ok := formProblem(c, err); ok {
				return s.showOrder(c, status, id, a.Name, form, errs)
			}
			return err
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/orders/%d?done=%s", id, a.Name))
	}
}

// ---- agenda ----

type calendarView struct {
	calendarLink
	Webcal template.URL // the same feed for phone calendars to subscribe
}

type agendaView struct {
	Pending   []orderItem
	Upcoming  []orderItem
	ToRecord  []orderItem
	Recent    []orderItem
	Calendars []calendarView
}

func (s *Server) agendaPage(c echo.Context) error {
	act := actor(c)
	ctx := c.Request().Context()
	now := s.Booking.Now()
	list := func(n int, statuses ...booking.Status) ([]orderItem, error) {
		p, err := s.Booking.List(ctx, act, booking.OrderFilter{Statuses: statuses, PerPage: n})
		if err != nil {
			return nil, err
		}
		out := make([]orderItem, 0, len(p.Items))
		for _, o := range p.Items {
			out = append(out, orderItem{Order: o, Tag: statusTag(o.Status)})
		}
		return out, nil
	}
	var v agendaView
	var err error
	if v.Pending, err = list(50, booking.Requested, booking.Proposed); err != nil {
		return err
	}
	confirmed, err := list(200, booking.Confirmed)
	if err != nil {
		return err
	}
	// A lesson is to be recorded once the caller may record it (it has
	// begun); until then it is ahead.
	for _, o := range confirmed {
		if booking.Can(act, &o.Order, now, booking.ActionDeliver) {
			v.ToRecord = append(v.ToRecord, o)
		} else {
			v.Upcoming = append(v.Upcoming, o)
		}
	}
	// Soonest first: what is next is what matters on a phone.
	sort.Slice(v.Upcoming, func(i, j int) bool {
		a, b := v.Upcoming[i].StartAt, v.Upcoming[j].StartAt
		return a != nil && (b == nil || a.Before(*b))
	})
	if v.Recent, err = list(10, booking.Delivered, booking.Reviewed); err != nil {
		return err
	}
	links, err := s.calendarLinks(c)
	if err != nil {
		return err
	}
	for _, l := range links {
		cv := calendarView{calendarLink: l}
		if u, err := url.Parse(l.URL); err == nil {
			u.Scheme = "webcal"
			// The URL is weike's own base URL and a random token: safe to
			// hand to the phone under its calendar scheme.
			cv.Webcal = template.URL(u.String()) // #nosec G203
		}
		v.Calendars = append(v.Calendars, cv)
	}
	flash := ""
	if c.QueryParam("rotated") == "1" {
		flash = T(langOf(c), "op.agenda.cal_rotated")
	}
	return s.render(c, "agenda", pageData{Title: T(langOf(c), "op.agenda.title"), Data: v, Flash: flash})
}

// agendaRotateCalendar gives the caller's calendar a new link, for a link
// that was shared too widely; the old one stops working.
func (s *Server) agendaRotateCalendar(c echo.Context) error {
	if _, err := s.Booking.RotateCalendarFeed(c.Request().Context(), actor(c), c.Param("kind")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/agenda?rotated=1#calendar")
}

// ---- points ----

type pointsView struct {
	R          *booking.PointsReport
	MonthLabel string
	PrevURL    string
	NextURL    string
}

func (s *Server) pointsPage(c echo.Context) error {
	act := actor(c)
	lang := langOf(c)
	month := strings.TrimSpace(c.QueryParam("month"))
	r, err := s.Booking.Points(c.Request().Context(), act, month, 0)
	if err != nil {
		return err
	}
	v := pointsView{R: r, MonthLabel: monthLabel(lang, r.Month)}
	if t, err := time.Parse("2006-01", r.Month); err == nil {
		v.PrevURL = "/points?month=" + t.AddDate(0, -1, 0).Format("2006-01")
		v.NextURL = "/points?month=" + t.AddDate(0, 1, 0).Format("2006-01")
	}
	return s.render(c, "points", pageData{Title: T(lang, "op.points.title"), Data: v, Form: map[string]string{"month": r.Month}})
}
