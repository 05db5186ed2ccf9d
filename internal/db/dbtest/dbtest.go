// Package dbtest gives tests real, migrated, throw-away databases: a SQLite
// file always, and a fresh Postgres database when WEIKE_TEST_POSTGRES holds
// a DSN. Under CI=true a missing Postgres fails the test instead of skipping.
//
// Migrating from nothing costs more than most tests do, so each test binary
// migrates once per dialect into a template and every test gets a copy: the
// template's bytes written to the test's own file on SQLite, `CREATE
// DATABASE … TEMPLATE` on Postgres. Each test thus owns its database and can
// run in parallel with the others.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"weike/internal/db"
)

// Env is the variable that holds the Postgres DSN for tests.
const Env = "WEIKE_TEST_POSTGRES"

// staleAfter is the age past which a test database left behind by a killed
// test binary is dropped by the next binary that makes a template.
const staleAfter = 6 * time.Hour

var mainCalled atomic.Bool

// Main runs a package's tests and then drops the Postgres template it made.
// Every package whose tests use Postgres through this package calls it from
// TestMain, so that no template outlives its test binary.
func Main(m *testing.M) {
	mainCalled.Store(true)
	code := m.Run()
	if err := pg.drop(); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
	}
	os.Exit(code)
}

// SQLite returns a migrated SQLite database of the test's own, a copy of the
// binary's migrated template.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	img, err := sqliteTemplate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "weike.db")
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

var sqliteTpl struct {
	once sync.Once
	img  []byte
	err  error
}

// sqliteTemplate migrates a SQLite file once and keeps its bytes: the file
// itself is removed at once, so nothing is left behind however the binary
// ends.
func sqliteTemplate() ([]byte, error) {
	sqliteTpl.once.Do(func() {
		dir, err := os.MkdirTemp("", "weike-dbtest-")
		if err != nil {
			sqliteTpl.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "template.db")
		d, err := db.Open(path)
		if err != nil {
			sqliteTpl.err = err
			return
		}
		_, err = d.Migrate(context.Background())
		if err == nil {
			// Everything into the main file, so that the file alone is
			// the whole database.
			err = d.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
		}
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			sqliteTpl.err = fmt.Errorf("migrate the SQLite template: %w", err)
			return
		}
		sqliteTpl.img, sqliteTpl.err = os.ReadFile(path)
	})
	return sqliteTpl.img, sqliteTpl.err
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

// Postgres returns a migrated database of the test's own: a copy of the
// binary's template, dropped when the test ends.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(MigratedDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// MigratedDSN creates a migrated Postgres database for the test (a copy of
// the template) and returns its DSN; the database is dropped when the test
// ends.
func MigratedDSN(t testing.TB) string {
	t.Helper()
	base := PostgresDSN(t)
	if !mainCalled.Load() {
		t.Fatal("dbtest: this package's tests need func TestMain(m *testing.M) { dbtest.Main(m) }, which drops the Postgres template at the end")
	}
	tpl, err := pg.template(base)
	if err != nil {
		t.Fatal(err)
	}
	name := pg.newName(base, "t")
	// Copies may be made side by side: CREATE DATABASE refuses only a
	// template that a session is connected to, and none ever is.
	if err := pg.exec(base, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tpl)); err != nil {
		t.Fatalf("copy the Postgres template: %v", err)
	}
	t.Cleanup(func() {
		if err := pg.exec(base, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	return withDatabase(base, name)
}

// pgTemplates is the binary's Postgres template: made on first need,
// dropped by Main.
type pgTemplates struct {
	once sync.Once
	base string
	name string
	err  error
}

var pg pgTemplates

func (p *pgTemplates) template(base string) (string, error) {
	p.once.Do(func() {
		p.base = base
		p.dropStale(base)
		name := p.newName(base, "p")
		if p.err = p.exec(base, "CREATE DATABASE "+name); p.err != nil {
			p.err = fmt.Errorf("create the Postgres template: %w", p.err)
			return
		}
		p.name = name
		dsn := withDatabase(base, name)
		if p.err = p.exec(dsn, "CREATE EXTENSION IF NOT EXISTS btree_gist"); p.err != nil {
			return
		}
		d, err := db.Open(dsn)
		if err != nil {
			p.err = err
			return
		}
		_, err = d.Migrate(context.Background())
		// No session may stay connected to a template.
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			p.err = fmt.Errorf("migrate the Postgres template: %w", err)
		}
	})
	return p.name, p.err
}

func (p *pgTemplates) drop() error {
	if p.name == "" {
		return nil
	}
	return p.exec(p.base, "DROP DATABASE IF EXISTS "+p.name+" WITH (FORCE)")
}

// prefix names the databases made for the base DSN's database, so that
// test runs against different bases never touch each other's.
func prefix(base string) string {
	name := "weike"
	if u, err := url.Parse(base); err == nil {
		if n := strings.TrimPrefix(u.Path, "/"); n != "" {
			name = n
		}
	}
	name = strings.ToLower(name)
	ok := len(name) <= 30
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			ok = false
		}
	}
	if !ok {
		h := sha256.Sum256([]byte(name))
		name = "wk" + hex.EncodeToString(h[:6])
	}
	return name
}

// newName is <prefix>_<kind>_<unix seconds>_<random>: the time lets a later
// binary recognise what a killed one left behind.
func (p *pgTemplates) newName(base, kind string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s_%s_%d_%s", prefix(base), kind, time.Now().Unix(), hex.EncodeToString(b))
}

// dropStale drops test databases of this base older than staleAfter: those
// of test binaries that were killed before their cleanup ran.
func (p *pgTemplates) dropStale(base string) {
	g, err := open(base)
	if err != nil {
		return
	}
	defer closeGorm(g)
	var names []string
	pre := prefix(base) + "_"
	if g.Raw("SELECT datname FROM pg_database WHERE starts_with(datname, ?)", pre).Scan(&names).Error != nil {
		return
	}
	for _, n := range names {
		parts := strings.Split(strings.TrimPrefix(n, pre), "_")
		if len(parts) != 3 || (parts[0] != "t" && parts[0] != "p") {
			continue
		}
		sec, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || time.Since(time.Unix(sec, 0)) < staleAfter {
			continue
		}
		g.Exec("DROP DATABASE IF EXISTS " + n + " WITH (FORCE)")
	}
}

func (p *pgTemplates) exec(dsn, stmt string) error {
	g, err := open(dsn)
	if err != nil {
		return err
	}
	defer closeGorm(g)
	return g.Exec(stmt).Error
}

func open(dsn string) (*gorm.DB, error) {
	g, err := gorm.Open(postgres.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", Env, err)
	}
	return g, nil
}

func closeGorm(g *gorm.DB) {
	if s, err := g.DB(); err == nil {
		_ = s.Close()
	}
}

func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

var extOnce sync.Once

// FreshSchemaDSN creates an empty schema in the test Postgres database and
// returns a DSN whose search_path points at it; the schema is dropped when
// the test ends. It is for the tests of migrating itself, which must start
// from nothing. Extensions live in public, shared by all schemas.
func FreshSchemaDSN(t testing.TB) string {
	t.Helper()
	base := PostgresDSN(t)
	admin, err := open(base)
	if err != nil {
		t.Fatal(err)
	}
	defer closeGorm(admin)
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
		a, err := open(base)
		if err != nil {
			return
		}
		defer closeGorm(a)
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

// Each runs fn as parallel subtests on SQLite and, when configured, on
// Postgres, each with a database of its own.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, Postgres(t))
	})
}

// Name returns a short unique name, handy for rows that must not collide.
func Name(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%s", prefix, hex.EncodeToString(b))
}
