// Package jobs is weike's named cron jobs and their bodies: the monthly
// schedule, the daily reminders, the officials' daily digest, the hourly
// order expiry and order reminders, and the retry of failed sends. A periodic run claims its period in the runs table (package
// internal/cron) in the same transaction that writes its letters to the
// outbox, so a period is done once however many instances run it; then it
// sends. Every job runs from the scheduler and from `weike cron run`.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"weike/booking"
	"weike/internal/cron"
	"weike/internal/table"
	"weike/internal/tz"
	"weike/letters"
	"weike/notify"
	"weike/org"
)

// Job names.
const (
	MonthlySchedule = "monthly-schedule"
	DailyReminders  = "daily-reminders"
	OrderExpiry     = "order-expiry"
	OrderReminders  = "order-reminders"
	OfficialsDigest = "officials-digest"
	Retry           = "retry"
	// CoverageReminders reminds, before a month ends, the branches still
	// missing its lesson, film or practice, and the officials.
	CoverageReminders = "coverage-reminders"
)

// Names are every job's name, in the order `weike cron list` shows them.
var Names = []string{MonthlySchedule, DailyReminders, OfficialsDigest, CoverageReminders, OrderExpiry, OrderReminders, Retry}

// Worker holds what the jobs' bodies need. The bodies are letters' (who
// gets what), booking's (which orders expire) and notify's (the outbox and
// the sending); a worker claims the period and puts them together.
type Worker struct {
	book    *booking.Store
	letters *letters.Store
	notify  *notify.Store
	runner  *cron.Runner
	baseURL string
	log     *slog.Logger
	// dryRun, when set, prints what a run would send instead of sending.
	dryRun io.Writer
}

// Deps are the stores and settings a Worker works with.
type Deps struct {
	Booking *booking.Store
	Letters *letters.Store
	Notify  *notify.Store
	Runner  *cron.Runner
	// BaseURL is weike's public URL, for the links in letters.
	BaseURL string
	Log     *slog.Logger
}

// NewWorker makes a worker.
func NewWorker(d Deps) *Worker {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Worker{book: d.Booking, letters: d.Letters, notify: d.Notify, runner: d.Runner, baseURL: d.BaseURL, log: d.Log}
}

// DryRun returns a worker whose periodic runs print who would get what to
// out instead of storing and sending it.
func (w *Worker) DryRun(out io.Writer) *Worker {
	c := *w
	c.dryRun = out
	return &c
}

// Runner is the runs table the worker claims its periods in.
func (w *Worker) Runner() *cron.Runner { return w.runner }

// busyWait is how long a run waits for another instance's run of the same
// period before it gives up on it (the period's next catch-up or cron
// run tries again).
const busyWait = 2 * time.Minute

// Jobs is every job, with its default schedule. Every one of them also
// runs from the CLI: `weike cron run NAME`.
func (w *Worker) Jobs() []cron.Job {
	return []cron.Job{
		{Name: MonthlySchedule, Spec: "0 9 25 * *", PerTown: true, CatchUp: 20 * 24 * time.Hour, Run: w.Monthly,
			Help: "next month's schedule to every secretary, lecturer (with an .ics) and official, and the group robots"},
		{Name: DailyReminders, Spec: "0 18 * * *", CatchUp: 5 * time.Hour, Run: w.Reminders,
			Help: "tomorrow's confirmed lessons, to lecturer and secretary"},
		{Name: OfficialsDigest, Spec: "0 8 * * *", PerTown: true, CatchUp: 12 * time.Hour, Run: w.Digest,
			Help: "one message a day to each official: new orders, declined or expired ones to reassign, deadlines near, proposals unanswered"},
		{Name: OrderExpiry, Spec: "0 * * * *", CatchUp: time.Hour, Run: w.expiry,
			Help: "expire orders unanswered past their deadline and tell the officials and the branch"},
		{Name: OrderReminders, Spec: "15 * * * *", CatchUp: time.Hour, Run: w.orderReminders,
			Help: "remind lecturers 12 hours before an order's answer deadline, and branches of lessons delivered 3 days ago and not rated; each once"},
		{Name: Retry, Spec: "30 * * * *", CatchUp: time.Hour, Run: w.retry,
			Help: "send the messages that are due: new ones, and failed ones whose backoff has passed"},
		{Name: CoverageReminders, Spec: org.DefaultReminderSpec, PerTown: true, CatchUp: 5 * 24 * time.Hour, Run: w.Coverage,
			Help: "to each secretary whose branch still lacks this month's lesson, film or practice, and a digest to each official"},
	}
}

// Monthly sends a town's monthly schedule for the tick's period (by
// default the month a run at the tick's time covers).
func (w *Worker) Monthly(ctx context.Context, t cron.Tick) error {
	period := t.Period
	if period == "" {
		loc, err := w.letters.TownLoc(ctx, t.TownID)
		if err != nil {
			return err
		}
		period = letters.ScheduleMonth(t.At, loc)
	}
	key := cron.Key{Job: MonthlySchedule, TownID: t.TownID, Period: period}
	return w.claimAndSend(ctx, key, t.Source, func() ([]notify.Letter, error) {
		return w.letters.MonthlyLetters(ctx, t.TownID, period, w.baseURL)
	})
}

// Coverage sends a town's coverage reminders for the tick's period (by
// default the month the tick falls in).
func (w *Worker) Coverage(ctx context.Context, t cron.Tick) error {
	period := t.Period
	if period == "" {
		loc, err := w.letters.TownLoc(ctx, t.TownID)
		if err != nil {
			return err
		}
		period = letters.CoverageMonth(t.At, loc)
	}
	key := cron.Key{Job: CoverageReminders, TownID: t.TownID, Period: period}
	return w.claimAndSend(ctx, key, t.Source, func() ([]notify.Letter, error) {
		return w.letters.CoverageLetters(ctx, t.TownID, period, w.baseURL)
	})
}

// Reminders sends the reminders of the tick's day (by default tomorrow).
func (w *Worker) Reminders(ctx context.Context, t cron.Tick) error {
	period := t.Period
	if period == "" {
		period = letters.ReminderDay(t.At, tz.Shanghai)
	}
	key := cron.Key{Job: DailyReminders, Period: period}
	return w.claimAndSend(ctx, key, t.Source, func() ([]notify.Letter, error) {
		return w.letters.ReminderLetters(ctx, period, w.baseURL)
	})
}

// Digest sends a town's officials' digest for the tick's day (by default
// the town's local day of the tick).
func (w *Worker) Digest(ctx context.Context, t cron.Tick) error {
	period := t.Period
	if period == "" {
		loc, err := w.letters.TownLoc(ctx, t.TownID)
		if err != nil {
			return err
		}
		period = letters.DigestDay(t.At, loc)
	}
	key := cron.Key{Job: OfficialsDigest, TownID: t.TownID, Period: period}
	return w.claimAndSend(ctx, key, t.Source, func() ([]notify.Letter, error) {
		return w.letters.DigestLetters(ctx, t.TownID, period, w.baseURL)
	})
}

// claimAndSend is the shape of the periodic jobs: skip a period already
// done, build the letters (reads only), claim the period and write the
// letters to the outbox in one transaction, then send.
func (w *Worker) claimAndSend(ctx context.Context, key cron.Key, source string, build func() ([]notify.Letter, error)) error {
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
		return fmt.Errorf("%s: %w (run %d at %s)", key, cron.ErrClaimed, done.ID, done.StartedAt.Format(time.RFC3339))
	}
	letters, err := build()
	if err != nil {
		w.runner.Failed(ctx, key, source, w.runner.Now(), err)
		return err
	}
	if w.dryRun != nil {
		return w.printDryRun(ctx, key, done, letters)
	}
	claim := func() (*cron.Run, error) {
		return w.runner.Claim(ctx, key, source, func(tx *gorm.DB) (cron.Counts, error) {
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
	for wait, waited := 100*time.Millisecond, time.Duration(0); errors.Is(err, cron.ErrBusy) && waited < busyWait; waited += wait {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
		run, err = claim()
	}
	if err != nil {
		if errors.Is(err, cron.ErrBusy) || errors.Is(err, cron.ErrClaimed) {
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

func queuedCounts(letters int, q notify.Queued) cron.Counts {
	c := cron.Counts{"letters": letters, "duplicates": q.Duplicates, "skipped": q.Skipped}
	for ch, n := range q.New {
		c[ch] = n
	}
	return c
}

func (w *Worker) printDryRun(ctx context.Context, key cron.Key, done *cron.Run, letters []notify.Letter) error {
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
	tw := table.New(out)
	tw.Row("KIND", "CHANNEL", "TO", "ADDRESS", "SUBJECT", "ATTACHMENT", "NOTE")
	for _, o := range q.Rows {
		addr := o.Address
		if o.Channel == notify.ChannelWebhook {
			addr = "(robot)"
		}
		note := ""
		if o.Status == notify.StatusSkipped {
			note = "skipped: " + o.LastError
		}
		tw.Row(o.Kind, o.Channel, o.RecipientName, addr, o.Subject, o.AttachmentName, note)
	}
	return tw.Flush()
}

// hourKey names the hour a run of an hourly job belongs to.
func hourKey(job string, at time.Time) cron.Key {
	return cron.Key{Job: job, Period: at.In(tz.Shanghai).Format("2006-01-02T15")}
}

func (w *Worker) expiry(ctx context.Context, t cron.Tick) error {
	// Safe on any number of instances at once (each order is re-read under
	// the write lock), so it claims nothing; its runs are only recorded.
	if w.dryRun != nil {
		fmt.Fprintln(w.dryRun, "order-expiry has no dry run: it only expires what is due, and is safe to run at any time")
		return nil
	}
	return w.hourly(ctx, t, OrderExpiry,
		func() (cron.Counts, error) {
			n, err := w.book.ExpireDue(ctx)
			return cron.Counts{"expired": n}, err
		})
}

func (w *Worker) orderReminders(ctx context.Context, t cron.Tick) error {
	// Safe anywhere at any time: each reminder's outbox key is taken once.
	if w.dryRun != nil {
		fmt.Fprintln(w.dryRun, "order-reminders has no dry run: it tells each order's lecturer or branch once, and is safe to run at any time")
		return nil
	}
	return w.hourly(ctx, t, OrderReminders,
		func() (cron.Counts, error) {
			r, err := w.book.RemindDue(ctx)
			return cron.Counts{"deadlines": r.Deadlines, "reviews": r.Reviews}, err
		})
}

// hourly runs an hourly job that needs no claim, then sends what it put in
// the outbox, and records the run with both counts. Its callers answer a dry
// run themselves, each saying why it has none.
func (w *Worker) hourly(ctx context.Context, t cron.Tick, job string, work func() (cron.Counts, error)) error {
	started := w.runner.Now()
	key := hourKey(job, t.At)
	counts, err := work()
	if err != nil {
		w.runner.Failed(ctx, key, t.Source, started, err)
		return err
	}
	d, err := w.notify.Deliver(ctx)
	if err != nil {
		w.runner.Failed(ctx, key, t.Source, started, err)
		return err
	}
	counts["sent"], counts["retrying"], counts["failed"] = d.Sent, d.Retrying, d.Failed
	return w.runner.Record(ctx, key, t.Source, started, counts)
}

func (w *Worker) retry(ctx context.Context, t cron.Tick) error {
	if w.dryRun != nil {
		fmt.Fprintln(w.dryRun, "retry has no dry run")
		return nil
	}
	started := w.runner.Now()
	key := hourKey(Retry, t.At)
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
	return w.runner.Record(ctx, key, t.Source, started, cron.Counts{"sent": d.Sent, "retrying": d.Retrying, "failed": d.Failed, "skipped": d.Skipped})
}

// TownSchedules reads the towns' own schedules of the per-town jobs (the
// monthly schedule, the coverage reminders) for the scheduler.
func (w *Worker) TownSchedules(ctx context.Context) ([]cron.TownSchedule, error) {
	ts, err := w.letters.Towns(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]cron.TownSchedule, 0, len(ts))
	for _, t := range ts {
		out = append(out, cron.TownSchedule{ID: t.ID, Timezone: t.Timezone, Since: t.CreatedAt,
			Specs: map[string]string{MonthlySchedule: t.ScheduleSpec, CoverageReminders: t.ReminderSpec, OfficialsDigest: DailySpec(t.DigestAt)}})
	}
	return out, nil
}

// DailySpec is the cron schedule of a job run every day at a local time
// "HH:MM"; a time that does not parse is the digest's default, 08:00.
func DailySpec(at string) string {
	m, err := tz.ParseClock(at)
	if err != nil {
		m = 8 * 60
	}
	return fmt.Sprintf("%d %d * * *", m%60, m/60)
}
