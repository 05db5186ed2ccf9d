package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"weike/booking"
)

// TestPhoneTargets: on a 390 px phone the secretary's header stays on one
// line with its menu folded and opens below when tapped; the map link of
// an order, the "观看" buttons of the films and the 1★–5★ rating are big
// enough to tap, and the rating fits one line. (Every page the tests open
// is held to the tap-target and width rules by audit; this walks the ones
// the trial measured.)
func TestPhoneTargets(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	ctx := context.Background()
	sec := a.actor(t, "secretary")
	given, err := a.Booking.List(ctx, sec, booking.OrderFilter{Statuses: []booking.Status{booking.Delivered}, PerPage: 1})
	if err != nil || len(given.Items) == 0 {
		t.Fatalf("a lesson of the secretary's to review: %v", err)
	}
	tb := openTab(t, a, phone)
	tb.signIn("secretary", demoPassword)

	// The header: one line, the menu folded; tapped, it opens below.
	tb.open("/")
	tb.audit()
	if tb.has(`header nav a[href="/orders"]:not(:empty)`) && eval[bool](tb, `document.querySelector('header nav').getClientRects().length > 0`) {
		t.Error("the menu is open before it is tapped")
	}
	h := eval[float64](tb, `document.querySelector('header').getBoundingClientRect().height`)
	if h > 60 {
		t.Errorf("the header is %.0f px tall: more than one line", h)
	}
	tb.step("open the menu", chromedp.Click(chromedp.CSS(`header label.menu-button`)))
	if !eval[bool](tb, `document.querySelector('header nav a[href="/orders"]').getBoundingClientRect().top >= 44`) {
		t.Error("the opened menu is not below the header's line")
	}
	tb.audit()
	tb.nav("/films")
	tb.audit()
	watch := eval[[]float64](tb, `(() => { const b = [...document.querySelectorAll('#main a.button')].find(a => a.innerText.trim() === '观看' || a.innerText.trim() === '怎样观看');
		if (!b) return []; const r = b.getBoundingClientRect(); return [r.width, r.height] })()`)
	if len(watch) != 2 || watch[0] < 44 || watch[1] < 44 {
		t.Errorf("the films' watch button measures %v, want at least 44×44", watch)
	}

	// The rating of a lesson given: five choices on one line.
	tb.open(fmt.Sprintf("/orders/%d", given.Items[0].ID))
	tb.audit()
	tops := eval[[]float64](tb, `[...document.querySelectorAll('.stars-pick label')].map(l => Math.round(l.getBoundingClientRect().top))`)
	if len(tops) != 5 {
		t.Fatalf("%d star choices, want 5:\n%s", len(tops), tb.bodyText())
	}
	for _, top := range tops[1:] {
		if top != tops[0] {
			t.Errorf("the rating wraps: its choices' tops are %v", tops)
			break
		}
	}
	for _, lang := range []string{"en", "zh-CN"} {
		tb.click(`header a[href^="/lang/` + lang + `"]`)
		tb.audit()
	}

	// An order at a courtyard with a place on the map: its link is a
	// button, not two characters in a line.
	tb.open("/orders")
	hrefs := eval[[]string](tb, `[...document.querySelectorAll('li.order h2 a')].map(a => a.getAttribute('href'))`)
	found := false
	for _, href := range hrefs {
		tb.open(href)
		if !tb.has(`dd a[href^="https://uri.amap.com"]`) {
			continue
		}
		found = true
		r := eval[[]float64](tb, `(() => { const r = document.querySelector('dd a[href^="https://uri.amap.com"]').getBoundingClientRect(); return [r.width, r.height] })()`)
		if r[0] < 44 || r[1] < 44 {
			t.Errorf("the map link measures %v, want at least 44×44", r)
		}
		tb.audit()
		break
	}
	if !found {
		t.Errorf("none of the secretary's orders %v shows a map link", hrefs)
	}
}

// TestDashboardMatrixFrame: the coverage dashboard never scrolls sideways,
// on a phone or a desktop: its branch × month matrix scrolls inside its
// own frame, and the branch column stays in view while the months move.
// (At 390 px the page was 1,189 px wide: the screen-reader words of each
// cell, placed absolutely, escaped the frame.)
func TestDashboardMatrixFrame(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	for _, dev := range []device{phone, desktop} {
		tb := openTab(t, a, dev)
		tb.signIn("official", demoPassword)
		// Two years of months: wider than a desktop too.
		from := start.AddDate(-2, 0, 0).Format("2006-01")
		tb.open("/dashboard?from=" + from + "&to=" + start.Format("2006-01"))
		tb.audit()
		frame := eval[[]float64](tb, `(() => { const w = document.querySelector('.dash-matrix-wrap'); return [w.scrollWidth, w.clientWidth] })()`)
		if frame[0] <= frame[1] {
			t.Fatalf("%s: the matrix (%v) does not scroll in its frame", dev.name, frame)
		}
		for _, at := range []string{"0", "w.scrollWidth", "w.scrollWidth / 2"} {
			gap := eval[float64](tb, `(() => { const w = document.querySelector('.dash-matrix-wrap'); w.scrollLeft = `+at+`;
				const b = w.querySelector('tbody th.dash-branch'); return Math.abs(b.getBoundingClientRect().left - w.getBoundingClientRect().left) })()`)
			if gap > 1.5 {
				t.Errorf("%s: scrolled to %s, the branch column is %.0f px off the frame's edge", dev.name, at, gap)
			}
		}
		if w := eval[float64](tb, `document.documentElement.scrollWidth`); w > float64(dev.w) {
			t.Errorf("%s: the page is %.0f px wide", dev.name, w)
		}
	}
}
