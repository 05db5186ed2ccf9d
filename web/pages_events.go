package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"weike/notify"
)

// Which event messages an account gets: the kinds that reach its role,
// each on or off, on the account page and in the API. The kinds that ask
// the account for an answer stay on (notify.Required).

func (s *Server) apiEventPrefs(c echo.Context) error {
	ps, err := s.Notify.EventPrefs(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ps})
}

type eventPrefsRequest struct {
	// Off are the kinds the account turns off; every other kind that
	// reaches its role is on.
	Off []string `json:"off"`
}

func (s *Server) apiPutEventPrefs(c echo.Context) error {
	var in eventPrefsRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ps, err := s.Notify.SetMutedKinds(c.Request().Context(), actor(c), in.Off)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ps})
}

// accountEvents saves the account page's checkboxes: a kind left
// unchecked is turned off (a required one, shown checked and disabled,
// cannot be).
func (s *Server) accountEvents(c echo.Context) error {
	if err := c.Request().ParseForm(); err != nil {
		return err
	}
	act := actor(c)
	on := c.Request().PostForm["on"]
	var off []string
	for _, k := range notify.KindsFor(act.Role) {
		if !slices.Contains(on, k.Kind) && !notify.Required(k.Kind, act.Role) {
			off = append(off, k.Kind)
		}
	}
	if _, err := s.Notify.SetMutedKinds(c.Request().Context(), act, off); err != nil {
		status, errs, ok := formProblem(c, err)
		if !ok {
			return err
		}
		v, err := s.accountData(c)
		if err != nil {
			return err
		}
		return s.renderStatus(c, status, "account", pageData{Title: T(langOf(c), "nav.account"), Data: v, Errors: errs})
	}
	return c.Redirect(http.StatusSeeOther, "/account?events=1#events")
}
