package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"weike/fixture"
	"weike/internal/db/dbtest"
)

// TestCSRFBoundToSession: a form's token is good for its own session only;
// a made-up cookie and field pair, the token of another session, or a
// sign-in form without its pre-session cookie is refused.
func TestCSRFBoundToSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	sec, off := signIn(t, e, "ch-secretary"), signIn(t, e, "ch-official")
	sec.get("/account")
	off.get("/account")
	if sec.csrf == off.csrf {
		t.Fatal("two sessions got the same form token")
	}
	channels := url.Values{"channels": {"inbox"}}
	cases := []struct {
		name  string
		b     *browser
		token string
		extra map[string]string // cookies added
		want  int
	}{
		{"own token", sec, sec.csrf, nil, http.StatusSeeOther},
		{"another session's token", sec, off.csrf, nil, http.StatusForbidden},
		{"no token", sec, "", nil, http.StatusForbidden},
		{"a made-up double-submit pair", sec, "forged-token-1234567890", map[string]string{"weike_csrf": "forged-token-1234567890"}, http.StatusForbidden},
	}
	for _, c := range cases {
		f := url.Values{}
		for k, v := range channels {
			f[k] = v
		}
		f.Set("_csrf", c.token)
		for name, v := range c.extra {
			c.b.jar[name] = &http.Cookie{Name: name, Value: v}
		}
		res := c.b.do(http.MethodPost, "/account/channels", f)
		for name := range c.extra {
			delete(c.b.jar, name)
		}
		if res.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, res.Code, c.want)
		}
	}

	// Sign-in: the form's token is bound to its pre-session cookie.
	signInWith := func(b *browser, token string) int {
		return b.do(http.MethodPost, "/login", url.Values{"login": {"ch-lecturer"}, "password": {fixture.Password}, "_csrf": {token}}).Code
	}
	a, other := newBrowser(t, e), newBrowser(t, e)
	a.get("/login")
	other.get("/login")
	if a.csrf == "" || a.csrf == other.csrf {
		t.Fatalf("sign-in forms' tokens: %q, %q", a.csrf, other.csrf)
	}
	if code := signInWith(newBrowser(t, e), a.csrf); code != http.StatusForbidden {
		t.Errorf("sign-in without the pre-session cookie: %d", code)
	}
	if code := signInWith(a, other.csrf); code != http.StatusForbidden {
		t.Errorf("sign-in with another browser's token: %d", code)
	}
	if code := signInWith(a, a.csrf); code != http.StatusSeeOther {
		t.Errorf("sign-in with its own token: %d", code)
	}
}

// TestSecureCookiesHostPrefix: behind HTTPS the session and pre-session
// cookies are __Host- cookies (Secure, Path=/, no Domain), and a plain
// cookie of the old name is no session.
func TestSecureCookiesHostPrefix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	e.S.SecureCookies = true
	b := newBrowser(t, e)
	res := b.get("/login")
	pre := b.jar["__Host-weike_pre"]
	if pre == nil || !pre.Secure || pre.Path != "/" || pre.Domain != "" || !pre.HttpOnly {
		t.Fatalf("pre-session cookie: %+v (all: %v)", pre, res.Result().Cookies())
	}
	if res := b.post("/login", url.Values{"login": {"ch-secretary"}, "password": {fixture.Password}}); res.Code != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.Code)
	}
	sess := b.jar["__Host-weike_session"]
	if sess == nil || !sess.Secure || sess.Path != "/" || sess.Domain != "" {
		t.Fatalf("session cookie: %+v", sess)
	}
	if res := b.get("/account"); res.Code != http.StatusOK {
		t.Fatalf("account page with the __Host- session: %d", res.Code)
	}
	plain := newBrowser(t, e)
	plain.jar[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: sess.Value}
	if res := plain.get("/account"); res.Code != http.StatusSeeOther || !strings.HasPrefix(res.Header().Get("Location"), "/login") {
		t.Errorf("a plain weike_session cookie was taken as a session: %d", res.Code)
	}
}

// TestLanguageSwitchChangesNothingStored: the header's GET switch sets this
// device's cookie only; the account's language (its messages') changes with
// the account page's POST form.
func TestLanguageSwitchChangesNothingStored(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	stored := func() string {
		a, err := e.W.Org.AccountByLogin(t.Context(), "ch-secretary")
		if err != nil {
			t.Fatal(err)
		}
		return a.Lang
	}
	b := signIn(t, e, "ch-secretary")
	if res := b.get("/lang/en?next=/account"); res.Code != http.StatusSeeOther || b.jar["lang"] == nil || b.jar["lang"].Value != "en" {
		t.Fatalf("switch: %d, cookie %v", res.Code, b.jar["lang"])
	}
	if got := stored(); got != "zh-CN" {
		t.Fatalf("a GET changed the account's language to %q", got)
	}
	page := b.get("/account")
	mustContain(t, page, `action="/account/lang"`, "Use English")
	if res := b.post("/account/lang", url.Values{"lang": {"en"}}); res.Code != http.StatusSeeOther {
		t.Fatalf("account language: %d", res.Code)
	}
	if got := stored(); got != "en" {
		t.Fatalf("the account's language is %q after its form", got)
	}
}
