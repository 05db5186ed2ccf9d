package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"weike/booking"
	"weike/internal/cron"
	"weike/internal/db"
	"weike/internal/table"
	"weike/jobs"
	"weike/lessons"
	"weike/letters"
	"weike/notify"
	"weike/org"
	"weike/themeday"
)

// stores are the domain stores every command that works builds the same way.
type stores struct {
	orgs     *org.Store
	cat      *lessons.Store
	book     *booking.Store
	themeday *themeday.Store
	letters  *letters.Store
	notify   *notify.Store
	worker   *jobs.Worker
}

func newStores(d *db.DB, cfg *Config, log *slog.Logger, now func() time.Time) (*stores, error) {
	opts := []notify.Option{notify.WithDefaultWebhook(cfg.WebhookURL), notify.WithRobotHosts(cfg.RobotHosts), notify.WithLogger(log),
		notify.WithBaseURL(cfg.BaseURL), notify.WithLinksRequired(!cfg.Demo)}
	if cfg.SMTP.Addr != "" {
		m, err := notify.NewMailer(cfg.SMTP)
		if err != nil {
			return nil, err
		}
		opts = append(opts, notify.WithMailer(m))
	}
	st := &stores{orgs: org.NewStore(d, now), cat: lessons.NewStore(d, now), notify: notify.NewStore(d, now, opts...)}
	st.book = booking.NewStore(d, now, st.orgs, st.cat, booking.WithNotify(st.notify))
	st.themeday = themeday.NewStore(d, now, st.book)
	st.letters = letters.NewStore(d, now, st.book, st.themeday, st.cat)
	st.worker = jobs.NewWorker(jobs.Deps{Booking: st.book, Letters: st.letters, Notify: st.notify,
		Runner: cron.NewRunner(d, now, log), BaseURL: cfg.BaseURL, Log: log})
	return st, nil
}

// startJobs starts the scheduler that run owns, then catches up the runs
// missed while the service was down (in the background: serving starts at
// once).
func startJobs(ctx context.Context, log *slog.Logger, st *stores, now func() time.Time) (*cron.Scheduler, error) {
	s := cron.NewScheduler(st.worker.Jobs(), st.worker.TownSchedules, now, log)
	// A run under way finishes when the service is asked to stop (Stop
	// waits for it): cancelling it would only waste its work.
	if err := s.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return s, nil
}

func cmdCronList(ctx context.Context, args []string, env func(string) string, out, errw io.Writer) error {
	cfg, _, err := parseConfig("cron list", args, env)
	if err != nil {
		return err
	}
	log := newLogger(cfg, errw)
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	st, err := newStores(d, cfg, log, time.Now)
	if err != nil {
		return err
	}
	towns, err := st.letters.Towns(ctx)
	if err != nil {
		return err
	}
	schedules, err := st.worker.TownSchedules(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := table.New(out)
	tw.Row("JOB", "SCHEDULE ("+cron.Zone+")", "NEXT", "WHAT")
	next := func(spec, zone string) string {
		sc, err := cron.Parse(spec, zone)
		if err != nil {
			return "invalid schedule: " + err.Error()
		}
		return sc.Next(now).In(shanghai()).Format("2006-01-02 15:04")
	}
	for _, j := range st.worker.Jobs() {
		tw.Row(j.Name, j.Spec, next(j.Spec, cron.Zone), j.Help)
		if j.PerTown {
			for i, t := range towns {
				spec := schedules[i].SpecOf(j)
				tw.Row("  "+t.Name, spec, next(spec, t.Timezone))
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	names := map[int64]string{}
	for _, t := range towns {
		names[t.ID] = t.Name
	}
	runs, err := st.worker.Runner().Recent(ctx, "", 20)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\nLatest runs:")
	tw.Row("JOB", "TOWN", "PERIOD", "SOURCE", "STARTED", "ENDED", "STATUS", "COUNTS", "RESULT")
	for _, r := range runs {
		ended := ""
		if r.EndedAt != nil {
			ended = r.EndedAt.In(shanghai()).Format("01-02 15:04:05")
		}
		town := ""
		if r.TownID != 0 {
			town = names[r.TownID]
		}
		tw.Row(r.Job, town, r.Period, r.Source,
			r.StartedAt.In(shanghai()).Format("01-02 15:04:05"), ended, r.Status, r.Counts, r.Result)
	}
	if len(runs) == 0 {
		tw.Row("(none yet)")
	}
	return tw.Flush()
}

func cmdCronRun(ctx context.Context, args []string, env func(string) string, out, errw io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("cron run needs a job name: " + strings.Join(jobs.Names, ", "))
	}
	name := args[0]
	var month, day, town string
	var dry bool
	cfg, _, err := parseConfig("cron run", args[1:], env, func(fs *flag.FlagSet) {
		fs.StringVar(&month, "month", "", "monthly-schedule, coverage-reminders: the month to send, YYYY-MM (default: the one a run now would send)")
		fs.StringVar(&day, "day", "", "daily-reminders: the day to remind of, YYYY-MM-DD (default: tomorrow); officials-digest: the day of the digest (default: today)")
		fs.StringVar(&town, "town", "", "monthly-schedule, coverage-reminders, officials-digest: only this town (default: every town)")
		fs.BoolVar(&dry, "dry-run", false, "print who would get what; store and send nothing")
	})
	if err != nil {
		return err
	}
	log := newLogger(cfg, errw)
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.CheckVersion(ctx); err != nil {
		return err
	}
	st, err := newStores(d, cfg, log, time.Now)
	if err != nil {
		return err
	}
	if !dry {
		if err := checkBaseURL(ctx, cfg, st, log); err != nil {
			return err
		}
	}
	w := st.worker
	if dry {
		w = w.DryRun(out)
	}
	var job *cron.Job
	for _, j := range w.Jobs() {
		if j.Name == name {
			job = &j
		}
	}
	if job == nil {
		return fmt.Errorf("no job %q (see `weike cron list`)", name)
	}
	now := time.Now().UTC()
	report := func(what string, err error) error {
		switch {
		case err == nil:
			if !dry {
				fmt.Fprintf(out, "%s: done\n", what)
			}
			return nil
		case errors.Is(err, cron.ErrClaimed):
			fmt.Fprintf(out, "%s: already done, nothing new sent\n", what)
			return nil
		case errors.Is(err, cron.ErrBusy):
			fmt.Fprintf(out, "%s: another instance is running it right now; it sends each message once\n", what)
			return nil
		}
		return err
	}
	switch name {
	case jobs.MonthlySchedule, jobs.CoverageReminders, jobs.OfficialsDigest:
		period, what, run := month, orDefault(month, "(next month)"), w.Monthly
		switch name {
		case jobs.CoverageReminders:
			what, run = orDefault(month, "(this month)"), w.Coverage
		case jobs.OfficialsDigest:
			period, what, run = day, orDefault(day, "(today)"), w.Digest
			if day != "" {
				if _, err := time.Parse("2006-01-02", day); err != nil {
					return fmt.Errorf("--day %q: want YYYY-MM-DD", day)
				}
			}
		}
		if name != jobs.OfficialsDigest && month != "" {
			if _, err := lessons.ParseMonth(month); err != nil {
				return fmt.Errorf("--month %q: want YYYY-MM", month)
			}
		}
		towns, err := st.letters.Towns(ctx)
		if err != nil {
			return err
		}
		found := false
		var firstErr error
		for _, t := range towns {
			if town != "" && t.Name != town {
				continue
			}
			found = true
			err := run(ctx, cron.Tick{Job: name, TownID: t.ID, At: now, Period: period, Source: "cli"})
			if err := report(t.Name+" "+what, err); err != nil && firstErr == nil {
				firstErr = err
			}
		}
		if town != "" && !found {
			return fmt.Errorf("no town %q", town)
		}
		return firstErr
	case jobs.DailyReminders:
		if day != "" {
			if _, err := time.Parse("2006-01-02", day); err != nil {
				return fmt.Errorf("--day %q: want YYYY-MM-DD", day)
			}
		}
		return report("reminders "+orDefault(day, "(tomorrow)"), w.Reminders(ctx, cron.Tick{Job: name, At: now, Period: day, Source: "cli"}))
	default:
		return report(name, job.Run(ctx, cron.Tick{Job: name, At: now, Source: "cli"}))
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
