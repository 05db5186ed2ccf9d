// Package db opens weike's database, SQLite by default or Postgres when the DSN
// says postgres://, with the settings each needs, and owns the schema
// migrations. Dialect differences stay in this package.
package db

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a pair of handles: W for writes and transactions, R for reads. On
// SQLite W is a single connection whose transactions begin IMMEDIATE, so a
// read-then-write use case never dies of SQLITE_BUSY_SNAPSHOT and the
// check-then-insert of a booking is serialised; R is a separate pool that
// reads concurrently under WAL. On Postgres both are the same pool.
type DB struct {
	W       *gorm.DB
	R       *gorm.DB
	Dialect Dialect
}

// IsPostgres reports whether the DSN names a Postgres database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// URL, or a SQLite file path.
func Open(dsn string) (*DB, error) {
	// Statements are prepared once per connection by the drivers' own
	// caches (pgx's statement cache; go-sqlite3's _stmt_cache_size below),
	// not by GORM's: a transaction holding the only free connection can wait
	// in GORM's shared cache for a statement another goroutine is preparing
	// while that goroutine waits for a connection, and neither moves (seen
	// as a hung booking test on Postgres).
	cfg := &gorm.Config{
		PrepareStmt:            false,
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         false,
	}
	if IsPostgres(dsn) {
		g, err := gorm.Open(postgres.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, err
		}
		// Enough connections for both cores and for requests waiting on
		// row locks, but few enough that several instances fit under
		// Postgres' default max_connections of 100.
		sqlDB.SetMaxOpenConns(4 * runtime.NumCPU())
		sqlDB.SetMaxIdleConns(4 * runtime.NumCPU())
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		return &DB{W: g, R: g, Dialect: Postgres}, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, fmt.Errorf("open sqlite: empty database path")
	}
	// Every pragma goes in the DSN: a PRAGMA exec would reach only the one
	// pooled connection that happened to run it.
	params := url.Values{}
	params.Set("_journal_mode", "WAL")
	params.Set("_synchronous", "NORMAL")
	params.Set("_busy_timeout", "10000")
	params.Set("_foreign_keys", "on")
	params.Set("_cache_size", "-20000")
	// Each connection keeps its most used statements prepared: preparing
	// was a sixth of an order's CPU.
	params.Set("_stmt_cache_size", "256")
	wparams := url.Values{}
	for k, v := range params {
		wparams[k] = v
	}
	wparams.Set("_txlock", "immediate")
	w, err := gorm.Open(sqlite.Open("file:"+path+"?"+wparams.Encode()), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	wdb, err := w.DB()
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	// Make the file (and its WAL) exist before readers open it.
	if err := wdb.Ping(); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := gorm.Open(sqlite.Open("file:"+path+"?"+params.Encode()), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	rdb, err := r.DB()
	if err != nil {
		return nil, err
	}
	n := 2 * runtime.NumCPU()
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	return &DB{W: w, R: r, Dialect: SQLite}, nil
}

// Close closes both handles.
func (d *DB) Close() error {
	var first error
	for _, g := range []*gorm.DB{d.W, d.R} {
		s, err := g.DB()
		if err == nil {
			err = s.Close()
		}
		if err != nil && first == nil && !strings.Contains(err.Error(), "closed") {
			first = err
		}
		if d.W == d.R {
			break
		}
	}
	return first
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	s, err := d.R.DB()
	if err != nil {
		return err
	}
	return s.PingContext(ctx)
}

// Tx runs fn in one write transaction (IMMEDIATE on SQLite).
func (d *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return d.W.WithContext(ctx).Transaction(fn)
}

// Database errors are recognised by their type and code, never by their
// text: a driver may reword a message, not an SQLSTATE or an extended code.

// SQLSTATE codes of the violations weike maps to domain errors.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgExclusionViolation  = "23P01"
)

// pgCode returns the SQLSTATE of a Postgres error inside err, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// sqliteCode returns the extended result code of a SQLite error inside
// err, or 0.
func sqliteCode(err error) sqlite3.ErrNoExtended {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode
	}
	var sp *sqlite3.Error
	if errors.As(err, &sp) && sp != nil {
		return sp.ExtendedCode
	}
	return 0
}

// IsUniqueViolation reports whether err is a unique-key violation on either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	c := sqliteCode(err)
	return pgCode(err) == pgUniqueViolation || c == sqlite3.ErrConstraintUnique || c == sqlite3.ErrConstraintPrimaryKey
}

// IsExclusionViolation reports whether err is a Postgres exclusion-constraint violation.
func IsExclusionViolation(err error) bool {
	return err != nil && pgCode(err) == pgExclusionViolation
}

// IsForeignKeyViolation reports whether err is a foreign-key violation on either dialect.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	return pgCode(err) == pgForeignKeyViolation || sqliteCode(err) == sqlite3.ErrConstraintForeignKey
}

// Like escapes a user's search text for a LIKE pattern with ESCAPE '\'.
func Like(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// First loads the first row q selects into dest; when there is none it
// returns notFound (a domain error such as "lesson.not_found") instead of
// GORM's ErrRecordNotFound, which no user should see.
func First(q *gorm.DB, dest any, notFound error, conds ...any) error {
	err := q.First(dest, conds...).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notFound
	}
	return err
}
