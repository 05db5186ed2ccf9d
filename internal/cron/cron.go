// Package jobs runs weike's named cron jobs exactly once per period, however
// many instances run them. A run claims its period in the job_runs table
// inside the same transaction that writes the run's work (the messages of
// the outbox): the claimed row and the work commit together or not at all,
// and a second claim of the period finds the row and does nothing. On
// Postgres the run first takes pg_try_advisory_xact_lock, a transaction
// lock (a session lock would stay held on a pooled connection returned to
// the pool, or vanish when the pool recycles it), so a second instance
// skips at once instead of waiting on the first one's row. On SQLite the
// writer's IMMEDIATE transaction already serialises the claims.
//
// The Scheduler wraps one robfig/cron value: jobs registered by name with
// CRON_TZ, Recover and SkipIfStillRunning chained in (neither is on by
// default), towns' own schedules, and the catch-up cron lacks: a run missed
// while the service was down is done once when it starts again.
package cron

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	robfig "github.com/robfig/cron/v3"
	"gorm.io/gorm"

	"weike/internal/db"
)

// Counts are what a run did, by name ("letters", "email", "sent"…).
type Counts map[string]int

// String renders counts in a stable order.
func (c Counts) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, c[k]))
	}
	return strings.Join(parts, " ")
}

// Key names one period of one job, for one town or (TownID 0) for all.
type Key struct {
	Job    string
	TownID int64
	Period string
}

func (k Key) String() string {
	if k.TownID == 0 {
		return k.Job + " " + k.Period
	}
	return fmt.Sprintf("%s %s town %d", k.Job, k.Period, k.TownID)
}

// lockID maps a key to the bigint of Postgres' advisory locks.
func (k Key) lockID() int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "weike-job|%s|%d|%s", k.Job, k.TownID, k.Period)
	return int64(h.Sum64())
}

// ErrClaimed means the period was done already: nothing to do.
var ErrClaimed = errors.New("this period has been done already")

// ErrBusy means another instance is doing the period right now.
var ErrBusy = errors.New("another instance is running this period")

// Run is one row of job_runs.
type Run struct {
	ID        int64      `json:"id"`
	Job       string     `json:"job"`
	TownID    int64      `json:"town_id"`
	Period    string     `json:"period"`
	Claim     *string    `json:"-"`
	Status    string     `json:"status"`
	Source    string     `json:"source"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
	Result    string     `json:"result"`
	Counts    string     `json:"counts"`
	// Tally is what the claiming work counted, for Finish to add to.
	Tally Counts `json:"-" gorm:"-"`
}

// TableName keeps the schema's name.
func (Run) TableName() string { return "job_runs" }

// Runner claims periods and keeps the runs table.
type Runner struct {
	db  *db.DB
	now func() time.Time
	log *slog.Logger
}

// NewRunner makes a runner; now is the injected clock.
func NewRunner(d *db.DB, now func() time.Time, log *slog.Logger) *Runner {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Runner{db: d, now: func() time.Time { return now().UTC() }, log: log}
}

// Now is the runner's clock.
func (r *Runner) Now() time.Time { return r.now() }

// Done returns the run that claimed the key, or nil.
func (r *Runner) Done(ctx context.Context, k Key) (*Run, error) {
	var run Run
	err := r.db.R.WithContext(ctx).Where("job = ? AND town_id = ? AND period = ? AND claim = 'done'", k.Job, k.TownID, k.Period).Limit(1).Find(&run).Error
	if err != nil || run.ID == 0 {
		return nil, err
	}
	return &run, nil
}

// Claim does work for a key once: in one transaction it takes the advisory
// lock (Postgres), checks and writes the claimed row, and lets work write
// its part. ErrBusy and ErrClaimed say that another run has it or had it.
// When work fails, nothing of it is kept but a failed, unclaimed row, so the
// period can be tried again.
func (r *Runner) Claim(ctx context.Context, k Key, source string, work func(tx *gorm.DB) (Counts, error)) (*Run, error) {
	started := r.now()
	claim := "done"
	run := &Run{Job: k.Job, TownID: k.TownID, Period: k.Period, Claim: &claim, Status: "ok", Source: source, StartedAt: started}
	err := r.db.Tx(ctx, func(tx *gorm.DB) error {
		if r.db.Dialect == db.Postgres {
			var got bool
			if err := tx.Raw("SELECT pg_try_advisory_xact_lock(?)", k.lockID()).Scan(&got).Error; err != nil {
				return err
			}
			if !got {
				return ErrBusy
			}
		}
		var n int64
		if err := tx.Model(&Run{}).Where("job = ? AND town_id = ? AND period = ? AND claim = 'done'", k.Job, k.TownID, k.Period).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrClaimed
		}
		if err := tx.Create(run).Error; err != nil {
			if db.IsUniqueViolation(err) {
				return ErrClaimed
			}
			return err
		}
		counts, err := work(tx)
		if err != nil {
			return err
		}
		run.Tally = counts
		return tx.Model(&Run{}).Where("id = ?", run.ID).Update("counts", counts.String()).Error
	})
	if errors.Is(err, ErrBusy) || errors.Is(err, ErrClaimed) {
		return nil, err
	}
	if err != nil {
		r.Failed(ctx, k, source, started, err)
		return nil, err
	}
	return run, nil
}

// Failed records a run that did not finish; it claims nothing.
func (r *Runner) Failed(ctx context.Context, k Key, source string, started time.Time, cause error) {
	now := r.now()
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	row := Run{Job: k.Job, TownID: k.TownID, Period: k.Period, Status: "failed", Source: source, StartedAt: started, EndedAt: &now, Result: msg}
	// Recorded even when ctx was cancelled: that may be why it failed.
	if err := r.db.W.WithContext(context.WithoutCancel(ctx)).Create(&row).Error; err != nil {
		r.log.Error("record failed job run", "job", k.String(), "err", err)
	}
	r.log.Error("job run failed", "job", k.String(), "source", source, "err", cause)
}

// Finish closes a claimed run: when it ended, what it did in all, and a
// one-line result.
func (r *Runner) Finish(ctx context.Context, run *Run, counts Counts, result string) error {
	now := r.now()
	run.EndedAt, run.Counts, run.Result = &now, counts.String(), result
	return r.db.W.WithContext(ctx).Model(&Run{}).Where("id = ?", run.ID).
		Updates(map[string]any{"ended_at": now, "counts": run.Counts, "result": result}).Error
}

// Recent lists the latest runs, newest first; job narrows them when set.
func (r *Runner) Recent(ctx context.Context, job string, limit int) ([]Run, error) {
	q := r.db.R.WithContext(ctx).Order("id DESC").Limit(limit)
	if job != "" {
		q = q.Where("job = ?", job)
	}
	var runs []Run
	err := q.Find(&runs).Error
	return runs, err
}

// Record keeps a run of a job that claims nothing (one that is safe to run
// anywhere at any time, such as sending what is due).
func (r *Runner) Record(ctx context.Context, k Key, source string, started time.Time, counts Counts) error {
	now := r.now()
	row := Run{Job: k.Job, TownID: k.TownID, Period: k.Period, Status: "ok", Source: source, StartedAt: started, EndedAt: &now, Counts: counts.String()}
	return r.db.W.WithContext(ctx).Create(&row).Error
}

// Tick is one run of a job: which job, for which town (0: all), for the
// schedule's time At, and what started it ("cron", "catch-up", "cli").
type Tick struct {
	Job    string
	TownID int64
	At     time.Time
	Source string
	// Period, when set, overrides the period derived from At (the CLI's
	// --month and --day).
	Period string
}

// Job is a named cron job.
type Job struct {
	Name string
	// Spec is the default schedule: five fields, read in Asia/Shanghai.
	Spec string
	Help string
	// PerTown jobs run once per town, on the town's own schedule when it
	// has one (towns.schedule_spec).
	PerTown bool
	// CatchUp: on start, a scheduled run missed within this long before now
	// is done once (zero: never).
	CatchUp time.Duration
	// Run does the job; it claims its period through a Runner.
	Run func(ctx context.Context, t Tick) error
}

// TownSchedule is a town's own schedule of the per-town jobs.
type TownSchedule struct {
	ID int64
	// Specs are the town's own schedules by job name; a job without one
	// runs on Spec, or else on its default.
	Specs    map[string]string
	Spec     string
	Timezone string
	// Since is when the town came to weike: a run scheduled before it was
	// not missed, there was nobody to send it to (a town set up, or a demo
	// loaded, on the 29th has not missed the 25th's schedule).
	Since time.Time
}

// specOf is the town's own schedule of a job, or "".
func (t TownSchedule) specOf(job string) string {
	if s := t.Specs[job]; s != "" {
		return s
	}
	return t.Spec
}

// SpecOf is the schedule a per-town job runs on in the town: its own, or
// the job's default.
func (t TownSchedule) SpecOf(j Job) string {
	if s := t.specOf(j.Name); s != "" {
		return s
	}
	return j.Spec
}

// Zone is the zone every schedule is read in unless a town names its own.
const Zone = "Asia/Shanghai"

// Parse reads a five-field schedule in a zone.
func Parse(spec, zone string) (robfig.Schedule, error) {
	if zone == "" {
		zone = Zone
	}
	return robfig.ParseStandard("CRON_TZ=" + zone + " " + strings.TrimSpace(spec))
}

// Prev returns the latest time at or before now that spec fires, looking
// back at most within; ok is false when it did not fire in that time.
func Prev(spec, zone string, now time.Time, within time.Duration) (time.Time, bool, error) {
	s, err := Parse(spec, zone)
	if err != nil {
		return time.Time{}, false, err
	}
	var last time.Time
	for t := s.Next(now.Add(-within).Add(-time.Second)); !t.IsZero() && !t.After(now); t = s.Next(t) {
		last = t
	}
	return last, !last.IsZero(), nil
}

// cronLogger adapts slog to robfig/cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

// Scheduler owns the cron value of a running service.
type Scheduler struct {
	c     *robfig.Cron
	jobs  []Job
	towns func(ctx context.Context) ([]TownSchedule, error)
	now   func() time.Time
	log   *slog.Logger
	ctx   context.Context

	wg      sync.WaitGroup
	mu      sync.Mutex
	entries map[string]robfig.EntryID // "job" or "job@town" → entry
	specs   map[string]string         // same keys → the spec it runs on
}

// NewScheduler makes a scheduler for jobs; towns reads the towns' own
// schedules of the per-town jobs.
func NewScheduler(jobs []Job, towns func(ctx context.Context) ([]TownSchedule, error), now func() time.Time, log *slog.Logger) *Scheduler {
	if now == nil {
		now = time.Now
	}
	cl := cronLogger{log}
	return &Scheduler{
		c:    robfig.New(robfig.WithChain(robfig.Recover(cl), robfig.SkipIfStillRunning(cl))),
		jobs: jobs, towns: towns, now: now, log: log,
		entries: map[string]robfig.EntryID{}, specs: map[string]string{},
	}
}

// Start registers the jobs, starts cron, and then catches up what was
// missed. Towns' schedules are read again every hour.
func (s *Scheduler) Start(ctx context.Context) error {
	s.ctx = ctx
	if err := s.Sync(ctx); err != nil {
		return err
	}
	if _, err := s.c.AddFunc("CRON_TZ="+Zone+" 7 * * * *", func() {
		if err := s.Sync(ctx); err != nil {
			s.log.Error("re-read town schedules", "err", err)
		}
	}); err != nil {
		return err
	}
	s.c.Start()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.CatchUp(ctx)
	}()
	return nil
}

// Stop stops cron and waits for running jobs and the catch-up to return.
func (s *Scheduler) Stop() {
	<-s.c.Stop().Done()
	s.wg.Wait()
}

// Sync (re)registers every job, per-town jobs on each town's schedule.
func (s *Scheduler) Sync(ctx context.Context) error {
	var towns []TownSchedule
	for _, j := range s.jobs {
		if j.PerTown && towns == nil {
			var err error
			if towns, err = s.towns(ctx); err != nil {
				return err
			}
		}
	}
	want := map[string]struct {
		job  Job
		town TownSchedule
	}{}
	for _, j := range s.jobs {
		if !j.PerTown {
			want[j.Name] = struct {
				job  Job
				town TownSchedule
			}{j, TownSchedule{}}
			continue
		}
		for _, t := range towns {
			want[fmt.Sprintf("%s@%d", j.Name, t.ID)] = struct {
				job  Job
				town TownSchedule
			}{j, t}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, id := range s.entries {
		if _, ok := want[key]; !ok {
			s.c.Remove(id)
			delete(s.entries, key)
			delete(s.specs, key)
		}
	}
	for key, w := range want {
		spec, zone := w.job.Spec, Zone
		if w.job.PerTown {
			if s := w.town.specOf(w.job.Name); s != "" {
				spec = s
			}
			if w.town.Timezone != "" {
				zone = w.town.Timezone
			}
		}
		full := "CRON_TZ=" + zone + " " + spec
		if s.specs[key] == full {
			continue
		}
		if old, ok := s.entries[key]; ok {
			s.c.Remove(old)
		}
		job, townID := w.job, w.town.ID
		id, err := s.c.AddFunc(full, func() {
			at := s.now().UTC().Truncate(time.Minute)
			s.fire(job, Tick{Job: job.Name, TownID: townID, At: at, Source: "cron"})
		})
		if err != nil {
			s.log.Error("bad schedule, job not registered", "job", key, "spec", full, "err", err)
			continue
		}
		s.entries[key], s.specs[key] = id, full
	}
	return nil
}

func (s *Scheduler) fire(j Job, t Tick) {
	ctx := s.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if err := j.Run(ctx, t); err != nil && !errors.Is(err, ErrClaimed) && !errors.Is(err, ErrBusy) {
		s.log.Error("job failed", "job", t.Job, "town", t.TownID, "source", t.Source, "err", err)
	}
}

// Entry is a registered schedule, for `weike cron list`.
type Entry struct {
	Key  string
	Spec string
	Next time.Time
}

// Entries lists the registered schedules.
func (s *Scheduler) Entries() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Entry
	for key, id := range s.entries {
		out = append(out, Entry{Key: key, Spec: s.specs[key], Next: s.c.Entry(id).Next})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// CatchUp runs, once, every scheduled run missed within its job's CatchUp
// window whose period no run has claimed. cron itself never does.
func (s *Scheduler) CatchUp(ctx context.Context) {
	now := s.now()
	var towns []TownSchedule
	for _, j := range s.jobs {
		if j.CatchUp <= 0 {
			continue
		}
		targets := []TownSchedule{{Spec: j.Spec, Timezone: Zone}}
		if j.PerTown {
			if towns == nil {
				var err error
				if towns, err = s.towns(ctx); err != nil {
					s.log.Error("catch-up: read towns", "err", err)
					return
				}
			}
			targets = towns
		}
		for _, t := range targets {
			spec, zone := t.specOf(j.Name), t.Timezone
			if spec == "" {
				spec = j.Spec
			}
			at, ok, err := Prev(spec, zone, now, j.CatchUp)
			if err != nil || !ok || at.Before(t.Since) {
				continue
			}
			s.fire(j, Tick{Job: j.Name, TownID: t.ID, At: at.UTC(), Source: "catch-up"})
		}
	}
}
