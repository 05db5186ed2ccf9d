package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"weike/notify"
	"weike/org"
)

type accountView struct {
	Account *org.Account
	Town    string
	County  string
	Tokens  []org.APIToken
	// Channels are how the account gets messages.
	Channels *notify.ChannelPrefs
	// Events are the kinds of event message that reach the account's
	// role, each on or off.
	Events []notify.KindPref
	// Secret is a new token's secret, shown this once and never again.
	Secret string
	// PasswordFailed: the errors on the page are the password form's.
	PasswordFailed bool
	// TokensOpen: the API tokens are shown, not folded away under
	// "advanced" (officials and county viewers, who use them for reports).
	TokensOpen bool
}

func (s *Server) accountData(c echo.Context) (*accountView, error) {
	act := actor(c)
	ctx := c.Request().Context()
	acc, err := s.Org.Account(ctx, act)
	if err != nil {
		return nil, err
	}
	v := &accountView{Account: acc, TokensOpen: act.Role == org.RoleOfficial || act.Role == org.RoleCounty}
	if act.TownID != 0 {
		t, err := s.Org.Town(ctx, act, act.TownID)
		if err != nil {
			return nil, err
		}
		v.Town = t.Name
	}
	if cty, err := s.Org.County(ctx, act); err == nil {
		v.County = cty.Name
	}
	if v.Tokens, err = s.Org.Tokens(ctx, act); err != nil {
		return nil, err
	}
	if v.Channels, err = s.channelsOf(c, act); err != nil {
		return nil, err
	}
	if v.Events, err = s.Notify.EventPrefs(ctx, act); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) accountPage(c echo.Context) error {
	v, err := s.accountData(c)
	if err != nil {
		return err
	}
	flash := ""
	if c.QueryParam("revoked") == "1" {
		flash = T(langOf(c), "cat.account.revoked")
	}
	if c.QueryParam("channels") == "1" {
		flash = T(langOf(c), "msg.channels_saved")
	}
	if c.QueryParam("events") == "1" {
		flash = T(langOf(c), "msg.events_saved")
	}
	if c.QueryParam("password") == "1" {
		flash = T(langOf(c), "account.password_changed")
	}
	return s.render(c, "account", pageData{Title: T(langOf(c), "nav.account"), Data: v, Flash: flash})
}

func (s *Server) accountCreateToken(c echo.Context) error {
	form := formOf(c, "name")
	_, secret, err := s.Org.CreateToken(c.Request().Context(), actor(c), form["name"])
	if err != nil {
		status, errs, ok := formProblem(c, err)
		if !ok {
			return err
		}
		v, err := s.accountData(c)
		if err != nil {
			return err
		}
		v.TokensOpen = true
		return s.renderStatus(c, status, "account", pageData{Title: T(langOf(c), "nav.account"), Data: v, Form: form, Errors: errs})
	}
	v, err := s.accountData(c)
	if err != nil {
		return err
	}
	// The secret is rendered in the response rather than carried through a
	// redirect: it must never sit in a URL, a log or a cookie.
	v.Secret, v.TokensOpen = secret, true
	return s.render(c, "account", pageData{Title: T(langOf(c), "nav.account"), Data: v, Flash: T(langOf(c), "cat.account.created")})
}

func (s *Server) accountRevokeToken(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.Org.RevokeToken(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?revoked=1")
}

// ---- inbox ----

func (s *Server) inboxPage(c echo.Context) error {
	ms, unread, err := s.Notify.Inbox(c.Request().Context(), actor(c), 100)
	if err != nil {
		return err
	}
	return s.render(c, "inbox", pageData{Title: T(langOf(c), "op.inbox.title"),
		Data: map[string]any{"Items": ms, "Unread": unread}})
}

func (s *Server) inboxRead(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	act := actor(c)
	ctx := c.Request().Context()
	if err := s.Notify.MarkRead(ctx, act, id); err != nil {
		return err
	}
	next := "/inbox"
	if ms, _, err := s.Notify.Inbox(ctx, act, 200); err == nil {
		for _, m := range ms {
			// Only a link inside weike: a message never sends anyone away.
			if m.ID == id && safeNext(m.Link) == m.Link {
				next = m.Link
			}
		}
	}
	return c.Redirect(http.StatusSeeOther, next)
}
