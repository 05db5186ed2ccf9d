package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"weike/fixture"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/internal/tz"
	"weike/notify"
	"weike/org"
)

// TestRobotMentions: a message to one person through a group robot
// @-mentions her phone, in the form each robot understands; her branch's
// robot is used before her town's; without a phone the robot posts with no
// mention.
func TestRobotMentions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		s := notify.NewStore(d, func() time.Time { return w.Now }, notify.WithRobotHosts([]string{"127.0.0.1"}), notify.WithBaseURL("https://weike.test"))
		town, branch := newReceiver(t), newReceiver(t)
		if _, err := s.PutRobot(ctx, w.A.Official, 0, notify.RobotWeCom, town.URL+"/cgi-bin/webhook/send?key=town", ""); err != nil {
			t.Fatal(err)
		}
		// The secretary's branch talks DingTalk (signed).
		if _, err := s.PutRobot(ctx, w.A.Official, w.A.Branches[0].ID, notify.RobotDingTalk, branch.URL+"/robot/send?access_token=b", "SEC1"); err != nil {
			t.Fatal(err)
		}
		// The lecturer's home branch has no robot of its own.
		if err := d.W.Exec("UPDATE lecturers SET branch_id = ? WHERE id = ?", w.A.Branches[1].ID, w.A.Lecturers[0].ID).Error; err != nil {
			t.Fatal(err)
		}
		for login, phone := range map[string]string{"ch-secretary": "13900000001", "ch-lecturer": "13900000002", "ch-official": ""} {
			if err := d.W.Exec("UPDATE accounts SET phone = ?, channels = 'webhook' WHERE login = ?", phone, login).Error; err != nil {
				t.Fatal(err)
			}
		}
		note := notify.Note{Kind: notify.KindOrderAccepted, Key: "1-1", Path: "/orders/1",
			Params: map[string]any{"lecturer": "王老师", "lesson": "红色家书", "start": time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC), "courtyard": "龙王庙屋场"}}
		err := d.Tx(ctx, func(tx *gorm.DB) error {
			_, err := s.TellTx(tx, w.A.Town.ID, []notify.Recipient{
				{AccountID: w.A.Actors["secretary"].AccountID, Lang: "zh-CN"},
				{AccountID: w.A.Actors["lecturer"].AccountID, Lang: "en"},
				{AccountID: w.A.Official.AccountID, Lang: "zh-CN"},
			}, note)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if dl, err := s.Deliver(ctx); err != nil || dl.Sent != 3 {
			t.Fatalf("deliver: %+v %v", dl, err)
		}
		// The secretary: her branch's DingTalk robot, markdown with at.atMobiles
		// and the number in the text, signed.
		if branch.count() != 1 {
			t.Fatalf("%d posts to the branch's robot, want 1", branch.count())
		}
		b := branch.bodies[0]
		at, _ := b["at"].(map[string]any)
		md, _ := b["markdown"].(map[string]any)
		text, _ := md["text"].(string)
		if b["msgtype"] != "markdown" || at == nil || len(at["atMobiles"].([]any)) != 1 || at["atMobiles"].([]any)[0] != "13900000001" ||
			at["isAtAll"] != false || !strings.HasSuffix(text, "@13900000001") || !strings.Contains(text, "https://weike.test/orders/1") {
			t.Errorf("DingTalk post: %v", b)
		}
		if branch.query[0].Get("sign") == "" {
			t.Errorf("the DingTalk post is not signed: %v", branch.query[0])
		}
		// The lecturer (her home branch has no robot) and the official: the
		// town's WeCom robot; a mention is a text message.
		if town.count() != 2 {
			t.Fatalf("%d posts to the town's robot, want 2", town.count())
		}
		var mentioned, plain int
		for _, p := range town.bodies {
			switch p["msgtype"] {
			case "text":
				txt := p["text"].(map[string]any)
				l := txt["mentioned_mobile_list"].([]any)
				content := txt["content"].(string)
				if len(l) != 1 || l[0] != "13900000002" || !strings.HasPrefix(content, "Order accepted: 红色家书") || !strings.Contains(content, "https://weike.test/orders/1") {
					t.Errorf("WeCom mention: %v", p)
				}
				mentioned++
			case "markdown":
				// The official has no phone: posted without a mention.
				if c := p["markdown"].(map[string]any)["content"].(string); !strings.Contains(c, "讲师已接单") {
					t.Errorf("WeCom markdown: %v", p)
				}
				plain++
			}
		}
		if mentioned != 1 || plain != 1 {
			t.Errorf("town posts: %d with a mention, %d without; want 1 and 1: %v", mentioned, plain, town.bodies)
		}
	})
}

// TestRobotPayloadLimits: a mention survives the robots' limits.
func TestRobotPayloadLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("屋场微党课等你来，", 800)
	for _, kind := range []string{notify.RobotWeCom, notify.RobotDingTalk} {
		b, err := notify.RobotPayloadTo(kind, "标题", long, long, "https://weike.test/orders/1", "13900000001")
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if !strings.Contains(s, "13900000001") || !strings.Contains(s, "https://weike.test/orders/1") {
			t.Errorf("%s: %s…", kind, s[:200])
		}
		if kind == notify.RobotWeCom && len(b) > notify.WeComTextLimit+300 {
			t.Errorf("WeCom text of %d bytes", len(b))
		}
	}
}

func TestQuietHoursEnd(t *testing.T) {
	t.Parallel()
	at := func(day, hh, mm int) time.Time { return time.Date(2026, 12, day, hh, mm, 0, 0, tz.Shanghai) }
	cases := []struct {
		name        string
		from, until string
		now         time.Time
		want        time.Time // zero: not quiet
	}{
		{"evening", "21:00", "07:30", at(1, 22, 0), at(2, 7, 30)},
		{"at the start", "21:00", "07:30", at(1, 21, 0), at(2, 7, 30)},
		{"just before", "21:00", "07:30", at(1, 20, 59), time.Time{}},
		{"after midnight", "21:00", "07:30", at(2, 3, 15), at(2, 7, 30)},
		{"at the end", "21:00", "07:30", at(2, 7, 30), time.Time{}},
		{"by day", "21:00", "07:30", at(2, 12, 0), time.Time{}},
		{"a window within the night", "01:00", "06:00", at(2, 2, 0), at(2, 6, 0)},
		{"outside it", "01:00", "06:00", at(2, 23, 0), time.Time{}},
		{"never quiet", "00:00", "00:00", at(2, 3, 0), time.Time{}},
		{"unreadable: sent", "9pm", "07:30", at(2, 23, 0), time.Time{}},
	}
	for _, c := range cases {
		got := notify.QuietHours{From: c.from, Until: c.until, Zone: tz.Shanghai}.End(c.now)
		if !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestMutedKinds: an account that turned a kind off gets none of it, on
// any channel; a kind that asks it for an answer it gets whatever it
// stored.
func TestMutedKinds(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		s := notify.NewStore(d, func() time.Time { return w.Now })
		sec := w.A.Actors["secretary"]
		if _, err := s.SetMutedKinds(ctx, sec, []string{notify.KindOrderAccepted}); err != nil {
			t.Fatal(err)
		}
		// Stored by hand, as an older weike might have: a required kind.
		if err := d.W.Exec("UPDATE accounts SET muted = 'order.requested' WHERE id = ?", w.A.Actors["lecturer"].AccountID).Error; err != nil {
			t.Fatal(err)
		}
		tell := func(kind string, to org.Actor) notify.Queued {
			var q notify.Queued
			err := d.Tx(ctx, func(tx *gorm.DB) error {
				var err error
				q, err = s.TellTx(tx, w.A.Town.ID, []notify.Recipient{{AccountID: to.AccountID, Lang: "zh-CN"}},
					notify.Note{Kind: kind, Key: "9-9", Params: map[string]any{}})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return q
		}
		if q := tell(notify.KindOrderAccepted, sec); q.Total() != 0 || q.Muted != 1 {
			t.Errorf("a muted kind: %+v", q)
		}
		if q := tell(notify.KindOrderProposed, sec); q.Total() != 2 {
			t.Errorf("a kind left on: %+v", q)
		}
		if q := tell(notify.KindOrderRequested, w.A.Actors["lecturer"]); q.Total() != 2 || q.Muted != 0 {
			t.Errorf("a required kind: %+v", q)
		}
	})
}
