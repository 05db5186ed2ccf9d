package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"weike/fixture"
	"weike/internal/apperr"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/notify"
)

// TestRobotURLsRefusedAtSave: an official may point a robot only at the
// robot services' own https hosts, unless the operator allowed more.
func TestRobotURLsRefusedAtSave(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url   string
		extra []string
		ok    bool
	}{
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", nil, true},
		{"https://oapi.dingtalk.com/robot/send?access_token=t", nil, true},
		{"https://QYAPI.weixin.qq.com:443/cgi-bin/webhook/send?key=k", nil, true},
		{"http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", nil, false},
		{"https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=k", nil, false},
		{"https://evil.example/cgi-bin/webhook/send", nil, false},
		{"https://qyapi.weixin.qq.com.evil.example/x", nil, false},
		{"https://user:pw@qyapi.weixin.qq.com/x", nil, false},
		{"http://127.0.0.1:8080/admin", nil, false},
		{"http://169.254.169.254/latest/meta-data/", nil, false},
		{"http://[::1]/x", nil, false},
		{"http://10.0.0.8/x", nil, false},
		{"ftp://qyapi.weixin.qq.com/x", nil, false},
		{"//qyapi.weixin.qq.com/x", nil, false},
		{"http://127.0.0.1:8080/relay", []string{"127.0.0.1"}, true},
		{"http://relay.town.local:9000/r", []string{"relay.town.local:9000"}, true},
		{"http://relay.town.local:9001/r", []string{"relay.town.local:9000"}, false},
		{"ftp://127.0.0.1/x", []string{"127.0.0.1"}, false},
	}
	for _, c := range cases {
		if err := notify.CheckRobotURL(c.url, c.extra); (err == nil) != c.ok {
			t.Errorf("%s (allowed %v): %v, want ok=%v", c.url, c.extra, err, c.ok)
		}
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := fixture.New(t, d)
		s := notify.NewStore(d, func() time.Time { return w.Now })
		_, err := s.PutRobot(context.Background(), w.A.Official, 0, "", "http://169.254.169.254/latest/meta-data/", "")
		if ae, ok := apperr.As(err); !ok || ae.Fields["url"] != "msg.robot_url" {
			t.Fatalf("a metadata-service robot was saved: %v", err)
		}
		// Without a public address its messages' links could not be opened
		// from a phone, and serve would not start again: refused at save.
		good := "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
		strict := notify.NewStore(d, func() time.Time { return w.Now }, notify.WithLinksRequired(true))
		_, err = strict.PutRobot(context.Background(), w.A.Official, 0, "", good, "")
		if ae, ok := apperr.As(err); !ok || ae.Fields["url"] != "msg.robot_needs_base_url" {
			t.Fatalf("a robot was saved with no base URL: %v", err)
		}
		withURL := notify.NewStore(d, func() time.Time { return w.Now }, notify.WithLinksRequired(true), notify.WithBaseURL("https://weike.example.cn"))
		if _, err := withURL.PutRobot(context.Background(), w.A.Official, 0, "", good, ""); err != nil {
			t.Fatalf("a robot was refused with a base URL set: %v", err)
		}
	})
}

// TestRobotSendsOnlyToPublicAddresses: a robot URL that got into the
// database pointing inward (by a name that resolves to loopback, or a
// literal) is not posted to: the send fails and the receiver hears nothing.
func TestRobotSendsOnlyToPublicAddresses(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		rcv := newReceiver(t)
		port := rcv.URL[strings.LastIndex(rcv.URL, ":")+1:]
		for i, target := range []string{"http://localhost:" + port + "/send", rcv.URL + "/send"} {
			// Allowed when saved, so that the row exists; the store that
			// sends has no such allowance.
			saver := notify.NewStore(d, func() time.Time { return w.Now }, notify.WithRobotHosts([]string{"localhost", "127.0.0.1"}))
			if _, err := saver.PutRobot(ctx, w.A.Official, 0, notify.RobotWeCom, target, ""); err != nil {
				t.Fatal(err)
			}
			s := notify.NewStore(d, func() time.Time { return w.Now })
			l := notify.Letter{TownID: w.A.Town.ID, Kind: "monthly.town", Period: "2026-1" + string(rune('0'+i)),
				Robot: &notify.RobotTarget{Name: "春华镇"}, Subject: "s", Markdown: "m", Link: "https://weike.test/"}
			if q := enqueue(t, d, s, l); q.New[notify.ChannelWebhook] != 1 {
				t.Fatalf("%s: not queued: %+v", target, q)
			}
			dl, err := s.Deliver(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if dl.Sent != 0 || dl.Retrying != 1 {
				t.Fatalf("%s: %+v", target, dl)
			}
		}
		if n := rcv.count(); n != 0 {
			t.Fatalf("the inward robot got %d posts", n)
		}
	})
}
