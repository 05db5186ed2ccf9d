package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// browserCtx is the one browser of the package; each test opens its own
// browser contexts (fresh cookies and cache, like a private window) in it.
// It is nil when no Chromium was found, and noBrowser says why.
var (
	browserCtx context.Context
	noBrowser  string
)

// chromiumPath finds Debian's Chromium (WEIKE_CHROMIUM names another).
func chromiumPath() string {
	if p := os.Getenv("WEIKE_CHROMIUM"); p != "" {
		p, _ = exec.LookPath(p)
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func TestMain(m *testing.M) {
	code := runMain(m)
	removeDemoTemplate()
	os.Exit(code)
}

func runMain(m *testing.M) int {
	path := chromiumPath()
	if path == "" {
		noBrowser = "no Chromium found (apt-get install chromium, or set WEIKE_CHROMIUM): skipping the browser tests"
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "e2e:", noBrowser, "— under CI=true the browser tests must run")
			return 1
		}
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "weike-e2e-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The flags that keep a headless Chromium quiet: without the
	// background-networking ones it calls home, and the sandbox needs
	// privileges a container has not got.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("hide-scrollbars", true),
		// A Chinese browser, as the people have (its month fields
		// read 2026年06月 with the chromium-l10n package installed).
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Env("LANGUAGE=zh_CN", "LANG=zh_CN.UTF-8"),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first run starts the browser; no timeout on it (a timeout here
	// would stop the browser when it fires).
	if err := chromedp.Do(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start Chromium:", err)
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// needBrowser skips a test when there is no browser (TestMain has already
// failed the run under CI=true).
func needBrowser(t *testing.T) {
	t.Helper()
	if browserCtx == nil {
		t.Skip(noBrowser)
	}
}
