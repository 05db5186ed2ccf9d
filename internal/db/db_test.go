package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"weike/internal/db"
	"weike/internal/db/dbtest"
)

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		v, err := d.Version(ctx)
		if err != nil || v != db.SchemaVersion() {
			t.Fatalf("version %d, %v; want %d", v, err, db.SchemaVersion())
		}
		applied, err := d.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, %v", applied, err)
		}
		if err := d.CheckVersion(ctx); err != nil {
			t.Fatal(err)
		}
		// A schema from a newer binary is refused.
		if err := d.W.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', ?)", db.SchemaVersion()+1, time.Now()).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.CheckVersion(ctx); !errors.Is(err, db.ErrSchemaAhead) {
			t.Fatalf("ahead: got %v", err)
		}
	})
}

// TestEachMigration applies the migrations one by one on both databases, so
// that each step is run on its own and a step that only works on top of a
// later one is caught.
func TestEachMigration(t *testing.T) {
	t.Parallel()
	for name, o := range emptyDBs() {
		t.Run(name, func(t *testing.T) {
			d := o(t)
			ctx := context.Background()
			for v := 1; v <= db.SchemaVersion(); v++ {
				applied, err := db.MigrateTo(ctx, d, v)
				if err != nil {
					t.Fatalf("migration %d: %v", v, err)
				}
				if len(applied) != 1 || applied[0] != v {
					t.Fatalf("migration %d applied %v", v, applied)
				}
				if err := d.CheckVersion(ctx); v < db.SchemaVersion() && !errors.Is(err, db.ErrSchemaBehind) {
					t.Fatalf("at %d CheckVersion = %v, want behind", v, err)
				}
			}
			if err := d.CheckVersion(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSQLiteSettings(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	var mode string
	if err := d.R.Raw("PRAGMA journal_mode").Scan(&mode).Error; err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q %v", mode, err)
	}
	// Every pooled reader connection has foreign keys on (set in the DSN).
	for i := 0; i < 3; i++ {
		var fk int
		if err := d.R.Raw("PRAGMA foreign_keys").Scan(&fk).Error; err != nil || fk != 1 {
			t.Fatalf("foreign_keys %d %v", fk, err)
		}
	}
	err := d.W.Exec("INSERT INTO towns (county_id, name, created_at) VALUES (999, 'x', ?)", time.Now()).Error
	if !db.IsForeignKeyViolation(err) {
		t.Fatalf("want a foreign-key violation, got %v", err)
	}
}

func TestLikeEscapes(t *testing.T) {
	t.Parallel()
	cases := map[string]string{"振兴": "%振兴%", "50%": `%50\%%`, "a_b": `%a\_b%`, `c\d`: `%c\\d%`}
	for in, want := range cases {
		if got := db.Like(in); got != want {
			t.Errorf("Like(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestV3BackfillsOrderMonths: an order confirmed before v3 gets the local
// month of its start (a lesson at 2026-11-30 23:30 UTC is in December in
// Shanghai).
func TestV3BackfillsOrderMonths(t *testing.T) {
	t.Parallel()
	for name, open := range emptyDBs() {
		t.Run(name, func(t *testing.T) {
			d := open(t)
			ctx := context.Background()
			if _, err := db.MigrateTo(ctx, d, 2); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			start := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)
			steps := []struct {
				sql  string
				args []any
			}{
				{"INSERT INTO counties (id, name, created_at) VALUES (1, 'c', ?)", []any{now}},
				{"INSERT INTO towns (id, county_id, name, created_at) VALUES (1, 1, 't', ?)", []any{now}},
				{"INSERT INTO branches (id, town_id, name, created_at, updated_at) VALUES (1, 1, 'b', ?, ?)", []any{now, now}},
				{"INSERT INTO courtyards (id, town_id, branch_id, name, created_at, updated_at) VALUES (1, 1, 1, 'y', ?, ?)", []any{now, now}},
				{"INSERT INTO topics (id, town_id, name) VALUES (1, 1, 'x')", nil},
				{"INSERT INTO lecturers (id, town_id, name, created_at, updated_at) VALUES (1, 1, 'l', ?, ?)", []any{now, now}},
				{"INSERT INTO lessons (id, town_id, title, topic_id, duration_minutes, created_at, updated_at) VALUES (1, 1, 'le', 1, 20, ?, ?)", []any{now, now}},
				{`INSERT INTO orders (id, town_id, branch_id, courtyard_id, lesson_id, lecturer_id, status, slots, duration_minutes,
					start_at, end_at, block_end_at, answer_by, created_at, updated_at) VALUES (1, 1, 1, 1, 1, 1, 'delivered', '[]', 20, ?, ?, ?, ?, ?, ?)`,
					[]any{start, start.Add(20 * time.Minute), start.Add(50 * time.Minute), start, now, now}},
			}
			for _, s := range steps {
				if err := d.W.Exec(s.sql, s.args...).Error; err != nil {
					t.Fatalf("%s: %v", s.sql, err)
				}
			}
			if _, err := db.MigrateTo(ctx, d, 3); err != nil {
				t.Fatal(err)
			}
			var month string
			if err := d.R.Raw("SELECT month FROM orders WHERE id = 1").Scan(&month).Error; err != nil || month != "2026-12" {
				t.Fatalf("month %q %v", month, err)
			}
		})
	}
}

// TestV12FilesOrdersByLessonMonth: orders written without a month (before
// v12 only booked ones had one) are filed under the local month of their
// lesson time: a proposal's time while proposed, else the first preferred
// time (2026-12-31 16:30 UTC is New Year's Day in Shanghai); a month
// already written stays, and an order with no time at all is left alone.
func TestV12FilesOrdersByLessonMonth(t *testing.T) {
	t.Parallel()
	for name, open := range emptyDBs() {
		t.Run(name, func(t *testing.T) {
			d := open(t)
			ctx := context.Background()
			if _, err := db.MigrateTo(ctx, d, 11); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 12, 20, 2, 0, 0, 0, time.UTC)
			newYear := time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC)
			proposal := time.Date(2027, 2, 3, 11, 0, 0, 0, time.UTC)
			start := time.Date(2026, 12, 26, 6, 0, 0, 0, time.UTC)
			steps := []struct {
				sql  string
				args []any
			}{
				{"INSERT INTO counties (id, name, created_at) VALUES (1, 'c', ?)", []any{now}},
				{"INSERT INTO towns (id, county_id, name, created_at) VALUES (1, 1, 't', ?)", []any{now}},
				{"INSERT INTO branches (id, town_id, name, created_at, updated_at) VALUES (1, 1, 'b', ?, ?)", []any{now, now}},
				{"INSERT INTO courtyards (id, town_id, branch_id, name, created_at, updated_at) VALUES (1, 1, 1, 'y', ?, ?)", []any{now, now}},
				{"INSERT INTO topics (id, town_id, name) VALUES (1, 1, 'x')", nil},
				{"INSERT INTO lecturers (id, town_id, name, created_at, updated_at) VALUES (1, 1, 'l', ?, ?)", []any{now, now}},
				{"INSERT INTO lessons (id, town_id, title, topic_id, duration_minutes, created_at, updated_at) VALUES (1, 1, 'le', 1, 20, ?, ?)", []any{now, now}},
			}
			slots := func(ts ...time.Time) string {
				b, _ := json.Marshal(ts)
				return string(b)
			}
			orders := []struct {
				id       int64
				status   string
				slots    string
				start    *time.Time
				proposed *time.Time
				month    string // as written before v12
				want     string
			}{
				{1, "requested", slots(newYear, start), nil, nil, "", "2027-01"},
				{2, "proposed", slots(start), nil, &proposal, "", "2027-02"},
				{3, "cancelled", slots(start), nil, &proposal, "", "2026-12"}, // the proposal was rejected
				{4, "declined", slots(newYear), nil, nil, "", "2027-01"},
				{5, "confirmed", slots(newYear), &start, nil, "2026-12", "2026-12"},
				{6, "requested", "[]", nil, nil, "", ""},
			}
			for _, o := range orders {
				steps = append(steps, struct {
					sql  string
					args []any
				}{`INSERT INTO orders (id, town_id, branch_id, courtyard_id, lesson_id, lecturer_id, status, slots, duration_minutes,
					start_at, proposed_at, answer_by, created_at, updated_at, month) VALUES (?, 1, 1, 1, 1, 1, ?, ?, 20, ?, ?, ?, ?, ?, ?)`,
					[]any{o.id, o.status, o.slots, o.start, o.proposed, now, now, now, o.month}})
			}
			for _, s := range steps {
				if err := d.W.Exec(s.sql, s.args...).Error; err != nil {
					t.Fatalf("%s: %v", s.sql, err)
				}
			}
			if _, err := db.MigrateTo(ctx, d, 12); err != nil {
				t.Fatal(err)
			}
			for _, o := range orders {
				var month string
				if err := d.R.Raw("SELECT month FROM orders WHERE id = ?", o.id).Scan(&month).Error; err != nil || month != o.want {
					t.Errorf("order %d (%s): month %q %v, want %q", o.id, o.status, month, err, o.want)
				}
			}
		})
	}
}

// emptyDBs opens unmigrated databases, one of each dialect, for tests that
// walk the migrations themselves.
func emptyDBs() map[string]func(t *testing.T) *db.DB {
	keep := func(t *testing.T, dsn string) *db.DB {
		d, err := db.Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	return map[string]func(t *testing.T) *db.DB{
		"sqlite":   func(t *testing.T) *db.DB { return keep(t, filepath.Join(t.TempDir(), "m.db")) },
		"postgres": func(t *testing.T) *db.DB { return keep(t, dbtest.FreshSchemaDSN(t)) },
	}
}

// TestViolationsRecognisedByType: each violation the domain maps to a 409 or
// a field error is recognised on both databases from the driver's error
// type and code, and a mere message that reads like one is not.
func TestViolationsRecognisedByType(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := d.W.WithContext(ctx)
		for _, stmt := range []string{
			"CREATE TABLE vt_parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE)",
			"CREATE TABLE vt_child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES vt_parent(id))",
			"INSERT INTO vt_parent (id, name) VALUES (1, 'a')",
		} {
			if err := w.Exec(stmt).Error; err != nil {
				t.Fatal(err)
			}
		}
		unique := w.Exec("INSERT INTO vt_parent (id, name) VALUES (2, 'a')").Error
		primary := w.Exec("INSERT INTO vt_parent (id, name) VALUES (1, 'b')").Error
		foreign := w.Exec("INSERT INTO vt_child (id, parent_id) VALUES (1, 99)").Error
		cases := []struct {
			name                    string
			err                     error
			unique, foreign, exclus bool
		}{
			{"unique column", unique, true, false, false},
			{"primary key", primary, true, false, false},
			{"foreign key", foreign, false, true, false},
			{"wrapped unique", fmt.Errorf("org: create branch: %w", unique), true, false, false},
			{"text alone", errors.New("UNIQUE constraint failed: SQLSTATE 23505 FOREIGN KEY constraint failed SQLSTATE 23P01"), false, false, false},
			{"nil", nil, false, false, false},
		}
		if d.Dialect == db.Postgres {
			for _, stmt := range []string{
				"CREATE TABLE vt_span (id INTEGER PRIMARY KEY, room INTEGER, span tstzrange, EXCLUDE USING gist (room WITH =, span WITH &&))",
				"INSERT INTO vt_span VALUES (1, 1, tstzrange('2026-12-01 10:00+08', '2026-12-01 11:00+08'))",
			} {
				if err := w.Exec(stmt).Error; err != nil {
					t.Fatal(err)
				}
			}
			overlap := w.Exec("INSERT INTO vt_span VALUES (2, 1, tstzrange('2026-12-01 10:30+08', '2026-12-01 11:30+08'))").Error
			cases = append(cases, struct {
				name                    string
				err                     error
				unique, foreign, exclus bool
			}{"exclusion", overlap, false, false, true})
		}
		for _, c := range cases {
			if c.name != "nil" && c.name != "text alone" && c.err == nil {
				t.Fatalf("%s: the statement succeeded", c.name)
			}
			if got := db.IsUniqueViolation(c.err); got != c.unique {
				t.Errorf("%s: IsUniqueViolation = %v (%v)", c.name, got, c.err)
			}
			if got := db.IsForeignKeyViolation(c.err); got != c.foreign {
				t.Errorf("%s: IsForeignKeyViolation = %v (%v)", c.name, got, c.err)
			}
			if got := db.IsExclusionViolation(c.err); got != c.exclus {
				t.Errorf("%s: IsExclusionViolation = %v (%v)", c.name, got, c.err)
			}
		}
	})
}
