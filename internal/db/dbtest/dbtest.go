// Package dbtest gives tests real, migrated, throw-away databases: a SQLite
// file always, and a fresh Postgres schema when WEIKE_TEST_POSTGRES holds a
// DSN. Under CI=true a missing Postgres fails the test instead of skipping it.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"weike/internal/db"
)

// Env is the variable that holds the Postgres DSN for tests.
const Env = "WEIKE_TEST_POSTGRES"

// SQLite returns a migrated SQLite database in the test's temp dir.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "weike.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// PostgresDSN returns the DSN for tests, skipping (or failing under CI) when unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the Postgres tests", Env)
		}
		t.Skipf("%s is not set: skipping the Postgres run (set it to a DSN to run it)", Env)
	}
	return dsn
}

var extOnce sync.Once

// FreshSchemaDSN creates an empty schema in the test Postgres database and
// returns a DSN whose search_path points at it; the schema is dropped when
// the test ends. Extensions live in public, shared by all schemas.
func FreshSchemaDSN(t testing.TB) string {
	t.Helper()
	base := PostgresDSN(t)
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("connect to %s: %v", Env, err)
	}
	sqlAdmin, _ := admin.DB()
	defer sqlAdmin.Close()
	var extErr error
	extOnce.Do(func() {
		extErr = admin.Exec("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public").Error
	})
	if extErr != nil && !strings.Contains(extErr.Error(), "already exists") {
		t.Fatalf("create btree_gist: %v", extErr)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
		if err != nil {
			return
		}
		s, _ := a.DB()
		defer s.Close()
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	return withSearchPath(t, base, schema+",public")
}

func withSearchPath(t testing.TB, dsn, path string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", path)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres returns a migrated database in a fresh Postgres schema.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	dsn := FreshSchemaDSN(t)
	d, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// Each runs fn as a subtest on SQLite and, when configured, on Postgres.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// Name returns a short unique name, handy for rows that must not collide.
func Name(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%s", prefix, hex.EncodeToString(b))
}
