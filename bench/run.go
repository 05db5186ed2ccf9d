package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// cmdRun is the one documented command: a fresh world, weike started on
// it, every scenario and its ceilings, for SQLite and (with --pg) Postgres.
func cmdRun(ctx context.Context, args []string, out, errw io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	o := &loadOpts{}
	o.flags(fs)
	quick := fs.Bool("quick", false, "a tenth of a county, short scenarios: under a minute")
	scale := fs.String("scale", "county", "county or province")
	pg := fs.String("pg", "", "also run on Postgres: a DSN whose database may get a temporary schema")
	seed := fs.Uint64("seed", 1, "random seed of the generated world")
	keep := fs.Bool("keep", false, "keep the generated databases")
	outFile := fs.String("out", "", "also write the report (Markdown) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *quick {
		*scale = "quick"
		if !flagSet(fs, "duration") {
			o.duration = 2 * time.Second
		}
		if !flagSet(fs, "warmup") {
			o.warmup = 500 * time.Millisecond
		}
	}
	sc, ok := scales[*scale]
	if !ok {
		return fmt.Errorf("unknown scale %q", *scale)
	}
	began := time.Now()
	dir, err := os.MkdirTemp("", "weike-bench-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	} else {
		fmt.Fprintln(errw, "databases kept in", dir)
	}
	var all []*result
	targets := []string{filepath.Join(dir, "bench.db")}
	if *pg != "" {
		dsn, drop, err := freshSchema(*pg, *keep)
		if err != nil {
			return err
		}
		defer drop()
		targets = append(targets, dsn)
	}
	for _, dsn := range targets {
		d, err := openMigrated(ctx, dsn)
		if err != nil {
			return err
		}
		err = generate(ctx, d, sc, *seed, time.Now(), errw)
		d.Close()
		if err != nil {
			return err
		}
		lo := *o
		lo.dsn, lo.label = dsn, dialectOf(dsn)
		rs, err := runLoad(ctx, &lo, errw)
		all = append(all, rs...)
		if err != nil {
			return err
		}
	}
	var rep bytes.Buffer
	fmt.Fprintf(&rep, "weike bench, %s scale, %d clients, %s warm-up + %s per scenario (HTTP ceilings: half of each), %s, took %s\n\n",
		sc.Name, o.clients, o.warmup, o.duration, machine(), time.Since(began).Round(time.Second))
	printTable(&rep, all)
	_, _ = out.Write(rep.Bytes())
	if *outFile != "" {
		return os.WriteFile(*outFile, rep.Bytes(), 0o644)
	}
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// machine describes where the figures were taken.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				model = strings.TrimSpace(l[strings.IndexByte(l, ':')+1:])
				break
			}
		}
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = ", load average " + strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return fmt.Sprintf("%d CPUs (%s), %s %s/%s%s", runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH, load)
}

// freshSchema makes a schema of its own in the Postgres database and returns
// a DSN that uses it, and a function that drops it.
func freshSchema(base string, keep bool) (string, func(), error) {
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return "", nil, err
	}
	sqlAdmin, _ := admin.DB()
	if err := admin.Exec("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public").Error; err != nil &&
		!strings.Contains(err.Error(), "already exists") {
		sqlAdmin.Close()
		return "", nil, err
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	schema := "bench_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		sqlAdmin.Close()
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		sqlAdmin.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	drop := func() {
		if !keep {
			admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		}
		sqlAdmin.Close()
	}
	return u.String(), drop, nil
}
