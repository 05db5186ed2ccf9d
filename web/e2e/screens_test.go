package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"weike/lessons"
)

// TestOrderFormOnPhone: on a 390 px phone the order form shows one week of
// times at a time and "next week" shows the next without loading a page;
// the submit button stays on the screen; the lecturer select is wide enough
// for every name; a failed submit puts the focus on the first field in
// error, and the summary's link to a field takes the focus there.
func TestOrderFormOnPhone(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	sec := a.actor(t, "secretary")
	found, err := a.Lessons.Lessons(context.Background(), sec, lessons.LessonFilter{Q: lessonTitle})
	if err != nil || len(found.Items) != 1 {
		t.Fatalf("find %s: %v", lessonTitle, err)
	}
	tb := openTab(t, a, phone)
	tb.signIn("secretary", demoPassword)
	path := fmt.Sprintf("/lessons/%d/order", found.Items[0].ID)
	tb.open(path)

	shownWeek := func() string {
		return eval[string](tb, `[...document.querySelectorAll('.slot-week')].filter(w => !w.hidden).map(w => w.dataset.week).join(',')`)
	}
	weeks := eval[int](tb, `document.querySelectorAll('.slot-week').length`)
	first := shownWeek()
	if weeks < 3 || first == "" || eval[int](tb, `[...document.querySelectorAll('.slot-week:not([hidden]) .slot-day')].length`) > 7 {
		t.Fatalf("%d weeks, shown %q", weeks, first)
	}
	// One "send" button shows (the form's default one, first for Enter,
	// is hidden).
	if n := eval[int](tb, `[...document.querySelectorAll('form.order-form button[type=submit]')].filter(b => b.checkVisibility() && !b.name).length`); n != 1 {
		t.Errorf("%d send buttons show, want 1", n)
	}
	// The submit button is on the screen as the page opens, and after
	// scrolling halfway.
	for _, y := range []string{"0", "document.body.scrollHeight / 2"} {
		if !eval[bool](tb, `(() => { window.scrollTo(0, `+y+`); const r = document.querySelector('.submit-bar button.primary').getBoundingClientRect();
			return r.top >= 0 && r.bottom <= window.innerHeight })()`) {
			t.Errorf("the submit button is off the screen, scrolled to %s", y)
		}
	}
	// Every lecturer's whole name fits the select.
	if cut := eval[[]string](tb, `(() => {
		const s = document.querySelector('#f-pick-lecturer'), st = getComputedStyle(s);
		const c = document.createElement('canvas').getContext('2d');
		c.font = st.fontWeight + ' ' + st.fontSize + ' ' + st.fontFamily;
		const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 20;
		return [...s.options].filter(o => c.measureText(o.text).width > room).map(o => o.text);
	})()`); len(cut) > 0 {
		t.Errorf("the lecturer select cuts %v", cut)
	}
	// Next week, at once.
	navs := tb.mark()
	tb.step("next week", chromedp.Click(chromedp.CSS(`[data-week-nav=next]`)))
	if w := shownWeek(); w == first || w == "" {
		t.Errorf("next week shows %q (was %q)", w, first)
	}
	if !tb.has(`[data-week-nav=prev]:not([disabled])`) {
		t.Error("no previous week after next")
	}
	for _, q := range tb.requests(navs) {
		if q.method == "POST" || q.typ == "Document" {
			t.Errorf("next week loaded %s %s", q.method, q.url)
		}
	}
	tb.step("previous week", chromedp.Click(chromedp.CSS(`[data-week-nav=prev]`)))
	if w := shownWeek(); w != first {
		t.Errorf("previous week shows %q, want %q", w, first)
	}
	tb.audit()

	// Enter in a field sends the order, not "next week": no time is
	// chosen, so it comes back refused, the times in focus.
	tb.selectByText("#f-courtyard_id", courtyard)
	if st := tb.load("press Enter in the audience", chromedp.SendKeys(chromedp.CSS("#f-audience"), "30\r")); st != 422 {
		t.Fatalf("Enter in the audience answers %d, want the order refused (422)", st)
	}
	if f := eval[string](tb, `document.activeElement.id`); f != "f-slots" {
		t.Errorf("after Enter without a time the focus is on %q, want f-slots", f)
	}
	tb.step("clear the audience", chromedp.Clear(chromedp.CSS("#f-audience")))

	// A failed submit: the audience is words.
	tapLabel(tb, eval[string](tb, `document.querySelector('.slot-week:not([hidden]) input[name=slots]').id`))
	tb.step("say who comes", chromedp.SendKeys(chromedp.CSS("#f-audience"), "很多"))
	if st := tb.click(`.submit-bar button.primary`); st != 422 {
		t.Fatalf("a submit with words for the audience answers %d", st)
	}
	if f := eval[string](tb, `document.activeElement.id`); f != "f-audience" {
		t.Errorf("after the failed submit the focus is on %q, want f-audience", f)
	}
	if !tb.has(`#problems a[href="#f-audience"]`) {
		t.Fatal("the summary does not link to the audience")
	}
	eval[bool](tb, `(document.activeElement.blur(), window.scrollTo(0, 0), true)`)
	tb.step("follow the summary's link", chromedp.Click(chromedp.CSS(`#problems a[href="#f-audience"]`)))
	if f := eval[string](tb, `document.activeElement.id`); f != "f-audience" {
		t.Errorf("the summary's link leaves the focus on %q", f)
	}
	tb.audit()
}

// TestAccountOnPhone: the account page on a phone offers the password
// form; the API tokens are folded under "advanced" for a secretary, and
// open (and hold to the page rules) when she unfolds them.
func TestAccountOnPhone(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	tb := openTab(t, a, phone)
	tb.signIn("secretary", demoPassword)
	tb.open("/account")
	if !tb.has(`form[action="/account/password"] input[type=password][autocomplete=current-password]`) {
		t.Fatal("no password form")
	}
	if !eval[bool](tb, `(() => { const d = document.querySelector('details#tokens'); return !!d && !d.open })()`) ||
		eval[bool](tb, `document.querySelector('form[action="/account/tokens"]').checkVisibility()`) {
		t.Error("the tokens show to a secretary before she asks")
	}
	tb.audit()
	tb.step("unfold advanced", chromedp.Click(chromedp.CSS(`details#tokens > summary`)))
	if !eval[bool](tb, `document.querySelector('form[action="/account/tokens"]').checkVisibility()`) {
		t.Error("advanced does not unfold the tokens")
	}
	tb.audit()
}
