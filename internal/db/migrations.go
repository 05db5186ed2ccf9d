package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// A migration moves the schema up one version. Migrations are compiled in,
// applied in order inside one transaction each, and recorded in
// schema_migrations; they are never edited once released, only added to.
type migration struct {
	name string
	up   func(tx *gorm.DB, d Dialect) error
}

// sqlMigration runs DDL written once for both dialects; ddl() fills in the
// few types that differ.
func sqlMigration(name, script string) migration {
	return migration{name: name, up: func(tx *gorm.DB, d Dialect) error {
		for _, stmt := range splitSQL(ddl(d, script)) {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%s: %w\n%s", name, err, stmt)
			}
		}
		return nil
	}}
}

// dialectMigration runs a script common to both dialects, then the part
// that only one of them understands (exclusion constraints, triggers).
func dialectMigration(name, common, sqliteOnly, postgresOnly string) migration {
	return migration{name: name, up: func(tx *gorm.DB, d Dialect) error {
		extra := sqliteOnly
		if d == Postgres {
			extra = postgresOnly
		}
		for _, stmt := range append(splitSQL(ddl(d, common)), splitSQL(ddl(d, extra))...) {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%s: %w\n%s", name, err, stmt)
			}
		}
		return nil
	}}
}

// then runs a Go step after a migration's SQL, in the same transaction.
func then(m migration, step func(tx *gorm.DB, d Dialect) error) migration {
	up := m.up
	m.up = func(tx *gorm.DB, d Dialect) error {
		if err := up(tx, d); err != nil {
			return err
		}
		return step(tx, d)
	}
	return m
}

// ddl replaces the dialect placeholders: {{id}} an auto-increment primary
// key, {{ts}} a UTC timestamp, {{bool}} a boolean, {{float}} a double.
func ddl(d Dialect, s string) string {
	var r *strings.Replacer
	if d == Postgres {
		r = strings.NewReplacer("{{id}}", "BIGSERIAL PRIMARY KEY", "{{ts}}", "TIMESTAMPTZ",
			"{{bool}}", "BOOLEAN", "{{float}}", "DOUBLE PRECISION", "{{ref}}", "BIGINT")
	} else {
		r = strings.NewReplacer("{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT", "{{ts}}", "DATETIME",
			"{{bool}}", "BOOLEAN", "{{float}}", "REAL", "{{ref}}", "INTEGER")
	}
	return r.Replace(s)
}

func splitSQL(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";\n") {
		if q := strings.TrimSpace(stripComments(part)); q != "" {
			out = append(out, strings.TrimSuffix(q, ";"))
		}
	}
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// migrations is the schema's history. Append only.
var migrations = []migration{
	sqlMigration("catalog, towns and accounts", schemaV1),
	dialectMigration("orders, their history, points, member lessons, calendars, inbox", schemaV2, schemaV2SQLite, schemaV2Postgres),
	then(sqlMigration("monthly plans, viewings, practices, record months", schemaV3), backfillOrderMonths),
	sqlMigration("outbox, job runs, channels, group robots", schemaV4),
	sqlMigration("newest-first indexes for the order lists", schemaV5),
	sqlMigration("the towns the demo has loaded", schemaV6),
	sqlMigration("a version of each town's catalog", schemaV7),
	sqlMigration("dispatched orders, the towns' coverage reminders", schemaV8),
	sqlMigration("event messages: muted kinds, robot mentions, quiet hours, digest time, proposal notes", schemaV9),
	sqlMigration("what went wrong with a message, in the officials' words", schemaV10),
	sqlMigration("a version of each branch's and lecturer's orders", schemaV11),
	{name: "every order filed under the month of its lesson time", up: backfillPendingOrderMonths},
}

// SchemaVersion is the version this binary expects.
func SchemaVersion() int { return len(migrations) }

// ErrSchemaAhead means the database was migrated by a newer weike.
var ErrSchemaAhead = errors.New("database schema is newer than this weike; upgrade weike")

// ErrSchemaBehind means the database needs `weike migrate`.
var ErrSchemaBehind = errors.New("database schema is behind; run `weike migrate`")

// Version returns the schema version recorded in the database (0 when none).
func (d *DB) Version(ctx context.Context) (int, error) {
	if !d.W.Migrator().HasTable("schema_migrations") {
		return 0, nil
	}
	var v int
	err := d.W.WithContext(ctx).Raw("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v).Error
	return v, err
}

// CheckVersion refuses a schema that is behind or ahead of this binary.
func (d *DB) CheckVersion(ctx context.Context) error {
	v, err := d.Version(ctx)
	if err != nil {
		return err
	}
	switch {
	case v < SchemaVersion():
		return fmt.Errorf("%w (at %d, want %d)", ErrSchemaBehind, v, SchemaVersion())
	case v > SchemaVersion():
		return fmt.Errorf("%w (at %d, this binary knows %d)", ErrSchemaAhead, v, SchemaVersion())
	}
	return nil
}

// Migrate applies every pending migration, each in its own transaction. On
// Postgres an advisory lock makes instances starting together take turns.
// It returns the versions it applied.
func (d *DB) Migrate(ctx context.Context) ([]int, error) {
	return d.migrateTo(ctx, SchemaVersion())
}

func (d *DB) migrateTo(ctx context.Context, target int) ([]int, error) {
	if err := d.W.WithContext(ctx).Exec(ddl(d.Dialect,
		`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {{ts}} NOT NULL)`)).Error; err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []int
	for v := 1; v <= target; v++ {
		m := migrations[v-1]
		done := false
		err := d.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if d.Dialect == Postgres {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(7310001)").Error; err != nil {
					return err
				}
			}
			var n int64
			if err := tx.Raw("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", v).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				done = true
				return nil
			}
			if err := m.up(tx, d.Dialect); err != nil {
				return err
			}
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", v, m.name, time.Now().UTC()).Error
		})
		if err != nil {
			return applied, fmt.Errorf("migration %d (%s): %w", v, m.name, err)
		}
		if !done {
			applied = append(applied, v)
		}
	}
	if cur, err := d.Version(ctx); err == nil && cur > SchemaVersion() {
		return applied, ErrSchemaAhead
	}
	return applied, nil
}
