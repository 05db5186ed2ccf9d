package main

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"weike/internal/tz"

	"weike/notify"
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
	// SMTP reaches the mail server; an empty Addr means no e-mail.
	SMTP notify.SMTPConfig
	// WebhookURL is the group robot of towns that have set none.
	WebhookURL string
	// RobotHosts are hosts group robots may be on besides WeCom's and
	// DingTalk's own (a relay, a test receiver), by http:// too.
	RobotHosts []string
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
	{"secure-cookies", "WEIKE_SECURE_COOKIES", "false", "mark cookies Secure with the __Host- prefix (serve behind HTTPS); on whenever --base-url is https://"},
	{"base-url", "WEIKE_BASE_URL", "", "public URL of weike, for links in e-mails and robot messages; empty: pages take the request's own address, and serve refuses to start when e-mail or a group robot is set, and to add a group robot (except --demo)"},
	{"smtp-addr", "WEIKE_SMTP_ADDR", "", "SMTP server as host:port; empty: e-mails are not sent (kept as skipped)"},
	{"smtp-from", "WEIKE_SMTP_FROM", "weike@localhost", "sender of e-mails, e.g. 微课 <weike@town.gov.cn>"},
	{"smtp-user", "WEIKE_SMTP_USER", "", "SMTP user name; empty: no authentication"},
	{"smtp-password", "WEIKE_SMTP_PASSWORD", "", "SMTP password"},
	{"smtp-tls", "WEIKE_SMTP_TLS", "starttls", "none, starttls or tls (TLS from the first byte, usually port 465)"},
	{"webhook-url", "WEIKE_WEBHOOK_URL", "", "group robot (WeCom or DingTalk webhook URL) of towns that have set none"},
	{"robot-hosts", "WEIKE_ROBOT_HOSTS", "", "comma-separated hosts (host or host:port) group robots may be on besides qyapi.weixin.qq.com and oapi.dingtalk.com, by http:// and on private addresses too"},
}

// parseConfig reads the settings a subcommand takes from args and env.
// extra flags of a subcommand are defined on the same flag set.
func parseConfig(name string, args []string, getenv func(string) string, extra ...func(*flag.FlagSet)) (*Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	vals := map[string]*string{}
	bools := map[string]*bool{}
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		if strings.HasSuffix(s.env, "PASSWORD") {
			// A password from the environment must not show up as a
			// flag's default in --help; it is read after parsing.
			def = ""
		}
		if s.def == "false" {
			// Boolean settings are bare flags: --demo.
			bools[s.flag] = fs.Bool(s.flag, def == "true" || def == "1", s.help+" ("+s.env+")")
			continue
		}
		vals[s.flag] = fs.String(s.flag, def, s.help+" ("+s.env+")")
	}
	for _, e := range extra {
		e(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	for _, s := range settings {
		if p := vals[s.flag]; p != nil && *p == "" && strings.HasSuffix(s.env, "PASSWORD") {
			if *p = getenv(s.env); *p == "" {
				*p = s.def
			}
		}
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
	cfg.BaseURL = strings.TrimRight(strings.TrimSpace(*vals["base-url"]), "/")
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fs, fmt.Errorf("--base-url %q: want the address people open weike at, e.g. https://weike.example.cn", cfg.BaseURL)
		}
	}
	// Served over https, cookies must never travel over plain http: secure
	// whenever the public URL says https, flag or no flag.
	cfg.SecureCookies = cfg.SecureCookies || strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://")
	cfg.SMTP = notify.SMTPConfig{Addr: strings.TrimSpace(*vals["smtp-addr"]), From: *vals["smtp-from"], User: *vals["smtp-user"],
		Password: *vals["smtp-password"], TLS: *vals["smtp-tls"]}
	cfg.WebhookURL = strings.TrimSpace(*vals["webhook-url"])
	if cfg.SMTP.Addr != "" {
		if _, err := notify.NewMailer(cfg.SMTP); err != nil {
			return nil, fs, err
		}
	}
	for _, h := range strings.Split(*vals["robot-hosts"], ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.RobotHosts = append(cfg.RobotHosts, h)
		}
	}
	if u := cfg.WebhookURL; u != "" {
		if err := notify.CheckRobotURL(u, cfg.RobotHosts); err != nil {
			return nil, fs, fmt.Errorf("--webhook-url: %w (an https:// URL on qyapi.weixin.qq.com or oapi.dingtalk.com, or on a host of --robot-hosts)", err)
		}
	}
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

// shanghai is the zone of every date the operator reads.
func shanghai() *time.Location { return tz.Shanghai }
