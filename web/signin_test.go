package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"weike/fixture"
)

// TestSignInThrottledPerAddress: wrong passwords from one address slow down
// that address's sign-ins to the login (429 with Retry-After, in the API and
// on the sign-in page) and never refuse the right password from another.
func TestSignInThrottledPerAddress(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		api := func(ip, password string) *httptest.ResponseRecorder {
			body, _ := json.Marshal(map[string]string{"login": "ch-secretary", "password": password})
			req := httptest.NewRequest(http.MethodPost, "/api/v1/session", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = ip + ":40000"
			rec := httptest.NewRecorder()
			e.S.ServeHTTP(rec, req)
			return rec
		}
		for i := range 5 {
			if res := api("127.0.0.1", "wrong-password"); res.Code != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: %d %s", i, res.Code, res.Body)
			}
		}
		res := api("127.0.0.1", fixture.Password)
		if res.Code != http.StatusTooManyRequests || res.Header().Get("Retry-After") != "30" {
			t.Fatalf("throttled pair: %d, Retry-After %q, %s", res.Code, res.Header().Get("Retry-After"), res.Body)
		}
		if !strings.Contains(res.Body.String(), `"retry_after":30`) {
			t.Errorf("the API's error does not say when: %s", res.Body)
		}
		if res := api("127.0.0.2", fixture.Password); res.Code != http.StatusOK {
			t.Fatalf("the owner from another address: %d %s", res.Code, res.Body)
		}
		// The sign-in page says the same, in words and in the header.
		b := newBrowser(t, e)
		b.get("/login")
		form := url.Values{"login": {"ch-secretary"}, "password": {fixture.Password}, "_csrf": {b.csrf}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = "127.0.0.1:40001"
		for _, c := range b.jar {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		rec := httptest.NewRecorder()
		e.S.ServeHTTP(rec, req)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("sign-in page, throttled: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
		}
		mustContain(t, rec, "此处登录失败次数过多，请 1 分钟后再试", `value="ch-secretary"`)
	})
}
