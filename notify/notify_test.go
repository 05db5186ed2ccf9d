package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"weike/fixture"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/internal/mailtest"
	"weike/notify"
	"weike/org"
)

// receiver is a real local HTTP server standing in for a group robot.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	query  []url.Values
	fail   bool
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.fail {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		var m map[string]any
		b, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(b, &m); err != nil || req.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			w.Write([]byte(`{"errcode":40001,"errmsg":"bad json"}`))
			return
		}
		r.bodies = append(r.bodies, m)
		r.query = append(r.query, req.URL.Query())
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) setFail(v bool) {
	r.mu.Lock()
	r.fail = v
	r.mu.Unlock()
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

func enqueue(t *testing.T, d *db.DB, s *notify.Store, ls ...notify.Letter) notify.Queued {
	t.Helper()
	var q notify.Queued
	err := d.Tx(context.Background(), func(tx *gorm.DB) error {
		var err error
		q, err = s.EnqueueTx(tx, ls)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func letter(w *fixture.World, login, kind, period string) notify.Letter {
	var act org.Actor
	for _, ts := range []*fixture.TownSet{w.A, w.B} {
		for _, a := range ts.Actors {
			if a.Login == login {
				act = a
			}
		}
	}
	return notify.Letter{TownID: act.TownID, Kind: kind, Period: period, AccountID: act.AccountID,
		Subject: "【微党课】测试 " + period, Text: "正文：屋场微党课等你来", HTML: "<p>正文：屋场微党课等你来</p>", Markdown: "**正文**", Link: "https://weike.test/"}
}

func TestEnqueueOncePerKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		s := notify.NewStore(d, func() time.Time { return w.Now })
		ls := []notify.Letter{letter(w, "ch-secretary", "monthly.secretary", "2026-12"), letter(w, "ch-lecturer", "monthly.lecturer", "2026-12")}
		q := enqueue(t, d, s, ls...)
		if q.New[notify.ChannelInbox] != 2 || q.New[notify.ChannelEmail] != 2 || q.Duplicates != 0 {
			t.Fatalf("first enqueue: %+v", q)
		}
		for i := 0; i < 3; i++ {
			if q := enqueue(t, d, s, ls...); q.Total() != 0 || q.Duplicates != 4 {
				t.Fatalf("enqueue again: %+v", q)
			}
		}
		// The inbox got each letter once, at once.
		msgs, unread, err := s.Inbox(ctx, w.A.Actors["secretary"], 10)
		if err != nil || len(msgs) != 1 || unread != 1 || msgs[0].Title != "【微党课】测试 2026-12" {
			t.Fatalf("inbox: %v %d %+v", err, unread, msgs)
		}
		// Channels are each account's: inbox only gets no e-mail; an
		// account without an address that wants e-mail is kept as skipped.
		if _, err := s.SetChannels(ctx, w.A.Actors["secretary"], []string{"inbox"}); err != nil {
			t.Fatal(err)
		}
		if err := d.W.Exec("UPDATE accounts SET email = '' WHERE id = ?", w.A.Actors["lecturer"].AccountID).Error; err != nil {
			t.Fatal(err)
		}
		q = enqueue(t, d, s, letter(w, "ch-secretary", "monthly.secretary", "2027-01"), letter(w, "ch-lecturer", "monthly.lecturer", "2027-01"))
		if q.New[notify.ChannelEmail] != 1 || q.Skipped != 1 || q.New[notify.ChannelInbox] != 2 {
			t.Fatalf("channels: %+v", q)
		}
		// An inactive account gets nothing.
		if err := d.W.Exec("UPDATE accounts SET active = ? WHERE id = ?", false, w.A.Actors["secretary"].AccountID).Error; err != nil {
			t.Fatal(err)
		}
		if q := enqueue(t, d, s, letter(w, "ch-secretary", "monthly.secretary", "2027-02")); q.Total() != 0 {
			t.Fatalf("inactive account: %+v", q)
		}
		// Without SMTP an e-mail is kept as skipped, with the reason.
		dl, err := s.Deliver(ctx)
		if err != nil || dl.Skipped != 2 || dl.Sent != 0 {
			t.Fatalf("deliver without SMTP: %+v %v", dl, err)
		}
		p, err := s.Messages(ctx, w.A.Official, notify.MessageFilter{Status: notify.StatusSkipped})
		if err != nil || p.Total != 3 {
			t.Fatalf("skipped: %v %+v", err, p)
		}
		for _, o := range p.Items {
			if o.LastError == "" || !strings.HasPrefix(o.Problem, "msg.problem.") {
				t.Errorf("skipped without a reason in the officials' words: %+v", o)
			}
		}
	})
}

func TestRobotDeliveryRetriesWithBackoffThenFails(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		clock := w.Now
		now := func() time.Time { return clock }
		rcv := newReceiver(t)
		s := notify.NewStore(d, now, notify.WithRobotHosts([]string{"127.0.0.1"}))
		if _, err := s.PutRobot(ctx, w.A.Official, 0, "", rcv.URL+"/cgi-bin/webhook/send?key=k1", ""); err != nil {
			t.Fatal(err)
		}
		l := notify.Letter{TownID: w.A.Town.ID, Kind: "monthly.town", Period: "2026-12", Robot: &notify.RobotTarget{Name: "春华镇"},
			Subject: "【微党课】春华镇2026年12月课程安排", Markdown: "### 安排\n- 第一课", Link: "https://weike.test/"}
		// A branch without a robot of its own gets nothing by robot.
		lb := l
		lb.Kind, lb.Robot = "monthly.branch", &notify.RobotTarget{BranchID: w.A.Branches[0].ID, Name: "龙王庙村"}
		if q := enqueue(t, d, s, l, lb); q.New[notify.ChannelWebhook] != 1 {
			t.Fatalf("robot letters: %+v", q)
		}
		rcv.setFail(true)
		for attempt := 1; attempt <= notify.MaxAttempts; attempt++ {
			dl, err := s.Deliver(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if attempt < notify.MaxAttempts && dl.Retrying != 1 || attempt == notify.MaxAttempts && dl.Failed != 1 {
				t.Fatalf("attempt %d: %+v", attempt, dl)
			}
			// Nothing is due again before the backoff has passed.
			clock = clock.Add(notify.Backoff(attempt) - time.Second)
			if dl, _ := s.Deliver(ctx); dl != (notify.Delivery{}) {
				t.Fatalf("attempt %d: sent again before its backoff: %+v", attempt, dl)
			}
			clock = clock.Add(time.Second)
		}
		p, err := s.Messages(ctx, w.A.Official, notify.MessageFilter{Channel: notify.ChannelWebhook})
		if err != nil || p.Total != 1 {
			t.Fatal(err, p)
		}
		o := p.Items[0]
		if o.Status != notify.StatusFailed || o.Attempts != notify.MaxAttempts || !strings.Contains(o.LastError, "502") || o.Problem != notify.TestHTTP {
			t.Fatalf("after the last attempt: %+v", o)
		}
		if strings.Contains(o.Address+o.LastError, "key=k1") {
			t.Errorf("the robot's key is shown: %+v", o)
		}
		// Given up, it stays failed whatever time passes...
		clock = clock.Add(48 * time.Hour)
		if dl, _ := s.Deliver(ctx); dl != (notify.Delivery{}) {
			t.Fatalf("a failed message was sent again: %+v", dl)
		}
		// ...until an official retries it; another town's official cannot.
		if _, err := s.Retry(ctx, w.B.Official, o.ID); err == nil {
			t.Fatal("漆河镇's official retried 春华镇's message")
		}
		if _, err := s.Retry(ctx, w.A.Actors["secretary"], o.ID); err == nil {
			t.Fatal("a secretary retried a message")
		}
		rcv.setFail(false)
		got, err := s.Retry(ctx, w.A.Official, o.ID)
		if err != nil || got.Status != notify.StatusSent || rcv.count() != 1 {
			t.Fatalf("retry now: %v %+v, %d received", err, got, rcv.count())
		}
		if _, err := s.Retry(ctx, w.A.Official, o.ID); err == nil {
			t.Fatal("a sent message was sent again")
		}
		md := rcv.bodies[0]["markdown"].(map[string]any)
		if rcv.bodies[0]["msgtype"] != "markdown" || !strings.Contains(md["content"].(string), "第一课") {
			t.Errorf("WeCom body: %v", rcv.bodies[0])
		}
	})
}

func TestDingTalkSignedAndTruncated(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		s := notify.NewStore(d, func() time.Time { return w.Now }, notify.WithRobotHosts([]string{"127.0.0.1"}))
		rcv := newReceiver(t)
		const secret = "SEC0123456789"
		if _, err := s.PutRobot(ctx, w.A.Official, w.A.Branches[0].ID, notify.RobotDingTalk, rcv.URL+"/robot/send?access_token=tok", secret); err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("屋场微党课等你来，", 3000) // ~ 27000 bytes
		enqueue(t, d, s, notify.Letter{TownID: w.A.Town.ID, Kind: "monthly.branch", Period: "2026-12",
			Robot: &notify.RobotTarget{BranchID: w.A.Branches[0].ID, Name: "龙王庙村"}, Subject: "安排", Markdown: long, Link: "https://weike.test/x"})
		if dl, err := s.Deliver(ctx); err != nil || dl.Sent != 1 {
			t.Fatalf("%+v %v", dl, err)
		}
		q := rcv.query[0]
		ts := q.Get("timestamp")
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "\n" + secret))
		if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); q.Get("sign") != want || q.Get("access_token") != "tok" {
			t.Errorf("signature %q, want %q (query %v)", q.Get("sign"), want, q)
		}
		if ts != "1796004000000" { // the fixture's clock in milliseconds
			t.Errorf("timestamp %s", ts)
		}
		md := rcv.bodies[0]["markdown"].(map[string]any)
		text := md["text"].(string)
		if md["title"] != "安排" || len(text) > notify.DingTalkLimit || !utf8.ValidString(text) || !strings.HasSuffix(text, "(https://weike.test/x)") {
			t.Errorf("DingTalk markdown: title %v, %d bytes, valid %v, ends %q", md["title"], len(text), utf8.ValidString(text), text[len(text)-60:])
		}
	})
}

func TestTruncateUTF8(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in    string
		limit int
	}{
		{"短", 4096},
		{strings.Repeat("微", 2000), 4096},
		{strings.Repeat("a微", 2000), 4096},
		{strings.Repeat("第一行\n", 1000), 4096},
		{strings.Repeat("😀", 3000), 4096},
	} {
		out := notify.TruncateUTF8(c.in, c.limit, "[更多](https://weike.test)")
		if len(out) > c.limit || !utf8.ValidString(out) {
			t.Errorf("%d bytes in: %d bytes out, valid %v", len(c.in), len(out), utf8.ValidString(out))
		}
		if len(c.in) <= c.limit && out != c.in {
			t.Errorf("a short text was changed")
		}
		if len(c.in) > c.limit && !strings.Contains(out, "更多") {
			t.Errorf("a cut text does not link to the rest")
		}
	}
	for _, kind := range []string{notify.RobotWeCom, notify.RobotDingTalk} {
		b, err := notify.RobotPayload(kind, "标题", strings.Repeat("微党课", 10000), "https://weike.test")
		if err != nil || !json.Valid(b) {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "[在微课中查看全文](https://weike.test)") {
			t.Errorf("%s: a cut message does not link to the whole: …%s", kind, b[len(b)-120:])
		}
	}
}

func TestConcurrentDeliverSendsOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		rcv := newReceiver(t)
		s := notify.NewStore(d, func() time.Time { return w.Now }, notify.WithDefaultWebhook(rcv.URL+"/send?key=default"), notify.WithRobotHosts([]string{"127.0.0.1"}))
		var ls []notify.Letter
		for i := 0; i < 20; i++ {
			ls = append(ls, notify.Letter{TownID: w.A.Town.ID, Kind: "test", Period: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02"),
				Robot: &notify.RobotTarget{Name: "春华镇"}, Subject: "s", Markdown: "m"})
		}
		enqueue(t, d, s, ls...)
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				other := notify.NewStore(d, func() time.Time { return w.Now }, notify.WithRobotHosts([]string{"127.0.0.1"}))
				if _, err := other.Deliver(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := rcv.count(); n != 20 {
			t.Fatalf("%d robot posts, want 20", n)
		}
	})
}

func TestEmailThroughMailpit(t *testing.T) {
	t.Parallel()
	mailtest.Binary(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		clock := w.Now
		// The SMTP server is down during the run, then comes back.
		down := mailtest.FreeAddr(t)
		m, err := notify.NewMailer(notify.SMTPConfig{Addr: down, From: "微课 <weike@weike.test>", TLS: "none"})
		if err != nil {
			t.Fatal(err)
		}
		s := notify.NewStore(d, func() time.Time { return clock }, notify.WithMailer(m))
		l := letter(w, "ch-lecturer", "monthly.lecturer", "2026-12")
		l.Attachment = &notify.Attachment{Name: "weike-2026-12.ics", Data: []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")}
		enqueue(t, d, s, l, letter(w, "ch-secretary", "monthly.secretary", "2026-12"))
		if dl, err := s.Deliver(ctx); err != nil || dl.Retrying != 2 {
			t.Fatalf("with the server down: %+v %v", dl, err)
		}
		back := mailtest.StartAt(t, down)
		clock = clock.Add(notify.Backoff(1))
		if dl, err := s.Deliver(ctx); err != nil || dl.Sent != 2 {
			t.Fatalf("with the server back: %+v %v", dl, err)
		}
		// Deliver again, and enqueue again: nothing more.
		enqueue(t, d, s, l)
		clock = clock.Add(24 * time.Hour)
		if dl, err := s.Deliver(ctx); err != nil || dl != (notify.Delivery{}) {
			t.Fatalf("again: %+v %v", dl, err)
		}
		ms := back.WaitFor(2, 10*time.Second)
		if len(ms) != 2 {
			t.Fatalf("%d e-mails arrived, want 2", len(ms))
		}
		for k, n := range mailtest.ByRecipient(ms) {
			if n != 1 {
				t.Errorf("%s: %d copies", k, n)
			}
		}
		for _, sm := range ms {
			full := back.Message(sm.ID)
			if full.Subject != "【微党课】测试 2026-12" || !strings.Contains(full.Text, "屋场微党课等你来") || !strings.Contains(full.HTML, "<p>正文") {
				t.Errorf("e-mail: %q text %q html %q", full.Subject, full.Text, full.HTML)
			}
			if sm.To[0].Address == "ch-lecturer@example.test" {
				if len(full.Attachments) != 1 || full.Attachments[0].FileName != "weike-2026-12.ics" || !strings.HasPrefix(full.Attachments[0].ContentType, "text/calendar") {
					t.Errorf("lecturer's attachment: %+v", full.Attachments)
				} else if body := back.Part(sm.ID, full.Attachments[0].PartID); !strings.Contains(string(body), "BEGIN:VCALENDAR") {
					t.Errorf("attachment body %q", body)
				}
			}
		}
	})
}
