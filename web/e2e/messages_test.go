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

	// The lecturer: the order in her inbox, marked unread in the header.
	lec := openTab(t, a, phone)
	if got := lec.signIn("lecturer", demoPassword); got != "/" {
		t.Fatalf("signed in at %s, want /", got)
	}
	if badge := lec.text(`header a[href="/inbox"] .badge`); badge != "1" {
		t.Errorf("the lecturer's unread badge reads %q, want 1", badge)
	}
	lec.click(`header a[href="/inbox"]`)
	lec.wantText("新点单："+lessonTitle, branchName, "请在")
	lec.audit()
	lec.shot("lecturer-inbox")

	// …and in her e-mail, with a link that opens the order.
	ms := a.Mail.WaitFor(1, 20*time.Second)
	var link string
	for _, m := range ms {
		if len(m.To) == 1 && m.To[0].Address == lecMail && strings.Contains(m.Subject, "新点单："+lessonTitle) {
			full := a.Mail.Message(m.ID)
			if i := strings.Index(full.Text, a.URL+"/orders/"); i >= 0 {
				link = strings.Fields(full.Text[i:])[0]
			}
		}
	}
	if want := fmt.Sprintf("%s/orders/%d", a.URL, orderID); link != want {
		t.Fatalf("the lecturer's e-mail links to %q, want %s (e-mails: %+v)", link, want, ms)
	}
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
	ms = a.Mail.WaitFor(2, 20*time.Second)
	if got := mailtest.ByRecipient(ms); len(ms) != 2 || got[lecMail+"|新点单："+lessonTitle] != 1 || got[secMail+"|讲师已接单："+lessonTitle] != 1 {
		t.Errorf("e-mails: %v, want one to the lecturer and one to the secretary", got)
	}
}
