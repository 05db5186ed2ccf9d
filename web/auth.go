package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
	"weike/org"
)

const sessionCookie = "weike_session"

// loadActor resolves the caller from a bearer token (API) or the session
// cookie (pages) and picks the language. Failing to resolve is not an error
// here: routes that need an actor say so with requireActor.
func (s *Server) loadActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ctx := r.Context()
		var acc *org.Account
		var act org.Actor
		var err error
		if h := r.Header.Get(echo.HeaderAuthorization); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return apperr.New(apperr.Unauthorized, "auth.bad_token")
			}
			tok = strings.TrimSpace(tok)
			if strings.HasPrefix(tok, "wk_") {
				acc, act, err = s.Org.TokenActor(ctx, tok)
			} else {
				acc, act, err = s.Org.SessionActor(ctx, tok)
			}
			if err != nil {
				if apperr.Is(err, apperr.Unauthorized) {
					return apperr.New(apperr.Unauthorized, "auth.bad_token")
				}
				return err
			}
			c.Set(ctxAPIAuth, true)
		} else if ck, cerr := c.Cookie(s.sessionCookieName()); cerr == nil && ck.Value != "" && !isAPI(c) {
			// The API takes bearer tokens only: a cookie riding along on a
			// cross-site request must not act for the user there (pages
			// have CSRF tokens, the API has none).
			acc, act, err = s.Org.SessionActor(ctx, ck.Value)
			if err != nil && !apperr.Is(err, apperr.Unauthorized) {
				return err
			}
		}
		lang := ""
		if ck, cerr := c.Cookie("lang"); cerr == nil {
			lang = normLang(ck.Value)
		}
		if acc != nil {
			c.Set(ctxActor, act)
			if lang == "" && !isAPI(c) {
				lang = normLang(acc.Lang)
			}
		}
		switch {
		case isAPI(c):
			// The API speaks the caller's Accept-Language, Chinese by default.
			lang = langFromHeader(r)
		case lang == "":
			// Pages are Chinese first; English is a choice made with the
			// switch, not a guess from the browser's headers.
			lang = LangZH
		}
		c.Set(ctxLang, lang)
		return next(c)
	}
}

func langOf(c echo.Context) string {
	if l, ok := c.Get(ctxLang).(string); ok && l != "" {
		return l
	}
	return langFromHeader(c.Request())
}

// actorOf returns the signed-in caller, if any.
func actorOf(c echo.Context) (org.Actor, bool) {
	a, ok := c.Get(ctxActor).(org.Actor)
	return a, ok
}

// requireActor refuses anonymous callers: 401 under /api, sign-in elsewhere.
func requireActor(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := actorOf(c); !ok {
			return apperr.New(apperr.Unauthorized, "auth.required")
		}
		return next(c)
	}
}

// requireRole lets only the given roles through (403 for the others). It is
// a coarse gate in routes.go; the stores check again, per record.
func requireRole(roles ...org.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			a, ok := actorOf(c)
			if !ok {
				return apperr.New(apperr.Unauthorized, "auth.required")
			}
			for _, r := range roles {
				if a.Role == r {
					return next(c)
				}
			}
			if a.Role == org.RoleCounty {
				return apperr.New(apperr.Forbidden, "forbidden.read_only")
			}
			return apperr.New(apperr.Forbidden, "forbidden")
		}
	}
}

// actor is the caller of a handler behind requireActor. It never fails:
// anywhere else it would return the zero Actor, who may do nothing.
func actor(c echo.Context) org.Actor {
	a, _ := actorOf(c)
	return a
}

// loginURL is the sign-in page with a way back to where the user was.
func loginURL(c echo.Context) string {
	r := c.Request()
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		// A form sent after the session ran out: come back to the page
		// the form was on (the referring page of this site), not to "/".
		next = ""
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
			next = ref.RequestURI()
		}
	}
	if next == "" || next == "/" || strings.HasPrefix(next, "/login") {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(next)
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) setSessionCookie(c echo.Context, token string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: s.sessionCookieName(), Value: token, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: maxAge})
}

// ---- API: session, me, tokens ----

type sessionRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

type sessionResponse struct {
	Token   string       `json:"token"`
	Role    org.Role     `json:"role"`
	Account *org.Account `json:"account"`
}

func (s *Server) apiCreateSession(c echo.Context) error {
	var req sessionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	acc, err := s.Org.Authenticate(c.Request().Context(), req.Login, req.Password, c.RealIP())
	if err != nil {
		return err
	}
	tok, err := s.Org.CreateSession(c.Request().Context(), acc.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionResponse{Token: tok, Role: acc.Role, Account: acc})
}

func (s *Server) apiDeleteSession(c echo.Context) error {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	tok := strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	if tok != "" && !strings.HasPrefix(tok, "wk_") {
		if err := s.Org.DeleteSession(c.Request().Context(), tok); err != nil {
			return err
		}
	}
	return c.NoContent(http.StatusNoContent)
}

type meResponse struct {
	Account    *org.Account `json:"account"`
	Role       org.Role     `json:"role"`
	Town       *org.Town    `json:"town,omitempty"`
	County     *org.County  `json:"county"`
	Towns      []org.Town   `json:"towns"`
	BranchID   *int64       `json:"branch_id,omitempty"`
	LecturerID *int64       `json:"lecturer_id,omitempty"`
}

func (s *Server) apiMe(c echo.Context) error {
	act := actor(c)
	ctx := c.Request().Context()
	acc, err := s.Org.Account(ctx, act)
	if err != nil {
		return err
	}
	res := meResponse{Account: acc, Role: act.Role, BranchID: acc.BranchID, LecturerID: acc.LecturerID}
	if act.TownID != 0 {
		if res.Town, err = s.Org.Town(ctx, act, act.TownID); err != nil {
			return err
		}
	}
	if res.County, err = s.Org.County(ctx, act); err != nil {
		return err
	}
	if res.Towns, err = s.Org.Towns(ctx, act); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

type tokenRequest struct {
	Name string `json:"name"`
}

type tokenResponse struct {
	*org.APIToken
	Token string `json:"token"`
}

func (s *Server) apiCreateToken(c echo.Context) error {
	var req tokenRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, secret, err := s.Org.CreateToken(c.Request().Context(), actor(c), req.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, tokenResponse{APIToken: t, Token: secret})
}

func (s *Server) apiTokens(c echo.Context) error {
	ts, err := s.Org.Tokens(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": ts})
}

func (s *Server) apiRevokeToken(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.Org.RevokeToken(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiDemo(c echo.Context) error {
	if s.Demo == nil {
		return apperr.New(apperr.NotFound, "not_found")
	}
	return c.JSON(http.StatusOK, s.Demo)
}
