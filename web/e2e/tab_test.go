package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// device is a screen the pages are seen on.
type device struct {
	name   string
	w, h   int64
	scale  float64
	mobile bool
}

var (
	// phone is the secretary's and the lecturer's: a 390×844 phone
	// (headless Chromium's window cannot be that narrow, so the size is
	// emulated).
	phone   = device{name: "phone", w: 390, h: 844, scale: 2, mobile: true}
	desktop = device{name: "desktop", w: 1280, h: 860, scale: 1}
)

// stepTimeout bounds one step of a journey: a selector that never shows up
// fails the test with its name instead of hanging the run.
const stepTimeout = 30 * time.Second

// request is one request a page made, as the browser reported it.
type request struct {
	url, method string
	typ         network.ResourceType
	status      int64
	bytes       float64 // encoded: what went over the wire
	failed      string
}

// tab is one browser tab in a browser context of its own (its own cookies
// and cache), recording every request it makes and every script error.
type tab struct {
	t    *testing.T
	app  *app
	dev  device
	ctx  context.Context
	mu   sync.Mutex
	reqs map[network.RequestID]*request
	seq  []network.RequestID
	errs []string
}

// openTab opens a tab at the device's size. When the test ends it checks
// that the tab loaded nothing from another origin, no subresource failed,
// and no script threw or broke the content security policy.
func openTab(t *testing.T, a *app, dev device) *tab {
	t.Helper()
	needBrowser(t)
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{t: t, app: a, dev: dev, ctx: ctx, reqs: map[network.RequestID]*request{}}
	if err := chromedp.Listen(ctx, tb.record); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	tb.emulate(dev)
	// The people are in China: the browser's own widgets (the month
	// fields) speak Chinese, whatever the machine running the tests.
	if _, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "zh_CN"}); err != nil {
		t.Fatalf("emulate the locale: %v", err)
	}
	t.Cleanup(tb.checkRequests)
	return tb
}

// emulate sets the tab's screen to dev's.
func (tb *tab) emulate(dev device) {
	tb.t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(dev.scale)}
	if dev.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	// Touch is set either way: off again when leaving a phone.
	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(dev.w, dev.h, opts...)); err != nil {
		tb.t.Fatalf("emulate %s: %v", dev.name, err)
	}
	tb.dev = dev
}

// record runs on chromedp's reading goroutine: it only notes things down.
func (tb *tab) record(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		r := tb.reqs[ev.RequestID]
		if r == nil {
			r = &request{}
			tb.reqs[ev.RequestID] = r
			tb.seq = append(tb.seq, ev.RequestID)
		}
		// A redirect keeps its request id: the last URL is the one loaded.
		r.url, r.method, r.typ = ev.Request.URL, ev.Request.Method, ev.Type
	case *network.EventResponseReceived:
		if r := tb.reqs[ev.RequestID]; r != nil {
			r.status = ev.Response.Status
		}
	case *network.EventLoadingFinished:
		if r := tb.reqs[ev.RequestID]; r != nil {
			r.bytes = ev.EncodedDataLength
		}
	case *network.EventLoadingFailed:
		if r := tb.reqs[ev.RequestID]; r != nil && !ev.Canceled {
			r.failed = ev.ErrorText
		}
	case *runtime.EventExceptionThrown:
		tb.errs = append(tb.errs, "script exception: "+ev.ExceptionDetails.Text+" "+exceptionDesc(ev.ExceptionDetails))
	case *cdplog.EventEntryAdded:
		// Pages answered 4xx on purpose (a wrong password, a clash) log
		// network errors; a CSP violation or a script error is a bug.
		if ev.Entry.Level == cdplog.EntryLevelError && ev.Entry.Source != cdplog.EntrySourceNetwork {
			tb.errs = append(tb.errs, fmt.Sprintf("console %s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

func exceptionDesc(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// requests returns the requests made from index from on.
func (tb *tab) requests(from int) []request {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []request
	for _, id := range tb.seq[from:] {
		out = append(out, *tb.reqs[id])
	}
	return out
}

func (tb *tab) mark() int {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return len(tb.seq)
}

func (tb *tab) checkRequests() {
	t := tb.t
	origin := tb.app.URL + "/"
	n := 0
	for _, r := range tb.requests(0) {
		n++
		switch {
		case r.url == "about:blank" || strings.HasPrefix(r.url, "data:"):
		case !strings.HasPrefix(r.url, origin):
			t.Errorf("%s loaded %s from another origin (only %s may serve the pages)", tb.dev.name, r.url, tb.app.URL)
		case r.failed != "":
			t.Errorf("%s: %s %s failed: %s", tb.dev.name, r.method, r.url, r.failed)
		case r.typ != network.ResourceTypeDocument && r.status >= 400:
			t.Errorf("%s: %s %s answered %d", tb.dev.name, r.method, r.url, r.status)
		}
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, e := range tb.errs {
		t.Errorf("%s: %s", tb.dev.name, e)
	}
	if n == 0 && !t.Failed() && !t.Skipped() {
		t.Errorf("%s: the tab recorded no request: the recorder does not work", tb.dev.name)
	}
}

// step runs steps with a deadline, failing the test with what it was doing.
func (tb *tab) step(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%s (at %s): %v", what, tb.location(), err)
	}
}

// load runs the steps, which cause a navigation (a click on a link, a
// submit), and waits until the new page has loaded. It returns the HTTP
// status of the page.
func (tb *tab) load(what string, steps ...chromedp.Action[chromedp.Void]) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		tb.t.Fatalf("%s (at %s): %v", what, tb.location(), err)
	}
	if resp == nil {
		return 0
	}
	return resp.Status
}

// open goes to a path of the app and returns the page's status.
func (tb *tab) open(path string) int64 {
	tb.t.Helper()
	return tb.load("open "+path, chromedp.Navigate(tb.app.URL+path))
}

// click clicks the first element matching the CSS selector and waits for
// the page it leads to.
func (tb *tab) click(sel string) int64 {
	tb.t.Helper()
	return tb.load("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// clickText clicks the first element matching sel whose text contains text.
func (tb *tab) clickText(sel, text string) int64 {
	tb.t.Helper()
	return tb.load(fmt.Sprintf("click %s %q", sel, text), chromedp.Click(chromedp.CSS(tb.tagByText(sel, text))))
}

// tagByText marks the element matching sel whose visible text contains
// text, and returns a selector for it.
func (tb *tab) tagByText(sel, text string) string {
	tb.t.Helper()
	js := fmt.Sprintf(`(() => {
		document.querySelectorAll('[data-e2e-pick]').forEach(e => e.removeAttribute('data-e2e-pick'));
		const el = [...document.querySelectorAll(%s)].find(e => e.innerText.includes(%s));
		if (!el) return false;
		el.setAttribute('data-e2e-pick', '1');
		return true;
	})()`, jsString(sel), jsString(text))
	if !eval[bool](tb, js) {
		tb.t.Fatalf("at %s: no %s with the text %q; the page says:\n%s", tb.location(), sel, text, tb.bodyText())
	}
	return "[data-e2e-pick]"
}

// nav follows the header's menu link to href, as a person does: on a
// phone the menu is folded behind its button, tapped first.
func (tb *tab) nav(href string) int64 {
	tb.t.Helper()
	sel := `header nav a[href="` + href + `"]`
	if !eval[bool](tb, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.getClientRects().length > 0 })()`, jsString(sel))) {
		tb.step("open the menu", chromedp.Click(chromedp.CSS(`header label.menu-button`)), chromedp.WaitVisible(chromedp.CSS(sel)))
	}
	return tb.click(sel)
}

// has reports whether an element matches sel now.
func (tb *tab) has(sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`!!document.querySelector(%s)`, jsString(sel)))
}

// text is the visible text of the first element matching sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? e.innerText : "" })()`, jsString(sel)))
}

func (tb *tab) bodyText() string {
	return eval[string](tb, `document.body ? document.body.innerText : ""`)
}

// value is the value of the form control matching sel.
func (tb *tab) value(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? e.value : null })()`, jsString(sel)))
}

// location is the current page's path and query.
func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	if p, err := url.Parse(u); err == nil && strings.HasPrefix(u, tb.app.URL) {
		return p.RequestURI()
	}
	return u
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %.80s…: %v", js, err)
	}
	return v
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// call sends one protocol command to the tab.
func call[P, R any](tb *tab, cmd cdp.Command[P, R], params P) R {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	r, err := chromedp.Call(ctx, cmd, params)
	if err != nil {
		tb.t.Fatalf("%s: %v", cmd.Method, err)
	}
	return r
}

// signIn signs in with the sign-in form, as a person would, and returns the
// path it lands on.
func (tb *tab) signIn(login, password string) string {
	tb.t.Helper()
	if !strings.HasPrefix(tb.location(), "/login") {
		tb.open("/login")
	}
	tb.step("fill in the sign-in form",
		chromedp.SendKeys(chromedp.CSS("#login"), login),
		chromedp.SendKeys(chromedp.CSS("#password"), password))
	tb.click(`form[action="/login"] button[type=submit].primary`)
	return tb.location()
}

// wantPath fails unless the tab is at path (path and query).
func (tb *tab) wantPath(want string) {
	tb.t.Helper()
	if got := tb.location(); got != want {
		tb.t.Fatalf("at %s, want %s", got, want)
	}
}

// wantText fails unless the page shows every one of the texts.
func (tb *tab) wantText(texts ...string) {
	tb.t.Helper()
	body := tb.bodyText()
	for _, s := range texts {
		if !strings.Contains(body, s) {
			tb.t.Fatalf("at %s the page does not say %q; it says:\n%s", tb.location(), s, body)
		}
	}
}

// screenshots says whether the run should rewrite docs/screenshots.
func screenshots() bool { return os.Getenv("WEIKE_SCREENSHOTS") == "1" }

// shot saves what the screen shows as docs/screenshots/<device>-<name>.png
// when WEIKE_SCREENSHOTS=1.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	if !screenshots() {
		return
	}
	// Scroll to the top and let the caret and focus ring go, so the
	// pictures show the page as it opens.
	eval[bool](tb, `(() => { window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur(); return true })()`)
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	file := filepath.Join(dir, tb.dev.name+"-"+name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("wrote %s", file)
}
