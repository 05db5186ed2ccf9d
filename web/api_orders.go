package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/internal/apperr"
	"weike/org"
	"weike/themeday"
)

// orders API: the order's life, member lessons, points, calendars, inbox,
// the town's settings.

func (s *Server) apiCreateOrder(c echo.Context) error {
	var in booking.NewOrder
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	o, created, err := s.Booking.Create(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // the same order again: the first one stands
	}
	return c.JSON(status, o)
}

func (s *Server) apiOrders(c echo.Context) error {
	f := booking.OrderFilter{Month: c.QueryParam("month")}
	// An unknown status is the caller's mistake: say so rather than answer
	// an empty list.
	if q := c.QueryParam("status"); q != "" {
		for _, v := range strings.Split(q, ",") {
			st := booking.Status(v)
			if !st.Valid() {
				return apperr.New(apperr.BadRequest, "bad_request").Field("status", "field.unknown")
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	var err error
	if f.BranchID, err = queryID(c, "branch_id"); err != nil {
		return err
	}
	if f.LecturerID, err = queryID(c, "lecturer_id"); err != nil {
		return err
	}
	if f.TownID, err = queryID(c, "town_id"); err != nil {
		return err
	}
	if f.Page, err = queryInt(c, "page"); err != nil {
		return err
	}
	if f.PerPage, err = queryInt(c, "per_page"); err != nil {
		return err
	}
	page, err := s.Booking.List(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

type acceptRequest struct {
	Slot *int `json:"slot"`
}
type reasonRequest struct {
	Reason string `json:"reason"`
}
type respondRequest struct {
	Accept *bool `json:"accept"`
}
type reviewRequest struct {
	Stars   int    `json:"stars"`
	Comment string `json:"comment"`
}
type reassignRequest struct {
	LecturerID int64 `json:"lecturer_id"`
}

// apiOrderAction is the handler of one move of the order's state machine:
// each move's body has its own shape. routes.go registers one for each of
// booking.AllActions(), so a move added there without a case here stops the
// server from being built rather than answering 404.
func (s *Server) apiOrderAction(name booking.ActionName) echo.HandlerFunc {
	ok := http.StatusOK
	switch name {
	case booking.ActionAccept:
		return withIDJSON(ok, func(ctx context.Context, a org.Actor, id int64, in acceptRequest) (*booking.Order, error) {
			if in.Slot == nil {
				return nil, apperr.New(apperr.Invalid, "validation").Field("slot", "field.required")
			}
			return s.Booking.Accept(ctx, a, id, *in.Slot)
		})
	case booking.ActionDecline:
		return withIDJSON(ok, func(ctx context.Context, a org.Actor, id int64, in reasonRequest) (*booking.Order, error) {
			return s.Booking.Decline(ctx, a, id, in.Reason)
		})
	case booking.ActionPropose:
		return withIDJSON(ok, s.Booking.Propose)
	case booking.ActionRespond:
		return withIDJSON(ok, func(ctx context.Context, a org.Actor, id int64, in respondRequest) (*booking.Order, error) {
			if in.Accept == nil {
				return nil, apperr.New(apperr.Invalid, "validation").Field("accept", "field.required")
			}
			return s.Booking.Respond(ctx, a, id, *in.Accept)
		})
	case booking.ActionCancel:
		return withIDJSON(ok, func(ctx context.Context, a org.Actor, id int64, in reasonRequest) (*booking.Order, error) {
			return s.Booking.Cancel(ctx, a, id, in.Reason)
		})
	case booking.ActionWithdraw:
		return withIDJSON(ok, func(ctx context.Context, a org.Actor, id int64, in reasonRequest) (*booking.Order, error) {
			return s.Booking.Withdraw(ctx, a, id, in.Reason)
		})
	case booking.ActionDeliver:
		return withIDJSON(ok, s.Booking.Deliver)
	case booking.ActionReview:
		return withIDJSON(ok, func(ctx context.Context, a org.Actor, id int64, in reviewRequest) (*booking.Order, error) {
			return s.Booking.Review(ctx, a, id, in.Stars, in.Comment)
		})
	case booking.ActionReassign:
		return withIDJSON(ok, func(ctx context.Context, a org.Actor, id int64, in reassignRequest) (*booking.Order, error) {
			return s.Booking.Reassign(ctx, a, id, in.LecturerID)
		})
	}
	panic("web: no API handler for the order action " + string(name))
}

func (s *Server) apiFreeSlots(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	lid, err := queryID(c, "lecturer_id")
	if err != nil {
		return err
	}
	act := actor(c)
	// The lesson must be visible to the caller (404 otherwise).
	if _, err := s.Lessons.Lesson(c.Request().Context(), act, id); err != nil {
		return err
	}
	slots, err := s.Booking.FreeSlots(c.Request().Context(), act, id, lid, 6, 200)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": slots})
}

func (s *Server) apiMemberLessons(c echo.Context) error {
	tid, err := queryID(c, "town_id")
	if err != nil {
		return err
	}
	f := themeday.MemberLessonFilter{Month: c.QueryParam("month")}
	if f.Page, f.PerPage, err = recordPaging(c); err != nil {
		return err
	}
	p, err := s.ThemeDay.MemberLessonPage(c.Request().Context(), actor(c).Narrowed(tid), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) apiPoints(c echo.Context) error {
	tid, err := queryID(c, "town_id")
	if err != nil {
		return err
	}
	r, err := s.Booking.Points(c.Request().Context(), actor(c), c.QueryParam("month"), tid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

type calendarLink struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

func (s *Server) calendarLinks(c echo.Context) ([]calendarLink, error) {
	fs, err := s.Booking.CalendarFeeds(c.Request().Context(), actor(c))
	if err != nil {
		return nil, err
	}
	out := []calendarLink{}
	for _, f := range fs {
		out = append(out, calendarLink{Kind: f.Kind, Name: f.Name, URL: s.feedURL(c, f.Token)})
	}
	return out, nil
}

// apiRotateCalendarLink gives the caller's feed a new link; the old one
// answers 404 from then on.
func (s *Server) apiRotateCalendarLink(c echo.Context) error {
	f, err := s.Booking.RotateCalendarFeed(c.Request().Context(), actor(c), c.Param("kind"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, calendarLink{Kind: f.Kind, Name: f.Name, URL: s.feedURL(c, f.Token)})
}

// feedURL is a feed's link as given out.
func (s *Server) feedURL(c echo.Context, token string) string {
	return s.baseURL(c) + "/calendar/" + token + ".ics"
}

func (s *Server) apiCalendarLinks(c echo.Context) error {
	ls, err := s.calendarLinks(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ls})
}

// calendarFeed serves a private .ics feed; the token in the URL is the key.
func (s *Server) calendarFeed(c echo.Context) error {
	tok := strings.TrimSuffix(c.Param("token"), ".ics")
	cal, err := s.Booking.FeedCalendar(c.Request().Context(), tok)
	if err != nil {
		return err
	}
	ics, err := booking.ICS(cal)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, max-age=300")
	if c.Request().Method == http.MethodHead {
		// What GET would send, without the body: calendar apps ask this
		// way whether a feed still exists and how big it is.
		h.Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
		h.Set(echo.HeaderContentLength, strconv.Itoa(len(ics)))
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", ics)
}

func (s *Server) apiInbox(c echo.Context) error {
	ms, unread, err := s.Notify.Inbox(c.Request().Context(), actor(c), 100)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ms, "unread": unread})
}

func (s *Server) apiInboxRead(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.Notify.MarkRead(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiTownSettings(c echo.Context) error {
	act := actor(c)
	t, err := s.Org.Town(c.Request().Context(), act, act.TownID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

func (s *Server) apiUpdateTownSettings(c echo.Context) error {
	var in org.TownSettings
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	t, err := s.Org.UpdateSettings(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}
