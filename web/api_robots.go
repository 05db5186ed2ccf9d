package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
)

// robotRequest sets the group robot of the town (branch_id 0) or of one of
// its branches.
type robotRequest struct {
	BranchID int64  `json:"branch_id"`
	Kind     string `json:"kind"`
	URL      string `json:"url"`
	Secret   string `json:"secret"`
}

func (s *Server) apiRobots(c echo.Context) error {
	rs, err := s.Notify.Robots(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": rs})
}

func (s *Server) apiPutRobot(c echo.Context) error {
	var in robotRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.URL == "" {
		// The page's empty URL removes a robot; the API says so with DELETE.
		return apperr.New(apperr.Invalid, "validation").Field("url", "field.required")
	}
	r, err := s.Notify.PutRobot(c.Request().Context(), actor(c), in.BranchID, in.Kind, in.URL, in.Secret)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *Server) apiDeleteRobot(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.Notify.DeleteRobot(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
