package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"weike/themeday"

	"golang.org/x/crypto/bcrypt"

	"weike/booking"
	"weike/demo"
	"weike/internal/db"
	"weike/internal/mailtest"
	"weike/lessons"
	"weike/notify"
	"weike/org"
	"weike/web"
)

const demoPassword = "demo1234"

// shanghai is where the demo's people live; the pages show its time.
var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// start is the demo's "now" when a test begins: late in a month, so the
// times the secretary picks fall in the next one, a month the demo's history
// has not touched (the branch's lesson mark there can only come from the
// journey's own delivery).
var start = time.Date(2026, 5, 26, 9, 0, 0, 0, shanghai)

// clock is the movable time of the server under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// app is weike with the demo loaded, served on a loopback port.
type app struct {
	URL     string
	DB      *db.DB
	Clock   *clock
	Org     *org.Store
	Lessons *lessons.Store
	Booking *booking.Store
	// Notify holds the outbox; with withMail it sends e-mail to Mail.
	Notify *notify.Store
	Mail   *mailtest.Server
	// orderPosts counts the order forms the server received; each one is
	// also announced on orderArrived.
	orderPosts   atomic.Int64
	orderArrived chan struct{}
	// holdNext, when set, holds the next order form until release is
	// closed: a slow connection, on which a second tap comes while the
	// first is still on its way.
	holdNext atomic.Bool
	release  chan struct{}
}

// The demo is loaded once, into a template database that each test copies:
// loading a year of history takes seconds, copying a file does not.
var demoDB struct {
	once     sync.Once
	dir      string
	file     string
	accounts []web.DemoAccount
	err      error
}

func loadDemoTemplate() {
	t := &demoDB
	ctx := context.Background()
	if t.dir, t.err = os.MkdirTemp("", "weike-e2e-demo-"); t.err != nil {
		return
	}
	t.file = filepath.Join(t.dir, "demo.db")
	d, err := db.Open(t.file)
	if err != nil {
		t.err = err
		return
	}
	defer d.Close()
	if _, t.err = d.Migrate(ctx); t.err != nil {
		return
	}
	now := func() time.Time { return start }
	// The demo accounts' passwords at the test cost: the journeys sign in
	// through the form many times.
	orgs, cat := org.NewStore(d, now, org.WithBcryptCost(bcrypt.MinCost)), lessons.NewStore(d, now)
	book := booking.NewStore(d, now, orgs, cat)
	res, err := demo.Load(ctx, demo.Stores{Org: orgs, Lessons: cat, Booking: book, ThemeDay: themeday.NewStore(d, now, book), Now: now}, demoPassword)
	if err != nil {
		t.err = fmt.Errorf("load demo: %w", err)
		return
	}
	for _, acc := range res.Accounts {
		t.accounts = append(t.accounts, web.DemoAccount{Login: acc.Login, Role: string(acc.Role), Name: acc.Name,
			Town: acc.Town, County: acc.County, BranchID: acc.BranchID, LecturerID: acc.LecturerID})
	}
}

// removeDemoTemplate deletes the template database when the tests are done.
func removeDemoTemplate() {
	if demoDB.dir != "" {
		os.RemoveAll(demoDB.dir)
	}
}

// appOption changes how newApp builds weike.
type appOption func(*appConfig)

type appConfig struct{ mail bool }

// withMail sends the outbox's e-mails to a real mailpit (app.Mail), with
// links from the app's own URL.
func withMail(c *appConfig) { c.mail = true }

func newApp(t *testing.T, opts ...appOption) *app {
	t.Helper()
	var cfg appConfig
	for _, o := range opts {
		o(&cfg)
	}
	demoDB.once.Do(loadDemoTemplate)
	if demoDB.err != nil {
		t.Fatal(demoDB.err)
	}
	file := filepath.Join(t.TempDir(), "weike.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(demoDB.file + suffix)
		if suffix != "" && os.IsNotExist(err) {
			continue // closed cleanly: everything is in the main file
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d, err := db.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	a := &app{DB: d, Clock: &clock{t: start}, orderArrived: make(chan struct{}, 16), release: make(chan struct{})}
	now := a.Clock.Now
	a.Org, a.Lessons = org.NewStore(d, now), lessons.NewStore(d, now)
	// The server's address comes first: messages link to it. Requests wait
	// until the handler is built.
	var h http.Handler
	built := make(chan struct{})
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-built
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/lessons/") && strings.HasSuffix(r.URL.Path, "/order") {
			a.orderPosts.Add(1)
			a.orderArrived <- struct{}{}
			if a.holdNext.CompareAndSwap(true, false) {
				select {
				case <-a.release:
				case <-time.After(stepTimeout):
				}
			}
			// A browser that gives up on a request (the second tap replaces
			// the first) does not take it back: the server carries on.
			r = r.WithContext(context.WithoutCancel(r.Context()))
		}
		h.ServeHTTP(w, r)
	}))
	ts.Start()
	t.Cleanup(ts.Close)
	a.URL = ts.URL
	nopts := []notify.Option{notify.WithBaseURL(a.URL), notify.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}
	if cfg.mail {
		a.Mail = mailtest.Start(t)
		m, err := notify.NewMailer(notify.SMTPConfig{Addr: a.Mail.SMTP, From: "微课 <weike@weike.test>", TLS: "none"})
		if err != nil {
			t.Fatal(err)
		}
		nopts = append(nopts, notify.WithMailer(m))
	}
	a.Notify = notify.NewStore(d, now, nopts...)
	a.Booking = booking.NewStore(d, now, a.Org, a.Lessons, booking.WithNotify(a.Notify))
	dm := &web.Demo{Password: demoPassword, Accounts: demoDB.accounts}
	srv, err := web.New(web.Deps{Org: a.Org, Lessons: a.Lessons, Booking: a.Booking, ThemeDay: themeday.NewStore(d, now, a.Booking), Notify: a.Notify,
		Ready: d.Ping, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now, Version: "e2e", Demo: dm})
	if err != nil {
		t.Fatal(err)
	}
	h = srv.Echo()
	close(built)
	return a
}

// actor is the account of login as the stores see it.
func (a *app) actor(t *testing.T, login string) org.Actor {
	t.Helper()
	ctx := context.Background()
	acc, err := a.Org.AccountByLogin(ctx, login)
	if err != nil {
		t.Fatalf("account %s: %v", login, err)
	}
	act, err := a.Org.ActorFor(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	return act
}

// dataStrings are the records' own words (names, titles, addresses,
// descriptions): they stay Chinese in the English pages. Everything else a
// page shows is the application's and must change language.
func (a *app) dataStrings(t *testing.T) []string {
	t.Helper()
	queries := []string{
		"SELECT name FROM counties", "SELECT name FROM towns",
		"SELECT name FROM branches", "SELECT secretary_name FROM branches",
		"SELECT name FROM courtyards", "SELECT address FROM courtyards",
		"SELECT name FROM lecturers", "SELECT bio FROM lecturers", "SELECT topics FROM lecturers",
		"SELECT reason FROM lecturer_blackouts",
		"SELECT title FROM lessons", "SELECT summary FROM lessons", "SELECT outline FROM lessons", "SELECT materials FROM lessons",
		"SELECT title FROM films", "SELECT category FROM films", "SELECT description FROM films",
		"SELECT name FROM accounts",
		"SELECT note FROM orders", "SELECT reason FROM orders", "SELECT delivery_summary FROM orders", "SELECT review_comment FROM orders",
		// A topic without an English name shows its Chinese one.
		"SELECT name FROM topics WHERE name_en = ''",
	}
	seen := map[string]bool{}
	var out []string
	for _, q := range queries {
		var vals []string
		if err := a.DB.R.Raw(q).Scan(&vals).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, v := range vals {
			for _, line := range strings.Split(v, "\n") {
				if line = strings.TrimSpace(line); line != "" && !seen[line] {
					seen[line] = true
					out = append(out, line)
				}
			}
		}
	}
	return out
}
