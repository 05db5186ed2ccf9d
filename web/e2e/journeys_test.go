package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"weike/booking"
)

// The demo's lesson the secretary orders, its topic, and who she asks.
const (
	lessonTitle  = "抛砖屋场：鱼水情深的本土记忆"
	lessonTopic  = "红色教育"
	lecturerName = "黄春梅" // the demo login "lecturer"
	courtyard    = "抛砖屋场"
	branchName   = "龙王庙村" // the demo login "secretary"
)

// selectByText picks the option of the select sel whose label contains
// text, and returns its value.
func (tb *tab) selectByText(sel, text string) string {
	tb.t.Helper()
	v := eval[string](tb, fmt.Sprintf(`(() => {
		const s = document.querySelector(%s);
		if (!s) return '';
		const o = [...s.options].find(o => o.text.includes(%s));
		if (!o) return '';
		s.value = o.value;
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return o.value;
	})()`, jsString(sel), jsString(text)))
	if v == "" {
		tb.t.Fatalf("at %s: %s has no option %q", tb.location(), sel, text)
	}
	return v
}

// switchLanguage switches the page to English and back with the header's
// link, and checks that the user stays where they were, that every string
// of the application changes language (only the records' own words stay
// Chinese), and that Chinese comes back exactly as it was.
func (tb *tab) switchLanguage() {
	tb.t.Helper()
	where := tb.location()
	if l := eval[string](tb, `document.documentElement.lang`); l != "zh-CN" {
		tb.t.Fatalf("%s starts in %q, want zh-CN", where, l)
	}
	zh := tb.pageWords()
	tb.click(`header a[href^="/lang/en"]`)
	tb.wantPath(where)
	if l := eval[string](tb, `document.documentElement.lang`); l != "en" {
		tb.t.Fatalf("after the switch %s is in %q, want en", where, l)
	}
	en := tb.pageWords()
	if bad := untranslated(en, tb.app.dataStrings(tb.t)); len(bad) > 0 {
		tb.t.Errorf("%s %s in English still shows Chinese of the application's own:\n  %s", tb.dev.name, where, strings.Join(bad, "\n  "))
	}
	if strings.Join(en, "\n") == strings.Join(zh, "\n") {
		tb.t.Errorf("%s: the English page reads exactly as the Chinese one", where)
	}
	tb.audit()
	tb.click(`header a[href^="/lang/zh-CN"]`)
	tb.wantPath(where)
	if back := tb.pageWords(); strings.Join(back, "\n") != strings.Join(zh, "\n") {
		tb.t.Errorf("%s: back in Chinese the page differs from before the switch:\nbefore: %q\nafter:  %q", where, zh, back)
	}
}

// orderIDFrom reads the order's id from /orders/<id>?...
func orderIDFrom(t *testing.T, path string) int64 {
	t.Helper()
	p, _, _ := strings.Cut(strings.TrimPrefix(path, "/orders/"), "?")
	id, err := strconv.ParseInt(p, 10, 64)
	if err != nil || !strings.HasPrefix(path, "/orders/") {
		t.Fatalf("not an order's page: %s", path)
	}
	return id
}

// TestJourneys follows one order through the three users' hands: the
// secretary orders a 红色教育 lesson on her phone, the lecturer accepts one
// of its times on hers, and the town's official records the delivery and
// finds it on the coverage dashboard. Each of them also switches to English
// and back on the way.
func TestJourneys(t *testing.T) {
	needBrowser(t)
	a := newApp(t)
	var (
		orderID int64
		chosen  []string // the two preferred times, RFC 3339
		lesson  int64
	)

	ok := t.Run("secretary orders a lesson on a phone", func(t *testing.T) {
		tb := openTab(t, a, phone)
		tb.open("/login")
		if w := eval[int](tb, `window.innerWidth`); w != 390 {
			t.Fatalf("the phone is %d px wide, want 390", w)
		}
		tb.audit()
		tb.shot("login")
		if got := tb.signIn("secretary", demoPassword); got != "/" {
			t.Fatalf("signed in at %s, want /", got)
		}
		tb.audit()

		// Find a 红色教育 lesson with the topic filter.
		tb.nav("/lessons")
		tb.selectByText("#f-topic", lessonTopic)
		tb.click(`form.filters button[type=submit]`)
		if got := tb.location(); !strings.Contains(got, "topic=") {
			t.Fatalf("the filter did not apply: at %s", got)
		}
		tags := eval[[]string](tb, `[...document.querySelectorAll('ul.list > li .meta .tag:first-child')].map(e => e.innerText)`)
		if len(tags) == 0 {
			t.Fatalf("no lessons under %s:\n%s", lessonTopic, tb.bodyText())
		}
		for _, tag := range tags {
			if tag != lessonTopic {
				t.Errorf("the %s filter lists a lesson of %q", lessonTopic, tag)
			}
		}
		tb.wantText(lessonTitle)
		tb.audit()
		tb.shot("lessons")

		tb.clickText(`ul.list h2 a`, lessonTitle)
		lesson = lessonIDFrom(t, tb.location())
		tb.wantText(lessonTitle, lecturerName)
		tb.audit()
		tb.shot("lesson")

		// 点单: the lecturer, then her free times.
		tb.click(`.order-cta a`)
		tb.wantPath(fmt.Sprintf("/lessons/%d/order", lesson))
		tb.selectByText("#f-pick-lecturer", lecturerName)
		tb.click(`form[method=get] button[type=submit]`)
		if got := tb.text(".chosen"); !strings.Contains(got, lecturerName) {
			t.Fatalf("the form is for %q, want %s", got, lecturerName)
		}
		tb.switchLanguage()

		tb.selectByText("#f-courtyard_id", courtyard)
		// Two times in the next month, which the demo's history has not
		// reached: the dashboard's mark there is the journey's own.
		next := start.AddDate(0, 1, 0).Format("2006-01")
		chosen = eval[[]string](tb, fmt.Sprintf(`[...document.querySelectorAll('input[name=slots]')].map(e => e.value).filter(v => v.startsWith(%s)).slice(0, 2)`, jsString(next)))
		if len(chosen) < 2 {
			t.Fatalf("fewer than two free times in %s for %s:\n%s", next, lecturerName, tb.text("fieldset.slots"))
		}
		for _, v := range chosen {
			tickSlot(tb, v)
		}
		tb.step("say who comes",
			chromedp.SendKeys(chromedp.CSS("#f-audience"), "40"),
			chromedp.SendKeys(chromedp.CSS("#f-note"), "请带上抛砖屋场的老照片"))
		if n := eval[int](tb, `document.querySelectorAll('input[name=slots]:checked').length`); n != 2 {
			t.Fatalf("%d times ticked, want 2", n)
		}
		tb.audit()
		tb.shot("order-form")
		tb.click(`form[method=post] .actions button.primary`)
		path := tb.location()
		orderID = orderIDFrom(t, path)
		tb.wantText("点单已提交", lessonTitle, lecturerName, courtyard)

		// "My orders" lists it with both preferred times.
		tb.nav("/orders")
		item := tb.text(fmt.Sprintf(`li.order:has(a[href="/orders/%d"])`, orderID))
		if !strings.Contains(item, lessonTitle) || !strings.Contains(item, "待接单") {
			t.Fatalf("my orders shows the order as %q", item)
		}
		for _, v := range chosen {
			at, _ := time.Parse(time.RFC3339, v)
			if hm := at.In(shanghai).Format("15:04"); !strings.Contains(item, hm) {
				t.Errorf("my orders does not show the preferred time %s: %q", hm, item)
			}
		}
		tb.audit()
		tb.shot("my-orders")
		tb.switchLanguage()
	})
	if !ok {
		return
	}

	var accepted time.Time
	ok = t.Run("lecturer accepts a time on a phone", func(t *testing.T) {
		tb := openTab(t, a, phone)
		if got := tb.signIn("lecturer", demoPassword); got != "/" {
			t.Fatalf("signed in at %s, want /", got)
		}
		tb.nav("/agenda#pending")
		pending := tb.text("#pending")
		if !strings.Contains(pending, lessonTitle) || !strings.Contains(pending, branchName) {
			t.Fatalf("the pending orders do not show the order:\n%s", pending)
		}
		tb.click(fmt.Sprintf(`#pending a[href="/orders/%d"]`, orderID))
		tb.wantPath(fmt.Sprintf("/orders/%d", orderID))
		if n := eval[int](tb, `document.querySelectorAll('#accept button[name=slot]').length`); n != 2 {
			t.Fatalf("%d times to accept, want 2:\n%s", n, tb.text("#accept"))
		}
		tb.audit()
		tb.switchLanguage()
		tb.shot("order-accept")

		// Accept the second of the two times.
		tb.click(`#accept button[name=slot][value="1"]`)
		tb.wantText("已确认")
		o, err := a.Booking.Get(context.Background(), a.actor(t, "lecturer"), orderID)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := time.Parse(time.RFC3339, chosen[1])
		if o.Status != booking.Confirmed || o.StartAt == nil || !o.StartAt.Equal(want) {
			t.Fatalf("the order is %s at %v, want confirmed at %s", o.Status, o.StartAt, want)
		}
		accepted = *o.StartAt

		// The agenda has it, and the calendar link serves it.
		tb.nav("/agenda")
		upcoming := tb.text(fmt.Sprintf(`li.order:has(a[href="/orders/%d"])`, orderID))
		if !strings.Contains(upcoming, lessonTitle) || !strings.Contains(upcoming, "已确认") {
			t.Fatalf("the agenda shows the order as %q", upcoming)
		}
		tb.audit()
		tb.shot("agenda")
		link := copyCalendarLink(tb)
		ics := get(t, link, "text/calendar")
		event := fmt.Sprintf("UID:order-%d@weike", orderID)
		dtstart := "DTSTART;TZID=Asia/Shanghai:" + accepted.In(shanghai).Format("20060102T150405")
		// The event's properties come in any order (go-ical sorts them):
		// find the VEVENT that holds the UID.
		found := false
		for _, ev := range strings.Split(ics, "BEGIN:VEVENT")[1:] {
			ev, _, _ = strings.Cut(ev, "END:VEVENT")
			found = found || strings.Contains(ev, "\r\n"+event+"\r\n") && strings.Contains(ev, "\r\n"+dtstart+"\r\n")
		}
		if !found {
			t.Fatalf("the calendar at %s has no %s with %s:\n%s", link, event, dtstart, ics)
		}
	})
	if !ok {
		return
	}

	t.Run("official records the delivery on a desktop", func(t *testing.T) {
		// The lesson has been given: an hour after it began.
		a.Clock.Set(accepted.Add(time.Hour))
		tb := openTab(t, a, desktop)
		if got := tb.signIn("official", demoPassword); got != "/" {
			t.Fatalf("signed in at %s, want /", got)
		}
		tb.nav("/orders")
		row := tb.text(fmt.Sprintf(`li.order:has(a[href="/orders/%d"])`, orderID))
		if !strings.Contains(row, lessonTitle) || !strings.Contains(row, branchName) || !strings.Contains(row, "已确认") {
			t.Fatalf("the town's orders show the order as %q", row)
		}
		tb.audit()
		tb.shot("town-orders")

		tb.click(fmt.Sprintf(`a[href="/orders/%d"]`, orderID))
		if !tb.has("#deliver form") {
			t.Fatalf("no delivery form on the order:\n%s", tb.bodyText())
		}
		tb.switchLanguage()
		tb.step("record the delivery",
			chromedp.SendKeys(chromedp.CSS("#f-attendees"), "38"),
			chromedp.SendKeys(chromedp.CSS("#f-minutes"), "25"),
			chromedp.SendKeys(chromedp.CSS("#f-summary"), "讲了抛砖屋场的老故事，党员们很受触动。"))
		tb.click(`#deliver button.primary`)
		tb.wantText("已开讲", "38")
		tb.audit()

		// The dashboard: the branch's lesson mark for the month.
		tb.open("/")
		tb.click(`a[href^="/dashboard"]`)
		month := accepted.In(shanghai).Format("2006-01")
		cell := eval[string](tb, fmt.Sprintf(`(() => {
			const t = document.querySelector('table.dash-matrix');
			if (!t) return 'no matrix';
			const col = [...t.tHead.rows[0].cells].findIndex(c => c.innerText.trim().split(/\s/)[0] === %s);
			const row = [...t.tBodies[0].rows].find(r => r.querySelector('th.dash-branch') && r.querySelector('th.dash-branch').innerText.includes(%s));
			if (col < 0 || !row) return 'no cell';
			return row.cells[col].innerText.trim();
		})()`, jsString(month), jsString(branchName)))
		if !strings.Contains(cell, "课✓") {
			t.Fatalf("%s's mark for %s is %q, want 课✓", branchName, month, cell)
		}
		tb.audit()
		tb.shot("dashboard")
		tb.switchLanguage()

		// The spreadsheet.
		file := download(tb, `a[href^="/dashboard/export.xlsx"]`)
		x, err := excelize.OpenFile(file)
		if err != nil {
			t.Fatalf("the download is not a workbook: %v", err)
		}
		defer x.Close()
		found := false
		for _, sh := range x.GetSheetList() {
			rows, _ := x.GetRows(sh)
			for _, r := range rows {
				found = found || strings.Contains(strings.Join(r, " "), branchName)
			}
		}
		if !found {
			t.Errorf("the workbook has no row for %s (sheets %v)", branchName, x.GetSheetList())
		}
	})
}

// lessonIDFrom reads a lesson's id from /lessons/<id>.
func lessonIDFrom(t *testing.T, path string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/lessons/"), 10, 64)
	if err != nil || !strings.HasPrefix(path, "/lessons/") {
		t.Fatalf("not a lesson's page: %s", path)
	}
	return id
}

// tickSlot ticks the time v (RFC 3339) on the order form, going from week
// to week with "next week" until it shows, as a person does.
func tickSlot(tb *tab, v string) {
	tb.t.Helper()
	id := eval[string](tb, fmt.Sprintf(`document.querySelector('input[name=slots][value=%s]').id`, jsString(v)))
	for i := 0; !eval[bool](tb, fmt.Sprintf(`!document.getElementById(%s).closest('.slot-week').hidden`, jsString(id))); i++ {
		if i > 10 {
			tb.t.Fatalf("the time %s never shows", v)
		}
		tb.step("next week", chromedp.Click(chromedp.CSS(`[data-week-nav=next]`)))
	}
	tapLabel(tb, id)
}

// tapLabel taps the label of the control id, brought to the middle of the
// screen first: at the bottom edge, the phone's sticky submit bar lies over
// it, and a person scrolls it up before tapping.
func tapLabel(tb *tab, id string) {
	tb.t.Helper()
	eval[bool](tb, fmt.Sprintf(`(() => { document.querySelector('label[for="%s"]').scrollIntoView({block: 'center'}); return true })()`, id))
	tb.step("tap the label of "+id, chromedp.Click(chromedp.CSS(`label[for="`+id+`"]`)))
}

// copyCalendarLink does what the lecturer does with the calendar link: taps
// "copy", and returns what was copied (the clipboard of a headless browser
// on plain http is out of reach, so the selection the page falls back to).
// The whole link shows: its box does not overflow the screen.
func copyCalendarLink(tb *tab) string {
	tb.t.Helper()
	if cut := eval[bool](tb, `(() => { const c = document.querySelector('.calendar .copybox code'); const r = c.getBoundingClientRect();
		return c.scrollWidth > c.clientWidth + 1 || r.right > document.documentElement.clientWidth + 1 })()`); cut {
		tb.t.Errorf("%s: the calendar link does not show whole", tb.dev.name)
	}
	tb.step("copy the calendar link", chromedp.Click(chromedp.CSS(".calendar button[data-copy]")),
		chromedp.WaitVisible(chromedp.CSS(".calendar [data-copy-status]:not(:empty)")))
	sel := eval[string](tb, `window.getSelection().toString().trim()`)
	shown := tb.text(".calendar .copybox code")
	if !strings.HasPrefix(sel, tb.app.URL+"/calendar/") || sel != strings.TrimSpace(shown) {
		tb.t.Fatalf("copied %q; the box shows %q", sel, shown)
	}
	return sel
}

// get fetches url outside the browser (as a calendar app would) and checks
// its content type.
func get(t *testing.T, url, ctype string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), ctype) {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, res.Header.Get("Content-Type"))
	}
	return string(b)
}

// download clicks a download link and waits for the browser to save the
// file; it returns the file's path.
func download(tb *tab, sel string) string {
	tb.t.Helper()
	dir := tb.t.TempDir()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: chromedp.FromContext(tb.ctx).BrowserContextID,
		DownloadPath: dir, EventsEnabled: new(true)}); err != nil {
		tb.t.Fatalf("allow downloads: %v", err)
	}
	events := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	tb.step("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range events {
		if err != nil {
			tb.t.Fatalf("download %s: %v", sel, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			file := ev.FilePath
			if file == "" {
				file = filepath.Join(dir, ev.GUID)
			}
			if _, err := os.Stat(file); err != nil {
				tb.t.Fatalf("download %s: %v", sel, err)
			}
			return file
		case browser.DownloadProgressStateCanceled:
			tb.t.Fatalf("download %s was cancelled", sel)
		}
	}
	tb.t.Fatalf("download %s: no end", sel)
	return ""
}
