package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"weike/internal/db"
)

// The storage ceiling: booking.Store.Create's transaction — the reads the
// rules need, the clash and capacity checks for each preferred time, the
// double-tap check, the order and its audit event — as plain database/sql
// prepared statements on the handles db.Open gives (the same pragmas and
// pools as the server: on SQLite one writer connection whose transactions
// begin IMMEDIATE). What weike adds above it is GORM, HTTP, JSON, auth and
// the read-back of the created order.

var ceilingSQL = map[string]string{
	"town":      "SELECT id, timezone, travel_buffer_minutes, lead_time_hours, horizon_days, answer_deadline_hours FROM towns WHERE id = ?",
	"court":     "SELECT id FROM courtyards WHERE id = ? AND branch_id = ?",
	"lesson":    "SELECT id, status, duration_minutes, title FROM lessons WHERE id = ? AND town_id = ?",
	"lecturer":  "SELECT id, name, active, monthly_capacity FROM lecturers WHERE id = ? AND town_id = ?",
	"windows":   "SELECT weekday, start_minute, end_minute FROM lecturer_availabilities WHERE lecturer_id = ?",
	"blackouts": "SELECT day FROM lecturer_blackouts WHERE lecturer_id = ?",
	"qualified": "SELECT COUNT(*) FROM lesson_lecturers WHERE lesson_id = ? AND lecturer_id = ?",
	"lecClash": `SELECT orders.id, orders.start_at FROM orders JOIN branches ON branches.id = orders.branch_id
		WHERE orders.lecturer_id = ? AND orders.status IN ('confirmed', 'delivered', 'reviewed') AND orders.id <> 0
		AND orders.start_at < ? AND orders.start_at > ? AND orders.block_end_at > ? ORDER BY orders.start_at LIMIT 1`,
	"branchClash": `SELECT orders.id, orders.start_at FROM orders JOIN lecturers ON lecturers.id = orders.lecturer_id
		WHERE orders.branch_id = ? AND orders.status IN ('confirmed', 'delivered', 'reviewed') AND orders.id <> 0
		AND orders.start_at < ? AND orders.start_at > ? AND orders.end_at > ? ORDER BY orders.start_at LIMIT 1`,
	"capacity": `SELECT COUNT(*) FROM orders WHERE lecturer_id = ? AND status IN ('confirmed', 'delivered', 'reviewed') AND id <> 0
		AND start_at >= ? AND start_at < ?`,
	"dup": `SELECT id, slots FROM orders WHERE branch_id = ? AND start_at IS NULL AND lesson_id = ? AND lecturer_id = ? AND courtyard_id = ? AND status = 'requested'`,
	"insert": `INSERT INTO orders (town_id, branch_id, courtyard_id, lesson_id, lecturer_id, status, slots, duration_minutes, audience, note,
		reason, answer_by, delivery_summary, photo_links, review_comment, requested_by, sequence, created_at, updated_at, month)
		VALUES (?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, '', ?, '', '', '', ?, 0, ?, ?, ?) RETURNING id`,
	"event": `INSERT INTO order_events (order_id, town_id, account_id, role, from_status, to_status, reason, detail, at)
		VALUES (?, ?, ?, 'secretary', '', 'requested', '', '', ?)`,
}

// rebind turns ? into $1, $2… for Postgres.
func rebind(pg bool, q string) string {
	if !pg {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// drain reads every row of a query, as GORM's Scan would.
func drain(rows *sql.Rows, err error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
	}
	return rows.Err()
}

func storageCeiling(ctx context.Context, dsn string, w *benchWorld, clients int, warmup, duration time.Duration) (*result, error) {
	d, err := db.Open(dsn)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	sqlDB, err := d.W.DB()
	if err != nil {
		return nil, err
	}
	pg := d.Dialect == db.Postgres
	stmts := map[string]*sql.Stmt{}
	for k, q := range ceilingSQL {
		st, err := sqlDB.PrepareContext(ctx, rebind(pg, q))
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", k, err)
		}
		defer st.Close()
		stmts[k] = st
	}
	accounts := map[int64]int64{}
	for _, s := range w.secs {
		var id int64
		if err := d.R.Raw("SELECT id FROM accounts WHERE login = ?", s.login).Scan(&id).Error; err != nil {
			return nil, err
		}
		accounts[s.branch] = id
	}
	one := func(s *secretary, r *rand.Rand) error {
		o, slots := w.newOrder(s, r)
		tx, err := sqlDB.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		q := func(name string, args ...any) error { return drain(tx.Stmt(stmts[name]).QueryContext(ctx, args...)) }
		var buffer, dur int
		var tz string
		var id int64
		var lead, horizon, answer int
		if err := tx.Stmt(stmts["town"]).QueryRowContext(ctx, s.town).Scan(&id, &tz, &buffer, &lead, &horizon, &answer); err != nil {
			return err
		}
		if err := q("court", s.courtyard, s.branch); err != nil {
			return err
		}
		var status, title string
		if err := tx.Stmt(stmts["lesson"]).QueryRowContext(ctx, o.lesson, s.town).Scan(&id, &status, &dur, &title); err != nil {
			return err
		}
		for _, name := range []string{"lecturer", "windows", "blackouts"} {
			args := []any{o.lecturer, s.town}
			if name != "lecturer" {
				args = args[:1]
			}
			if err := q(name, args...); err != nil {
				return err
			}
		}
		if err := q("qualified", o.lesson, o.lecturer); err != nil {
			return err
		}
		for _, t := range slots {
			end := t.Add(time.Duration(dur) * time.Minute)
			since := t.Add(-24 * time.Hour)
			if err := q("lecClash", o.lecturer, end.Add(time.Duration(buffer)*time.Minute), since, t); err != nil {
				return err
			}
			if err := q("branchClash", s.branch, end, since, t); err != nil {
				return err
			}
			local := t.In(w.loc)
			from := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, w.loc)
			if err := q("capacity", o.lecturer, from.UTC(), from.AddDate(0, 1, 0).UTC()); err != nil {
				return err
			}
		}
		if err := q("dup", s.branch, o.lesson, o.lecturer, s.courtyard); err != nil {
			return err
		}
		utc := make([]time.Time, len(slots))
		for i, t := range slots {
			utc[i] = t.UTC()
		}
		sj, _ := json.Marshal(utc)
		now := time.Now().UTC()
		var oid int64
		if err := tx.Stmt(stmts["insert"]).QueryRowContext(ctx, s.town, s.branch, s.courtyard, o.lesson, o.lecturer, string(sj), dur, 30,
			"请提前一天联系", now.Add(time.Duration(answer)*time.Hour), accounts[s.branch], now, now,
			slots[0].In(w.loc).Format("2006-01")).Scan(&oid); err != nil { // the month of its first preferred time, as Create files it
			return err
		}
		if _, err := tx.Stmt(stmts["event"]).ExecContext(ctx, oid, s.town, accounts[s.branch], now); err != nil {
			return err
		}
		return tx.Commit()
	}

	res := &result{db: dialectOf(dsn), name: "storage-ceiling", statuses: map[int]int64{}}
	start := time.Now()
	measureFrom, end := start.Add(warmup), start.Add(warmup+duration)
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i)+1000, 7))
			s := w.secs[i%len(w.secs)]
			var lat []time.Duration
			var failed int64
			for {
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					break
				}
				err := one(s, r)
				if t0.Before(measureFrom) {
					continue
				}
				lat = append(lat, time.Since(t0))
				if err != nil {
					failed++
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			all = append(all, lat...)
			res.failed += failed
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	res.secs = min(time.Since(measureFrom), duration).Seconds()
	if firstErr != nil && res.failed*10 > int64(len(all)) {
		return nil, firstErr
	}
	res.n = int64(len(all)) - res.failed
	res.statuses[200] = res.n
	if res.failed > 0 {
		res.statuses[500] = res.failed
	}
	if len(all) > 0 {
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
		res.p50, res.p95, res.p99 = pct(0.5), pct(0.95), pct(0.99)
	}
	return res, nil
}
