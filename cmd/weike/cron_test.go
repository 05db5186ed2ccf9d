package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"weike/letters"

	"weike/booking"
	"weike/demo"
	"weike/fixture"
	"weike/internal/cron"
	"weike/internal/db"
	"weike/internal/db/dbtest"
	"weike/internal/mailtest"
	"weike/lessons"
	"weike/org"
)

// robotReceiver is a real local HTTP server in the group robots' place.
type robotReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
}

func newRobotReceiver(t *testing.T) *robotReceiver {
	r := &robotReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var m map[string]any
		b, _ := io.ReadAll(req.Body)
		if json.Unmarshal(b, &m) != nil {
			w.Write([]byte(`{"errcode":40001,"errmsg":"bad json"}`))
			return
		}
		r.mu.Lock()
		r.bodies = append(r.bodies, m)
		r.mu.Unlock()
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *robotReceiver) contents() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, b := range r.bodies {
		if md, ok := b["markdown"].(map[string]any); ok && b["msgtype"] == "markdown" {
			c, _ := md["content"].(string)
			out = append(out, c)
		}
	}
	return out
}

// seeded is the demo with a published plan for month and one confirmed
// lesson, as a new user would have it after a few clicks.
type seeded struct {
	month     string
	lessonDay string
	// emails are the addresses of every official, secretary and lecturer.
	emails    map[string]bool
	lecturers map[string]bool
	lesson    struct{ lecturer, secretary string }
}

// backdateTowns moves the towns' creation back by d.
func backdateTowns(t *testing.T, dsn string, d time.Duration) {
	t.Helper()
	h, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var ts []struct {
		ID        int64
		CreatedAt time.Time
	}
	if err := h.R.Raw("SELECT id, created_at FROM towns").Scan(&ts).Error; err != nil {
		t.Fatal(err)
	}
	for _, tw := range ts {
		if err := h.W.Exec("UPDATE towns SET created_at = ? WHERE id = ?", tw.CreatedAt.Add(-d).UTC(), tw.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
}

func seedDemo(t *testing.T, dsn string) *seeded {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	orgs, cat := org.NewStore(d, nil), lessons.NewStore(d, nil)
	book := booking.NewStore(d, nil, orgs, cat)
	if _, err := demo.Load(ctx, demo.Stores{Org: orgs, Lessons: cat}, "demo1234"); err != nil {
		t.Fatal(err)
	}
	actor := func(login string) org.Actor {
		a, err := orgs.AccountByLogin(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		act, err := orgs.ActorFor(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return act
	}
	s := &seeded{month: time.Now().In(shanghai()).AddDate(0, 1, -time.Now().In(shanghai()).Day()+1).Format("2006-01"),
		emails: map[string]bool{}, lecturers: map[string]bool{}}
	off, sec := actor("official"), actor("secretary")
	ls, err := cat.Lessons(ctx, off, lessons.LessonFilter{Status: lessons.StatusPublished, PerPage: 3})
	if err != nil || len(ls.Items) < 3 {
		t.Fatalf("demo lessons: %v %d", err, len(ls.Items))
	}
	films, err := cat.Films(ctx, off, lessons.FilmFilter{})
	if err != nil || len(films) == 0 {
		t.Fatalf("demo films: %v", err)
	}
	if _, err := cat.PutPlan(ctx, off, s.month, lessons.PlanInput{LessonIDs: []int64{ls.Items[0].ID, ls.Items[1].ID, ls.Items[2].ID},
		Films: []lessons.PlanFilmInput{{FilmID: films[0].ID, PreviewDate: s.month + "-03"}}}); err != nil {
		t.Fatal(err)
	}
	var slots []booking.Slot
	var lessonID int64
	for _, l := range ls.Items {
		if slots, err = book.FreeSlots(ctx, sec, l.ID, 0, 6, 5); err != nil {
			t.Fatal(err)
		}
		if len(slots) > 0 {
			lessonID = l.ID
			break
		}
	}
	if len(slots) == 0 {
		t.Fatal("no free slot in the demo")
	}
	br, err := orgs.Branch(ctx, sec, sec.BranchID)
	if err != nil || len(br.Courtyards) == 0 {
		t.Fatalf("branch: %v", err)
	}
	o, _, err := book.Create(ctx, sec, booking.NewOrder{LessonID: lessonID, LecturerID: slots[0].LecturerID, CourtyardID: br.Courtyards[0].ID,
		Slots: []string{slots[0].Start.Format(time.RFC3339)}, Audience: 30})
	if err != nil {
		t.Fatal(err)
	}
	var lec struct {
		Login string
		Email string
	}
	if err := d.R.Table("accounts").Select("login, email").Where("lecturer_id = ?", o.LecturerID).Take(&lec).Error; err != nil {
		t.Fatalf("the lecturer has no account: %v", err)
	}
	if _, err := book.Accept(ctx, actor(lec.Login), o.ID, 0); err != nil {
		t.Fatal(err)
	}
	s.lessonDay = slots[0].Start.In(shanghai()).Format("2006-01-02")
	s.lesson.lecturer = lec.Email
	s.lesson.secretary = sec.Login + "@weike.demo"
	var rows []struct {
		Email string
		Role  string
	}
	if err := d.R.Table("accounts").Select("email, role").Where("active = ? AND email <> '' AND role IN ?", true,
		[]string{"official", "secretary", "lecturer"}).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		s.emails[r.Email] = true
		if r.Role == "lecturer" {
			s.lecturers[r.Email] = true
		}
	}
	if len(s.emails) < 10 {
		t.Fatalf("only %d demo accounts with e-mail", len(s.emails))
	}
	return s
}

func cli(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	var out, errw bytes.Buffer
	if err := run(context.Background(), args, envOf(env), &out, &errw); err != nil {
		t.Fatalf("weike %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errw.String())
	}
	return out.String()
}

// exactlyOnce checks that every address of want got exactly one message
// with a subject containing subj, and nobody else did.
func exactlyOnce(t *testing.T, ms []mailtest.Summary, subj string, want map[string]bool) {
	t.Helper()
	got := map[string]int{}
	for _, m := range ms {
		if !strings.Contains(m.Subject, subj) {
			continue
		}
		for _, to := range m.To {
			got[to.Address]++
		}
	}
	for a := range want {
		if got[a] != 1 {
			t.Errorf("%s got %d messages %q, want 1", a, got[a], subj)
		}
	}
	for a, n := range got {
		if !want[a] {
			t.Errorf("%s got %d messages %q and should have none", a, n, subj)
		}
	}
}

func TestCronMonthlyScheduleEndToEnd(t *testing.T) {
	for _, c := range []struct {
		name string
		dsn  func(t testing.TB) string
	}{
		{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "weike.db") }},
		{"postgres", dbtest.FreshSchemaDSN},
	} {
		t.Run(c.name, func(t *testing.T) {
			dsn := c.dsn(t)
			mp := mailtest.Start(t)
			robot := newRobotReceiver(t)
			s := seedDemo(t, dsn)
			env := map[string]string{"WEIKE_DB": dsn, "WEIKE_SMTP_ADDR": mp.SMTP, "WEIKE_SMTP_TLS": "none", "WEIKE_SMTP_FROM": "微课 <weike@weike.test>",
				"WEIKE_WEBHOOK_URL": robot.URL + "/cgi-bin/webhook/send?key=test", "WEIKE_ROBOT_HOSTS": "127.0.0.1", "WEIKE_BASE_URL": "https://weike.test", "WEIKE_LOG_LEVEL": "error"}

			// The dry run says who would get what and sends nothing.
			out := cli(t, env, "cron", "run", "monthly-schedule", "--month", s.month, "--dry-run")
			for _, want := range []string{"monthly.secretary", "monthly.lecturer", "monthly.official", "monthly.town", "email", "inbox", "webhook", ".ics", "nothing sent"} {
				if !strings.Contains(out, want) {
					t.Errorf("dry run output lacks %q:\n%s", want, out)
				}
			}
			if n := len(mp.Messages()); n != 0 || len(robot.contents()) != 0 {
				t.Fatalf("the dry run sent %d e-mails, %d robot posts", n, len(robot.contents()))
			}

			out = cli(t, env, "cron", "run", "monthly-schedule", "--month", s.month)
			if strings.Count(out, "done") != 2 {
				t.Errorf("output: %s", out)
			}
			ms := mp.WaitFor(len(s.emails), 20*time.Second)
			exactlyOnce(t, ms, "【微党课】", s.emails)
			var withICS int
			for _, m := range ms {
				if !s.lecturers[m.To[0].Address] {
					continue
				}
				full := mp.Message(m.ID)
				if len(full.Attachments) != 1 || !strings.HasSuffix(full.Attachments[0].FileName, ".ics") {
					t.Errorf("lecturer %s: attachments %+v", m.To[0].Address, full.Attachments)
					continue
				}
				withICS++
				if !strings.Contains(full.Subject, "讲课安排") || !strings.Contains(full.Text, "已确认的课") || !strings.Contains(full.HTML, `name="viewport"`) {
					t.Errorf("lecturer's e-mail: %q\n%s", full.Subject, full.Text)
				}
				if m.To[0].Address == s.lesson.lecturer {
					ics := string(mp.Part(m.ID, full.Attachments[0].PartID))
					if (s.lessonDay[:7] == s.month) != strings.Contains(ics, "BEGIN:VEVENT") {
						t.Errorf("the lecturer's .ics (lesson on %s, month %s):\n%s", s.lessonDay, s.month, ics)
					}
				}
			}
			if withICS != len(s.lecturers) {
				t.Errorf("%d lecturers' e-mails with an .ics, want %d", withICS, len(s.lecturers))
			}
			// The towns' group robot (the default URL) got each town's schedule.
			posts := robot.contents()
			if len(posts) != 2 {
				t.Fatalf("%d robot posts, want one per town: %v", len(posts), posts)
			}
			for _, p := range posts {
				if !strings.Contains(p, "课程安排") || len(p) > 4096 {
					t.Errorf("robot post (%d bytes): %s", len(p), p)
				}
			}

			// Again: nothing new.
			out = cli(t, env, "cron", "run", "monthly-schedule", "--month", s.month)
			if strings.Count(out, "already done") != 2 {
				t.Errorf("second run output: %s", out)
			}
			if n := len(mp.Messages()); n != len(ms) || len(robot.contents()) != 2 {
				t.Fatalf("the second run sent more: %d e-mails (was %d), %d robot posts", n, len(ms), len(robot.contents()))
			}

			// Tomorrow's lessons: the lesson's lecturer and secretary.
			cli(t, env, "cron", "run", "daily-reminders", "--day", s.lessonDay)
			cli(t, env, "cron", "run", "daily-reminders", "--day", s.lessonDay)
			ms = mp.WaitFor(len(ms)+2, 20*time.Second)
			exactlyOnce(t, ms, "明天的课", map[string]bool{s.lesson.lecturer: true, s.lesson.secretary: true})

			out = cli(t, env, "cron", "list")
			for _, want := range []string{"monthly-schedule", "0 9 25 * *", "春华镇", "daily-reminders", "0 18 * * *", "order-expiry", "retry", s.month, "cli"} {
				if !strings.Contains(out, want) {
					t.Errorf("cron list lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestCronSMTPDownThenBack: the mail server is down during the monthly run;
// when it is back, one retry delivers every message once.
func TestCronSMTPDownThenBack(t *testing.T) {
	mailtest.Binary(t)
	dsn := filepath.Join(t.TempDir(), "weike.db")
	s := seedDemo(t, dsn)
	addr := mailtest.FreeAddr(t)
	env := map[string]string{"WEIKE_DB": dsn, "WEIKE_SMTP_ADDR": addr, "WEIKE_SMTP_TLS": "none", "WEIKE_BASE_URL": "https://weike.test", "WEIKE_LOG_LEVEL": "error"}
	cli(t, env, "cron", "run", "monthly-schedule", "--month", s.month)
	mp := mailtest.StartAt(t, addr)
	if n := len(mp.Messages()); n != 0 {
		t.Fatalf("%d e-mails before the server was up", n)
	}
	cli(t, env, "cron", "run", "retry")
	cli(t, env, "cron", "run", "retry")
	cli(t, env, "cron", "run", "monthly-schedule", "--month", s.month)
	exactlyOnce(t, mp.WaitFor(len(s.emails), 20*time.Second), "【微党课】", s.emails)
	out := cli(t, env, "cron", "list")
	if !strings.Contains(out, "retry") || !strings.Contains(out, "sent=") {
		t.Errorf("cron list does not show the retries:\n%s", out)
	}
}

// TestTwoInstancesSendOnce: two `weike serve` on one Postgres database
// catch up the monthly run as they start, while two `weike cron run`
// processes run the same period: every recipient gets one schedule.
func TestTwoInstancesSendOnce(t *testing.T) {
	dsn := dbtest.FreshSchemaDSN(t)
	mp := mailtest.Start(t)
	s := seedDemo(t, dsn)
	// The towns have been on weike for months, so a schedule day that
	// passed while nothing ran is a missed run the servers catch up.
	backdateTowns(t, dsn, 90*24*time.Hour)
	// The period a server starting now catches up, if any; the CLI runs
	// race for the same one.
	period := s.month
	if prev, ok, err := cron.Prev("0 9 25 * *", "", time.Now(), 20*24*time.Hour); err != nil {
		t.Fatal(err)
	} else if ok {
		period = letters.ScheduleMonth(prev, shanghai())
	}
	bin := filepath.Join(t.TempDir(), "weike")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "WEIKE_DB="+dsn, "WEIKE_SMTP_ADDR="+mp.SMTP, "WEIKE_SMTP_TLS=none", "WEIKE_BASE_URL=https://weike.test", "WEIKE_LOG_LEVEL=info")
	dir := t.TempDir()
	start := func(name string, args ...string) (*exec.Cmd, *os.File) {
		logf, err := os.Create(filepath.Join(dir, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		c := exec.Command(bin, args...)
		c.Env, c.Stdout, c.Stderr = env, logf, logf
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		return c, logf
	}
	var servers []*exec.Cmd
	var addrs []string
	for i := 0; i < 2; i++ {
		addr := mailtest.FreeAddr(t)
		c, _ := start(fmt.Sprintf("serve%d", i), "serve", "--addr", addr)
		servers = append(servers, c)
		addrs = append(addrs, addr)
	}
	t.Cleanup(func() {
		for _, c := range servers {
			if c.ProcessState == nil {
				_ = c.Process.Kill()
				_ = c.Wait()
			}
		}
	})
	var runs []*exec.Cmd
	for i := 0; i < 2; i++ {
		c, _ := start(fmt.Sprintf("cron%d", i), "cron", "run", "monthly-schedule", "--month", period)
		runs = append(runs, c)
	}
	for i, c := range runs {
		if err := c.Wait(); err != nil {
			b, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("cron%d.log", i)))
			t.Fatalf("cron run %d: %v\n%s", i, err, b)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, a := range addrs {
		for {
			res, err := http.Get("http://" + a + "/healthz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("server %s did not come up", a)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Stopping a server waits for its catch-up to finish.
	for i, c := range servers {
		_ = c.Process.Signal(syscall.SIGTERM)
		if err := c.Wait(); err != nil {
			b, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("serve%d.log", i)))
			t.Fatalf("serve %d: %v\n%s", i, err, b)
		}
	}
	// Every process took part: each one did the period or found it taken.
	if period == s.month {
		for _, name := range []string{"serve0", "serve1", "cron0", "cron1"} {
			b, _ := os.ReadFile(filepath.Join(dir, name+".log"))
			// A server logs each town's period; the CLI prints a line per town.
			n := strings.Count(string(b), "monthly-schedule "+period)
			if strings.HasPrefix(name, "cron") {
				n = strings.Count(string(b), " "+period+": ")
			}
			t.Logf("%s: %d lines about monthly-schedule %s (done %d)", name, n, period, strings.Count(string(b), "job done"))
			if n < 2 {
				t.Errorf("%s did not try both towns' period %s:\n%s", name, period, b)
			}
		}
	}
	var ms []mailtest.Summary
	for _, m := range mp.WaitFor(len(s.emails), 20*time.Second) {
		if strings.Contains(m.Subject, "安排") {
			ms = append(ms, m)
		}
	}
	exactlyOnce(t, ms, "安排", s.emails)
	if len(ms) != len(s.emails) {
		t.Errorf("%d schedules for %d recipients", len(ms), len(s.emails))
	}
}

// TestJobsAcrossMonthAndYearEnds moves an injected clock: the run of Dec
// 25th sends January's schedule, a service down over the 25th catches up
// once when it starts, and the evening of April 30th reminds of May 1st.
func TestJobsAcrossMonthAndYearEnds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := fixture.New(t, d)
		clock := time.Date(2026, 12, 25, 9, 0, 0, 0, shanghai())
		now := func() time.Time { return clock }
		cfg := &Config{BaseURL: "https://weike.test"}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		st, err := newStores(d, cfg, log, now)
		if err != nil {
			t.Fatal(err)
		}
		periods := func(kind string) map[string]int {
			var rows []struct {
				Period string
				N      int
			}
			if err := d.R.Table("outbox").Select("period, COUNT(*) AS n").Where("kind = ?", kind).Group("period").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for _, r := range rows {
				out[r.Period] = r.N
			}
			return out
		}
		// The cron fires on Dec 25th, 09:00 in Shanghai: January's schedule.
		if err := st.worker.Monthly(ctx, cron.Tick{TownID: w.A.Town.ID, At: clock.UTC(), Source: "cron"}); err != nil {
			t.Fatal(err)
		}
		got := periods(letters.KindMonthlySecretary)
		if len(got) != 1 || got["2027-01"] != 2 { // inbox and e-mail of ch-secretary
			t.Fatalf("after Dec 25th: %v", got)
		}
		// Down over January 25th, up on the 27th: the scheduler catches up
		// January 25th's run (February) once, for both towns, and a second
		// start adds nothing.
		sched := cron.NewScheduler(st.worker.Jobs(), st.worker.TownSchedules, now, log)
		clock = time.Date(2027, 1, 27, 8, 0, 0, 0, shanghai())
		sched.CatchUp(ctx)
		sched.CatchUp(ctx)
		got = periods(letters.KindMonthlySecretary)
		if got["2027-02"] != 4 || len(got) != 2 {
			t.Fatalf("after the catch-up: %v", got)
		}
		// A town that sends on the 1st at 08:00 gets that month's schedule.
		if err := d.W.Exec("UPDATE towns SET schedule_spec = '0 8 1 * *' WHERE id = ?", w.B.Town.ID).Error; err != nil {
			t.Fatal(err)
		}
		clock = time.Date(2027, 2, 1, 8, 30, 0, 0, shanghai())
		sched.CatchUp(ctx)
		var n int64
		d.R.Table("outbox").Where("kind = ? AND period = ? AND town_id = ?", letters.KindMonthlySecretary, "2027-02", w.B.Town.ID).Count(&n)
		if got := periods(letters.KindMonthlySecretary); got["2027-02"] != 4 || n != 2 {
			t.Fatalf("the 1st's run re-sent February: %v", got)
		}
		clock = time.Date(2027, 3, 1, 8, 30, 0, 0, shanghai())
		sched.CatchUp(ctx)
		// On March 1st both towns are due March: 漆河镇 from this morning,
		// 春华镇 from February 25th, missed.
		d.R.Table("outbox").Where("kind = ? AND period = ? AND town_id = ?", letters.KindMonthlySecretary, "2027-03", w.B.Town.ID).Count(&n)
		if got := periods(letters.KindMonthlySecretary); got["2027-03"] != 4 || n != 2 {
			t.Fatalf("the town that sends on the 1st: %v", got)
		}

		// A lesson on Saturday May 1st, booked in April; the run of April
		// 30th, 18:00 reminds of it, once.
		w.Now = time.Date(2027, 4, 20, 10, 0, 0, 0, shanghai())
		sec, lec := w.A.Actors["secretary"], w.A.Actors["lecturer"]
		o, _, err := w.Booking.Create(ctx, sec, booking.NewOrder{LessonID: w.A.Lessons[0].ID, LecturerID: w.A.Lecturers[0].ID,
			CourtyardID: w.A.Courtyards[0].ID, Slots: []string{"2027-05-01T14:00:00+08:00"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Booking.Accept(ctx, lec, o.ID, 0); err != nil {
			t.Fatal(err)
		}
		clock = time.Date(2027, 4, 30, 18, 0, 0, 0, shanghai())
		for i := 0; i < 2; i++ {
			err := st.worker.Reminders(ctx, cron.Tick{At: clock.UTC(), Source: "cron"})
			if (i == 0) != (err == nil) {
				t.Fatalf("reminders run %d: %v", i, err)
			}
		}
		if got := periods(letters.KindReminderLecturer); len(got) != 1 || got["2027-05-01"] != 2 {
			t.Fatalf("lecturer's reminders: %v", got)
		}
		if got := periods(letters.KindReminderBranch); got["2027-05-01"] != 2 {
			t.Fatalf("secretary's reminders: %v", got)
		}
	})
}

// TestCronCoverageReminders: `weike cron run coverage-reminders` tells every
// secretary whose branch lacks the month's lesson, film or practice what
// it lacks, with links, and every official the town's digest with a link
// to the dispatch draft — each once, however often it runs; the dry run
// sends nothing; `cron list` shows the job.
func TestCronCoverageReminders(t *testing.T) {
	for _, c := range []struct {
		name string
		dsn  func(t testing.TB) string
	}{
		{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "weike.db") }},
		{"postgres", dbtest.FreshSchemaDSN},
	} {
		t.Run(c.name, func(t *testing.T) {
			dsn := c.dsn(t)
			mp := mailtest.Start(t)
			s := seedDemo(t, dsn)
			// The month of the seeded lesson: its branch has one coming.
			month := s.lessonDay[:7]
			env := map[string]string{"WEIKE_DB": dsn, "WEIKE_SMTP_ADDR": mp.SMTP, "WEIKE_SMTP_TLS": "none", "WEIKE_SMTP_FROM": "微课 <weike@weike.test>",
				"WEIKE_BASE_URL": "https://weike.test", "WEIKE_LOG_LEVEL": "error"}
			d, err := db.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			var people []struct{ Email, Role string }
			if err := d.R.Table("accounts").Select("email, role").Where("active = ? AND email <> '' AND role IN ?", true,
				[]string{"official", "secretary"}).Scan(&people).Error; err != nil {
				t.Fatal(err)
			}
			d.Close()
			secretaries, officials := map[string]bool{}, map[string]bool{}
			for _, p := range people {
				if p.Role == "secretary" {
					secretaries[p.Email] = true
				} else {
					officials[p.Email] = true
				}
			}

			out := cli(t, env, "cron", "run", "coverage-reminders", "--month", month, "--dry-run")
			for _, want := range []string{"coverage.secretary", "coverage.official", "email", "inbox", "nothing sent"} {
				if !strings.Contains(out, want) {
					t.Errorf("dry run output lacks %q:\n%s", want, out)
				}
			}
			if n := len(mp.Messages()); n != 0 {
				t.Fatalf("the dry run sent %d e-mails", n)
			}

			for range 2 {
				cli(t, env, "cron", "run", "coverage-reminders", "--month", month)
			}
			out = cli(t, env, "cron", "run", "coverage-reminders", "--month", month, "--town", "春华镇")
			if !strings.Contains(out, "already done") {
				t.Errorf("a third run: %s", out)
			}
			ms := mp.WaitFor(len(secretaries)+len(officials), 20*time.Second)
			// The demo has no history: every branch lacks its film and
			// practice, so every secretary is reminded.
			exactlyOnce(t, ms, "还差", secretaries)
			exactlyOnce(t, ms, "覆盖提醒", officials)
			for _, m := range ms {
				full := mp.Message(m.ID)
				switch to := m.To[0].Address; {
				case to == s.lesson.secretary:
					// Her lesson is confirmed for the month: it is coming.
					if strings.Contains(full.Text, "点一堂微党课") || !strings.Contains(full.Text, "https://weike.test/viewings/new") {
						t.Errorf("the secretary with a lesson coming:\n%s", full.Text)
					}
				case secretaries[to]:
					for _, link := range []string{"https://weike.test/lessons?featured=1", "https://weike.test/viewings/new", "https://weike.test/practices/new"} {
						if !strings.Contains(full.Text, link) {
							t.Errorf("%s's reminder lacks %s:\n%s", to, link, full.Text)
						}
					}
				case officials[to]:
					if !strings.Contains(full.Text, "https://weike.test/plans/"+month+"/dispatch") || !strings.Contains(full.Text, "缺教育片") {
						t.Errorf("%s's digest:\n%s", to, full.Text)
					}
				}
			}

			// A town's own schedule of the reminders is the one it runs on.
			d, err = db.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.W.Exec("UPDATE towns SET reminder_spec = '0 8 18 * *' WHERE name = '漆河镇'").Error; err != nil {
				t.Fatal(err)
			}
			d.Close()
			out = cli(t, env, "cron", "list")
			for _, want := range []string{"coverage-reminders", "0 9 20 * *", "0 8 18 * *"} {
				if !strings.Contains(out, want) {
					t.Errorf("cron list lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
