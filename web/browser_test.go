package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"weike/fixture"
)

// browser is what every page test drives the real router with: it keeps
// cookies (session, CSRF, language) and the latest CSRF token a page carried,
// as a browser would.
type browser struct {
	t    *testing.T
	e    *env
	jar  map[string]*http.Cookie
	csrf string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

func newBrowser(t *testing.T, e *env) *browser {
	return &browser{t: t, e: e, jar: map[string]*http.Cookie{}}
}

func (b *browser) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	for _, c := range b.jar {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.e.S.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.jar, c.Name)
		} else {
			b.jar[c.Name] = c
		}
	}
	if m := csrfField.FindStringSubmatch(rec.Body.String()); m != nil {
		b.csrf = html.UnescapeString(m[1])
	}
	return rec
}

func (b *browser) get(path string) *httptest.ResponseRecorder {
	b.t.Helper()
	return b.do(http.MethodGet, path, nil)
}

// post sends a form with the CSRF token of the last page seen.
func (b *browser) post(path string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("_csrf", b.csrf)
	return b.do(http.MethodPost, path, f)
}

// signIn gives a browser a session of login from the store, then opens
// the home page for its CSRF cookie and token, as a browser would have.
func signIn(t *testing.T, e *env, login string) *browser {
	t.Helper()
	b := newBrowser(t, e)
	b.jar[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: e.session(login)}
	if res := b.get("/"); res.Code != http.StatusOK || b.csrf == "" {
		t.Fatalf("home page of %s: %d, csrf %q", login, res.Code, b.csrf)
	}
	return b
}

// formSignIn signs login in through the sign-in form, password and all:
// for the tests of sign-in itself.
func formSignIn(t *testing.T, e *env, login string) *browser {
	t.Helper()
	b := newBrowser(t, e)
	if res := b.get("/login"); res.Code != http.StatusOK || b.csrf == "" {
		t.Fatalf("login page: %d, csrf %q", res.Code, b.csrf)
	}
	res := b.post("/login", url.Values{"login": {login}, "password": {fixture.Password}})
	if res.Code != http.StatusSeeOther || b.jar[sessionCookie] == nil {
		t.Fatalf("sign in %s: %d %s", login, res.Code, res.Body)
	}
	return b
}

// mustContain fails the test when the page lacks any of want.
func mustContain(t *testing.T, res *httptest.ResponseRecorder, want ...string) {
	t.Helper()
	body := res.Body.String()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q:\n%s", w, body)
		}
	}
}

// mustLack fails the test when the page shows any of unwanted.
func mustLack(t *testing.T, res *httptest.ResponseRecorder, unwanted ...string) {
	t.Helper()
	body := res.Body.String()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("page shows %q but should not", w)
		}
	}
}
