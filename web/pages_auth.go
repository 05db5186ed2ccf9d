package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/lessons"
	"weike/org"
)

// authPages: sign-in, sign-out, the language switch and the home page.

func (s *Server) loginPage(c echo.Context) error {
	if _, ok := actorOf(c); ok {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	pd := pageData{Title: T(langOf(c), "login.title"), Data: s.demoData(), Form: map[string]string{"next": c.QueryParam("next")}}
	if pd.Form["next"] != "" {
		// Sent here from a page: the session is gone (signed out
		// elsewhere, expired). Say so; signing in leads back there.
		pd.Flash = T(langOf(c), "auth.required")
	}
	return s.render(c, "login", pd)
}

func (s *Server) demoData() *Demo {
	if s.Demo == nil {
		return &Demo{}
	}
	return s.Demo
}

func (s *Server) login(c echo.Context) error {
	login := strings.TrimSpace(c.FormValue("login"))
	password := c.FormValue("password")
	next := c.FormValue("next")
	if s.Demo != nil && c.FormValue("demo") == "1" {
		// One-click sign-in as a demo role: only ever in demo mode.
		password = s.Demo.Password
	}
	acc, err := s.Org.Authenticate(c.Request().Context(), login, password, c.RealIP())
	if err != nil {
		if ae, ok := apperr.As(err); ok && (ae.Kind == apperr.Unauthorized || ae.Kind == apperr.TooMany) {
			pe := s.toPublic(c, err)
			retryAfter(c, pe)
			return s.renderStatus(c, pe.Status, "login", pageData{Title: T(langOf(c), "login.title"), Data: s.demoData(),
				Errors: map[string]string{"_": pe.Message}, Form: map[string]string{"login": login, "next": next}})
		}
		return err
	}
	tok, err := s.Org.CreateSession(c.Request().Context(), acc.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, tok, int(org.SessionTTL.Seconds()))
	return c.Redirect(http.StatusSeeOther, safeNext(next))
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(s.sessionCookieName()); err == nil && ck.Value != "" {
		if err := s.Org.DeleteSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.setSessionCookie(c, "", -1)
	return c.Redirect(http.StatusSeeOther, "/login")
}

// setLang switches this device's pages to another language: a cookie, and
// nothing else. A GET changes no stored state (a link followed by a crawler
// or a prefetch must not); the account's own language, which its messages
// are written in, changes with accountLang's form.
func (s *Server) setLang(c echo.Context) error {
	lang := normLang(c.Param("lang"))
	if lang == "" {
		return apperr.New(apperr.NotFound, "not_found")
	}
	s.setLangCookie(c, lang)
	return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
}

func (s *Server) setLangCookie(c echo.Context, lang string) {
	c.SetCookie(&http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// accountLang stores the account's language (its pages and its messages)
// and switches this device to it.
func (s *Server) accountLang(c echo.Context) error {
	lang := normLang(c.FormValue("lang"))
	if lang == "" {
		return apperr.New(apperr.BadRequest, "bad_request").Field("lang", "field.required")
	}
	if err := s.Org.SetLang(c.Request().Context(), actor(c), lang); err != nil {
		return err
	}
	s.setLangCookie(c, lang)
	return c.Redirect(http.StatusSeeOther, "/account")
}

type homeData struct {
	Place     string
	Lessons   int64
	NextMonth string // the month an official's dispatch tile opens
}

func (s *Server) home(c echo.Context) error {
	act := actor(c)
	ctx := c.Request().Context()
	page, err := s.Lessons.Lessons(ctx, act, lessons.LessonFilter{PerPage: 1})
	if err != nil {
		return err
	}
	d := homeData{Lessons: page.Total, NextMonth: shiftMonth(s.thisMonth(), 1)}
	if act.TownID != 0 {
		t, err := s.Org.Town(ctx, act, act.TownID)
		if err != nil {
			return err
		}
		d.Place = t.Name
	} else if cty, err := s.Org.County(ctx, act); err == nil {
		d.Place = cty.Name
	}
	if act.BranchID != 0 {
		if b, err := s.Org.Branch(ctx, act, act.BranchID); err == nil {
			d.Place += " · " + b.Name
		}
	}
	if act.Role == org.RoleOfficial {
		return s.officialHome(c, d)
	}
	if act.Role == org.RoleLecturer && act.LecturerID != 0 {
		return s.lecturerHome(c, d.Place)
	}
	return s.render(c, "home", pageData{Title: T(langOf(c), "nav.home"), Data: d})
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": s.Version})
}

func (s *Server) readyz(c echo.Context) error {
	if s.Ready != nil {
		if err := s.Ready(c.Request().Context()); err != nil {
			s.log.Warn("not ready", "err", err)
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
