package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"weike/internal/apperr"
)

// A page's form carries a token that only the signed-in browser can know:
// an HMAC of its own session token, which lives in an HttpOnly cookie no
// other site can read. A token from another session, or a cookie and field
// pair made up by an attacker (the double-submit scheme weike used before
// took any pair that matched), is refused. Before sign-in the sign-in form's
// token is bound the same way to a random pre-session cookie. Behind HTTPS
// the cookies carry the __Host- prefix, which a sibling subdomain cannot set,
// so neither can be planted from elsewhere either. The token is derived, not
// stored: any instance checks it.

const (
	csrfFormField = "_csrf"
	csrfHeader    = "X-CSRF-Token"
	ctxCSRF       = "csrf"
)

// cookieName prefixes a cookie's name with __Host- when cookies are secure.
func (s *Server) cookieName(name string) string {
	if s.SecureCookies {
		return "__Host-" + name
	}
	return name
}

func (s *Server) sessionCookieName() string { return s.cookieName(sessionCookie) }

func (s *Server) preCookieName() string { return s.cookieName("weike_pre") }

// csrfToken is the token of forms bound to secret (a session or pre-session
// cookie's value).
func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("weike csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrf is the pages' guard: it gives each page the token of its forms and
// refuses a state-changing request without the right one.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		secret := ""
		if _, signedIn := actorOf(c); signedIn {
			if ck, err := c.Cookie(s.sessionCookieName()); err == nil {
				secret = ck.Value
			}
		}
		if secret == "" {
			ck, err := c.Cookie(s.preCookieName())
			if err == nil && len(ck.Value) >= 32 {
				secret = ck.Value
			} else if safeMethod(c.Request().Method) {
				// A fresh browser: bind its sign-in form to a pre-session
				// cookie made now.
				b := make([]byte, 32)
				if _, err := rand.Read(b); err != nil {
					return err
				}
				secret = base64.RawURLEncoding.EncodeToString(b)
				c.SetCookie(&http.Cookie{Name: s.preCookieName(), Value: secret, Path: "/", HttpOnly: true,
					Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
			}
		}
		if secret != "" {
			c.Set(ctxCSRF, csrfToken(secret))
		}
		if safeMethod(c.Request().Method) {
			return next(c)
		}
		if _, signedIn := actorOf(c); !signedIn && c.Path() != "/login" {
			// Nothing but sign-in changes anything without a session:
			// requireActor sends the user to sign in (and back) first.
			return next(c)
		}
		got := c.FormValue(csrfFormField)
		if got == "" {
			got = c.Request().Header.Get(csrfHeader)
		}
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(csrfToken(secret))) != 1 {
			return apperr.New(apperr.Forbidden, "csrf")
		}
		return next(c)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
