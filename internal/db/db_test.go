package db_test

import (
	"context"
	"errors"
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
