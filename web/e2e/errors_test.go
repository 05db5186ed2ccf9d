package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"weike/booking"
	"weike/lessons"
)

// TestWrongPassword: the sign-in page says what went wrong, in the page's
// language, and keeps the login that was typed.
func TestWrongPassword(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	tb := openTab(t, a, phone)
	for _, c := range []struct{ lang, want string }{
		{"zh-CN", "账号或密码不正确"},
		{"en", "Wrong login or password"},
	} {
		tb.open("/lang/" + c.lang + "?next=/login")
		tb.step("type a wrong password",
			chromedp.SendKeys(chromedp.CSS("#login"), "secretary"),
			chromedp.SendKeys(chromedp.CSS("#password"), "not-the-password"))
		if st := tb.click(`form[action="/login"] button.primary`); st != 401 {
			t.Errorf("%s: a wrong password answers %d, want 401", c.lang, st)
		}
		tb.wantPath("/login")
		if msg := tb.text(`.error[role=alert]`); msg != c.want {
			t.Errorf("%s: the page says %q, want %q", c.lang, msg, c.want)
		}
		if got := tb.value("#login"); got != "secretary" {
			t.Errorf("%s: the login field holds %q after the error, want what was typed", c.lang, got)
		}
		// A password is never sent back to the browser.
		if got := tb.value("#password"); got != "" {
			t.Errorf("%s: the password field holds %q", c.lang, got)
		}
		tb.audit()
		tb.step("clear the login", chromedp.Clear(chromedp.CSS("#login")))
	}
	tb.open("/lang/zh-CN?next=/login")
	if got := tb.signIn("secretary", demoPassword); got != "/" {
		t.Fatalf("the right password then signs in at %s, want /", got)
	}
}

// TestClashAndDoubleTap: a time taken while the secretary fills in the form
// is refused with a clear message and her input kept; then a double tap on
// the submit button makes one order.
func TestClashAndDoubleTap(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	ctx := context.Background()
	lec := a.actor(t, "lecturer")
	sec := a.actor(t, "secretary")
	found, err := a.Lessons.Lessons(ctx, sec, lessons.LessonFilter{Q: lessonTitle})
	if err != nil || len(found.Items) != 1 {
		t.Fatalf("find %s: %v (%d found)", lessonTitle, err, len(found.Items))
	}
	lessonID := found.Items[0].ID
	// countOrders counts the secretary's branch's orders of the lesson.
	countOrders := func() int {
		t.Helper()
		p, err := a.Booking.List(ctx, sec, booking.OrderFilter{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, o := range p.Items {
			if o.LessonID == lessonID {
				n++
			}
		}
		return n
	}
	before := countOrders()

	tb := openTab(t, a, phone)
	tb.signIn("secretary", demoPassword)
	tb.open(fmt.Sprintf("/lessons/%d/order?lecturer_id=%d", lessonID, lec.LecturerID))
	tb.selectByText("#f-courtyard_id", courtyard)
	slots := eval[[]string](tb, `[...document.querySelectorAll('input[name=slots]')].map(e => e.id + ' ' + e.value)`)
	if len(slots) < 2 {
		t.Fatalf("fewer than two free times: %v", slots)
	}
	first := strings.Fields(slots[0])
	tapLabel(tb, first[0])
	tb.step("fill in the order",
		chromedp.SendKeys(chromedp.CSS("#f-audience"), "30"),
		chromedp.SendKeys(chromedp.CSS("#f-note"), "会后请留十分钟答疑"))

	// Meanwhile 春华山村 orders the same lecturer at that time, and she
	// accepts.
	other := a.actor(t, "sec-chunhuashan")
	b, err := a.Org.Branch(ctx, other, other.BranchID)
	if err != nil || len(b.Courtyards) == 0 {
		t.Fatalf("春华山村's courtyards: %v", err)
	}
	o, _, err := a.Booking.Create(ctx, other, booking.NewOrder{LessonID: lessonID, LecturerID: lec.LecturerID,
		CourtyardID: b.Courtyards[0].ID, Slots: []string{first[1]}, Audience: 20})
	if err != nil {
		t.Fatalf("春华山村's order: %v", err)
	}
	if _, err := a.Booking.Accept(ctx, lec, o.ID, 0); err != nil {
		t.Fatalf("accept 春华山村's order: %v", err)
	}

	if st := tb.click(`form[method=post] .actions button.primary`); st != 409 {
		t.Errorf("a clashing order answers %d, want 409", st)
	}
	msg := tb.text(`.error[role=alert]`)
	if !strings.Contains(msg, lecturerName) || !strings.Contains(msg, "春华山村") {
		t.Errorf("the clash reads %q: it should name the lecturer and the branch she is with", msg)
	}
	kept := map[string]string{
		"audience":  tb.value("#f-audience"),
		"note":      tb.value("#f-note"),
		"courtyard": eval[string](tb, `document.querySelector('#f-courtyard_id').selectedOptions[0].text`),
		"lecturer":  tb.text(".chosen"),
		"time":      fmt.Sprint(eval[bool](tb, fmt.Sprintf(`!!document.querySelector('input[name=slots][value=%s]:checked')`, jsString(first[1])))),
	}
	for k, want := range map[string]string{"audience": "30", "note": "会后请留十分钟答疑", "courtyard": courtyard, "time": "true"} {
		if kept[k] != want {
			t.Errorf("after the clash the form's %s is %q, want %q", k, kept[k], want)
		}
	}
	if !strings.Contains(kept["lecturer"], lecturerName) {
		t.Errorf("after the clash the form is for %q, want %s", kept["lecturer"], lecturerName)
	}
	if n := countOrders(); n != before {
		t.Fatalf("the branch has %d orders of the lesson after the clash, want %d as before", n, before)
	}
	tb.audit()
	tb.shot("order-clash")

	// Another time, and a double tap on the button.
	id := eval[string](tb, fmt.Sprintf(`(() => { const e = [...document.querySelectorAll('input[name=slots]')].find(e => e.value !== %s); return e ? e.id : '' })()`, jsString(first[1])))
	if id == "" {
		t.Fatal("no other free time in the form after the clash")
	}
	// (The times' ids are those of the page shown again.)
	tapLabel(tb, eval[string](tb, fmt.Sprintf(`document.querySelector('input[name=slots][value=%s]').id`, jsString(first[1]))))
	tapLabel(tb, id)
	for len(a.orderArrived) > 0 { // the clash's form
		<-a.orderArrived
	}
	posts := a.orderPosts.Load()
	loads, stop := context.WithTimeout(tb.ctx, stepTimeout)
	defer stop()
	loaded := chromedp.Events(loads, page.LoadEventFired)
	// On a slow connection the second tap comes while the first order is
	// still on its way: the server holds the first until the second is in.
	a.holdNext.Store(true)
	// The second tap lands where the first did, on the page still shown
	// while the first request is pending.
	tb.step("bring the button into view", chromedp.ScrollIntoView(chromedp.CSS(`form[method=post] .actions button.primary`)))
	xy := eval[[]float64](tb, `(() => { const r = document.querySelector('form[method=post] .actions button.primary').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2] })()`)
	arrived := func(n int) {
		t.Helper()
		select {
		case <-a.orderArrived:
		case <-loads.Done():
			t.Fatalf("tap %d did not reach the server", n)
		}
	}
	tb.step("tap the submit button", chromedp.MouseClickXY(xy[0], xy[1]))
	arrived(1)
	tb.step("tap it again", chromedp.MouseClickXY(xy[0], xy[1]))
	arrived(2)
	close(a.release)
	// The taps may load more than one page; wait for the order's.
	for _, err := range loaded {
		if err != nil {
			t.Fatalf("no order's page after the double tap (at %s): %v", tb.location(), err)
		}
		if strings.HasPrefix(tb.location(), "/orders/") {
			break
		}
	}
	if n := a.orderPosts.Load() - posts; n != 2 {
		t.Errorf("the double tap sent %d orders to the server, want 2 (else the test proves nothing)", n)
	}
	if n := countOrders(); n != before+1 {
		t.Errorf("the branch has %d orders of the lesson after the double tap, want %d: one more", n, before+1)
	}
	tb.wantText(lessonTitle, "会后请留十分钟答疑")
}
