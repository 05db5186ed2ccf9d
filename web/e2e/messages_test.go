package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"weike/internal/mailtest"
)

// TestOrderReachesPeople: nobody polls. The secretary orders on her phone;
// the lecturer finds the order in her inbox and in her e-mail (a real SMTP
// server), whose link opens the order on her phone; she accepts, and the
// secretary finds the acceptance in hers.
func TestOrderReachesPeople(t *testing.T) {
	needBrowser(t)
	mailtest.Binary(t)
	a := newApp(t, withMail)
	// The sender of the running service: a move wakes it.
	ctx, cancel := context.WithCancel(context.Background())
	sent := make(chan struct{})
	go func() { a.Notify.Run(ctx, time.Hour); close(sent) }()
	t.Cleanup(func() { cancel(); <-sent })

	var lesson, lecturer int64
	if err := a.DB.R.Raw("SELECT id FROM lessons WHERE title = ?", lessonTitle).Scan(&lesson).Error; err != nil || lesson == 0 {
		t.Fatalf("lesson %s: %v", lessonTitle, err)
	}
	if err := a.DB.R.Raw("SELECT id FROM lecturers WHERE name = ?", lecturerName).Scan(&lecturer).Error; err != nil || lecturer == 0 {
		t.Fatalf("lecturer %s: %v", lecturerName, err)
	}
	lecMail, secMail := "lecturer@weike.demo", "secretary@weike.demo"

	// The lecturer is signed in on her phone already: what the demo's own
	// orders told her is unread there.
	lec := openTab(t, a, phone)
	if got := lec.signIn("lecturer", demoPassword); got != "/" {
		t.Fatalf("signed in at %s, want /", got)
	}
	unread := func() int {
		n := 0
		fmt.Sscan(lec.text(`header a[href="/inbox"] .badge`), &n)
		return n
	}
	before := unread()

	sec := openTab(t, a, phone)
	if got := sec.signIn("secretary", demoPassword); got != "/" {
		t.Fatalf("signed in at %s, want /", got)
	}
	sec.open(fmt.Sprintf("/lessons/%d/order?lecturer_id=%d", lesson, lecturer))
	sec.selectByText("#f-courtyard_id", courtyard)
	id := eval[string](sec, `(document.querySelector('input[name=slots]') || {}).id || ''`)
	if id == "" {
		t.Fatalf("no free time to order:\n%s", sec.bodyText())
	}
	sec.step("tick the first free time", chromedp.Click(chromedp.CSS(`label[for="`+id+`"]`)))
	sec.click(`form[method=post] .actions button.primary`)
	orderID := orderIDFrom(t, sec.location())
	sec.wantText("点单已提交")

	// The lecturer: the order in her inbox, one more unread in the header.
	lec.open("/")
	if n := unread(); n != before+1 {
		t.Errorf("the lecturer's unread badge reads %d, want %d", n, before+1)
	}
	lec.click(`header a[href="/inbox"]`)
	if first := lec.text(`ul.inbox li:first-child`); !strings.Contains(first, "新点单："+lessonTitle) || !strings.Contains(first, branchName) {
		t.Fatalf("the newest message of her inbox: %q", first)
	}
	lec.audit()
	lec.shot("lecturer-inbox")

	// …and in her e-mail, once, with a link that opens the order. (The
	// demo's own orders told their people too: only this order's count.)
	want := fmt.Sprintf("%s/orders/%d", a.URL, orderID)
	about := func(to, subject string) int {
		n := 0
		for _, m := range a.Mail.Messages() {
			if len(m.To) == 1 && m.To[0].Address == to && strings.Contains(m.Subject, subject) {
				full := a.Mail.Message(m.ID)
				if i := strings.Index(full.Text, want); i >= 0 && len(strings.Fields(full.Text[i:])[0]) == len(want) {
					n++
				}
			}
		}
		return n
	}
	for deadline := time.Now().Add(20 * time.Second); about(lecMail, "新点单："+lessonTitle) == 0 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if n := about(lecMail, "新点单："+lessonTitle); n != 1 {
		t.Fatalf("%d e-mails to the lecturer link to %s, want 1", n, want)
	}
	link := want
	lec.load("open the e-mail's link", chromedp.Navigate(link))
	lec.wantPath(fmt.Sprintf("/orders/%d", orderID))
	lec.wantText(lessonTitle, branchName)

	// From the inbox too: its button opens the order and marks it read.
	lec.click(`header a[href="/inbox"]`)
	lec.click(`ul.inbox li form button`)
	lec.wantPath(fmt.Sprintf("/orders/%d", orderID))
	lec.click(`#accept button[name=slot][value="0"]`)
	lec.wantText("已确认")
	lec.audit()

	// The secretary: the acceptance in her inbox, and in her e-mail.
	sec.click(`header a[href="/inbox"]`)
	sec.wantText("讲师已接单："+lessonTitle, lecturerName)
	sec.audit()
	sec.shot("secretary-inbox")
	for deadline := time.Now().Add(20 * time.Second); about(secMail, "讲师已接单："+lessonTitle) == 0 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if n, m := about(secMail, "讲师已接单："+lessonTitle), about(lecMail, "新点单："+lessonTitle); n != 1 || m != 1 {
		t.Errorf("e-mails about the order: %d to the secretary, %d to the lecturer; want one each", n, m)
	}
}
