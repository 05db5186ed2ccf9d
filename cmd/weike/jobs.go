package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"gorm.io/gorm"

	"weike/booking"
	"weike/internal/db"
	"weike/internal/jobs"
	"weike/lessons"
	"weike/notify"
	"weike/org"
)

// Job names.
const (
	jobMonthly   = "monthly-schedule"
	jobReminders = "daily-reminders"
	jobExpiry    = "order-expiry"
	jobRetry     = "retry"
)

// worker holds what the jobs' bodies need. The bodies are booking's
// (who gets what) and notify's (the outbox and the sending); a worker
// only claims the period and puts them together.
type worker struct {
	book    *booking.Store
	notify  *notify.Store
	runner  *jobs.Runner
	baseURL string
	log     *slog.Logger
	// dryRun, when set, prints what a run would send instead of sending.
	dryRun io.Writer
}

// busyWait is how long a run waits for another instance's run of the same
// period before it gives up on it (the period's next catch-up or cron
// run tries again).
const busyWait = 2 * time.Minute

// jobList is every job, with its default schedule. Every one of them also
// runs from the CLI: `weike cron run NAME`.
func (w *worker) jobList() []jobs.Job {
	return []jobs.Job{
		{Name: jobMonthly, Spec: "0 9 25 * *", PerTown: true, CatchUp: 20 * 24 * time.Hour, Run: w.monthly,
			Help: "next month's schedule to every secretary, lecturer (with an .ics) and official, and the group robots"},
		{Name: jobReminders, Spec: "0 18 * * *", CatchUp: 5 * time.Hour, Run: w.reminders,
			Help: "tomorrow's confirmed lessons, to lecturer and secretary"},
		{Name: jobExpiry, Spec: "0 * * * *", CatchUp: time.Hour, Run: w.expiry,
			Help: "expire orders unanswered past their deadline and tell the officials"},
		{Name: jobRetry, Spec: "30 * * * *", CatchUp: time.Hour, Run: w.retry,
			Help: "send the messages that are due: new ones, and failed ones whose backoff has passed"},
	}
}

func (w *worker) monthly(ctx context.Context, t jobs.Tick) error {
	period := t.Period
	if period == "" {
		loc, err := w.book.TownLoc(ctx, t.TownID)
		if err != nil {
			return err
		}
		period = booking.ScheduleMonth(t.At, loc)
	}
	key := jobs.Key{Job: jobMonthly, TownID: t.TownID, Period: period}
	return w.claimAndSend(ctx, key, t.Source, func() ([]notify.Letter, error) {
		return w.book.MonthlyLetters(ctx, t.TownID, period, w.baseURL)
	})
}

func (w *worker) reminders(ctx context.Context, t jobs.Tick) error {
	period := t.Period
	if period == "" {
		period = booking.ReminderDay(t.At, w.book.Shanghai())
	}
	key := jobs.Key{Job: jobReminders, Period: period}
	return w.claimAndSend(ctx, key, t.Source, func() ([]notify.Letter, error) {
		return w.book.ReminderLetters(ctx, period, w.baseURL)
	})
}

// claimAndSend is the shape of the periodic jobs: skip a period already
// done, build the letters (reads only), claim the period and write the
// letters to the outbox in one transaction, then send.
func (w *worker) claimAndSend(ctx context.Context, key jobs.Key, source string, build func() ([]notify.Letter, error)) error {
	done, err := w.runner.Done(ctx, key)
	if err != nil {
		return err
	}
	if done != nil && w.dryRun == nil {
		// The CLI says so on its own output; a service logs it.
		lvl := slog.LevelInfo
		if source == "cli" {
			lvl = slog.LevelDebug
		}
		w.log.Log(ctx, lvl, "job period already done", "job", key.String(), "at", done.StartedAt, "source", source)
		return fmt.Errorf("%s: %w (run %d at %s)", key, jobs.ErrClaimed, done.ID, done.StartedAt.Format(time.RFC3339))
	}
	letters, err := build()
	if err != nil {
		w.runner.Failed(ctx, key, source, w.runner.Now(), err)
		return err
	}
	if w.dryRun != nil {
		return w.printDryRun(ctx, key, done, letters)
	}
	claim := func() (*jobs.Run, error) {
		return w.runner.Claim(ctx, key, source, func(tx *gorm.DB) (jobs.Counts, error) {
			q, err := w.notify.EnqueueTx(tx, letters)
			if err != nil {
				return nil, err
			}
			return queuedCounts(len(letters), q), nil
		})
	}
	run, err := claim()
	// Another instance holds the period. It holds it only while it writes
	// the outbox (seconds), but it may fail and roll back: wait for it to
	// finish, then either find the period done or do it here.
	for wait, waited := 100*time.Millisecond, time.Duration(0); errors.Is(err, jobs.ErrBusy) && waited < busyWait; waited += wait {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
		run, err = claim()
	}
	if err != nil {
		if errors.Is(err, jobs.ErrBusy) || errors.Is(err, jobs.ErrClaimed) {
			w.log.Info("job period taken by another run", "job", key.String(), "source", source, "why", err)
		}
		return fmt.Errorf("%s: %w", key, err)
	}
	d, derr := w.notify.Deliver(ctx)
	counts := run.Tally
	counts["sent"], counts["retrying"], counts["failed"] = d.Sent, d.Retrying, d.Failed
	result := ""
	if derr != nil {
		result = "delivery: " + derr.Error()
	}
	if err := w.runner.Finish(ctx, run, counts, result); err != nil {
		return err
	}
	w.log.Info("job done", "job", key.String(), "source", source, "counts", counts.String())
	return derr
}

func queuedCounts(letters int, q notify.Queued) jobs.Counts {
	c := jobs.Counts{"letters": letters, "duplicates": q.Duplicates, "skipped": q.Skipped}
	for ch, n := range q.New {
		c[ch] = n
	}
	return c
}

func (w *worker) printDryRun(ctx context.Context, key jobs.Key, done *jobs.Run, letters []notify.Letter) error {
	out := w.dryRun
	if done != nil {
		fmt.Fprintf(out, "%s was done at %s (run %d): a real run sends nothing new.\n", key, done.StartedAt.Format(time.RFC3339), done.ID)
	}
	q, err := w.notify.DryRun(ctx, letters)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d letters → %d new messages, %d already in the outbox (dry run: nothing stored, nothing sent)\n",
		key, len(letters), q.Total(), q.Duplicates)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tCHANNEL\tTO\tADDRESS\tSUBJECT\tATTACHMENT\tNOTE")
	for _, o := range q.Rows {
		addr := o.Address
		if o.Channel == notify.ChannelWebhook {
			addr = "(robot)"
		}
		note := ""
		if o.Status == notify.StatusSkipped {
			note = "skipped: " + o.LastError
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.Kind, o.Channel, o.RecipientName, addr, o.Subject, o.AttachmentName, note)
	}
	return tw.Flush()
}

// hourKey names the hour a run of an hourly job belongs to.
func hourKey(job string, at time.Time) jobs.Key {
	return jobs.Key{Job: job, Period: at.In(shanghai()).Format("2006-01-02T15")}
}

func (w *worker) expiry(ctx context.Context, t jobs.Tick) error {
	if w.dryRun != nil {
		fmt.Fprintln(w.dryRun, "order-expiry has no dry run: it only expires what is due, and is safe to run at any time")
		return nil
	}
	// Safe on any number of instances at once (each order is re-read under
	// the write lock), so it claims nothing; its runs are only recorded.
	started := w.runner.Now()
	key := hourKey(jobExpiry, t.At)
	n, err := w.book.ExpireDue(ctx)
	if err != nil {
		w.runner.Failed(ctx, key, t.Source, started, err)
		return err
	}
	d, err := w.notify.Deliver(ctx)
	if err != nil {
		w.runner.Failed(ctx, key, t.Source, started, err)
		return err
	}
	return w.runner.Record(ctx, key, t.Source, started, jobs.Counts{"expired": n, "sent": d.Sent, "retrying": d.Retrying, "failed": d.Failed})
}

func (w *worker) retry(ctx context.Context, t jobs.Tick) error {
	if w.dryRun != nil {
		fmt.Fprintln(w.dryRun, "retry has no dry run")
		return nil
	}
	started := w.runner.Now()
	key := hourKey(jobRetry, t.At)
	deliver := w.notify.Deliver
	if t.Source == "cli" {
		// An operator asking for it wants it now, backoff or not.
		deliver = w.notify.DeliverNow
	}
	d, err := deliver(ctx)
	if err != nil {
		w.runner.Failed(ctx, key, t.Source, started, err)
		return err
	}
	return w.runner.Record(ctx, key, t.Source, started, jobs.Counts{"sent": d.Sent, "retrying": d.Retrying, "failed": d.Failed, "skipped": d.Skipped})
}

// townSchedules reads the towns' own monthly schedules for the scheduler.
func townSchedules(book *booking.Store) func(ctx context.Context) ([]jobs.TownSchedule, error) {
	return func(ctx context.Context) ([]jobs.TownSchedule, error) {
		ts, err := book.ScheduledTowns(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]jobs.TownSchedule, 0, len(ts))
		for _, t := range ts {
			out = append(out, jobs.TownSchedule{ID: t.ID, Spec: t.ScheduleSpec, Timezone: t.Timezone, Since: t.CreatedAt})
		}
		return out, nil
	}
}

// stores are the domain stores every command that works builds the same way.
type stores struct {
	orgs   *org.Store
	cat    *lessons.Store
	book   *booking.Store
	notify *notify.Store
	worker *worker
}

func newStores(d *db.DB, cfg *Config, log *slog.Logger, now func() time.Time) (*stores, error) {
	opts := []notify.Option{notify.WithDefaultWebhook(cfg.WebhookURL), notify.WithLogger(log)}
	if cfg.SMTP.Addr != "" {
		m, err := notify.NewMailer(cfg.SMTP)
		if err != nil {
			return nil, err
		}
		opts = append(opts, notify.WithMailer(m))
	}
	st := &stores{orgs: org.NewStore(d, now), cat: lessons.NewStore(d, now), notify: notify.NewStore(d, now, opts...)}
	st.book = booking.NewStore(d, now, st.orgs, st.cat)
	st.worker = &worker{book: st.book, notify: st.notify, runner: jobs.NewRunner(d, now, log), baseURL: cfg.BaseURL, log: log}
	return st, nil
}

// startJobs starts the scheduler that run owns, then catches up the runs
// missed while the service was down (in the background: serving starts at
// once).
func startJobs(ctx context.Context, log *slog.Logger, st *stores, now func() time.Time) (*jobs.Scheduler, error) {
	s := jobs.NewScheduler(st.worker.jobList(), townSchedules(st.book), now, log)
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
	towns, err := st.book.ScheduledTowns(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "JOB\tSCHEDULE (%s)\tNEXT\tWHAT\n", jobs.Zone)
	next := func(spec, zone string) string {
		sc, err := jobs.Parse(spec, zone)
		if err != nil {
			return "invalid schedule: " + err.Error()
		}
		return sc.Next(now).In(shanghai()).Format("2006-01-02 15:04")
	}
	for _, j := range st.worker.jobList() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", j.Name, j.Spec, next(j.Spec, jobs.Zone), j.Help)
		if j.PerTown {
			for _, t := range towns {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t\n", t.Name, t.ScheduleSpec, next(t.ScheduleSpec, t.Timezone))
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
	runs, err := st.worker.runner.Recent(ctx, "", 20)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\nLatest runs:")
	tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tTOWN\tPERIOD\tSOURCE\tSTARTED\tENDED\tSTATUS\tCOUNTS\tRESULT")
	for _, r := range runs {
		ended := ""
		if r.EndedAt != nil {
			ended = r.EndedAt.In(shanghai()).Format("01-02 15:04:05")
		}
		town := ""
		if r.TownID != 0 {
			town = names[r.TownID]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Job, town, r.Period, r.Source,
			r.StartedAt.In(shanghai()).Format("01-02 15:04:05"), ended, r.Status, r.Counts, r.Result)
	}
	if len(runs) == 0 {
		fmt.Fprintln(tw, "(none yet)")
	}
	return tw.Flush()
}

func cmdCronRun(ctx context.Context, args []string, env func(string) string, out, errw io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("cron run needs a job name: " + strings.Join([]string{jobMonthly, jobReminders, jobExpiry, jobRetry}, ", "))
	}
	name := args[0]
	var month, day, town string
	var dry bool
	cfg, _, err := parseConfig("cron run", args[1:], env, func(fs *flag.FlagSet) {
		fs.StringVar(&month, "month", "", "monthly-schedule: the month to send, YYYY-MM (default: the one a run now would send)")
		fs.StringVar(&day, "day", "", "daily-reminders: the day to remind of, YYYY-MM-DD (default: tomorrow)")
		fs.StringVar(&town, "town", "", "monthly-schedule: only this town (default: every town)")
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
	w := st.worker
	if dry {
		w.dryRun = out
	}
	var job *jobs.Job
	for _, j := range w.jobList() {
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
		case errors.Is(err, jobs.ErrClaimed):
			fmt.Fprintf(out, "%s: already done, nothing new sent\n", what)
			return nil
		case errors.Is(err, jobs.ErrBusy):
			fmt.Fprintf(out, "%s: another instance is running it right now; it sends each message once\n", what)
			return nil
		}
		return err
	}
	switch name {
	case jobMonthly:
		if month != "" {
			if _, err := lessons.ParseMonth(month); err != nil {
				return fmt.Errorf("--month %q: want YYYY-MM", month)
			}
		}
		towns, err := st.book.ScheduledTowns(ctx)
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
			err := w.monthly(ctx, jobs.Tick{Job: name, TownID: t.ID, At: now, Period: month, Source: "cli"})
			if err := report(t.Name+" "+orDefault(month, "(next month)"), err); err != nil && firstErr == nil {
				firstErr = err
			}
		}
		if town != "" && !found {
			return fmt.Errorf("no town %q", town)
		}
		return firstErr
	case jobReminders:
		if day != "" {
			if _, err := time.Parse("2006-01-02", day); err != nil {
				return fmt.Errorf("--day %q: want YYYY-MM-DD", day)
			}
		}
		return report("reminders "+orDefault(day, "(tomorrow)"), w.reminders(ctx, jobs.Tick{Job: name, At: now, Period: day, Source: "cli"}))
	default:
		return report(name, job.Run(ctx, jobs.Tick{Job: name, At: now, Source: "cli"}))
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
