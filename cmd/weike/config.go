package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Config is every setting of weike, from flags and WEIKE_* variables; a flag
// given on the command line wins over its variable.
type Config struct {
	Addr           string
	DB             string
	Demo           bool
	DemoPassword   string
	LogLevel       string
	LogFormat      string
	TrustedProxies []*net.IPNet
	SecureCookies  bool
	BaseURL        string
}

// setting describes one setting for flags, the environment and `weike help`.
type setting struct {
	flag, env, def, help string
}

// settings is the table the README's settings table mirrors (a test checks).
var settings = []setting{
	{"addr", "WEIKE_ADDR", ":8080", "address to listen on"},
	{"db", "WEIKE_DB", "weike.db", "SQLite file path, or a postgres:// URL"},
	{"demo", "WEIKE_DEMO", "false", "load the demo towns and accounts, offer one-click sign-in"},
	{"demo-password", "WEIKE_DEMO_PASSWORD", "demo1234", "password of every demo account"},
	{"log-level", "WEIKE_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"log-format", "WEIKE_LOG_FORMAT", "text", "text or json"},
	{"trusted-proxies", "WEIKE_TRUSTED_PROXIES", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed"},
	{"secure-cookies", "WEIKE_SECURE_COOKIES", "false", "mark cookies Secure (serve behind HTTPS)"},
	{"base-url", "WEIKE_BASE_URL", "http://localhost:8080", "public URL of weike, for links in messages and calendars"},
}

// parseConfig reads the settings a subcommand takes from args and env.
func parseConfig(name string, args []string, getenv func(string) string) (*Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	vals := map[string]*string{}
	bools := map[string]*bool{}
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		if s.def == "false" {
			// Boolean settings are bare flags: --demo.
			bools[s.flag] = fs.Bool(s.flag, def == "true" || def == "1", s.help+" ("+s.env+")")
			continue
		}
		vals[s.flag] = fs.String(s.flag, def, s.help+" ("+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	cfg := &Config{}
	boolOf := func(name string) bool { return *bools[name] }
	cfg.Addr = *vals["addr"]
	cfg.DB = *vals["db"]
	cfg.Demo = boolOf("demo")
	cfg.DemoPassword = *vals["demo-password"]
	cfg.LogLevel = *vals["log-level"]
	cfg.LogFormat = *vals["log-format"]
	cfg.SecureCookies = boolOf("secure-cookies")
	cfg.BaseURL = strings.TrimRight(*vals["base-url"], "/")
	for _, part := range strings.Split(*vals["trusted-proxies"], ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fs, fmt.Errorf("--trusted-proxies: %q is not a CIDR", part)
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, n)
	}
	if cfg.DB == "" {
		return nil, fs, fmt.Errorf("--db is empty")
	}
	if cfg.Demo && len(cfg.DemoPassword) < 8 {
		return nil, fs, fmt.Errorf("WEIKE_DEMO_PASSWORD must have at least 8 characters")
	}
	switch cfg.LogFormat {
	case "text", "json":
	default:
		return nil, fs, fmt.Errorf("--log-format must be text or json")
	}
	return cfg, fs, nil
}

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}
