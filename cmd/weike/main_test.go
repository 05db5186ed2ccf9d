package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"weike/internal/db"
	"weike/org"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestHelpListsCommandsAndSettings(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, envOf(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"serve", "migrate", "user add", "version", "WEIKE_DB", "WEIKE_DEMO_PASSWORD"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if err := run(context.Background(), []string{"frobnicate"}, envOf(nil), io.Discard, io.Discard); err == nil {
		t.Error("an unknown command succeeded")
	}
}

// TestReadmeSettingsTable keeps the README's table true to the code.
func TestReadmeSettingsTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range settings {
		def := "`" + s.def + "`"
		if s.def == "" {
			def = "(none)"
		}
		row := fmt.Sprintf("| `--%s` | `%s` | %s |", s.flag, s.env, def)
		if !strings.Contains(readme, row) {
			t.Errorf("README has no row starting %q", row)
		}
	}
	for _, c := range commands() {
		if !strings.Contains(readme, "`weike "+c.name) {
			t.Errorf("README does not list the command %q", c.name)
		}
	}
}

// TestSecureCookiesFollowHTTPS: a public https URL makes cookies secure
// without the flag.
func TestSecureCookiesFollowHTTPS(t *testing.T) {
	for _, c := range []struct {
		args   []string
		secure bool
	}{
		{[]string{"--base-url", "https://weike.example.cn"}, true},
		{[]string{"--base-url", "http://10.0.0.5:8080"}, false},
		{[]string{"--base-url", "http://10.0.0.5:8080", "--secure-cookies"}, true},
	} {
		cfg, _, err := parseConfig("serve", c.args, envOf(nil))
		if err != nil || cfg.SecureCookies != c.secure {
			t.Errorf("%v: secure %v (%v), want %v", c.args, cfg.SecureCookies, err, c.secure)
		}
	}
}

func TestConfigFromEnvAndFlags(t *testing.T) {
	cfg, _, err := parseConfig("serve", []string{"--addr", "127.0.0.1:9"}, envOf(map[string]string{
		"WEIKE_ADDR": ":7", "WEIKE_DB": "x.db", "WEIKE_DEMO": "true", "WEIKE_TRUSTED_PROXIES": "10.0.0.0/8"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9" || cfg.DB != "x.db" || !cfg.Demo || len(cfg.TrustedProxies) != 1 {
		t.Fatalf("%+v", cfg)
	}
	for _, bad := range [][]string{{"--trusted-proxies", "nonsense"}, {"--log-format", "xml"}, {"--db", ""}} {
		if _, _, err := parseConfig("serve", bad, envOf(nil)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestUserAdd(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "w.db")
	env := envOf(map[string]string{"WEIKE_DB": dbPath, "WEIKE_PASSWORD": "a-good-password"})
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "add", "--role", "official", "--login", "zhang", "--county", "长沙县", "--town", "春华镇"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `created official account "zhang"`) {
		t.Fatalf("output %q", out.String())
	}
	// The operator's accounts are hashed at production cost, never the tests' one.
	d, err := db.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := org.NewStore(d, nil).AccountByLogin(ctx, "zhang")
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(acc.PasswordHash)); err != nil || cost < org.BcryptCost || cost < 10 {
		t.Fatalf("bcrypt cost of a new account: %d (%v), want at least %d", cost, err, org.BcryptCost)
	}
	cases := [][]string{
		{"user", "add", "--role", "official", "--login", "zhang", "--town", "春华镇"},                  // taken
		{"user", "add", "--role", "secretary", "--login", "li", "--town", "春华镇", "--branch", "无此村"}, // no branch
		{"user", "add", "--role", "official", "--login", "wang", "--town", "无此镇"},                   // no town, no county
		{"user", "add", "--role", "pope", "--login", "wang", "--town", "春华镇"},                       // no such role
		{"user", "add", "--role", "county", "--login", "xian"},                                      // no county
	}
	for _, args := range cases {
		if err := run(ctx, args, env, io.Discard, io.Discard); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	if err := run(ctx, []string{"user", "add", "--role", "county", "--login", "xian", "--county", "长沙县"}, env, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serveOnce runs `weike serve --demo` until the check is done, then stops it
// as SIGTERM would.
func serveOnce(t *testing.T, dbPath string, check func(base string)) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--db", dbPath, "--addr", addr, "--log-level", "error"}, envOf(nil), io.Discard, io.Discard)
	}()
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not become ready")
		}
	}
	check(base)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

func TestServeDemoTwice(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	counts := func(base string) (int, int) {
		body, _ := json.Marshal(map[string]string{"login": "secretary", "password": "demo1234"})
		res, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var s struct{ Token string }
		json.NewDecoder(res.Body).Decode(&s)
		res.Body.Close()
		get := func(path string) int {
			req, _ := http.NewRequest("GET", base+path, nil)
			req.Header.Set("Authorization", "Bearer "+s.Token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var page struct{ Total int }
			json.NewDecoder(res.Body).Decode(&page)
			return page.Total
		}
		return get("/api/v1/lessons?per_page=100"), get("/api/v1/branches")
	}
	var lessons1, branches1 int
	serveOnce(t, dbPath, func(base string) {
		lessons1, branches1 = counts(base)
		res, err := http.Get(base + "/api/v1/demo")
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("demo: %v %v", res, err)
		}
		res.Body.Close()
	})
	if lessons1 != 35 || branches1 < 20 {
		t.Fatalf("demo: %d lessons, %d branches", lessons1, branches1)
	}
	serveOnce(t, dbPath, func(base string) {
		if l, b := counts(base); l != lessons1 || b != branches1 {
			t.Fatalf("second start: %d lessons, %d branches; first had %d, %d", l, b, lessons1, branches1)
		}
	})
}

// TestServeNeedsBaseURLToSendLinks: without --base-url, serve (and cron run)
// refuse to start when e-mail, the default robot or a town's robot would
// carry links, saying what to set; with nothing to send, or in the demo,
// they go on (pages take the request's address).
func TestServeNeedsBaseURLToSendLinks(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "w.db")
	if err := run(ctx, []string{"migrate", "--db", dbPath}, envOf(nil), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	check := func(args []string) error {
		cfg, _, err := parseConfig("serve", append([]string{"--db", dbPath, "--log-level", "error"}, args...), envOf(nil))
		if err != nil {
			return err
		}
		d, err := openDB(ctx, cfg, newLogger(cfg, io.Discard))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		st, err := newStores(d, cfg, newLogger(cfg, io.Discard), time.Now)
		if err != nil {
			t.Fatal(err)
		}
		return checkBaseURL(ctx, cfg, st, newLogger(cfg, io.Discard))
	}
	smtp := []string{"--smtp-addr", "127.0.0.1:2525", "--smtp-tls", "none"}
	hook := []string{"--webhook-url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}
	cases := []struct {
		name   string
		args   []string
		refuse string // what the message must name; "" when it starts
	}{
		{"nothing sends links", nil, ""},
		{"e-mail", smtp, "--smtp-addr"},
		{"default robot", hook, "--webhook-url"},
		{"e-mail with base url", append([]string{"--base-url", "https://weike.example.cn"}, smtp...), ""},
		{"demo with e-mail", append([]string{"--demo"}, smtp...), ""},
	}
	for _, c := range cases {
		err := check(c.args)
		switch {
		case c.refuse == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.refuse != "" && (err == nil || !strings.Contains(err.Error(), c.refuse) || !strings.Contains(err.Error(), "--base-url")):
			t.Errorf("%s: %v, want a refusal naming %s and --base-url", c.name, err, c.refuse)
		}
	}
	// The real command refuses before it listens.
	if err := run(ctx, append([]string{"serve", "--db", dbPath, "--addr", freeAddr(t)}, smtp...), envOf(nil), io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "WEIKE_BASE_URL") {
		t.Errorf("serve with e-mail and no base URL: %v", err)
	}
	if err := run(ctx, append([]string{"cron", "run", "retry", "--db", dbPath}, smtp...), envOf(nil), io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "--base-url") {
		t.Errorf("cron run with e-mail and no base URL: %v", err)
	}
	// A town's robot, set on the messages page, sends links too.
	d, err := db.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	orgs := org.NewStore(d, nil)
	county, err := orgs.EnsureCounty(ctx, "长沙县")
	if err == nil {
		var town *org.Town
		if town, _, err = orgs.EnsureTown(ctx, county.ID, "春华镇"); err == nil {
			err = d.W.Exec(`INSERT INTO robots (town_id, kind, url, updated_at) VALUES (?, 'wecom', 'https://qyapi.weixin.qq.com/x', ?)`, town.ID, time.Now()).Error
		}
	}
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := check(nil); err == nil || !strings.Contains(err.Error(), "messages page") {
		t.Errorf("a town's robot and no base URL: %v", err)
	}
	for _, bad := range []string{"weike.example.cn", "ftp://weike.example.cn", "https://", "https://weike.example.cn/?x=1"} {
		if _, _, err := parseConfig("serve", []string{"--base-url", bad}, envOf(nil)); err == nil {
			t.Errorf("--base-url %q accepted", bad)
		}
	}
}
