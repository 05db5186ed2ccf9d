package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"weike/internal/db"
)

// cmdBackup copies a live SQLite database to a file with VACUUM INTO, which
// reads one consistent snapshot while weike goes on serving and writing: a
// plain cp of a WAL database can copy the main file and its -wal from two
// different moments. The copy is checked before the command says it is done.
// Postgres has its own tool for this, so weike names it and declines.
func cmdBackup(ctx context.Context, args []string, env func(string) string, out, errw io.Writer) error {
	cfg, fs, err := parseConfig("backup", args, env)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: weike backup [--db D] <file>")
	}
	dst := fs.Arg(0)
	if db.IsPostgres(cfg.DB) {
		return fmt.Errorf("weike backup copies SQLite databases; for Postgres use its own tools, e.g.\n"+
			"  pg_dump --format=custom --file=%s '%s'\n"+
			"and restore with pg_restore --clean --if-exists --dbname=<dsn> %s (see docs/operations.md)",
			dst, redactDSN(cfg.DB), dst)
	}
	if _, err := os.Stat(cfg.DB); err != nil {
		// db.Open would make an empty database: a typo must not "succeed".
		return fmt.Errorf("no database at %s: %w", cfg.DB, err)
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists; weike backup never overwrites a file", dst)
	}
	abs, err := filepath.Abs(dst)
	if err != nil {
		return err
	}
	d, err := db.Open(cfg.DB)
	if err != nil {
		return err
	}
	defer d.Close()
	v, err := d.Version(ctx)
	if err != nil {
		return err
	}
	// On the writer: the snapshot then waits for a write in progress to
	// commit rather than racing it, and holds no lock writers need for long.
	if err := d.W.WithContext(ctx).Exec("VACUUM INTO ?", abs).Error; err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := checkSQLiteFile(ctx, abs); err != nil {
		return fmt.Errorf("the copy at %s failed its check (%w); it was removed", dst, errors.Join(err, os.Remove(abs)))
	}
	st, err := os.Stat(abs)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "backed up %s to %s (%d bytes, schema version %d, integrity ok)\n", cfg.DB, dst, st.Size(), v)
	fmt.Fprintf(out, "to restore: stop weike, move the copy into place as %s (delete any %s-wal and %s-shm beside it), start weike\n",
		cfg.DB, cfg.DB, cfg.DB)
	return nil
}

// checkSQLiteFile runs SQLite's integrity check on a database file.
func checkSQLiteFile(ctx context.Context, path string) error {
	c, err := db.Open(path)
	if err != nil {
		return err
	}
	defer c.Close()
	var res []string
	if err := c.R.WithContext(ctx).Raw("PRAGMA integrity_check").Scan(&res).Error; err != nil {
		return err
	}
	if len(res) != 1 || res[0] != "ok" {
		return fmt.Errorf("integrity_check: %v", res)
	}
	return nil
}

// redactDSN hides a password in a DSN shown on the terminal.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "<dsn>"
	}
	return u.Redacted()
}
