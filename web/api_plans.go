package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"weike/booking"
	"weike/dispatch"
)

// The town's dispatch (派单) in the API: the month's draft, and dispatching
// rows of it as orders.

// draftItemJSON is a proposal as the API gives it: its reasons in the
// caller's language.
type draftItemJSON struct {
	BranchID    int64         `json:"branch_id"`
	CourtyardID int64         `json:"courtyard_id"`
	LessonID    int64         `json:"lesson_id"`
	LecturerID  int64         `json:"lecturer_id"`
	Start       time.Time     `json:"start"`
	Cost        dispatch.Cost `json:"cost"`
	Reasons     []string      `json:"reasons"`
}

type unplacedJSON struct {
	BranchID int64  `json:"branch_id"`
	Reason   string `json:"reason"`
}

type draftJSON struct {
	Month    string          `json:"month"`
	TownID   int64           `json:"town_id"`
	Items    []draftItemJSON `json:"items"`
	Unplaced []unplacedJSON  `json:"unplaced"`
	Stats    dispatch.Stats  `json:"stats"`
}

// say renders a domain note in lang.
func say(lang string, n dispatch.Note) string { return T(lang, n.Key, n.Params...) }

func sayAll(lang string, ns []dispatch.Note) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = say(lang, n)
	}
	return out
}

// apiDraft drafts a month; the body is optional.
func (s *Server) apiDraft(c echo.Context) error {
	var in dispatch.DraftInput
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(body)) != "" {
		if err := strictNames(body, &in); err != nil {
			return err
		}
		if err := decodeJSON(body, &in); err != nil {
			return err
		}
	}
	d, err := s.Dispatch.Draft(c.Request().Context(), actor(c), c.Param("month"), in)
	if err != nil {
		return err
	}
	lang := langOf(c)
	out := draftJSON{Month: d.Month, TownID: d.TownID, Items: []draftItemJSON{}, Unplaced: []unplacedJSON{}, Stats: d.Stats}
	for _, it := range d.Items {
		out.Items = append(out.Items, draftItemJSON{BranchID: it.BranchID, CourtyardID: it.CourtyardID, LessonID: it.LessonID,
			LecturerID: it.LecturerID, Start: it.Start, Cost: it.Cost, Reasons: sayAll(lang, it.Reasons)})
	}
	for _, u := range d.Unplaced {
		out.Unplaced = append(out.Unplaced, unplacedJSON{BranchID: u.BranchID, Reason: say(lang, u.Reason)})
	}
	return c.JSON(http.StatusOK, out)
}

// dispatchRow is a row to dispatch: a proposal of a draft, as it stands or
// as the official changed it.
type dispatchRow struct {
	BranchID    int64     `json:"branch_id"`
	CourtyardID int64     `json:"courtyard_id"`
	LessonID    int64     `json:"lesson_id"`
	LecturerID  int64     `json:"lecturer_id"`
	Start       time.Time `json:"start"`
}

type dispatchRequest struct {
	Items []dispatchRow `json:"items"`
}

type refusedJSON struct {
	BranchID int64        `json:"branch_id"`
	Error    apiErrorBody `json:"error"`
}

type dispatchedJSON struct {
	Orders  []*booking.Order `json:"orders"`
	Refused []refusedJSON    `json:"refused"`
}

func (s *Server) apiDispatch(c echo.Context) error {
	var in dispatchRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	rows := make([]dispatch.Item, len(in.Items))
	for i, r := range in.Items {
		rows[i] = dispatch.Item{BranchID: r.BranchID, CourtyardID: r.CourtyardID, LessonID: r.LessonID, LecturerID: r.LecturerID, Start: r.Start}
	}
	res, err := s.Dispatch.Dispatch(c.Request().Context(), actor(c), c.Param("month"), rows)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.dispatchedJSON(c, res))
}

func (s *Server) dispatchedJSON(c echo.Context, res *dispatch.Dispatched) dispatchedJSON {
	out := dispatchedJSON{Orders: res.Orders, Refused: []refusedJSON{}}
	for _, r := range res.Refused {
		pe := s.toPublic(c, r.Err)
		out.Refused = append(out.Refused, refusedJSON{BranchID: r.BranchID, Error: apiErrorBody{Code: pe.Code, Message: pe.Message, Fields: pe.Fields}})
	}
	return out
}
