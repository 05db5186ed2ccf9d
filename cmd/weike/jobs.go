package main

import (
	"context"
	"log/slog"

	"github.com/robfig/cron/v3"

	"weike/booking"
)

// cronLogger adapts slog to robfig/cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

// startJobs starts the scheduler that run owns. Recover and
// SkipIfStillRunning are not on by default, whatever cron's docs suggest, so
// the chain adds them: a panicking job must not kill the service, and a slow
// one must not pile up.
func startJobs(ctx context.Context, log *slog.Logger, book *booking.Store) (*cron.Cron, error) {
	cl := cronLogger{log}
	c := cron.New(cron.WithLocation(shanghai()), cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)))
	expire := func() {
		n, err := book.ExpireDue(ctx)
		if err != nil {
			log.Error("job order-expiry failed", "err", err)
			return
		}
		if n > 0 {
			log.Info("job order-expiry", "expired", n)
		}
	}
	if _, err := c.AddFunc("CRON_TZ=Asia/Shanghai 0 * * * *", expire); err != nil {
		return nil, err
	}
	c.Start()
	// cron never catches up a run missed while the process was down: do the
	// hourly expiry once now.
	go expire()
	return c, nil
}
