package db

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Listen hears Postgres notifications on channels until ctx ends, calling
// handle for each. In-process caches use it to hear what other instances
// changed: a writer calls pg_notify inside its transaction, so the message
// leaves only when the change is committed. A lost connection may have lost
// messages, so before each (re)connection reset is called for the caller to
// forget what it cached; then ready, when not nil. It reconnects with a
// growing wait and returns when ctx ends.
func Listen(ctx context.Context, dsn string, channels []string, log *slog.Logger, handle func(channel, payload string), reset, ready func()) {
	if log == nil {
		log = slog.Default()
	}
	wait := time.Second
	for ctx.Err() == nil {
		err := listenOnce(ctx, dsn, channels, handle, reset, ready)
		if ctx.Err() != nil {
			return
		}
		reset()
		log.Warn("cache listener lost its connection; reconnecting", "channels", channels, "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

func listenOnce(ctx context.Context, dsn string, channels []string, handle func(channel, payload string), reset, ready func()) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	// Whatever changed while nobody listened is forgotten.
	reset()
	if ready != nil {
		ready()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		handle(n.Channel, n.Payload)
	}
}

// Notify sends payload on channel when tx commits (Postgres; on SQLite,
// where one instance serves, it does nothing).
func (d *DB) Notify(tx *gorm.DB, channel, payload string) error {
	if d.Dialect != Postgres {
		return nil
	}
	return tx.Exec("SELECT pg_notify(?, ?)", channel, payload).Error
}
