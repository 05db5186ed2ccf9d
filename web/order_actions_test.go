package web

import (
	"context"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"weike/booking"
	"weike/fixture"
	"weike/lessons"
	"weike/org"
)

// TestOrderActions holds the API, the order page and its forms to the one
// table of moves: for every party to town A's orders, every situation an
// order can be in and every move, (a) the API's move succeeds, (b) the
// page shows the move's form and (c) that form, sent, succeeds — each
// exactly when booking.Actions lists the move. Each try starts from an
// order in the situation untouched by any move (see orderPool); a refused
// move must leave it so, a move that succeeds must change it. One env per
// database serves every situation: the walk runs in one goroutine, and only
// orderMaker moves the clock, and back.
func TestOrderActions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		m := newOrderMaker(t, e)
		pool := newOrderPool(m)
		parties := actionParties(t, e)
		browsers := map[string]*browser{}
		for _, p := range parties {
			browsers[p.login] = signIn(t, e, p.login)
		}
		// "api accept", "form cancel", …: each move must succeed somewhere
		// through each way in, or its refusals would prove nothing (a test
		// body the move cannot read is refused too).
		succeeded := map[string]bool{}
		for _, state := range orderStates {
			for _, p := range parties {
				b := browsers[p.login]
				where := func(o *booking.Order) string { return fmt.Sprintf("%s order %d, %s", state, o.ID, p.name) }

				// (b) The page offers the forms of the moves Actions lists, each
				// sending the fields its move reads.
				o := pool.take(state)
				allowed := actionSet(booking.Actions(p.actor, o, e.W.Now))
				res := b.get(fmt.Sprintf("/orders/%d", o.ID))
				if sees := booking.PartyOf(p.actor, o) != 0; res.Code != map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[sees] {
					t.Errorf("%s: GET the page: %d, may see the order: %v", where(o), res.Code, sees)
				}
				forms := orderForms(t, res.Body.String(), o.ID)
				for _, a := range booking.AllActions() {
					fields, shown := forms[a.Name]
					if shown != allowed[a.Name] {
						t.Errorf("%s: the page shows the %s form: %v; booking.Actions lists it: %v", where(o), a.Name, shown, allowed[a.Name])
					}
					if shown && !slices.Equal(fields, sorted(a.Fields)) {
						t.Errorf("%s: the %s form sends %v, the move reads %v", where(o), a.Name, fields, a.Fields)
					}
				}
				pool.settle(state, o)

				for _, a := range booking.AllActions() {
					form, body := actionBodies(m, a.Name)
					if !slices.Equal(slices.Sorted(maps.Keys(form)), sorted(a.Fields)) {
						t.Fatalf("the test's %s form sends %v, the move reads %v", a.Name, slices.Sorted(maps.Keys(form)), a.Fields)
					}
					// (c) The page's form.
					o := pool.take(state)
					want := actionSet(booking.Actions(p.actor, o, e.W.Now))[a.Name]
					v := url.Values{}
					for k, x := range form {
						v.Set(k, x)
					}
					res := b.post(fmt.Sprintf("/orders/%d/%s", o.ID, a.Name), v)
					got := res.Code == http.StatusSeeOther
					if got != want || !got && !refusal(res.Code) {
						t.Errorf("%s: the %s form: %d, booking.Actions lists it: %v\n%s", where(o), a.Name, res.Code, want, alertOf(res.Body.String()))
					}
					if changed := pool.settle(state, o); changed != got {
						t.Errorf("%s: the %s form answered %d and the order changed: %v", where(o), a.Name, res.Code, changed)
					}
					succeeded["form "+string(a.Name)] = succeeded["form "+string(a.Name)] || got

					// (a) The API.
					o = pool.take(state)
					want = actionSet(booking.Actions(p.actor, o, e.W.Now))[a.Name]
					res = e.as(p.login, http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/%s", o.ID, a.Name), body)
					got = res.Code == http.StatusOK
					if got != want || !got && !refusal(res.Code) {
						t.Errorf("%s: POST /api/v1/orders/{id}/%s: %d, booking.Actions lists it: %v\n%s", where(o), a.Name, res.Code, want, res.Body)
					}
					if changed := pool.settle(state, o); changed != got {
						t.Errorf("%s: the API's %s answered %d and the order changed: %v", where(o), a.Name, res.Code, changed)
					}
					succeeded["api "+string(a.Name)] = succeeded["api "+string(a.Name)] || got
				}
			}
		}
		for _, a := range booking.AllActions() {
			for _, how := range []string{"form ", "api "} {
				if !succeeded[how+string(a.Name)] {
					t.Errorf("the %s%s never succeeded: the walk proves nothing about it", how, a.Name)
				}
			}
		}
	})
}

func actionSet(as []booking.Action) map[booking.ActionName]bool {
	out := map[booking.ActionName]bool{}
	for _, a := range as {
		out[a.Name] = true
	}
	return out
}

// refusal reports whether code is one of the answers a move that is not
// the caller's to make gets: not found, not your move, wrong status, too
// early or too late.
func refusal(code int) bool {
	return code == http.StatusNotFound || code == http.StatusForbidden || code == http.StatusConflict ||
		code == http.StatusUnprocessableEntity
}

var (
	orderFormRe = regexp.MustCompile(`(?s)<form method="post" action="/orders/(\d+)/([a-z_]+)"[^>]*>(.*?)</form>`)
	inputNameRe = regexp.MustCompile(`name="([^"]+)"`)
	alertRe     = regexp.MustCompile(`role="alert"[^>]*>([^<]*)`)
)

// orderForms finds the move forms of order id on a page: each move's name
// and the names of the fields its form sends, sorted.
func orderForms(t *testing.T, page string, id int64) map[booking.ActionName][]string {
	t.Helper()
	out := map[booking.ActionName][]string{}
	for _, f := range orderFormRe.FindAllStringSubmatch(page, -1) {
		if f[1] != strconv.FormatInt(id, 10) {
			t.Errorf("a form of order %d posts to order %s", id, f[1])
		}
		set := map[string]bool{}
		for _, n := range inputNameRe.FindAllStringSubmatch(f[3], -1) {
			if n[1] != "_csrf" {
				set[n[1]] = true
			}
		}
		out[booking.ActionName(f[2])] = slices.Sorted(maps.Keys(set))
	}
	return out
}

// sorted is a copy of names in order, for comparing sets of field names.
func sorted(names []string) []string {
	return slices.Sorted(slices.Values(names))
}

func alertOf(page string) string {
	if m := alertRe.FindStringSubmatch(html.UnescapeString(page)); m != nil {
		return m[1]
	}
	return ""
}

// orderStates are the situations an order can be in that the action table
// tells apart: every status, and a confirmed lesson before and after its
// start.
var orderStates = []string{"requested", "proposed", "confirmed, ahead", "confirmed, started", "delivered", "reviewed",
	"declined", "expired", "cancelled"}

// orderMaker builds orders of town A (branch 0 orders lesson 0 from
// lecturer 0) in any of orderStates through the store, in one env whose
// clock it owns. The clock stands at t1; orders that must have started, or
// expired, are placed at t0 and the clock moved on. Every order gets its
// own hour, so that none is in another's way when it is confirmed.
type orderMaker struct {
	t      testing.TB
	e      *env
	t0, t1 time.Time
	before int // hours used in [t0+lead time, t1)
	ahead  int // hours used after t1+lead time
}

func newOrderMaker(t testing.TB, e *env) *orderMaker {
	t.Helper()
	ctx := context.Background()
	A := e.W.A
	// The lecturers (the orders' and the one they are reassigned to) are
	// free every hour of every day and may give as many lessons as the
	// catalog allows: the rules of time are not what this builder is
	// about, and the orders need many distinct hours.
	var all []lessons.Window
	for d := range 7 {
		all = append(all, lessons.Window{Weekday: d, StartMinute: 0, EndMinute: 24 * 60})
	}
	for _, l := range A.Lecturers[:2] {
		if _, err := e.W.Lessons.UpdateLecturer(ctx, A.Official, l.ID, lessons.LecturerInput{Name: l.Name, Phone: l.Phone,
			BranchID: l.BranchID, Bio: l.Bio, Topics: l.Topics, MonthlyCapacity: 60, Availability: all}); err != nil {
			t.Fatal(err)
		}
	}
	t0 := fixture.Clock() // Monday 2026-11-30 10:00 in Shanghai; the lead time is 48 hours
	m := &orderMaker{t: t, e: e, t0: t0, t1: t0.Add(5 * 24 * time.Hour)}
	e.W.Now = m.t1
	return m
}

// beforeHour is a start after t0's lead time and before t1.
func (m *orderMaker) beforeHour() time.Time {
	m.before++
	h := m.t0.Add(50*time.Hour + time.Duration(m.before)*time.Hour)
	if !h.Before(m.t1) {
		m.t.Fatal("orderMaker: no hours left before t1")
	}
	return h
}

// aheadHour is a start after t1's lead time.
func (m *orderMaker) aheadHour() time.Time {
	m.ahead++
	return m.t1.Add(5*24*time.Hour + time.Duration(m.ahead)*time.Hour)
}

// make returns a new order in state.
func (m *orderMaker) make(state string) *booking.Order {
	m.t.Helper()
	ctx := context.Background()
	w := m.e.W
	A := w.A
	sec, lec := A.Actors["secretary"], A.Actors["lecturer"]
	must := func(o *booking.Order, err error) *booking.Order {
		m.t.Helper()
		if err != nil {
			m.t.Fatalf("making a %s order: %v", state, err)
		}
		return o
	}
	create := func(at time.Time) *booking.Order {
		o, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: A.Lessons[0].ID, LecturerID: A.Lecturers[0].ID,
			CourtyardID: A.Courtyards[0].ID, Slots: []string{at.Format(time.RFC3339)}, Audience: 20})
		return must(o, err)
	}
	var o *booking.Order
	switch state {
	case "requested":
		o = create(m.aheadHour())
	case "proposed":
		o = create(m.aheadHour())
		o = must(w.Booking.Propose(ctx, lec, o.ID, booking.Proposal{Start: m.aheadHour().Format(time.RFC3339), ConfirmOutsideHours: true}))
	case "confirmed, ahead":
		o = create(m.aheadHour())
		o = must(w.Booking.Accept(ctx, lec, o.ID, 0))
	case "confirmed, started", "delivered", "reviewed":
		w.Now = m.t0
		o = create(m.beforeHour())
		o = must(w.Booking.Accept(ctx, lec, o.ID, 0))
		w.Now = m.t1
		if state != "confirmed, started" {
			o = must(w.Booking.Deliver(ctx, lec, o.ID, booking.Delivery{Attendees: 20, Minutes: 20}))
		}
		if state == "reviewed" {
			o = must(w.Booking.Review(ctx, sec, o.ID, 4, ""))
		}
	case "declined":
		o = create(m.aheadHour())
		o = must(w.Booking.Decline(ctx, lec, o.ID, "那天要开会"))
	case "expired":
		// Placed at t0 with a time after t1: by t1 nobody answered in 72
		// hours, and the order can still be given to someone else.
		w.Now = m.t0
		o = create(m.aheadHour())
		w.Now = m.t1
		if n, err := w.Booking.ExpireDue(ctx); err != nil || n != 1 {
			m.t.Fatalf("expiring: %d orders, %v", n, err)
		}
	case "cancelled":
		o = create(m.aheadHour())
		o = must(w.Booking.Cancel(ctx, sec, o.ID, "村里另有安排"))
	default:
		m.t.Fatalf("orderMaker: unknown state %q", state)
	}
	return must(w.Booking.Get(ctx, A.Official, o.ID))
}

// actionParty is one way of standing to the orders orderMaker makes.
type actionParty struct {
	name  string
	login string
	actor org.Actor
}

// actionParties are everyone who might try to act on town A's orders: the
// parties of the order, their neighbours in the town, another town and
// the county.
func actionParties(t testing.TB, e *env) []actionParty {
	t.Helper()
	ctx := context.Background()
	A := e.W.A
	for _, acc := range []org.NewAccount{
		{Login: "ch-sec-other", Role: org.RoleSecretary, TownID: A.Town.ID, BranchID: A.Branches[1].ID},
		{Login: "ch-lec-other", Role: org.RoleLecturer, TownID: A.Town.ID, LecturerID: A.Lecturers[1].ID},
	} {
		acc.PasswordHash, acc.Name = fixture.PasswordHash(), acc.Login
		if _, err := e.W.Org.CreateAccount(ctx, acc); err != nil {
			t.Fatal(err)
		}
	}
	ps := []actionParty{
		{name: "the ordering branch's secretary", login: "ch-secretary"},
		{name: "another branch's secretary", login: "ch-sec-other"},
		{name: "the order's lecturer", login: "ch-lecturer"},
		{name: "another lecturer of the town", login: "ch-lec-other"},
		{name: "the town's official", login: "ch-official"},
		{name: "the other town's official", login: "qh-official"},
		{name: "the county viewer", login: e.W.CountyLogin},
	}
	for i := range ps {
		acc, err := e.W.Org.AccountByLogin(ctx, ps[i].login)
		if err != nil {
			t.Fatal(err)
		}
		if ps[i].actor, err = e.W.Org.ActorFor(ctx, acc); err != nil {
			t.Fatal(err)
		}
	}
	return ps
}

// actionBodies are a valid request for each action, as the page's form
// sends it and as the API takes it; m gives the times a proposal needs.
func actionBodies(m *orderMaker, name booking.ActionName) (form map[string]string, api any) {
	lec := fmt.Sprint(m.e.W.A.Lecturers[1].ID)
	switch name {
	case booking.ActionAccept:
		return map[string]string{"slot": "0"}, map[string]int{"slot": 0}
	case booking.ActionDecline:
		return map[string]string{"reason": "那天要去长沙"}, map[string]string{"reason": "那天要去长沙"}
	case booking.ActionPropose:
		at := m.aheadHour()
		return map[string]string{"start": at.In(shanghai).Format("2006-01-02T15:04"), "note": "那周我在外地", "confirm_outside_hours": "1"},
			map[string]any{"start": m.aheadHour().Format(time.RFC3339), "note": "那周我在外地", "confirm_outside_hours": true}
	case booking.ActionRespond:
		return map[string]string{"accept": "1"}, map[string]bool{"accept": true}
	case booking.ActionCancel:
		return map[string]string{"reason": "村里临时有事"}, map[string]string{"reason": "村里临时有事"}
	case booking.ActionWithdraw:
		return map[string]string{"reason": "家里有急事"}, map[string]string{"reason": "家里有急事"}
	case booking.ActionDeliver:
		return map[string]string{"attendees": "28", "minutes": "25", "summary": "讲得好", "photo_links": "https://example.test/p1.jpg"},
			map[string]any{"attendees": 28, "minutes": 25, "summary": "讲得好", "photo_links": []string{"https://example.test/p1.jpg"}}
	case booking.ActionReview:
		return map[string]string{"stars": "4", "comment": "生动"}, map[string]any{"stars": 4, "comment": "生动"}
	case booking.ActionReassign:
		return map[string]string{"lecturer_id": lec}, map[string]any{"lecturer_id": m.e.W.A.Lecturers[1].ID}
	}
	return nil, nil
}

// orderPool hands out orders in a state that no move has touched: an order
// goes back into the pool only when a refused move left it exactly as it
// was (same status, same sequence), so each try starts from an order as
// orderMaker made it without building hundreds of them.
type orderPool struct {
	m    *orderMaker
	free map[string][]*booking.Order
}

func newOrderPool(m *orderMaker) *orderPool {
	return &orderPool{m: m, free: map[string][]*booking.Order{}}
}

// take returns an untouched order in state.
func (p *orderPool) take(state string) *booking.Order {
	if n := len(p.free[state]); n > 0 {
		o := p.free[state][n-1]
		p.free[state] = p.free[state][:n-1]
		return o
	}
	return p.m.make(state)
}

// settle rereads o after a try: when nothing changed it goes back into the
// pool, otherwise it is spent. It reports whether o changed.
func (p *orderPool) settle(state string, o *booking.Order) bool {
	p.m.t.Helper()
	var now struct {
		Status   string
		Sequence int
	}
	if err := p.m.e.W.DB.R.Table("orders").Select("status, sequence").Where("id = ?", o.ID).Scan(&now).Error; err != nil {
		p.m.t.Fatal(err)
	}
	if now.Status == string(o.Status) && now.Sequence == o.Sequence {
		p.free[state] = append(p.free[state], o)
		return false
	}
	return true
}
