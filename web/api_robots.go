package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/notify"
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

// apiTestRobot sends a test message through a robot of the official's
// town. It answers 200 whatever the robot said: ok, or the problem (a
// catalog key), its words in the caller's language and the robot's own.
func (s *Server) apiTestRobot(c echo.Context) error {
	r, err := pathRecord(c, s.Notify.TestRobot)
	if err != nil {
		return err
	}
	out := robotTestResult{RobotTest: *r}
	if !r.OK {
		out.Message = T(langOf(c), r.Problem)
	}
	return c.JSON(http.StatusOK, out)
}

// robotTestResult is a test's result with its problem in words.
type robotTestResult struct {
	notify.RobotTest
	Message string `json:"message,omitempty"`
}
