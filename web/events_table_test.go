package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"weike/fixture"
	"weike/internal/cron"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/internal/mailtest"
	"weike/internal/tz"
	"weike/jobs"
	"weike/notify"
	"weike/org"
)

// robotPosts is a real local HTTP server standing in for a group robot: it
// keeps every post, and answers as WeCom and DingTalk do.
type robotPosts struct {
	*httptest.Server
	mu    sync.Mutex
	posts []map[string]any
}

func newRobotPosts(t *testing.T) *robotPosts {
	r := &robotPosts{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var m map[string]any
		b, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(b, &m); err != nil {
			w.Write([]byte(`{"errcode":40001,"errmsg":"bad json"}`))
			return
		}
		r.mu.Lock()
		r.posts = append(r.posts, m)
		r.mu.Unlock()
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *robotPosts) all() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.posts)
}

// mentionOf is whom a post @-mentions and what it says: WeCom's text
// message (mentioned_mobile_list), DingTalk's markdown (at.atMobiles).
func mentionOf(p map[string]any) (mobile, content string) {
	if txt, ok := p["text"].(map[string]any); ok {
		content, _ = txt["content"].(string)
		if l, ok := txt["mentioned_mobile_list"].([]any); ok && len(l) == 1 {
			mobile, _ = l[0].(string)
		}
	}
	if md, ok := p["markdown"].(map[string]any); ok {
		content, _ = md["text"].(string)
		if content == "" {
			content, _ = md["content"].(string)
		}
		if at, ok := p["at"].(map[string]any); ok {
			if l, ok := at["atMobiles"].([]any); ok && len(l) == 1 {
				mobile, _ = l[0].(string)
			}
		}
	}
	return mobile, content
}

// eventWorld is the event table's town: every account of 春华镇 gets its
// messages on all three channels (inbox, e-mail, the town's group robot
// @-mentioning its phone), e-mail goes to a real mailpit and the robot to
// a local receiver.
type eventWorld struct {
	t      *testing.T
	e      *env
	d      *db.DB
	sender *notify.Store // sends what the moves put in the outbox
	worker *jobs.Worker
	mp     *mailtest.Server
	robot  *robotPosts
	logins map[int64]string // account → login
	phones map[string]string
	emails map[string]string
	slots  []time.Time // free Saturday times, handed out one by one
	lastID int64       // the outbox rows before the step under test
	night  bool        // the table's run inside the quiet hours
}

var t0 = fixture.Clock() // Monday 2026-11-30 10:00 in Shanghai

func newEventWorld(t *testing.T, e *env, d *db.DB) *eventWorld {
	ctx := context.Background()
	w := &eventWorld{t: t, e: e, d: d, mp: mailtest.Start(t), robot: newRobotPosts(t), logins: map[int64]string{},
		phones: map[string]string{}, emails: map[string]string{}}
	clock := func() time.Time { return e.W.Now }
	m, err := notify.NewMailer(notify.SMTPConfig{Addr: w.mp.SMTP, From: "微课 <weike@weike.test>", TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	w.sender = notify.NewStore(d, clock, notify.WithMailer(m), notify.WithRobotHosts([]string{"127.0.0.1"}),
		notify.WithBaseURL(fixture.BaseURL), notify.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	w.worker = jobs.NewWorker(jobs.Deps{Booking: e.W.Booking, Letters: e.W.Letters, Notify: w.sender,
		Runner: cron.NewRunner(d, clock, slog.New(slog.NewTextHandler(io.Discard, nil))), BaseURL: fixture.BaseURL,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	A := e.W.A
	// The town's robot; the branches have none, so everyone's goes there.
	if _, err := w.sender.PutRobot(ctx, A.Official, 0, notify.RobotWeCom, w.robot.URL+"/cgi-bin/webhook/send?key=events", ""); err != nil {
		t.Fatal(err)
	}
	// A second lecturer's account, to give orders to.
	if _, err := e.W.Org.CreateAccount(ctx, org.NewAccount{Login: "ch-lecturer2", Password: fixture.Password, Name: "李老师",
		Role: org.RoleLecturer, TownID: A.Town.ID, LecturerID: A.Lecturers[1].ID, Email: "ch-lecturer2@example.test"}); err != nil {
		t.Fatal(err)
	}
	for i, login := range []string{"ch-official", "ch-secretary", "ch-lecturer", "ch-lecturer2"} {
		phone := fmt.Sprintf("1390731%04d", i+1)
		if err := d.W.Exec("UPDATE accounts SET phone = ? WHERE login = ?", phone, login).Error; err != nil {
			t.Fatal(err)
		}
		if res := e.as(login, http.MethodPut, "/api/v1/me/channels", map[string]any{"channels": []string{"inbox", "email", "webhook"}}); res.Code != 200 {
			t.Fatalf("channels of %s: %d %s", login, res.Code, res.Body)
		}
		a, err := e.W.Org.AccountByLogin(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		w.logins[a.ID], w.phones[login], w.emails[login] = login, phone, a.Email
	}
	// Room for every lesson of the table: capacity is not what it tests.
	if err := d.W.Exec("UPDATE lecturers SET monthly_capacity = 100").Error; err != nil {
		t.Fatal(err)
	}
	for day := time.Date(2026, 12, 5, 0, 0, 0, 0, tz.Shanghai); day.Month() < 2 || day.Year() == 2026; day = day.AddDate(0, 0, 7) {
		for h := 14; h < 18; h++ {
			w.slots = append(w.slots, day.Add(time.Duration(h)*time.Hour))
		}
	}
	return w
}

// slot hands out a Saturday afternoon no other order of the table uses.
func (w *eventWorld) slot() string {
	s := w.slots[0]
	w.slots = w.slots[1:]
	return s.Format(time.RFC3339)
}

// order places 春华镇's order with ch-lecturer at the given times.
func (w *eventWorld) order(slots ...string) orderJSON {
	w.t.Helper()
	o, code, body := w.e.order(w.t, "ch-secretary", 0, slots...)
	if code != http.StatusCreated {
		w.t.Fatalf("order: %d %s", code, body)
	}
	return *o
}

// move makes a move through the API and wants it to work.
func (w *eventWorld) move(login string, o orderJSON, action string, body any) {
	w.t.Helper()
	if res := w.e.as(login, http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/%s", o.ID, action), body); res.Code != http.StatusOK {
		w.t.Fatalf("%s %s: %d %s", login, action, res.Code, res.Body)
	}
}

type outboxRow struct {
	ID            int64
	Kind          string
	Period        string
	AccountID     *int64
	Channel       string
	Status        string
	Subject       string
	Link          string
	Mention       string
	NextAttemptAt time.Time
}

func (w *eventWorld) rowsSince(id int64) []outboxRow {
	w.t.Helper()
	var rows []outboxRow
	if err := w.d.R.Table("outbox").Where("id > ?", id).Order("id").Find(&rows).Error; err != nil {
		w.t.Fatal(err)
	}
	return rows
}

// settle sends what is due and remembers where the outbox stands: the
// step under test then sees only its own messages.
func (w *eventWorld) settle() {
	w.t.Helper()
	if _, err := w.sender.Deliver(context.Background()); err != nil {
		w.t.Fatal(err)
	}
	if err := w.d.R.Table("outbox").Select("COALESCE(MAX(id), 0)").Scan(&w.lastID).Error; err != nil {
		w.t.Fatal(err)
	}
}

// sentMail waits until mailpit holds every e-mail the outbox says it sent.
func (w *eventWorld) sentMail() []mailtest.Summary {
	w.t.Helper()
	var n int64
	if err := w.d.R.Table("outbox").Where("channel = ? AND status = ?", notify.ChannelEmail, notify.StatusSent).Count(&n).Error; err != nil {
		w.t.Fatal(err)
	}
	ms := w.mp.WaitFor(int(n), 20*time.Second)
	if len(ms) != int(n) {
		w.t.Fatalf("mailpit holds %d e-mails, the outbox sent %d", len(ms), n)
	}
	return ms
}

// closeOrders ends the town's open orders, so that the next row's hourly
// jobs (expiry, reminders) see only its own order.
func (w *eventWorld) closeOrders() {
	w.t.Helper()
	for _, q := range []string{
		"UPDATE orders SET status = 'cancelled' WHERE status IN ('requested', 'proposed', 'confirmed')",
		"UPDATE orders SET status = 'reviewed' WHERE status = 'delivered'",
	} {
		if err := w.d.W.Exec(q).Error; err != nil {
			w.t.Fatal(err)
		}
	}
}

// eventRow is one row of the event table (docs/architecture.md, "Who is
// told what"): a move, or a job, and whom it tells.
type eventRow struct {
	name string
	kind string
	to   []string // logins, each on all three channels
	// setup makes the order the row acts on, by day at t0.
	setup func(w *eventWorld) orderJSON
	// at is when the row acts: by day, or inside the quiet hours.
	at  func(o orderJSON, night bool) time.Time
	act func(w *eventWorld, o orderJSON, at time.Time)
	// again, when set, runs the act once more: it must add nothing.
	again bool
}

// byDay and byNight are the times a move is made: the same morning, or at
// 22:00, inside the default quiet hours (21:00–07:30).
func moveAt(_ orderJSON, night bool) time.Time {
	if night {
		return t0.Add(12 * time.Hour)
	}
	return t0.Add(time.Hour)
}

func eventRows() []eventRow {
	placed := func(w *eventWorld) orderJSON { return w.order(w.slot()) }
	accepted := func(w *eventWorld) orderJSON {
		o := w.order(w.slot())
		w.move("ch-lecturer", o, "accept", map[string]int{"slot": 0})
		return o
	}
	proposed := func(w *eventWorld) orderJSON {
		o := w.order(w.slot())
		w.move("ch-lecturer", o, "propose", map[string]any{"start": w.slot(), "note": "那周只有周六下午有空"})
		return o
	}
	reason := map[string]string{"reason": "村里临时有事"}
	return []eventRow{
		{name: "ordered", kind: notify.KindOrderRequested, to: []string{"ch-lecturer"},
			setup: func(w *eventWorld) orderJSON { return orderJSON{} }, at: moveAt,
			act: func(w *eventWorld, _ orderJSON, _ time.Time) { w.order(w.slot(), w.slot()) }},
		{name: "accepted", kind: notify.KindOrderAccepted, to: []string{"ch-secretary"}, setup: placed, at: moveAt,
			act: func(w *eventWorld, o orderJSON, _ time.Time) {
				w.move("ch-lecturer", o, "accept", map[string]int{"slot": 0})
			}},
		{name: "declined", kind: notify.KindOrderDeclined, to: []string{"ch-secretary", "ch-official"}, setup: placed, at: moveAt,
			act: func(w *eventWorld, o orderJSON, _ time.Time) {
				w.move("ch-lecturer", o, "decline", map[string]string{"reason": "那天要去长沙"})
			}},
		{name: "another time proposed", kind: notify.KindOrderProposed, to: []string{"ch-secretary"}, setup: placed, at: moveAt,
			act: func(w *eventWorld, o orderJSON, _ time.Time) {
				w.move("ch-lecturer", o, "propose", map[string]any{"start": w.slot(), "note": "那周只有周六下午有空"})
			}},
		{name: "proposal agreed", kind: notify.KindOrderProposalAnswered, to: []string{"ch-lecturer"}, setup: proposed, at: moveAt,
			act: func(w *eventWorld, o orderJSON, _ time.Time) {
				w.move("ch-secretary", o, "respond", map[string]bool{"accept": true})
			}},
		{name: "proposal refused", kind: notify.KindOrderProposalAnswered, to: []string{"ch-lecturer"}, setup: proposed, at: moveAt,
			act: func(w *eventWorld, o orderJSON, _ time.Time) {
				w.move("ch-secretary", o, "respond", map[string]bool{"accept": false})
			}},
		{name: "cancelled by the branch", kind: notify.KindOrderCancelled, to: []string{"ch-lecturer", "ch-official"}, setup: accepted, at: moveAt,
			act: func(w *eventWorld, o orderJSON, _ time.Time) { w.move("ch-secretary", o, "cancel", reason) }},
		{name: "cancelled by the town", kind: notify.KindOrderCancelled, to: []string{"ch-secretary", "ch-lecturer"}, setup: placed, at: moveAt,
			act: func(w *eventWorld, o orderJSON, _ time.Time) { w.move("ch-official", o, "cancel", reason) }},
		{name: "withdrawn by the lecturer", kind: notify.KindOrderWithdrawn, to: []string{"ch-secretary", "ch-official"}, setup: accepted, at: moveAt,
			act: func(w *eventWorld, o orderJSON, _ time.Time) {
				w.move("ch-lecturer", o, "withdraw", map[string]string{"reason": "家里老人住院"})
			}},
		{name: "reassigned: the new lecturer", kind: notify.KindOrderAssigned, to: []string{"ch-lecturer2"}, setup: placed, at: moveAt,
			act: func(w *eventWorld, o orderJSON, _ time.Time) {
				w.move("ch-official", o, "reassign", map[string]int64{"lecturer_id": w.e.W.A.Lecturers[1].ID})
			}},
		{name: "answer deadline near", kind: notify.KindOrderDeadlineNear, to: []string{"ch-lecturer"}, setup: placed, again: true,
			at: func(o orderJSON, night bool) time.Time {
				if night {
					return o.AnswerBy.Add(-11 * time.Hour) // 23:00
				}
				return o.AnswerBy.Add(-2 * time.Hour) // 08:00
			},
			act: func(w *eventWorld, _ orderJSON, _ time.Time) {
				if _, err := w.e.W.Booking.RemindDue(context.Background()); err != nil {
					w.t.Fatal(err)
				}
			}},
		{name: "expired", kind: notify.KindOrderExpired, to: []string{"ch-official", "ch-secretary"}, setup: placed, again: true,
			at: func(o orderJSON, night bool) time.Time {
				if night {
					return o.AnswerBy.Add(12 * time.Hour) // 22:00
				}
				return o.AnswerBy.Add(time.Hour)
			},
			act: func(w *eventWorld, _ orderJSON, _ time.Time) {
				if _, err := w.e.W.Booking.ExpireDue(context.Background()); err != nil {
					w.t.Fatal(err)
				}
			}},
		{name: "delivered, not reviewed after 3 days", kind: notify.KindOrderReviewDue, to: []string{"ch-secretary"}, again: true,
			setup: func(w *eventWorld) orderJSON {
				// A Wednesday evening lesson, given and recorded.
				start := time.Date(2026, 12, 2, 19, 0, 0, 0, tz.Shanghai)
				if w.night {
					start = start.Add(time.Hour)
				}
				o := w.order(start.Format(time.RFC3339))
				w.move("ch-lecturer", o, "accept", map[string]int{"slot": 0})
				w.e.W.Now = start.Add(40 * time.Minute)
				w.move("ch-lecturer", o, "deliver", map[string]any{"attendees": 30, "minutes": 25})
				return o
			},
			at: func(o orderJSON, night bool) time.Time {
				delivered := o.Slots[0].Add(40 * time.Minute)
				if night {
					return delivered.Add(73 * time.Hour) // 21:40 or later
				}
				return delivered.Add(72*time.Hour + time.Minute) // before 21:00
			},
			act: func(w *eventWorld, _ orderJSON, _ time.Time) {
				if _, err := w.e.W.Booking.RemindDue(context.Background()); err != nil {
					w.t.Fatal(err)
				}
			}},
		{name: "the officials' digest", kind: notify.KindDigest, to: []string{"ch-official"}, again: true,
			setup: func(w *eventWorld) orderJSON { return orderJSON{} },
			at: func(_ orderJSON, night bool) time.Time {
				if night {
					return time.Date(2026, 12, 2, 22, 0, 0, 0, tz.Shanghai) // a town that set its digest late
				}
				return time.Date(2026, 12, 1, 8, 0, 0, 0, tz.Shanghai)
			},
			act: func(w *eventWorld, _ orderJSON, at time.Time) {
				if err := w.worker.Digest(context.Background(), cron.Tick{Job: jobs.OfficialsDigest, TownID: w.e.W.A.Town.ID, At: at, Source: "cron"}); err != nil &&
					!errors.Is(err, cron.ErrClaimed) {
					w.t.Fatal(err)
				}
			}},
	}
}

// TestEventTable walks every row of the event table, by day and inside the
// quiet hours: each row tells exactly its recipients, once on each of
// their channels, in the outbox and as delivered (one e-mail in mailpit,
// one robot post @-mentioning the recipient's phone); at night the inbox
// has it at once while e-mail and robot wait for 07:30.
func TestEventTable(t *testing.T) {
	t.Parallel()
	mailtest.Binary(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		w := newEventWorld(t, e, d)
		// The reassigned row tells the branch and the former lecturer too,
		// under a kind of their own.
		also := map[string]map[string]string{"reassigned: the new lecturer": {"ch-secretary": notify.KindOrderReassigned, "ch-lecturer": notify.KindOrderReassigned}}
		for _, night := range []bool{false, true} {
			w.night = night
			for _, r := range eventRows() {
				name := r.name + map[bool]string{false: ", by day", true: ", at night"}[night]
				e.W.Now = t0
				o := r.setup(w)
				w.settle()
				mails, posts := len(w.sentMail()), len(w.robot.all())
				at := r.at(o, night)
				e.W.Now = at
				r.act(w, o, at)
				rows := w.rowsSince(w.lastID)
				if r.again {
					r.act(w, o, at)
					if more := w.rowsSince(w.lastID); len(more) != len(rows) {
						t.Errorf("%s: running it again added %d messages", name, len(more)-len(rows))
					}
				}
				// Exactly one row per recipient and channel, of the row's kind.
				want := map[string]string{}
				for _, login := range r.to {
					want[login] = r.kind
				}
				for login, kind := range also[r.name] {
					want[login] = kind
				}
				got := map[string][]string{}
				for _, row := range rows {
					login := "(none)"
					if row.AccountID != nil {
						login = w.logins[*row.AccountID]
					}
					if row.Kind != want[login] {
						t.Errorf("%s: a %s message on %s to %s, which it should not tell", name, row.Kind, row.Channel, login)
						continue
					}
					got[login] = append(got[login], row.Channel)
					if row.Channel == notify.ChannelWebhook && row.Mention != w.phones[login] {
						t.Errorf("%s: the robot message to %s mentions %q", name, login, row.Mention)
					}
					if row.Channel != notify.ChannelInbox && !strings.HasPrefix(row.Link, fixture.BaseURL+"/orders") {
						t.Errorf("%s: link %q is not absolute from the base URL", name, row.Link)
					}
				}
				for login := range want {
					sort.Strings(got[login])
					if strings.Join(got[login], ",") != "email,inbox,webhook" {
						t.Errorf("%s: %s got %v, want one message on each of email, inbox and webhook", name, login, got[login])
					}
				}
				due := 0
				for _, row := range rows {
					if row.Channel == notify.ChannelInbox {
						if row.Status != notify.StatusSent {
							t.Errorf("%s: the inbox message is %s, not delivered at once", name, row.Status)
						}
						// The inbox's own button opens the order: its link is
						// a path of weike, and its text carries none.
						var m struct{ Body, Link string }
						if err := d.R.Table("inbox_messages").Select("body, link").Where("dedupe_key = ?", row.Kind+":"+row.Period+":"+fmt.Sprint(*row.AccountID)).
							Take(&m).Error; err != nil {
							t.Errorf("%s: no inbox message for %d: %v", name, row.ID, err)
						} else if !strings.HasPrefix(m.Link, "/orders") || strings.Contains(m.Body, "http") || m.Body == "" {
							t.Errorf("%s: inbox message %+v", name, m)
						}
						continue
					}
					due++
					if night {
						morning := notify.QuietHours{From: org.DefaultQuietFrom, Until: org.DefaultQuietUntil, Zone: tz.Shanghai}.End(at)
						if !row.NextAttemptAt.Equal(morning) || morning.In(tz.Shanghai).Format("15:04") != "07:30" {
							t.Errorf("%s: the %s message waits until %s, want %s", name, row.Channel, row.NextAttemptAt, morning)
						}
					}
				}
				if night {
					// Nothing leaves before the morning.
					if dl, err := w.sender.Deliver(context.Background()); err != nil || dl.Sent != 0 {
						t.Errorf("%s: sent during the quiet hours: %+v %v", name, dl, err)
					}
					e.W.Now = notify.QuietHours{From: org.DefaultQuietFrom, Until: org.DefaultQuietUntil, Zone: tz.Shanghai}.End(at).Add(-time.Minute)
					if dl, _ := w.sender.Deliver(context.Background()); dl.Sent != 0 {
						t.Errorf("%s: sent at 07:29: %+v", name, dl)
					}
					if n := len(w.robot.all()); n != posts {
						t.Errorf("%s: %d robot posts during the quiet hours", name, n-posts)
					}
					e.W.Now = e.W.Now.Add(time.Minute)
				}
				// (A job sends what it wrote at once; a move leaves it to the
				// next delivery.)
				if _, err := w.sender.Deliver(context.Background()); err != nil {
					t.Fatal(err)
				}
				sent := 0
				for _, row := range w.rowsSince(w.lastID) {
					if row.Channel != notify.ChannelInbox && row.Status == notify.StatusSent {
						sent++
					}
				}
				if sent != due {
					t.Errorf("%s: %d messages sent by e-mail and robot, want %d", name, sent, due)
				}
				// As delivered: one e-mail per recipient, one robot post
				// @-mentioning each.
				ms := w.sentMail()
				if len(ms)-mails != len(want) {
					t.Errorf("%s: %d e-mails, want %d", name, len(ms)-mails, len(want))
				}
				for _, row := range rows {
					switch row.Channel {
					case notify.ChannelEmail:
						n := 0
						for _, m := range ms {
							if strings.HasPrefix(m.MessageID, fmt.Sprintf("weike.%d.", row.ID)) {
								n++
								if len(m.To) != 1 || m.To[0].Address != w.emails[w.logins[*row.AccountID]] || m.Subject != row.Subject {
									t.Errorf("%s: e-mail %+v", name, m)
								}
							}
						}
						if n != 1 {
							t.Errorf("%s: %d e-mails of message %d", name, n, row.ID)
						}
					}
				}
				fresh := w.robot.all()[posts:]
				mentioned := map[string]int{}
				for _, p := range fresh {
					mobile, content := mentionOf(p)
					mentioned[mobile]++
					if !strings.Contains(content, fixture.BaseURL+"/orders") {
						t.Errorf("%s: the robot post has no link to the order: %s", name, content)
					}
				}
				for login := range want {
					if mentioned[w.phones[login]] != 1 {
						t.Errorf("%s: %d robot posts mention %s", name, mentioned[w.phones[login]], login)
					}
				}
				if len(fresh) != len(want) {
					t.Errorf("%s: %d robot posts, want %d", name, len(fresh), len(want))
				}
				w.closeOrders()
			}
		}
	})
}
