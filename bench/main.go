// Command bench measures weike: `gen` fills a database with a county (or a
// province) of towns, branches, lecturers, lessons and three years of
// orders, viewings and practices; `load` drives a running weike over
// keep-alive HTTP with N concurrent clients and reports throughput,
// latency percentiles and the server's peak memory, each beside two
// ceilings measured in the same run on the same machine: a bare Echo
// handler returning a body of the same size (the HTTP ceiling) and
// database/sql running the same check-then-insert transaction on the same
// database (the storage ceiling). `run` does both in one go; see
// docs/benchmarks.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runCommand(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
		os.Exit(1)
	}
}

const usageText = `bench — weike's dataset generator and load driver

  go run ./bench run  [--quick] [--scale county|province] [--pg DSN] [--out FILE]
        generate a fresh world into a temporary SQLite file (and, with --pg, into a
        fresh schema of that Postgres database), start weike on it, run every
        scenario with its ceilings, print the table; --quick finishes in under a minute
  go run ./bench gen  --db DSN [--scale quick|county|province] [--seed N]
        fill an empty database (SQLite path or postgres:// URL)
  go run ./bench load --db DSN [--clients 32] [--duration 10s] [--warmup 2s] [--profile SCENARIO]
        run the scenarios against weike started on a generated database
  go run ./bench plan [--pg DSN] [--rounds 5]
        time next month's dispatch draft of each town of a fresh county, all towns in a row,
        and the solver alone on a town ten times the size

Scenarios: catalog, my-orders, coverage-month, matrix, order-create, accept.
`

func runCommand(ctx context.Context, args []string, out, errw io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(errw, usageText)
		return errors.New("no command given")
	}
	switch args[0] {
	case "gen":
		return cmdGen(ctx, args[1:], out)
	case "load":
		return cmdLoad(ctx, args[1:], out, errw)
	case "run":
		return cmdRun(ctx, args[1:], out, errw)
	case "plan":
		return cmdPlan(ctx, args[1:], out, errw)
	case "server":
		return cmdServer(ctx, args[1:])
	case "ceiling":
		return cmdCeiling(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(out, usageText)
		return nil
	}
	fmt.Fprint(errw, usageText)
	return fmt.Errorf("unknown command %q", args[0])
}

func cmdGen(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	dsn := fs.String("db", "", "SQLite path or postgres:// URL of an empty database")
	scale := fs.String("scale", "county", "quick, county or province")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same world")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sc, ok := scales[*scale]
	if !ok {
		return fmt.Errorf("unknown scale %q", *scale)
	}
	if *dsn == "" {
		return errors.New("--db is required")
	}
	d, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	return generate(ctx, d, sc, *seed, time.Now(), out)
}
