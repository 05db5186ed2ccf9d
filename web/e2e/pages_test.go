package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"weike/org"
)

// maxFirstVisit is what a page may transfer on a first visit, everything
// it loads included; the dashboard, with its charts, is the exception.
const maxFirstVisit = 200 << 10

// TestEveryPage opens the pages of each role as a first visit (the cache
// off) and holds each to the rules: under 200 KB over the wire, nothing
// from another origin (checked by the tab), lang set, inputs labelled,
// contrast at least 4.5:1, a focus ring on every stop of the keyboard, no
// sideways scrolling on a 390 px phone and a 1280 px desktop, and on the
// phone targets of 44×44 px and a one-line header (layoutJS).
func TestEveryPage(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	lessonID, orderID := secretarysLessonAndOrder(t, a)

	for _, r := range []struct {
		login string
		dev   device
		pages []string
	}{
		{"", phone, []string{"/login"}},
		{"secretary", phone, []string{"/", "/lessons", fmt.Sprintf("/lessons/%d", lessonID), fmt.Sprintf("/lessons/%d/order", lessonID),
			"/orders", fmt.Sprintf("/orders/%d", orderID), "/this-month", "/member-lessons", "/lecturers", "/films", "/inbox", "/account"}},
		{"lecturer", phone, []string{"/", "/agenda", "/points", "/orders", fmt.Sprintf("/lecturers/%d/hours", a.actor(t, "lecturer").LecturerID)}},
		{"official", desktop, []string{"/", "/orders", fmt.Sprintf("/orders/%d", orderID), "/dashboard", "/plans", "/plans/" + start.Format("2006-01"),
			"/plans/2026-06/dispatch", "/branches", "/settings", "/import", "/messages", "/lessons", "/lecturers", "/films", "/points",
			"/member-lessons", "/inbox", "/account"}},
		{"county", desktop, []string{"/", "/county", "/dashboard", "/plans/2026-06/dispatch"}},
	} {
		name := r.login
		if name == "" {
			name = "anonymous"
		}
		t.Run(name, func(t *testing.T) {
			tb := openTab(t, a, r.dev)
			if r.login != "" {
				tb.signIn(r.login, demoPassword)
			}
			// Every visit below is a first one: nothing comes from the cache.
			call(tb, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
			for _, p := range r.pages {
				from := tb.mark()
				if st := tb.open(p); st != 200 {
					t.Errorf("%s answers %d", p, st)
					continue
				}
				tb.wantPath(p)
				var total float64
				var parts []string
				for _, q := range tb.requests(from) {
					total += q.bytes
					name := strings.TrimPrefix(q.url, a.URL)
					if i := strings.IndexAny(name, "?,"); i > 0 {
						name = name[:i]
					}
					parts = append(parts, fmt.Sprintf("%s %.1f KB", name, q.bytes/1024))
				}
				t.Logf("%-22s %6.1f KB (%s)", p, total/1024, strings.Join(parts, ", "))
				if total > maxFirstVisit && p != "/dashboard" {
					t.Errorf("%s transfers %.0f KB on a first visit, more than %d KB: %s", p, total/1024, maxFirstVisit>>10, strings.Join(parts, ", "))
				}
				if total == 0 {
					t.Errorf("%s: no bytes recorded", p)
				}
				tb.audit()
				tb.checkFocus(60)
				// Whoever usually opens it, the page fits the other
				// screen too.
				tb.auditAt(map[bool]device{true: desktop, false: phone}[r.dev.mobile])
			}
		})
	}
}

// TestKeyboardOnly signs in and reaches the lessons with Tab and Enter only.
func TestKeyboardOnly(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	tb := openTab(t, a, desktop)
	tb.open("/login")
	press := func(what, keys string) {
		t.Helper()
		tb.step(what, chromedp.KeyEvent(keys))
	}
	// tabTo presses Tab until the element matching sel has the focus.
	tabTo := func(sel string) {
		t.Helper()
		for range 40 {
			press("Tab", "\t")
			if eval[bool](tb, fmt.Sprintf(`document.activeElement && document.activeElement.matches(%s)`, jsString(sel))) {
				return
			}
		}
		t.Fatalf("at %s, Tab never reaches %s", tb.location(), sel)
	}
	tabTo("#login")
	press("type the login", "secretary")
	press("Tab to the password", "\t")
	if !eval[bool](tb, `document.activeElement.id === 'password'`) {
		t.Fatal("Tab from the login does not go to the password")
	}
	press("type the password", demoPassword)
	tb.load("press Enter", chromedp.KeyEvent("\r"))
	tb.wantPath("/")
	tabTo(`header nav a[href="/lessons"]`)
	tb.load("press Enter on the lessons", chromedp.KeyEvent("\r"))
	tb.wantPath("/lessons")
	tabTo(`ul.list h2 a`)
	tb.load("press Enter on the first lesson", chromedp.KeyEvent("\r"))
	if !strings.HasPrefix(tb.location(), "/lessons/") {
		t.Fatalf("Enter on a lesson leads to %s", tb.location())
	}
}

// TestSessionLostOrExpired: a user whose session is gone (the cookie lost,
// or the session expired on the server) is sent to sign in, and then back
// to the page they asked for.
func TestSessionLostOrExpired(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	tb := openTab(t, a, phone)
	tb.signIn("secretary", demoPassword)
	deep := "/orders?status=requested"
	tb.open(deep)
	tb.wantPath(deep)

	for _, c := range []struct {
		name string
		lose func()
	}{
		{"the cookie is lost", func() {
			call(tb, network.DeleteCookies, network.DeleteCookiesParams{Name: "weike_session", URL: a.URL + "/"})
		}},
		{"the session expires", func() {
			a.Clock.Set(a.Clock.Now().Add(org.SessionTTL + time.Minute))
		}},
	} {
		c.lose()
		tb.open(deep)
		want := "/login?next=" + url.QueryEscape(deep)
		if got := tb.location(); got != want {
			t.Fatalf("%s: opening %s lands at %s, want %s", c.name, deep, got, want)
		}
		tb.wantText("请先登录")
		if got := tb.signIn("secretary", demoPassword); got != deep {
			t.Fatalf("%s: after signing in again the user is at %s, want %s", c.name, got, deep)
		}
	}
}
