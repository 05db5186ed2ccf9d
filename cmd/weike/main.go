// Command weike runs the lesson-ordering service and its operator commands.
// main only calls run, which reads flags and WEIKE_* variables into one
// Config and wires the stores, the web server and the jobs together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"weike/demo"
	"weike/internal/db"
	"weike/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "weike:", err)
		}
		os.Exit(1)
	}
}

// command is one subcommand of weike.
type command struct {
	name, args, help string
	run              func(ctx context.Context, args []string, env func(string) string, out, errw io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "[flags]", "run the web service (migrates the database first)", cmdServe},
		{"migrate", "[flags]", "bring the database schema up to date and exit", cmdMigrate},
		{"backup", "[--db D] <file>", "copy a live SQLite database consistently to file (Postgres: says how to use pg_dump)", cmdBackup},
		{"cron list", "[flags]", "list the cron jobs, their schedules and their latest runs", cmdCronList},
		{"cron run", "JOB [--month YYYY-MM] [--day YYYY-MM-DD] [--town T] [--dry-run]", "run a job now for a period; a period already done sends nothing new", cmdCronRun},
		{"plan draft", "[--month YYYY-MM] [--town T] [--json] [--lang zh-CN|en]", "print the dispatch draft (派单) of every town, or one: what each branch without a lesson would be given and why, and the solver's time; nothing is written", cmdPlanDraft},
		{"user add", "--role R --login L [--town T] [--branch B] [--lecturer NAME] [--county C]", "create an account (password from --password or WEIKE_PASSWORD, or asked on stdin)", cmdUserAdd},
		{"healthcheck", "[--addr A]", "exit 0 when the service listening on --addr is ready (its /readyz answers), else 1", cmdHealthcheck},
		{"version", "", "print the version", func(_ context.Context, _ []string, _ func(string) string, out, _ io.Writer) error {
			fmt.Fprintln(out, "weike", version)
			return nil
		}},
		{"help", "", "list the subcommands and settings", func(_ context.Context, _ []string, _ func(string) string, out, _ io.Writer) error {
			usage(out)
			return nil
		}},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "weike — village micro party lessons (微党课), ordered and delivered")
	fmt.Fprintln(w, "\nUsage: weike <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n             %s\n", c.name, c.args, c.help)
	}
	fmt.Fprintln(w, "\nSettings (flag, environment variable, default):")
	for _, s := range settings {
		fmt.Fprintf(w, "  --%-16s %-24s %-22q %s\n", s.flag, s.env, s.def, s.help)
	}
}

func run(ctx context.Context, args []string, env func(string) string, out, errw io.Writer) error {
	if len(args) == 0 {
		usage(errw)
		return errors.New("no command given")
	}
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c.run(ctx, args[len(words):], env, out, errw)
		}
	}
	if args[0] == "-h" || args[0] == "--help" {
		usage(out)
		return nil
	}
	usage(errw)
	return fmt.Errorf("unknown command %q", strings.Join(args, " "))
}

func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openDB opens and migrates the database named by the config.
func openDB(ctx context.Context, cfg *Config, log *slog.Logger) (*db.DB, error) {
	d, err := db.Open(cfg.DB)
	if err != nil {
		return nil, err
	}
	applied, err := d.Migrate(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrated database", "applied", applied, "version", db.SchemaVersion())
	}
	return d, nil
}

func cmdMigrate(ctx context.Context, args []string, env func(string) string, out, errw io.Writer) error {
	cfg, _, err := parseConfig("migrate", args, env)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg, newLogger(cfg, errw))
	if err != nil {
		return err
	}
	defer d.Close()
	fmt.Fprintf(out, "database at schema version %d\n", db.SchemaVersion())
	return nil
}

func cmdServe(ctx context.Context, args []string, env func(string) string, out, errw io.Writer) error {
	cfg, _, err := parseConfig("serve", args, env)
	if err != nil {
		return err
	}
	log := newLogger(cfg, errw)
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.CheckVersion(ctx); err != nil {
		return err
	}
	now := time.Now
	st, err := newStores(d, cfg, log, now)
	if err != nil {
		return err
	}
	if err := checkBaseURL(ctx, cfg, st, log); err != nil {
		return err
	}
	orgs, cat, book, inbox := st.orgs, st.cat, st.book, st.notify
	var dm *web.Demo
	if cfg.Demo {
		res, err := demo.Load(ctx, demo.Stores{Org: orgs, Lessons: cat, Booking: book, ThemeDay: st.themeday}, cfg.DemoPassword)
		if err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
		dm = &web.Demo{Password: cfg.DemoPassword}
		for _, a := range res.Accounts {
			dm.Accounts = append(dm.Accounts, web.DemoAccount{Login: a.Login, Role: string(a.Role), Name: a.Name,
				Town: a.Town, County: a.County, BranchID: a.BranchID, LecturerID: a.LecturerID})
		}
		log.Info("demo loaded", "accounts", len(dm.Accounts), "password", cfg.DemoPassword)
	}
	jobs, err := startJobs(ctx, log, st, now)
	if err != nil {
		return err
	}
	defer jobs.Stop()
	// Another instance's sign-out and catalog writes reach this instance's
	// caches through Postgres; on SQLite one instance serves, nothing to hear.
	go orgs.ListenInvalidations(ctx, cfg.DB, log, nil)
	go cat.ListenCatalog(ctx, cfg.DB, log, nil)
	srv, err := web.New(web.Deps{Org: orgs, Lessons: cat, Booking: book, ThemeDay: st.themeday, Notify: inbox, BaseURL: cfg.BaseURL, Ready: d.Ping, Log: log, Now: now, Version: version,
		Demo: dm, TrustedProxies: cfg.TrustedProxies, SecureCookies: cfg.SecureCookies})
	if err != nil {
		return err
	}
	log.Info("weike listening", "addr", cfg.Addr, "db", dbKind(d), "demo", cfg.Demo, "version", version)
	if err := srv.Start(ctx, cfg.Addr); err != nil {
		return err
	}
	log.Info("weike stopped")
	return nil
}

func dbKind(d *db.DB) string { return string(d.Dialect) }

// checkBaseURL refuses to go on without --base-url when something would send
// links out of weike: an e-mail or a group robot's message is read far from
// any request, so only the operator knows the address its links must carry.
// Pages need no setting: they take the address the browser used. The demo
// goes on, its letters' links relative (the inbox follows them).
func checkBaseURL(ctx context.Context, cfg *Config, st *stores, log *slog.Logger) error {
	if cfg.BaseURL != "" {
		return nil
	}
	var senders []string
	if cfg.SMTP.Addr != "" {
		senders = append(senders, "e-mail (--smtp-addr)")
	}
	if cfg.WebhookURL != "" {
		senders = append(senders, "a group robot (--webhook-url)")
	}
	robots, err := st.notify.AnyRobot(ctx)
	if err != nil {
		return err
	}
	if robots {
		senders = append(senders, "the group robots set on the messages page")
	}
	if len(senders) == 0 {
		return nil
	}
	what := strings.Join(senders, " and ")
	if cfg.Demo {
		log.Warn("no --base-url: links in messages are relative", "senders", what)
		return nil
	}
	return fmt.Errorf("--base-url (WEIKE_BASE_URL) is not set, yet %s would send people links into weike: "+
		"set it to the address people open weike at, e.g. --base-url https://weike.example.cn", what)
}
