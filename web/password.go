package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
)

// Every account changes its own password: on the account page and through
// PUT /api/v1/me/password. The other sessions of the account end (the
// store drops them and their cache entries); the one making the change
// stays signed in.

type passwordInput struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// bearerSession is the caller's session token when it signed in with one
// (not with an API token).
func bearerSession(c echo.Context) string {
	tok, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	if tok = strings.TrimSpace(tok); !ok || strings.HasPrefix(tok, "wk_") {
		return ""
	}
	return tok
}

func (s *Server) apiChangePassword(c echo.Context) error {
	var in passwordInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := s.Org.ChangePassword(c.Request().Context(), actor(c), in.CurrentPassword, in.NewPassword, bearerSession(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// passwordFields are the password form's fields; nothing typed in them is
// ever shown again.
var passwordFields = []string{"current_password", "new_password", "new_password2"}

func (s *Server) accountPassword(c echo.Context) error {
	form := formOf(c, passwordFields...)
	keep := ""
	if ck, err := c.Cookie(s.sessionCookieName()); err == nil {
		keep = ck.Value
	}
	err := func() error {
		if form["new_password"] != form["new_password2"] {
			return apperr.New(apperr.Invalid, "validation").Field("new_password2", "field.password_mismatch")
		}
		return s.Org.ChangePassword(c.Request().Context(), actor(c), form["current_password"], form["new_password"], keep)
	}()
	if err != nil {
		status, errs, ok := formProblem(c, err)
		if ae, tooMany := apperr.As(err); tooMany && ae.Kind == apperr.TooMany {
			// Too many wrong tries: the form again, saying how long to wait.
			msg, _ := translate(langOf(c), ae)
			status, errs, ok = statusOf(ae.Kind), map[string]string{"_": msg}, true
		}
		if !ok {
			return err
		}
		v, err := s.accountData(c)
		if err != nil {
			return err
		}
		v.PasswordFailed = true
		return s.renderStatus(c, status, "account", pageData{Title: T(langOf(c), "nav.account"), Data: v, Errors: errs})
	}
	return c.Redirect(http.StatusSeeOther, "/account?password=1#password")
}
