package cron_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"weike/internal/cron"
	"weike/internal/db"
	"weike/internal/db/dbtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestClaimOncePerPeriod(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r := cron.NewRunner(d, nil, quiet)
		key := cron.Key{Job: "monthly-schedule", TownID: 1, Period: "2026-12"}
		// A run whose work fails claims nothing and is kept as failed.
		if _, err := r.Claim(ctx, key, "cron", func(tx *gorm.DB) (cron.Counts, error) { return nil, errors.New("boom") }); err == nil {
			t.Fatal("a failing run succeeded")
		}
		if done, err := r.Done(ctx, key); err != nil || done != nil {
			t.Fatalf("a failed run claimed the period: %+v %v", done, err)
		}
		// Many runs at once: one does the work.
		var did, claimed, skipped atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := r.Claim(ctx, key, "cron", func(tx *gorm.DB) (cron.Counts, error) {
					did.Add(1)
					return cron.Counts{"letters": 3}, nil
				})
				switch {
				case err == nil:
					claimed.Add(1)
				case errors.Is(err, cron.ErrClaimed) || errors.Is(err, cron.ErrBusy):
					skipped.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if did.Load() != 1 || claimed.Load() != 1 || skipped.Load() != 7 {
			t.Fatalf("work done %d times, claimed %d, skipped %d", did.Load(), claimed.Load(), skipped.Load())
		}
		done, err := r.Done(ctx, key)
		if err != nil || done == nil || done.Counts != "letters=3" {
			t.Fatalf("done: %+v %v", done, err)
		}
		// Other periods and towns are their own.
		for _, k := range []cron.Key{{Job: key.Job, TownID: 2, Period: "2026-12"}, {Job: key.Job, TownID: 1, Period: "2027-01"}} {
			if _, err := r.Claim(ctx, k, "cli", func(*gorm.DB) (cron.Counts, error) { return nil, nil }); err != nil {
				t.Errorf("%s: %v", k, err)
			}
		}
		runs, err := r.Recent(ctx, key.Job, 20)
		if err != nil || len(runs) != 4 {
			t.Fatalf("runs: %d %v", len(runs), err)
		}
		if runs[len(runs)-1].Status != "failed" || runs[len(runs)-1].Result != "boom" {
			t.Errorf("the failed run: %+v", runs[len(runs)-1])
		}
	})
}

// TestClaimSkipsWhileAnotherInstanceHoldsIt: on Postgres a second instance
// does not wait for the first one's transaction; it skips at once.
func TestClaimSkipsWhileAnotherInstanceHoldsIt(t *testing.T) {
	t.Parallel()
	d := dbtest.Postgres(t)
	ctx := context.Background()
	a, b := cron.NewRunner(d, nil, quiet), cron.NewRunner(d, nil, quiet)
	key := cron.Key{Job: "daily-reminders", Period: "2026-12-05"}
	inside, release := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		_, err := a.Claim(ctx, key, "cron", func(*gorm.DB) (cron.Counts, error) {
			close(inside)
			<-release
			return nil, nil
		})
		errc <- err
	}()
	<-inside
	if _, err := b.Claim(ctx, key, "cron", func(*gorm.DB) (cron.Counts, error) { return nil, nil }); !errors.Is(err, cron.ErrBusy) {
		t.Errorf("while held: %v, want ErrBusy", err)
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if _, err := b.Claim(ctx, key, "cron", func(*gorm.DB) (cron.Counts, error) { return nil, nil }); !errors.Is(err, cron.ErrClaimed) {
		t.Errorf("after: %v, want ErrClaimed", err)
	}
}

func TestPrev(t *testing.T) {
	t.Parallel()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(s string) time.Time {
		v, _ := time.ParseInLocation("2006-01-02 15:04", s, sh)
		return v
	}
	cases := []struct {
		spec   string
		now    time.Time
		within time.Duration
		want   time.Time
		ok     bool
	}{
		{"0 9 25 * *", at("2026-11-29 19:00"), 20 * 24 * time.Hour, at("2026-11-25 09:00"), true},
		{"0 9 25 * *", at("2026-11-25 09:00"), time.Hour, at("2026-11-25 09:00"), true},
		{"0 9 25 * *", at("2026-11-25 08:59"), 20 * 24 * time.Hour, time.Time{}, false},
		{"0 9 25 * *", at("2027-01-03 10:00"), 20 * 24 * time.Hour, at("2026-12-25 09:00"), true},
		{"0 18 * * *", at("2027-01-01 17:00"), 5 * time.Hour, time.Time{}, false},
		{"0 18 * * *", at("2026-12-31 20:00"), 5 * time.Hour, at("2026-12-31 18:00"), true},
	}
	for _, c := range cases {
		got, ok, err := cron.Prev(c.spec, "", c.now, c.within)
		if err != nil || ok != c.ok || !got.Equal(c.want) {
			t.Errorf("Prev(%q, %v, %v) = %v %v %v, want %v %v", c.spec, c.now, c.within, got, ok, err, c.want, c.ok)
		}
	}
	if _, _, err := cron.Prev("nonsense", "", time.Now(), time.Hour); err == nil {
		t.Error("a bad spec was accepted")
	}
}

func TestSchedulerCatchUp(t *testing.T) {
	t.Parallel()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 29, 19, 0, 0, 0, sh)
	var mu sync.Mutex
	var ticks []cron.Tick
	record := func(_ context.Context, t cron.Tick) error {
		mu.Lock()
		ticks = append(ticks, t)
		mu.Unlock()
		return nil
	}
	towns := func(context.Context) ([]cron.TownSchedule, error) {
		return []cron.TownSchedule{{ID: 1, Spec: "0 9 25 * *"}, {ID: 2, Spec: "0 8 1 * *"}, {ID: 3, Spec: "0 9 28 * *", Timezone: "Asia/Shanghai"},
			// Set up on the 26th: it did not miss the 25th's run.
			{ID: 4, Spec: "0 9 25 * *", Since: time.Date(2026, 11, 26, 10, 0, 0, 0, sh)}}, nil
	}
	s := cron.NewScheduler([]cron.Job{
		{Name: "monthly", Spec: "0 9 25 * *", PerTown: true, CatchUp: 20 * 24 * time.Hour, Run: record},
		{Name: "daily", Spec: "0 18 * * *", CatchUp: 5 * time.Hour, Run: record},
		{Name: "never", Spec: "0 * * * *", Run: record},
	}, towns, func() time.Time { return now }, quiet)
	if err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Entries()); n != 6 {
		t.Errorf("%d entries, want 4 towns' monthly + daily + never: %+v", n, s.Entries())
	}
	s.CatchUp(context.Background())
	want := map[string]time.Time{
		"monthly 1": time.Date(2026, 11, 25, 9, 0, 0, 0, sh),
		"monthly 2": time.Date(2026, 11, 1, 8, 0, 0, 0, sh), // 28 days ago: outside the window
		"monthly 3": time.Date(2026, 11, 28, 9, 0, 0, 0, sh),
		"daily 0":   time.Date(2026, 11, 29, 18, 0, 0, 0, sh),
	}
	delete(want, "monthly 2")
	got := map[string]time.Time{}
	for _, tk := range ticks {
		if tk.Source != "catch-up" {
			t.Errorf("source %q", tk.Source)
		}
		got[tk.Job+" "+string(rune('0'+tk.TownID))] = tk.At
	}
	if len(got) != len(want) {
		t.Errorf("caught up %v, want %v", got, want)
	}
	for k, at := range want {
		if !got[k].Equal(at) {
			t.Errorf("%s caught up at %v, want %v", k, got[k], at)
		}
	}
}

// TestTownSpecsPerJob: a town's own schedule of one per-town job leaves its
// other per-town jobs on theirs.
func TestTownSpecsPerJob(t *testing.T) {
	t.Parallel()
	noop := func(context.Context, cron.Tick) error { return nil }
	towns := func(context.Context) ([]cron.TownSchedule, error) {
		return []cron.TownSchedule{{ID: 1, Specs: map[string]string{"monthly": "0 8 24 * *"}},
			{ID: 2, Specs: map[string]string{"monthly": "0 9 25 * *", "coverage": "0 7 18 * *"}}}, nil
	}
	jobs := []cron.Job{{Name: "monthly", Spec: "0 9 25 * *", PerTown: true, Run: noop}, {Name: "coverage", Spec: "0 9 20 * *", PerTown: true, Run: noop}}
	s := cron.NewScheduler(jobs, towns, time.Now, quiet)
	if err := s.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range s.Entries() {
		got[e.Key] = e.Spec
	}
	want := map[string]string{"monthly@1": "0 8 24 * *", "coverage@1": "0 9 20 * *", "monthly@2": "0 9 25 * *", "coverage@2": "0 7 18 * *"}
	for k, spec := range want {
		if !strings.HasSuffix(got[k], " "+spec) {
			t.Errorf("%s runs on %q, want %q", k, got[k], spec)
		}
	}
	ts, _ := towns(context.Background())
	if ts[0].SpecOf(jobs[1]) != "0 9 20 * *" || ts[1].SpecOf(jobs[1]) != "0 7 18 * *" {
		t.Errorf("SpecOf: %q %q", ts[0].SpecOf(jobs[1]), ts[1].SpecOf(jobs[1]))
	}
}
