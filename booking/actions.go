package booking

import (
	"slices"
	"time"

	"weike/internal/apperr"
	"weike/internal/i18n"
	"weike/org"
)

// ActionName names a move on an order. The web uses it as the last segment
// of the move's routes (POST /orders/{id}/accept, POST
// /api/v1/orders/{id}/accept), as the ?done= value after it and in its
// catalog keys (op.act.accept, op.done.accept).
type ActionName string

// The moves of an order's life (product.md, "An order's life"). Expiry is
// missing on purpose: nobody makes it, the clock does (ExpireDue).
const (
	ActionAccept   ActionName = "accept"   // the lecturer takes one of the preferred times
	ActionDecline  ActionName = "decline"  // the lecturer says no, with a reason
	ActionPropose  ActionName = "propose"  // the lecturer offers another time
	ActionRespond  ActionName = "respond"  // the branch takes or rejects the proposed time
	ActionCancel   ActionName = "cancel"   // the branch or an official withdraws the order
	ActionDeliver  ActionName = "deliver"  // the lesson was given: attendance and summary
	ActionReview   ActionName = "review"   // the branch rates the lesson
	ActionReassign ActionName = "reassign" // an official gives an order to another lecturer
	ActionWithdraw ActionName = "withdraw" // the lecturer gives back a lesson she accepted, with a reason
)

// Action is a move as the pages and the API offer it.
type Action struct {
	Name ActionName
	// Fields are the form fields, and the members of the JSON body, that
	// the move reads.
	Fields []string
	// Reason says the move must give a reason in words (the required field
	// "reason"): the other side is told why.
	Reason bool
}

// Party is how an actor stands to one order, as a set: the parties of the
// order make its moves, a reader only reads it. The zero Party may not even
// see the order.
type Party uint8

// The parties to an order.
const (
	PartySecretary Party = 1 << iota // the secretary of the ordering branch
	PartyLecturer                    // the lecturer the order is with
	PartyOfficial                    // an official of the order's town
	PartyReader                      // a viewer of the town's county: reads, never acts
)

// Is reports whether p is any of q.
func (p Party) Is(q Party) bool { return p&q != 0 }

// PartyOf says how act stands to o.
func PartyOf(act org.Actor, o *Order) Party {
	var p Party
	if act.Role == org.RoleSecretary && act.BranchID == o.BranchID {
		p |= PartySecretary
	}
	if act.Role == org.RoleLecturer && act.LecturerID == o.LecturerID {
		p |= PartyLecturer
	}
	if act.IsOfficialOf(o.TownID) {
		p |= PartyOfficial
	}
	if act.Role == org.RoleCounty && act.CanRead(o.TownID) {
		p |= PartyReader
	}
	return p
}

// rule lets some parties make a move from some statuses, when a condition
// on the order and the time holds.
type rule struct {
	by   Party
	from []Status
	when func(o *Order, now time.Time) error // nil: always; else the refusal
}

// spec is one move and its rules.
type spec struct {
	Action
	rules []rule
}

// specs is the order's state machine, the one place that says who may make
// which move from where. Actions, the store's moves and through them the
// API, the order page and its routes all read it. The list's order is the
// order in which Actions returns the moves and the page shows them: the move
// that takes the order forward first, the ways out of it last.
var specs = []spec{
	{Action{Name: ActionAccept, Fields: []string{"slot"}},
		[]rule{{by: PartyLecturer, from: []Status{Requested}}}},
	{Action{Name: ActionRespond, Fields: []string{"accept"}},
		[]rule{{by: PartySecretary, from: []Status{Proposed}}}},
	// Anyone of the order may record the lesson, once it has begun.
	{Action{Name: ActionDeliver, Fields: []string{"attendees", "minutes", "summary", "photo_links"}},
		[]rule{{by: PartyLecturer | PartySecretary | PartyOfficial, from: []Status{Confirmed}, when: started}}},
	{Action{Name: ActionReview, Fields: []string{"stars", "comment"}},
		[]rule{{by: PartySecretary, from: []Status{Delivered}}}},
	{Action{Name: ActionPropose, Fields: []string{"start", "note", "confirm_outside_hours"}},
		[]rule{{by: PartyLecturer, from: []Status{Requested}}}},
	// An official may give an order to another lecturer while it waits
	// for an answer or after it came to nothing, as long as one of its
	// preferred times is still ahead.
	{Action{Name: ActionReassign, Fields: []string{"lecturer_id"}},
		[]rule{{by: PartyOfficial, from: []Status{Requested, Proposed, Declined, Expired}, when: slotAhead}}},
	{Action{Name: ActionDecline, Fields: []string{"reason"}, Reason: true},
		[]rule{{by: PartyLecturer, from: []Status{Requested}}}},
	// The lecturer may give back a lesson she accepted until it starts.
	{Action{Name: ActionWithdraw, Fields: []string{"reason"}, Reason: true},
		[]rule{{by: PartyLecturer, from: []Status{Confirmed}, when: notStarted}}},
	{Action{Name: ActionCancel, Fields: []string{"reason"}, Reason: true}, []rule{
		// The branch may withdraw until the lesson starts; an order that
		// came to nothing is the town's to settle.
		{by: PartySecretary, from: []Status{Requested, Proposed, Confirmed}, when: notStarted},
		// An official may call off anything not yet given.
		{by: PartyOfficial, from: []Status{Requested, Proposed, Confirmed, Declined, Expired}},
	}},
}

func started(o *Order, now time.Time) error {
	if o.StartAt == nil || o.StartAt.After(now) {
		return apperr.New(apperr.Invalid, "order.not_yet")
	}
	return nil
}

func slotAhead(o *Order, now time.Time) error {
	if len(o.OpenSlots(now)) == 0 {
		return apperr.New(apperr.Invalid, "order.slots_passed")
	}
	return nil
}

func notStarted(o *Order, now time.Time) error {
	if o.StartAt != nil && !o.StartAt.After(now) {
		return apperr.New(apperr.Invalid, "order.already_started")
	}
	return nil
}

// decide says whether party p may make the move on o at now, and if not,
// why, in the error the caller is answered: 403 when the move is never p's,
// or is someone else's from o's status; 409 when nobody makes it from o's
// status; the rule's own refusal when its condition fails.
func (sp *spec) decide(p Party, o *Order, now time.Time) error {
	var by Party
	someone := false
	for _, r := range sp.rules {
		by |= r.by
		someone = someone || slices.Contains(r.from, o.Status)
	}
	if !p.Is(by) {
		return apperr.New(apperr.Forbidden, "order.not_your_move")
	}
	if !someone {
		return apperr.New(apperr.Conflict, "order.wrong_status").With("status", i18n.Key("status."+string(o.Status)))
	}
	var refused error
	for _, r := range sp.rules {
		if !p.Is(r.by) || !slices.Contains(r.from, o.Status) {
			continue
		}
		if r.when == nil {
			return nil
		}
		err := r.when(o, now)
		if err == nil {
			return nil
		}
		if refused == nil {
			refused = err
		}
	}
	if refused != nil {
		return refused
	}
	return apperr.New(apperr.Forbidden, "order.not_your_move")
}

func specOf(name ActionName) *spec {
	for i := range specs {
		if specs[i].Name == name {
			return &specs[i]
		}
	}
	return nil
}

// Actions are the moves act may make on o at now, in a stable order (see
// specs). Whoever may not see o, or only reads it, has none.
func Actions(act org.Actor, o *Order, now time.Time) []Action {
	p := PartyOf(act, o)
	var out []Action
	for i := range specs {
		if specs[i].decide(p, o, now) == nil {
			a := specs[i].Action
			a.Fields = slices.Clone(a.Fields)
			out = append(out, a)
		}
	}
	return out
}

// Can reports whether act may make the move name on o at now.
func Can(act org.Actor, o *Order, now time.Time, name ActionName) bool {
	sp := specOf(name)
	return sp != nil && sp.decide(PartyOf(act, o), o, now) == nil
}

// AllActions are every move, whoever makes it, in the order of Actions:
// what routes are registered for.
func AllActions() []Action {
	out := make([]Action, len(specs))
	for i, sp := range specs {
		out[i] = sp.Action
		out[i].Fields = slices.Clone(sp.Fields)
	}
	return out
}

// ActionNamed returns the move called name, if there is one.
func ActionNamed(name string) (Action, bool) {
	sp := specOf(ActionName(name))
	if sp == nil {
		return Action{}, false
	}
	a := sp.Action
	a.Fields = slices.Clone(a.Fields)
	return a, true
}

// SlotOpen reports whether a lesson may still be booked to start at start:
// a time that has come is gone. Accepting a preferred time, taking a
// proposed one and reassigning an order all ask it.
func SlotOpen(start, now time.Time) bool { return start.After(now) }
